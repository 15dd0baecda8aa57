"""The submissions of a folder: every entry (a folder, a zip, a notebook, a file) but hidden ones and
Gradescope's ``submission_metadata.yml``, which, in a Gradescope export, names the students of each
submission folder. Nothing here reads a submission's contents: grading does, one at a time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from autograder.batch import BatchError
from autograder.batch.store import Entry, Student
from autograder.text import clean

METADATA = "submission_metadata.yml"
SUFFIXES = {".zip", ".ipynb"}  # left out of an id: alice.zip is alice's submission
NAME_CHARS = 200
UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


@dataclass(frozen=True)
class Found:
    """One submission of the folder: where it is, and its entry in the batch's index."""

    path: Path
    entry: Entry


def collect(folder: Path) -> list[Found]:
    """Every submission of ``folder``, sorted by id (the order shards split)."""
    if not folder.is_dir():
        raise BatchError(f"{folder} is not a folder of submissions")
    students = read_metadata(folder / METADATA) if (folder / METADATA).is_file() else {}
    found: dict[str, Found] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or path.name == METADATA:
            continue
        submission_id = submission_id_of(path)
        if submission_id in found:
            raise BatchError(
                f"{found[submission_id].path.name!r} and {path.name!r} in {folder} would both be graded as "
                f"{submission_id!r}: rename one"
            )
        found[submission_id] = Found(path, Entry(id=submission_id, students=list(students.get(path.name, ()))))
    return [found[key] for key in sorted(found)]


def submission_id_of(path: Path) -> str:
    """A safe file name for the submission at ``path``: its name without .zip/.ipynb, other characters
    than letters, digits, ``_``, ``.`` and ``-`` replaced by ``_``."""
    name = path.stem if path.suffix.lower() in SUFFIXES else path.name
    return UNSAFE.sub("_", name).lstrip(".") or "_"


def read_metadata(path: Path) -> dict[str, tuple[Student, ...]]:
    """The students of each submission folder of a Gradescope export. Its keys start with a colon
    (``:submitters:``, ``:name:``); what is missing is left blank."""
    try:
        metadata = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise BatchError(f"cannot read {path}: {error}") from None
    if not isinstance(metadata, dict):
        raise BatchError(f"{path} is not Gradescope's submission metadata (a mapping of submission folders)")
    students = {}
    for folder, record in metadata.items():
        submitters = _field(record, "submitters")
        if isinstance(submitters, list):
            students[str(folder)] = tuple(
                Student(name=_text(person, "name"), email=_text(person, "email"), sid=_text(person, "sid"))
                for person in submitters
                if isinstance(person, dict)
            )
    return students


def _field(record: Any, key: str) -> Any:
    return record.get(f":{key}", record.get(key)) if isinstance(record, dict) else None


def _text(record: Any, key: str) -> str:
    """A field as text, cleaned: students choose their names, and a name may hold escape sequences."""
    value = _field(record, key)
    return "" if value is None else clean(str(value), NAME_CHARS)
