"""The rules: turn a test's per-seed data into a score and feedback, which names the known mistake whose
outputs a failed test's match (:mod:`autograder.naming`). Trusted side, numpy only.

A test scores what its weakest seed scores, so passing the public inputs alone earns nothing extra.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from autograder.boundary import ProbeResult
from autograder.compare import Mismatch, compare
from autograder.config import AccuracyTest, CompareTest, GradientTest, PropertyTest, ShapeTest, TestSpec, Tolerance
from autograder.naming import KnownMistake, naming_sentence, recognise
from autograder.text import FEEDBACK_CHARS, clean, short_repr
from autograder.wire import Array, Failed, Outputs, Value

CONTEXT_OUTPUT = "inputs"  # a probe's optional list of inputs, shown next to a mismatch, never compared
PRINTED_TAIL_CHARS = 1500


@dataclass(frozen=True)
class SeedRun:
    """One seed of one test: what the submission produced and what the solution produced."""

    seed: int
    hidden_index: int | None  # None for a public seed; 1, 2, ... for hidden ones
    result: ProbeResult
    reference: Outputs

    @property
    def label(self) -> str:
        return f"public input (seed {self.seed})" if self.hidden_index is None else f"hidden input #{self.hidden_index}"


@dataclass(frozen=True)
class Verdict:
    fraction: float
    message: str
    mistake: str | None = None
    """The id of the known mistake that the failed outputs match, if any."""


def judge_test(
    test: TestSpec,
    runs: list[SeedRun],
    tolerance: Tolerance,
    labels: np.ndarray | None,
    known: Sequence[KnownMistake] = (),
) -> Verdict:
    """Score a test over all its seeds; the feedback explains the weakest one and names the known
    mistake whose outputs it matches there."""
    verdicts = [(run, judge_seed(test, run, tolerance, labels)) for run in runs]
    weakest_run, weakest = min(verdicts, key=lambda pair: pair[1].fraction)
    if weakest.fraction >= 1.0:
        detail = "; ".join(v.message for _, v in verdicts if v.message)
        message = f"passed on {_count_inputs(runs)}" + (f". {detail}" if detail else "")
        return Verdict(1.0, clean(message, FEEDBACK_CHARS))
    passed = sum(1 for _, v in verdicts if v.fraction >= 1.0)
    prefix = f"On {weakest_run.label}: " if len(runs) > 1 or weakest_run.hidden_index else ""
    note = f"\n(passed {passed} of {len(runs)} inputs)" if len(runs) > 1 else ""
    printed = weakest_run.result.printed.strip()
    if printed:
        note += f"\nYour code printed:\n{printed[-PRINTED_TAIL_CHARS:]}"
    hint = f"\nHint: {test.hint}" if test.hint else ""
    mistake = _known_mistake(test, weakest_run, tolerance, known)
    named = f"\n{naming_sentence(mistake)}" if mistake else ""
    message = clean(prefix + weakest.message + named + hint + note, FEEDBACK_CHARS)
    return Verdict(weakest.fraction, message, mistake.id if mistake else None)


def _known_mistake(
    test: TestSpec, run: SeedRun, tolerance: Tolerance, known: Sequence[KnownMistake]
) -> KnownMistake | None:
    """The known mistake whose outputs the run's match, where the run returned outputs at all."""
    if not run.result.ok or not known:
        return None
    names = read_outputs(test, run.reference)
    return recognise(test.id, (test.probe, run.seed), run.result.outputs, names, tolerance, known)


def _count_inputs(runs: list[SeedRun]) -> str:
    public = sum(1 for run in runs if run.hidden_index is None)
    hidden = len(runs) - public
    parts = [f"{public} public input{'s' * (public != 1)}"] + ([f"{hidden} hidden"] if hidden else [])
    return " and ".join(parts)


def judge_seed(test: TestSpec, run: SeedRun, tolerance: Tolerance, labels: np.ndarray | None) -> Verdict:
    result = run.result
    if not result.ok:
        message = result.message or result.status
        return Verdict(0.0, message + (f"\n{result.traceback}" if result.traceback else ""))
    if isinstance(test, CompareTest):
        return _judge_compare(test, run, tolerance)
    if isinstance(test, AccuracyTest):
        assert labels is not None, "accuracy tests need labels"
        return _judge_accuracy(test, result.outputs.get(test.output), labels)
    if isinstance(test, PropertyTest):
        anchored = _match_references(test.anchor, run, tolerance, exact_dtype=True, shape_only=False, gradient=False)
        return _judge_property(test, result.outputs, tolerance) if anchored.fraction >= 1.0 else anchored
    raise TypeError(f"no rule for {type(test).__name__}")


def read_outputs(test: TestSpec, reference: Outputs) -> list[str]:
    """The outputs that a test's rule reads (a compare test without a list reads all but the inputs)."""
    if isinstance(test, AccuracyTest):
        return [test.output]
    if isinstance(test, PropertyTest):
        return [*test.outputs, *test.anchor]
    return test.outputs or [name for name in sorted(reference) if name != CONTEXT_OUTPUT]


