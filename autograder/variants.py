"""Submissions derived from a solution or starter by small edits: the mutants of ``validate`` (known
mistakes, each with the tests it must fail), its correct alternatives (right answers written
differently, which must get full marks), and the attacks of the kit's own test suite."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, TypeVar

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


class Variant(BaseModel):
    """A submission made by editing the solution (or the starter): a correct alternative."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str
    base: Literal["solution", "starter"] = "solution"
    edits: list[Edit] = Field(min_length=1)


class Mutant(Variant):
    """A known mistake, with the tests that must take points off it."""

    must_fail: list[str] = Field(min_length=1)


V = TypeVar("V", bound=Variant)


def load_mutants(kit: Kit, assignment_id: str, assignment: Assignment) -> list[Mutant]:
    """``tests/<id>/mutants.yaml``: known mistakes, each with the tests it must fail."""
    path = kit.mutants_path(assignment_id)
    mutants = _load(path, Mutant, assignment_id, assignment)
    test_ids = {test.id for test in assignment.tests}
    for mutant in mutants:
        unknown = sorted(set(mutant.must_fail) - test_ids)
        if unknown:
            raise ConfigError(f"{path}: mutant {mutant.id!r}, field 'must_fail': no test {', '.join(unknown)}")
    return mutants


def load_alternatives(kit: Kit, assignment_id: str, assignment: Assignment) -> list[Variant]:
    """``tests/<id>/alternatives.yaml``: right answers written differently, which must get full marks."""
    return _load(kit.alternatives_path(assignment_id), Variant, assignment_id, assignment)


def _load(path: Path, model: type[V], assignment_id: str, assignment: Assignment) -> list[V]:
    if not path.is_file():
        return []
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        variants = [model.model_validate(entry) for entry in raw]
    except (yaml.YAMLError, ValidationError, TypeError) as error:
        raise ConfigError(f"{path}: {error}") from None
    for variant in variants:
        for edit in variant.edits:
            if edit.file not in assignment.files:
                raise ConfigError(f"{path}: {variant.id!r}: {edit.file} is not a file of {assignment_id}")
    ids = [v.id for v in variants]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: ids must be unique")
    return variants


def build(kit: Kit, assignment_id: str, assignment: Assignment, variant: Variant, destination: Path) -> Path:
    """The submission a variant describes, written to ``destination``."""
    return materialize(_base(kit, assignment_id, variant), assignment.files, variant.edits, destination)


def variant_sources(kit: Kit, assignment_id: str, assignment: Assignment, variant: Variant) -> dict[str, str]:
    """The texts of the files a variant describes, by file name, without writing them."""
    return _edited(_base(kit, assignment_id, variant), assignment.files, variant.edits)


def _base(kit: Kit, assignment_id: str, variant: Variant) -> Path:
    return kit.solution_dir(assignment_id) if variant.base == "solution" else kit.starter_dir(assignment_id)


def materialize(source: Path, files: list[str], edits: list[Edit], destination: Path) -> Path:
    """Copy ``files`` from ``source`` to ``destination`` and apply ``edits``."""
    destination.mkdir(parents=True, exist_ok=True)
    for name, text in _edited(source, files, edits).items():
        (destination / name).write_bytes(text.encode("utf-8"))
    return destination


def _edited(source: Path, files: list[str], edits: list[Edit]) -> dict[str, str]:
    """The texts of ``files`` in ``source`` with ``edits`` applied."""
    texts = {name: (source / name).read_bytes().decode("utf-8") for name in files}
    for edit in edits:
        text = texts[edit.file]
        if edit.old is None:
            text += edit.new
        elif text.count(edit.old) != 1:
            raise ConfigError(
                f"edit of {edit.file}: the text to replace occurs {text.count(edit.old)} times in "
                f"{source / edit.file}, not once (did the file change?):\n{edit.old}"
            )
        else:
            text = text.replace(edit.old, edit.new)
        texts[edit.file] = text
    return texts
