"""Every known mistake of a1_bow loses points on each test it declares, and only a wrong submission
does: the solution passes those same tests."""

from __future__ import annotations

import pytest
from kit_support import ASSIGNMENT, ROOT, MakeSubmission

from autograder.config import load_course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.variants import Mutant, load_mutants

MUTANTS = load_mutants(Kit(ROOT), ASSIGNMENT, load_course(Kit(ROOT)).assignment(ASSIGNMENT))


def test_there_are_enough_mutants() -> None:
    assert len(MUTANTS) >= 10


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_mutant_loses_points_on_declared_tests(mutant: Mutant, grader: Grader, make_submission: MakeSubmission) -> None:
    report = grader.grade(ASSIGNMENT, make_submission(mutant.base, *mutant.edits), only=mutant.must_fail)
    survivors = [o.test.id for o in report.outcomes if o.score >= o.test.points]
    assert survivors == [], f"{mutant.id} was not caught by {survivors}"
