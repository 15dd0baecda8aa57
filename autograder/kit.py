"""Locate a course kit (the folder holding grading.yaml) and name the paths inside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "grading.yaml"


class KitNotFound(Exception):
    """No grading.yaml in the start folder or any of its parents."""


@dataclass(frozen=True)
class Kit:
    """Paths of one course kit; several kits can live side by side."""

    root: Path

    @property
    def config_path(self) -> Path:
        return self.root / CONFIG_NAME

    def solution_dir(self, assignment: str) -> Path:
        return self.root / "solutions" / assignment

    def starter_dir(self, assignment: str) -> Path:
        return self.root / "starter" / assignment

    def tests_dir(self, assignment: str) -> Path:
        return self.root / "tests" / assignment

    def probes_path(self, assignment: str) -> Path:
        return self.tests_dir(assignment) / "probes.py"

    def mutants_path(self, assignment: str) -> Path:
        return self.tests_dir(assignment) / "mutants.yaml"

    def references_dir(self, assignment: str) -> Path:
        return self.tests_dir(assignment) / "references"

    def mutant_outputs_dir(self, assignment: str) -> Path:
        """What each known mistake returns, beside the references: the judge's alone, shipped nowhere."""
        return self.tests_dir(assignment) / "mutant_outputs"

    def alternatives_path(self, assignment: str) -> Path:
        """Correct variants of the solution, as edits of it, that must get full marks."""
        return self.tests_dir(assignment) / "alternatives.yaml"

    def labels_path(self, assignment: str, relative: str) -> Path:
        """A held-out labels file named in grading.yaml, relative to the assignment's tests folder."""
        return (self.tests_dir(assignment) / relative).resolve()

    def handout_dir(self, assignment: str) -> Path:
        return self.root / "assignments" / assignment

    def handout_path(self, assignment: str) -> Path:
        return self.handout_dir(assignment) / "README.md"

    def provenance_path(self, assignment: str) -> Path:
        return self.handout_dir(assignment) / "data" / "PROVENANCE.md"

    def notebook_source(self, assignment: str) -> Path:
        """The notebook as Markdown (code cells fenced as python), from which the .ipynb is built."""
        return self.handout_dir(assignment) / "notebook.md"

    def notebook_path(self, assignment: str) -> Path:
        return self.handout_dir(assignment) / f"{assignment}.ipynb"

    def private_paths(self) -> list[Path]:
        """What a sandboxed test must never read: the policy, the tests, references, labels, solutions."""
        return [self.config_path, self.root / "tests", self.root / "solutions"]


def find_kit(start: Path | None = None) -> Kit:
    """The nearest folder at or above ``start`` (default: the current folder) that holds grading.yaml."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return Kit(folder)
    raise KitNotFound(f"no {CONFIG_NAME} in {here} or any folder above it: run autograder inside a course kit")
