"""Shared fixtures: the kit, its course, one warm grader for the whole session, derived submissions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kit_support import ASSIGNMENT, ASSIGNMENTS, ROOT, TEST_MEMORY_MB, TEST_TIMEOUT_S, MakeSubmission

from autograder.config import Course, load_course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.variants import Edit, materialize


@pytest.fixture(scope="session")
def kit() -> Kit:
    return Kit(ROOT)


@pytest.fixture(scope="session")
def course(kit: Kit) -> Course:
    """The real grading policy with a short timeout and a small memory cap (tests that set their own
    limits, such as held-out accuracy, keep them)."""
    real = load_course(kit)
    return real.model_copy(
        update={"defaults": real.defaults.model_copy(update={"timeout_s": TEST_TIMEOUT_S, "memory_mb": TEST_MEMORY_MB})}
    )


@pytest.fixture(scope="session")
def grader(kit: Kit, course: Course) -> Iterator[Grader]:
    """One warm worker serving every assignment."""
    with Grader(kit, course, ASSIGNMENTS, device="cpu") as warm:
        yield warm


@pytest.fixture
def make_submission(kit: Kit, course: Course, tmp_path: Path) -> MakeSubmission:
    """``make_submission("solution", Edit(...), ...)``: a copy of the solution or starter of the engine
    tests' assignment, with edits; ``assignment=`` picks another."""
    counter = iter(range(1_000_000))

    def make(base: str, *edits: Edit, assignment: str = ASSIGNMENT) -> Path:
        source = kit.solution_dir(assignment) if base == "solution" else kit.starter_dir(assignment)
        files = course.assignment(assignment).files
        return materialize(source, files, list(edits), tmp_path / f"submission-{next(counter)}")

    return make
