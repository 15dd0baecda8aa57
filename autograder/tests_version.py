"""Which version of an assignment's tests graded a result: a short hash of everything that decides its
grades, the references (their manifest, which names the hash of every reference, of the solution and of
the probes) and the grading policy (the assignment's entry of grading.yaml with the course-wide limits and
tolerances it inherits). Results and batches record it, so that ``regrade`` knows what it replaces."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from autograder.config import Course
from autograder.kit import Kit
from autograder.references import read_manifest

VERSION_CHARS = 12


def tests_version(course: Course, assignment_id: str, manifest: dict[str, Any]) -> str:
    policy = {
        "assignment": course.assignment(assignment_id).model_dump(mode="json"),
        **course.model_dump(mode="json", include={"defaults", "tolerances"}),
    }
    canonical = json.dumps({"references": manifest, "policy": policy}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:VERSION_CHARS]


def current_version(kit: Kit, course: Course, assignment_id: str) -> str:
    """The version of the assignment's tests as the kit holds them now."""
    return tests_version(course, assignment_id, read_manifest(kit, assignment_id))
