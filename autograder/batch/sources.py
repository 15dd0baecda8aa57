"""The code of each submission of a folder, as grading reads it: the declared files, taken by the same
reader (links, oversized files and unsafe zip entries left out; a notebook gives its ``%%writefile``
cells), joined into one file per submission. Nothing in a submission is run, and only that reader opens it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.batch.collect import collect
from autograder.batch.store import Entry
from autograder.submission import SubmissionError, prepare
from autograder.text import clean


@dataclass(frozen=True)
class Source:
    """The code of one submission."""

    entry: Entry
    path: Path
    """One file: the submission's declared files, in grading.yaml's order."""


@dataclass(frozen=True)
class Skipped:
    """A submission with no code to compare, and why."""

    entry: Entry
    reason: str


def write_sources(submissions: Path, files: list[str], scratch: Path) -> tuple[list[Source], list[Skipped]]:
    """Write the code of every submission of the folder ``submissions`` to ``scratch/code/<id>.py``."""
    code = scratch / "code"
    code.mkdir(parents=True)
    sources, skipped = [], []
    for found in collect(submissions):
        try:
            submission = prepare(found.path, files, scratch / "submitted" / found.entry.id)
        except (SubmissionError, OSError) as error:  # the reasons grading would give it zero
            skipped.append(Skipped(found.entry, clean(str(error))))
            continue
        if not submission.modules:
            skipped.append(Skipped(found.entry, f"none of {', '.join(files)} in it"))
            continue
        path = code / f"{found.entry.id}.py"
        path.write_text(joined(submission.folder, files), encoding="utf-8")
        sources.append(Source(found.entry, path))
    return sources, skipped


def joined(folder: Path, files: list[str]) -> str:
    """The ``files`` that ``folder`` holds, one after the other, each under a comment naming it (comments
    weigh nothing in the comparison). Bytes that are not UTF-8 are replaced, as they would fail to import."""
    parts = []
    for name in files:
        if (folder / name).is_file():
            text = (folder / name).read_bytes().decode("utf-8", errors="replace")
            parts.append(f"# {name}\n{text.rstrip()}\n")
    return "\n".join(parts)
