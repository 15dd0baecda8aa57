"""Copy out of the kit what grading one assignment needs, so that a folder holding it is a kit of its own.

Two cuts of the same kit: the grading payload (every test, every seed, the held-out labels, and what
the known mistakes return, to name them in feedback: for the Gradescope and Otter autograders, which
only course staff handle) and the public cut (visible tests on public seeds only: what students get for
`autograder check`). Neither holds solutions, mutants.yaml or correct alternatives. Another assignment's
files are copied only when this one's probes or policy name it (an assignment that reads another one's
data, for instance).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from autograder.config import Course
from autograder.kit import CONFIG_NAME, Kit
from autograder.mutant_outputs import copy_fresh_mutant_outputs
from autograder.references import MANIFEST, needed_keys, reference_path

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


def referenced_assignments(kit: Kit, course: Course, assignment_id: str) -> list[str]:
    """The assignment itself and every other one whose id its probes, helpers or policy mention."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(kit.tests_dir(assignment_id).glob("*.py"))]
    texts.append(json.dumps(course.assignment(assignment_id).model_dump(mode="json")))
    return [
        other
        for other in sorted(course.assignments)
        if other == assignment_id or any(re.search(rf"\b{re.escape(other)}\b", text) for text in texts)
    ]


def course_config(kit: Kit, assignment_id: str, public: bool) -> dict[str, Any]:
    """grading.yaml with this assignment only; the public cut keeps visible tests and public seeds."""
    raw = yaml.safe_load(kit.config_path.read_text(encoding="utf-8"))
    entry = dict(raw["assignments"][assignment_id])
    if public:
        entry.pop("hidden_seeds", None)
        entry["tests"] = [
            {key: value for key, value in test.items() if key != "hidden_seeds"}
            for test in entry["tests"]
            if test.get("visibility", "visible") == "visible"
        ]
    return {**raw, "assignments": {assignment_id: entry}}


def write_config(kit: Kit, assignment_id: str, destination: Path, public: bool) -> None:
    heading = "# The grading policy of one assignment, cut from the course's grading.yaml.\n"
    text = yaml.safe_dump(course_config(kit, assignment_id, public), sort_keys=False, allow_unicode=True)
    (destination / CONFIG_NAME).write_text(heading + text, encoding="utf-8")


def copy_tree(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target, ignore=IGNORED, dirs_exist_ok=True)


def copy_probes(kit: Kit, assignment_id: str, destination: Path) -> None:
    """The probes and the helpers beside them (not the mutants, alternatives or references)."""
    target = destination / "tests" / assignment_id
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(kit.tests_dir(assignment_id).glob("*.py")):
        shutil.copy2(path, target / path.name)


def copy_public_data(kit: Kit, course: Course, assignment_id: str, destination: Path) -> None:
    for other in referenced_assignments(kit, course, assignment_id):
        copy_tree(kit.handout_dir(other) / "data", destination / "assignments" / other / "data")


def write_grading_payload(kit: Kit, course: Course, assignment_id: str, destination: Path) -> None:
    """Everything `autograder grade` needs for this assignment, with the installed engine."""
    destination.mkdir(parents=True, exist_ok=True)
    write_config(kit, assignment_id, destination, public=False)
    copy_probes(kit, assignment_id, destination)
    copy_tree(kit.references_dir(assignment_id), destination / "tests" / assignment_id / "references")
    copy_fresh_mutant_outputs(
        kit, assignment_id, course.assignment(assignment_id), destination / "tests" / assignment_id / "mutant_outputs"
    )
    copy_public_data(kit, course, assignment_id, destination)
    for other in referenced_assignments(kit, course, assignment_id):
        copy_tree(kit.tests_dir(other) / "heldout", destination / "tests" / other / "heldout")


def write_public_tests(kit: Kit, course: Course, assignment_id: str, destination: Path) -> None:
    """The visible tests on public seeds: the cut policy, the probes, and only the references they read."""
    destination.mkdir(parents=True, exist_ok=True)
    write_config(kit, assignment_id, destination, public=True)
    copy_probes(kit, assignment_id, destination)
    copy_public_data(kit, course, assignment_id, destination)
    source, target = kit.references_dir(assignment_id), destination / "tests" / assignment_id / "references"
    manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    kept = [reference_path(key) for key in needed_keys(course.assignment(assignment_id), public_only=True)]
    for relative in kept:
        (target / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, target / relative)
    manifest["references"] = {relative: manifest["references"][relative] for relative in kept}
    manifest.pop("solution_sha256", None)
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
