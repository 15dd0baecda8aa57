"""Import student modules from the submission's declared files only.

The submission's folder never goes on ``sys.path``: a submitted ``torch.py`` or ``sitecustomize.py``
shadows nothing, and only the files grading.yaml declares can be imported, by their module names.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Callable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType


class MissingStudentFile(Exception):
    """A declared file is not in the submission."""


class SubmissionFinder(importlib.abc.MetaPathFinder):
    """Resolves exactly the declared module names to the submission's files."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if fullname in self.files:
            return importlib.util.spec_from_file_location(fullname, self.files[fullname])
        return None


def install(files: dict[str, Path], declared: list[str]) -> Callable[[str], ModuleType]:
    """Put the finder first and return ``import_student(name)``, which explains a missing file."""
    sys.meta_path.insert(0, SubmissionFinder(files))

    def import_student(name: str) -> ModuleType:
        if name not in declared:
            raise MissingStudentFile(f"the grader asked for {name}.py, which this assignment does not declare")
        if name not in files:
            raise MissingStudentFile(f"your submission has no {name}.py")
        return importlib.import_module(name)

    return import_student
