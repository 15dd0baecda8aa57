"""Every assignment of grading.yaml, each checked the same way: the handout and the data's provenance
exist; the solution and every correct alternative get full marks; the starter gets zero; every known
mistake loses points on each test it declares, and the feedback names it wherever its outputs are values;
every test is failed by at least one known mistake."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
from kit_support import ASSIGNMENTS, ROOT

from autograder.config import Course, load_course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.references import Key, load_references, needed_keys
from autograder.validate import naming
from autograder.variants import Mutant, Variant, build, load_alternatives, load_mutants
from autograder.wire import Outputs

KIT = Kit(ROOT)
COURSE = load_course(KIT)
MIN_MUTANTS = 12
MUTANTS = [(a, m) for a in ASSIGNMENTS for m in load_mutants(KIT, a, COURSE.assignment(a))]
ALTERNATIVES = [(a, v) for a in ASSIGNMENTS for v in load_alternatives(KIT, a, COURSE.assignment(a))]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_handout_and_provenance(assignment_id: str) -> None:
    handout, provenance = KIT.handout_path(assignment_id), KIT.provenance_path(assignment_id)
    assert handout.is_file() and "## " in handout.read_text(encoding="utf-8"), f"no handout at {handout}"
    assert provenance.is_file() and provenance.read_text(encoding="utf-8").strip(), f"no {provenance}"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_solution_gets_full_marks(assignment_id: str, grader: Grader, kit: Kit) -> None:
    report = grader.grade(assignment_id, kit.solution_dir(assignment_id))
    lost = {o.test.id: o.feedback for o in report.outcomes if not o.passed}
    assert not lost and report.max_score > 0, lost


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_starter_gets_zero(assignment_id: str, grader: Grader, kit: Kit) -> None:
    report = grader.grade(assignment_id, kit.starter_dir(assignment_id))
    scored = {o.test.id: o.feedback for o in report.outcomes if o.score > 0}
    assert not scored, scored
    assert all("NotImplementedError" in o.feedback for o in report.outcomes), [o.feedback for o in report.outcomes]


@pytest.mark.parametrize(("assignment_id", "alternative"), ALTERNATIVES, ids=[f"{a}-{v.id}" for a, v in ALTERNATIVES])
def test_correct_alternative_gets_full_marks(
    assignment_id: str, alternative: Variant, grader: Grader, kit: Kit, course: Course, tmp_path: Path
) -> None:
    """A right answer written differently (another formula, PyTorch's own module, another reading of the
    API that the handout allows) loses nothing."""
    variant = build(kit, assignment_id, course.assignment(assignment_id), alternative, tmp_path / alternative.id)
    report = grader.grade(assignment_id, variant)
    lost = {o.test.id: o.feedback for o in report.outcomes if not o.passed}
    assert not lost, lost
    assert not [o.mistake for o in report.outcomes if o.mistake]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_test_is_failed_by_a_known_mistake(assignment_id: str) -> None:
    mutants = [m for a, m in MUTANTS if a == assignment_id]
    assert len(mutants) >= MIN_MUTANTS, f"{assignment_id} has {len(mutants)} mutants"
    covered = {test for mutant in mutants for test in mutant.must_fail}
    uncovered = [t.id for t in COURSE.assignment(assignment_id).tests if t.id not in covered]
    assert not uncovered, f"no mutant of {assignment_id} must fail {uncovered}"


@pytest.mark.parametrize(("assignment_id", "mutant"), MUTANTS, ids=[f"{a}-{m.id}" for a, m in MUTANTS])
def test_mutant_loses_points_on_declared_tests(
    assignment_id: str, mutant: Mutant, grader: Grader, kit: Kit, course: Course, tmp_path: Path
) -> None:
    folder = build(kit, assignment_id, course.assignment(assignment_id), mutant, tmp_path / mutant.id)
    report = grader.grade(assignment_id, folder, only=mutant.must_fail)
    survivors = [o.test.id for o in report.outcomes if o.passed]
    assert not survivors, f"{mutant.id} was not caught by {survivors}"
    named = naming(mutant, report, grader.mutant_outputs(assignment_id), _references(assignment_id))
    assert named.status in ("named", "raises"), named.detail  # where it raises, the feedback shows the error


@functools.cache
def _references(assignment_id: str) -> dict[Key, Outputs]:
    assignment = COURSE.assignment(assignment_id)
    return load_references(KIT, assignment_id, assignment, needed_keys(assignment))[0]