def _judge_compare(test: CompareTest, run: SeedRun, tolerance: Tolerance) -> Verdict:
    return _match_references(
        read_outputs(test, run.reference),
        run,
        tolerance,
        exact_dtype=test.dtype == "exact",
        shape_only=isinstance(test, ShapeTest),
        gradient=isinstance(test, GradientTest),
    )


def _match_references(
    names: list[str], run: SeedRun, tolerance: Tolerance, exact_dtype: bool, shape_only: bool, gradient: bool
) -> Verdict:
    for name in names:
        if name not in run.reference:
            return Verdict(0.0, f"the references have no output {name!r}: run `autograder regen`")
        if name not in run.result.outputs:
            return Verdict(0.0, f"{name}: the probe returned nothing")
        mismatch = compare(
            name,
            run.reference[name],
            run.result.outputs[name],
            tolerance.rtol,
            tolerance.atol,
            exact_dtype=exact_dtype,
            shape_only=shape_only,
        )
        if mismatch:
            lead = "wrong gradient: " if gradient and mismatch.kind == "values" else ""
            return Verdict(0.0, lead + _explain(mismatch, run.reference))
    return Verdict(1.0, "")


def _explain(mismatch: Mismatch, reference: Outputs) -> str:
    """The mismatch's sentence, its traceback, and, when a list output differs at item i and the probe
    listed its inputs, input i (taken from the reference: the submission cannot rewrite it)."""
    text = mismatch.message + (f"\n{mismatch.detail}" if mismatch.detail else "")
    inputs = reference.get(CONTEXT_OUTPUT)
    if mismatch.item is not None and isinstance(inputs, list) and mismatch.item < len(inputs):
        text += f"\n  for the input {short_repr(inputs[mismatch.item])}"
    return text


def _judge_accuracy(test: AccuracyTest, predictions: Value, labels: np.ndarray) -> Verdict:
    if isinstance(predictions, Failed):
        return Verdict(0.0, f"{test.output}: {predictions.message}\n{predictions.traceback}".rstrip())
    if not isinstance(predictions, Array) or predictions.values.shape != labels.shape:
        shape = tuple(predictions.values.shape) if isinstance(predictions, Array) else type(predictions).__name__
        return Verdict(0.0, f"{test.output}: expected a tensor of shape {labels.shape}, got {shape}")
    if predictions.values.dtype.kind == "f":
        return Verdict(0.0, f"{test.output}: expected integer class labels, got {predictions.torch_dtype}")
    accuracy = float(np.mean(predictions.values == labels))
    summary = f"accuracy {accuracy:.3f} on {labels.size} held-out examples (full marks from {test.threshold:.2f}"
    if accuracy >= test.threshold:
        return Verdict(1.0, summary + ")")
    if test.floor is None:
        return Verdict(0.0, summary + ")")
    fraction = min(1.0, max(0.0, (accuracy - test.floor) / (test.threshold - test.floor)))
    return Verdict(fraction, summary + f", partial credit above {test.floor:.2f})")


def _judge_property(test: PropertyTest, outputs: Outputs, tolerance: Tolerance) -> Verdict:
    missing = [name for name in test.outputs if name not in outputs]
    if missing:
        return Verdict(0.0, f"{', '.join(missing)}: the probe returned nothing")
    failed = [(name, outputs[name]) for name in test.outputs if isinstance(outputs[name], Failed)]
    if failed:
        name, failure = failed[0]
        return Verdict(0.0, f"{name}: {failure.message}\n{failure.traceback}".rstrip())
    if test.check == "equal":
        first, second = test.outputs
        mismatch = compare(first, outputs[second], outputs[first], tolerance.rtol, tolerance.atol, exact_dtype=True)
        return Verdict(0.0, f"{first} should equal {second}, but {mismatch.message}") if mismatch else Verdict(1.0, "")
    name = test.outputs[0]
    series = _numbers(outputs[name])
    if series is None or len(series) < 2:
        return Verdict(0.0, f"{name}: expected a sequence of at least two numbers")
    if not all(math.isfinite(x) for x in series):
        return Verdict(0.0, f"{name}: not all values are finite: {_short(series)}")
    pairs = list(pairwise(series))
    ok = all(b < a for a, b in pairs) if test.check == "decreasing" else all(b > a for a, b in pairs)
    return Verdict(1.0, "") if ok else Verdict(0.0, f"{name} should be {test.check}: got {_short(series)}")


def _numbers(value: Value) -> list[float] | None:
    if isinstance(value, Array) and value.values.ndim == 1:
        return [float(x) for x in value.values]
    if isinstance(value, list) and all(isinstance(x, int | float) and not isinstance(x, bool) for x in value):
        return [float(x) for x in value]
    return None


def _short(series: list[float]) -> str:
    return "[" + ", ".join(f"{x:.5g}" for x in series[:10]) + (", ...]" if len(series) > 10 else "]")
