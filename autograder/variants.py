"""Submissions derived from a solution or starter by small edits: the mutants of ``validate`` (known
mistakes, each with the tests it must fail) and the attacks of the kit's own test suite."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autograder.config import Assignment, ConfigError
from autograder.kit import Kit


class Edit(BaseModel):
    """Replace ``old`` (which must occur exactly once) by ``new`` in ``file``; without ``old``, append."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str
    old: str | None = None
    new: str = ""


class Mutant(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    base: Literal["solution", "starter"] = "solution"
    edits: list[Edit] = Field(min_length=1)
    must_fail: list[str] = Field(min_length=1)


def load_mutants(kit: Kit, assignment_id: str, assignment: Assignment) -> list[Mutant]:
    path = kit.mutants_path(assignment_id)
    if not path.is_file():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        mutants = [Mutant.model_validate(entry) for entry in raw]
    except (yaml.YAMLError, ValidationError, TypeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    test_ids = {test.id for test in assignment.tests}
    for mutant in mutants:
        unknown = sorted(set(mutant.must_fail) - test_ids)
        if unknown:
            raise ConfigError(f"{path}: mutant {mutant.id!r}, field 'must_fail': no test {', '.join(unknown)}")
        for edit in mutant.edits:
            if edit.file not in assignment.files:
                raise ConfigError(f"{path}: mutant {mutant.id!r}: {edit.file} is not a file of {assignment_id}")
    ids = [m.id for m in mutants]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: mutant ids must be unique")
    return mutants


def alternatives(kit: Kit, assignment_id: str) -> list[Path]:
    """The correct variants of an assignment's solution: one folder each, holding the files it changes."""
    folder = kit.alternatives_dir(assignment_id)
    return sorted(path for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []


def overlay(base: Path, changes: Path, files: list[str], destination: Path) -> Path:
    """The ``files`` of ``base``, each replaced by its copy in ``changes`` where there is one."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copyfile(changes / name if (changes / name).is_file() else base / name, destination / name)
    return destination


def materialize(source: Path, files: list[str], edits: list[Edit], destination: Path) -> Path:
    """Copy ``files`` from ``source`` to ``destination`` and apply ``edits``."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copyfile(source / name, destination / name)
    for edit in edits:
        target = destination / edit.file
        text = target.read_text(encoding="utf-8")
        if edit.old is None:
            text += edit.new
        elif text.count(edit.old) != 1:
            raise ConfigError(
                f"edit of {edit.file}: the text to replace occurs {text.count(edit.old)} times in "
                f"{source / edit.file}, not once (did the file change?):\n{edit.old}"
            )
        else:
            text = text.replace(edit.old, edit.new)
        target.write_text(text, encoding="utf-8")
    return destination
