"""`autograder build ID`: the three things a course hands out for one assignment, under DIR/ID/:
``student/`` (the release), ``gradescope/autograder.zip`` and ``otter/`` (Otter-Grader)."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.config import Course
from autograder.kit import Kit
from autograder.release.gradescope import write_gradescope_zip
from autograder.release.otter import write_otter
from autograder.release.student import write_student_release


def build(kit: Kit, course: Course, assignment_id: str, out: Path, gpu: bool = False) -> Path:
    """Write DIR/ID/ afresh (a previous build of the assignment is replaced) and return it."""
    course.assignment(assignment_id)  # a clear error for an unknown id, before anything is written
    target = out / assignment_id
    if target.exists():
        shutil.rmtree(target)
    write_student_release(kit, course, assignment_id, target / "student")
    (target / "gradescope").mkdir(parents=True)
    write_gradescope_zip(kit, course, assignment_id, target / "gradescope" / "autograder.zip", gpu=gpu)
    write_otter(kit, course, assignment_id, target / "otter")
    return target
