"""Which version of an assignment's tests graded a result: a short hash of everything that decides its
grades, the references (from their manifest, the hash of every reference and of the probes) and the
grading policy (the assignment's entry of grading.yaml with the course-wide limits and tolerances it
inherits). Results and batches record it, so that ``regrade`` knows what it replaces. What decides no
grade is left out, so that regenerating unchanged references keeps the version: the solution's hash (a
comment edited), the torch version and the imports the worker preloads for speed."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from autograder.config import Course
from autograder.kit import Kit
from autograder.references import read_manifest

VERSION_CHARS = 12
GRADING_KEYS = ("references", "probes_sha256")
"""What of the references' manifest decides grades."""


def tests_version(course: Course, assignment_id: str, manifest: dict[str, Any]) -> str:
    policy = {
        "assignment": course.assignment(assignment_id).model_dump(mode="json"),
        **course.model_dump(mode="json", include={"defaults", "tolerances"}),
    }
    references = {key: manifest.get(key) for key in GRADING_KEYS}
    canonical = json.dumps({"references": references, "policy": policy}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:VERSION_CHARS]


def current_version(kit: Kit, course: Course, assignment_id: str) -> str:
    """The version of the assignment's tests as the kit holds them now."""
    return tests_version(course, assignment_id, read_manifest(kit, assignment_id))
