"""Forged outputs earn nothing. A test process runs the student's code, which can replace the sandbox's
own frame writer and send whatever outputs it likes; these attacks do so.

- Held-out metrics: a submission that skips training, forges the metrics, patches the loss function
  that trusted code calls and looks for the held-out data. The probe's process sends only the trained
  parameters and never holds the held-out data, and the evaluation, forked from the clean worker
  afterwards, computes every graded number itself.
- Property tests: a submission with a real mistake that makes the two outputs of each `equal` test
  agree. Anchored outputs must also equal the reference, which the mistake cannot match.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import pytest
from kit_support import MakeSubmission

from autograder.grading import Grader
from autograder.variants import Edit

FORGER = """
import sys as _sys
import torch as _torch


def _install_forgery(forged):
    probes = _sys.modules["autograder_tests_{assignment}.probes"]
    try:
        probes.HELDOUT.get()
        print("READ the held-out data")
    except Exception as error:
        print("REFUSED", type(error).__name__)
    _torch.nn.functional.cross_entropy = lambda *args, **kwargs: _torch.tensor(0.0)
    child = _sys.modules["autograder.sandbox.child"]
    real_pack = child.pack
    child.pack = lambda outputs, meta=None: real_pack({{**outputs, **forged}}, meta)
    print("FORGED", sorted(forged))


_install_forgery({forged!r})
"""


@dataclass(frozen=True)
class Forgery:
    file: str  # the submitted file that trains, and hosts the forger
    no_training: Edit  # the training step made to do nothing
    forged: dict[str, list[float]]  # outputs that would pass the property test
    metric: str  # the property test that the forged output would pass
    accuracy: str = "heldout_accuracy"


FORGERIES = {
    "a4_char_rnn": Forgery(
        "char_model.py",
        Edit(
            file="char_model.py",
            old="    loss.backward()\n    nn.utils.clip_grad_norm_(model.parameters(), clip)\n"
            "    optimizer.step()\n    return loss.item(), state",
            new="    return 0.0, (state[0].detach(), state[1].detach())",
        ),
        {"perplexity_unigram_bound_yours": [29.6, 7.0, 1.0]},
        "heldout_perplexity",
    ),
    "a7_gpt2": Forgery(
        "lm_train.py",
        Edit(file="lm_train.py", old="    model.train()\n    optimizer.zero_grad()", new="    return 1.0"),
        {"heldout_loss_before_and_after": [9.0, 0.5]},
        "heldout_loss_decreases",
    ),
}


@pytest.mark.parametrize("assignment", sorted(FORGERIES))
def test_forged_heldout_metrics_earn_nothing(assignment: str, grader: Grader, make_submission: MakeSubmission) -> None:
    forgery = FORGERIES[assignment]
    forger = Edit(file=forgery.file, new=FORGER.format(assignment=assignment, forged=forgery.forged))
    submission = make_submission("solution", forgery.no_training, forger, assignment=assignment)
    report = grader.grade(assignment, submission, only=[forgery.accuracy, forgery.metric])

    metric = report.outcome(forgery.metric)
    assert metric.score == 0, metric.feedback
    printed = metric.feedback.split("Your code printed:\n", 1)[1]
    assert "FORGED" in printed, printed  # the forger did replace the writer in the test process
    got = re.search(r"should be decreasing: got \[([^\]]*)\]", metric.feedback)
    assert got, metric.feedback
    trusted = [float(x) for x in got.group(1).split(", ")]
    assert trusted != next(iter(forgery.forged.values())) and trusted[-1] >= trusted[-2], trusted
    accuracy = report.outcome(forgery.accuracy)
    assert not accuracy.passed, accuracy.feedback
    if os.geteuid() == 0:  # only a root grader keeps files from student code
        assert "REFUSED ProbeError" in printed and "READ" not in printed, printed


PAIR_FORGER = """
import sys as _sys


def _make_pairs_agree(pairs):
    child = _sys.modules["autograder.sandbox.child"]
    real_pack = child.pack

    def pack(outputs, meta=None):
        for first, second in pairs:
            if second in outputs:
                outputs[first] = outputs[second]
        return real_pack(outputs, meta)

    child.pack = pack
    print("FORGED", pairs)


_make_pairs_agree({pairs!r})
"""


def test_forged_agreement_earns_no_property_test(grader: Grader, make_submission: MakeSubmission) -> None:
    """a3_gru with the classic mistake of reading the last position (padding for all but the longest
    review), whose frames claim that padding and batching change nothing."""
    tests = {
        "classifier_padding": ("logits_with_more_padding", "logits"),
        "classifier_batch_independence": ("logits_one_at_a_time", "logits"),
    }
    mistake = Edit(
        file="gru_model.py", old="last = states[rows, lengths.to(states.device) - 1]", new="last = states[:, -1]"
    )
    forger = Edit(file="gru_model.py", new=PAIR_FORGER.format(pairs=list(tests.values())))
    report = grader.grade("a3_gru", make_submission("solution", mistake, forger, assignment="a3_gru"), only=list(tests))
    for test_id in tests:
        outcome = report.outcome(test_id)
        assert outcome.score == 0, outcome.feedback
        assert "FORGED" in outcome.feedback.split("Your code printed:\n", 1)[1], outcome.feedback


def test_forged_parameters_are_checked_before_use(grader: Grader, make_submission: MakeSubmission) -> None:
    """A frame whose trained parameters are missing or of another shape gets a clear error from the
    evaluation, not a crash, and costs the held-out tests only."""
    forger = Edit(
        file="char_model.py",
        new="""
import sys as _sys
import torch as _torch

_child = _sys.modules["autograder.sandbox.child"]
_real_pack = _child.pack
_child.pack = lambda outputs, meta=None: _real_pack(
    {**outputs, "trained:output.bias": _child.to_wire_value(_torch.zeros(3))}, meta
)
""",
    )
    report = grader.grade(
        "a4_char_rnn",
        make_submission("solution", forger, assignment="a4_char_rnn"),
        only=["heldout_accuracy", "heldout_perplexity", "vocab_encode"],
    )
    for test_id in ("heldout_accuracy", "heldout_perplexity"):
        feedback = report.outcome(test_id).feedback
        assert report.outcome(test_id).score == 0, feedback
        assert "should have a parameter output.bias of shape (69,) (floating point), got shape (3,)" in feedback
    assert report.outcome("vocab_encode").passed


def test_forged_frame_metadata_reaches_no_worker(grader: Grader, make_submission: MakeSubmission) -> None:
    """The worker reads a frame's metadata before it starts the evaluation: a correct submission whose
    frames claim an ``imported`` that is not a list still gets its held-out points, and the worker
    that serves it stays up."""
    forger = Edit(
        file="char_model.py",
        new="""
import sys as _sys

_child = _sys.modules["autograder.sandbox.child"]
_real_pack = _child.pack
_child.pack = lambda outputs, meta=None: _real_pack(outputs, {**(meta or {}), "imported": 5})
""",
    )
    worker = grader.worker.pid
    report = grader.grade(
        "a4_char_rnn", make_submission("solution", forger, assignment="a4_char_rnn"), only=["heldout_perplexity"]
    )
    assert report.outcome("heldout_perplexity").passed, report.outcome("heldout_perplexity").feedback
    assert grader.worker.pid == worker
