"""The feedback names the known mistake that a failed test's outputs match: a known mistake, the same
mistake in a student's own words and a notebook with one are named, by the kit and by a grading payload
(Gradescope's, Otter's); a new mistake is not; a stale or missing store of the mistakes' outputs names
nothing, and grading goes on. (That regen rebuilds the
store byte for byte is tested with the references.)"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import numpy as np
import pytest
from kit_support import ASSIGNMENT, ASSIGNMENTS, copy_kit

from autograder.config import AccuracyTest, Course, Tolerance, load_course
from autograder.grading import Grader, GradeReport
from autograder.kit import Kit
from autograder.mutant_outputs import load_mutant_outputs
from autograder.naming import KnownMistake, recognise
from autograder.release.payload import write_grading_payload
from autograder.variants import Edit, Mutant, build, load_mutants, materialize
from autograder.wire import Array

KNOWN_MISTAKE_SENTENCE = "exactly what we get from a known mistake"


def _mutant(kit: Kit, course: Course, mutant_id: str) -> Mutant:
    return next(m for m in load_mutants(kit, ASSIGNMENT, course.assignment(ASSIGNMENT)) if m.id == mutant_id)


def _named(report: GradeReport) -> dict[str, str]:
    """Test id -> the id of the mistake its feedback names."""
    return {o.test.id: o.mistake for o in report.outcomes if o.mistake}


def test_a_known_mistake_is_named_in_the_feedback(grader: Grader, kit: Kit, course: Course, tmp_path: Path) -> None:
    """Graded on every test but the held-out one (it trains for seconds), like any submission."""
    mutant = _mutant(kit, course, "no_zero_grad")
    folder = build(kit, ASSIGNMENT, course.assignment(ASSIGNMENT), mutant, tmp_path / "m")
    tests = [t.id for t in course.assignment(ASSIGNMENT).tests if not isinstance(t, AccuracyTest)]
    report = grader.grade(ASSIGNMENT, folder, only=tests)
    named = _named(report)
    assert set(named.values()) == {mutant.id}, named
    assert set(named) <= {o.test.id for o in report.outcomes if not o.passed}
    for test_id in named:
        assert f"{KNOWN_MISTAKE_SENTENCE}: {mutant.description}." in report.outcome(test_id).feedback


def test_the_same_mistake_in_other_words_is_named(grader: Grader, kit: Kit, course: Course, tmp_path: Path) -> None:
    """A loss summed by hand (the mean times the batch size) is not the mutant's code, but its outputs
    are the mutant's within the tests' tolerance."""
    mutant = _mutant(kit, course, "sum_reduction")
    own_words = Edit(
        file="bow_model.py",
        old="loss = loss_fn(model(features), labels)",
        new="loss = loss_fn(model(features), labels) * len(labels)",
    )
    folder = materialize(kit.solution_dir(ASSIGNMENT), course.assignment(ASSIGNMENT).files, [own_words], tmp_path)
    report = grader.grade(ASSIGNMENT, folder, only=mutant.must_fail)
    assert not [o for o in report.outcomes if o.passed]
    assert set(_named(report).values()) == {mutant.id}, [o.feedback for o in report.outcomes]


def test_a_notebook_with_a_known_mistake_is_named(grader: Grader, kit: Kit, course: Course, tmp_path: Path) -> None:
    mutant = _mutant(kit, course, "no_lowercase")
    folder = build(kit, ASSIGNMENT, course.assignment(ASSIGNMENT), mutant, tmp_path / "files")
    cells = [
        nbformat.v4.new_code_cell(f"%%writefile {name}\n{(folder / name).read_text()}")
        for name in course.assignment(ASSIGNMENT).files
    ]
    notebook = tmp_path / "submission.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), notebook)
    report = grader.grade(ASSIGNMENT, notebook, only=mutant.must_fail)
    assert set(_named(report)) == set(mutant.must_fail) and set(_named(report).values()) == {mutant.id}


def test_a_grading_payload_names_known_mistakes(kit: Kit, course: Course, tmp_path: Path) -> None:
    """Gradescope and Otter grade from a payload that has neither mutants.yaml nor the solution."""
    payload = tmp_path / "payload"
    write_grading_payload(kit, course, ASSIGNMENT, payload)
    assert not Kit(payload).mutants_path(ASSIGNMENT).exists() and not Kit(payload).solution_dir(ASSIGNMENT).exists()
    mutant = _mutant(kit, course, "no_zero_grad")
    folder = build(kit, ASSIGNMENT, course.assignment(ASSIGNMENT), mutant, tmp_path / "m")
    with Grader(Kit(payload), load_course(Kit(payload)), [ASSIGNMENT], device="cpu") as grader:
        report = grader.grade(ASSIGNMENT, folder, only=mutant.must_fail)
    assert set(_named(report).values()) == {mutant.id}
    assert all(f"{KNOWN_MISTAKE_SENTENCE}: {mutant.description}." in o.feedback for o in report.outcomes if o.mistake)


def test_a_grading_payload_carries_only_fresh_mutant_outputs(course: Course, tmp_path: Path) -> None:
    copy = copy_kit(tmp_path / "kit")
    _edit_mutant(copy)
    payload = Kit(tmp_path / "payload")
    write_grading_payload(copy, course, ASSIGNMENT, payload.root)
    shipped = load_mutant_outputs(payload, ASSIGNMENT, course.assignment(ASSIGNMENT))
    fresh = load_mutant_outputs(copy, ASSIGNMENT, course.assignment(ASSIGNMENT))
    assert not shipped.missing and "no_zero_grad" in fresh.missing
    assert [k.id for k in shipped.known] == [k.id for k in fresh.known]
    assert not (payload.mutant_outputs_dir(ASSIGNMENT) / "no_zero_grad").exists()


def test_a_new_mistake_is_not_named(grader: Grader, kit: Kit, course: Course, tmp_path: Path) -> None:
    """Doubled logits are wrong, and no known mistake gives them."""
    doubled = Edit(file="bow_model.py", old=".squeeze(-1)", new=".squeeze(-1) * 2")
    folder = materialize(kit.solution_dir(ASSIGNMENT), course.assignment(ASSIGNMENT).files, [doubled], tmp_path)
    report = grader.grade(ASSIGNMENT, folder, only=["model_values", "model_gradients"])
    assert not [o for o in report.outcomes if o.passed]
    assert not _named(report) and not [o for o in report.outcomes if KNOWN_MISTAKE_SENTENCE in o.feedback]


def _known(mistake_id: str, must_fail: str, *values: float) -> KnownMistake:
    outputs = {"y": Array(np.array(values, dtype=np.float32), "torch.float32"), "n": 3}
    return KnownMistake(mistake_id, mistake_id, frozenset([must_fail]), {("probe", 0): outputs})


def test_of_several_matches_the_one_known_to_fail_the_test_then_the_closest_is_named() -> None:
    tolerance = Tolerance(rtol=1e-2, atol=0.0)
    ours = _known("", "", 1.0, 2.0).outputs[("probe", 0)]
    other_test = _known("exact_elsewhere", "other", 1.0, 2.0)
    near = _known("near", "this", 1.0, 2.01)
    exact = _known("exact", "this", 1.0, 2.0)
    far = _known("far", "this", 1.0, 2.1)  # beyond the tolerance: never named

    def named(*known: KnownMistake) -> str | None:
        found = recognise("this", ("probe", 0), ours, ["y", "n"], tolerance, known)
        return found.id if found else None

    assert named(other_test, near, exact, far) == "exact"
    assert named(other_test, near, far) == "near"
    assert named(other_test, far) == "exact_elsewhere"
    assert named(far) is None
    assert recognise("this", ("probe", 1), ours, ["y"], tolerance, [exact]) is None  # another seed


def _alter(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"\n# edited\n")


def _edit_mutant(kit: Kit) -> None:
    """no_zero_grad writes `pass` where it deleted the call: other code, so other outputs, maybe."""
    path = kit.mutants_path(ASSIGNMENT)
    old = 'old: "        optimizer.zero_grad()\\n", new: ""'
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, old.replace('new: ""', 'new: "        pass\\n"')), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "stale"),
    [
        (lambda kit: shutil.rmtree(kit.mutant_outputs_dir(ASSIGNMENT)), None),
        (lambda kit: _alter(kit.probes_path(ASSIGNMENT)), None),
        (_edit_mutant, "no_zero_grad"),
        (lambda kit: _alter(kit.mutant_outputs_dir(ASSIGNMENT) / "sum_reduction" / "train_epoch" / "seed-0.bin"),
         "sum_reduction"),
    ],
    ids=["store deleted", "probes edited", "mutant edited", "output altered"],
)
def test_stale_mutant_outputs_are_left_out(
    change: Callable[[Kit], object], stale: str | None, course: Course, tmp_path: Path
) -> None:
    """What no longer matches its mutant is left out and said; an edit of one mutant stales only it."""
    copy = copy_kit(tmp_path)
    fresh = load_mutant_outputs(copy, ASSIGNMENT, course.assignment(ASSIGNMENT))
    assert not fresh.missing and stale in [None, *(k.id for k in fresh.known)]
    change(copy)
    loaded = load_mutant_outputs(copy, ASSIGNMENT, course.assignment(ASSIGNMENT))
    assert f"autograder regen {ASSIGNMENT}" in loaded.missing
    if stale is None:
        assert loaded.known == []
    else:
        assert stale in loaded.missing
        assert [k.id for k in loaded.known] == [k.id for k in fresh.known if k.id != stale]


def test_grading_without_the_store_names_nothing_and_scores_the_same(
    grader: Grader, kit: Kit, course: Course, tmp_path: Path
) -> None:
    mutant = _mutant(kit, course, "no_zero_grad")
    folder = build(kit, ASSIGNMENT, course.assignment(ASSIGNMENT), mutant, tmp_path / "m")
    with_store = grader.grade(ASSIGNMENT, folder, only=mutant.must_fail)
    copy = copy_kit(tmp_path / "kit")
    shutil.rmtree(copy.mutant_outputs_dir(ASSIGNMENT))
    with Grader(copy, course, [ASSIGNMENT], device="cpu") as bare:
        without = bare.grade(ASSIGNMENT, folder, only=mutant.must_fail)
    assert _named(with_store) and not _named(without)
    assert [(o.test.id, o.score) for o in without.outcomes] == [(o.test.id, o.score) for o in with_store.outcomes]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_committed_mutant_outputs_are_fresh(assignment_id: str, kit: Kit, course: Course) -> None:
    stored = load_mutant_outputs(kit, assignment_id, course.assignment(assignment_id))
    assert not stored.missing, stored.missing
    assert len(stored.known) == len(load_mutants(kit, assignment_id, course.assignment(assignment_id)))

