"""Take a submission (a folder, a zip or a notebook) and copy the declared files into a fresh, readable folder.

Only the files grading.yaml declares are taken, found by name at the shallowest depth; links, oversized
files and unsafe zip entries are ignored. A notebook gives each file as a code cell that starts with
``%%writefile <file>.py`` (what the student ran to write it). Nothing in the submission is executed here.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 2 * 2**20
MAX_NOTEBOOK_BYTES = 32 * 2**20
WRITEFILE = re.compile(r"%%writefile(?:[ \t]+-a)?[ \t]+(?P<path>\S+)[ \t]*")
IGNORED_PARTS = {"__MACOSX", "__pycache__"}


class SubmissionError(Exception):
    """The submission cannot be read at all (no such path, not a zip, an empty zip)."""


@dataclass
class Submission:
    folder: Path
    modules: dict[str, Path]  # module name -> copied file
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def prepare(source: Path, files: list[str], destination: Path) -> Submission:
    """Copy the declared files of ``source`` into ``destination`` (created, world-readable)."""
    if not source.exists():
        raise SubmissionError(f"no such file or folder: {source}")
    if source.is_dir():
        found = _from_folder(source, set(files))
        notebook = None if found else _only_notebook(source)
        if notebook is not None:
            return prepare(notebook, files, destination)
    elif zipfile.is_zipfile(source):
        found = _from_zip(source, set(files))
    elif source.suffix == ".zip":
        raise SubmissionError(f"{source.name} is not a valid zip file")
    elif source.suffix == ".ipynb":
        found = _from_notebook(source, set(files))
    elif source.name in files:
        found = {source.name: (source.read_bytes(), "")}
    else:
        raise SubmissionError(f"{source.name} is neither a folder, a zip, nor one of {', '.join(files)}")
    destination.mkdir(parents=True, mode=0o755)
    os.chmod(destination, 0o755)
    submission = Submission(destination, {})
    for name in files:
        if name not in found:
            submission.missing.append(name)
            continue
        content, where = found[name]
        if len(content) > MAX_FILE_BYTES:
            submission.missing.append(name)
            submission.notes.append(f"{name} is larger than {MAX_FILE_BYTES // 2**20} MiB and was ignored")
            continue
        target = destination / name
        target.write_bytes(content)
        os.chmod(target, 0o644)
        submission.modules[Path(name).stem] = target
        if where:
            submission.notes.append(f"{name} was taken from {where}/")
    if submission.missing:
        where = " (no code cell starts with %%writefile for it)" if source.suffix == ".ipynb" else ""
        submission.notes.append(f"missing from the submission: {', '.join(submission.missing)}{where}")
    return submission


def _depth_first_match(candidates: list[tuple[PurePosixPath, object]], wanted: set[str]) -> dict[str, object]:
    chosen: dict[str, tuple[int, object]] = {}
    for path, handle in candidates:
        if path.name in wanted and not (set(path.parts) & IGNORED_PARTS) and not path.name.startswith("._"):
            depth = len(path.parts)
            if path.name not in chosen or depth < chosen[path.name][0]:
                chosen[path.name] = (depth, (path, handle))
    return {name: pair for name, (_, pair) in chosen.items()}


def _from_folder(folder: Path, wanted: set[str]) -> dict[str, tuple[bytes, str]]:
    candidates = []
    for directory, subdirectories, names in os.walk(folder):  # does not follow links
        subdirectories[:] = [d for d in subdirectories if not d.startswith(".")]
        for name in names:
            path = Path(directory) / name
            if not path.is_symlink() and path.is_file():
                candidates.append((PurePosixPath(path.relative_to(folder).as_posix()), path))
    found = {}
    for name, (relative, path) in _depth_first_match(candidates, wanted).items():
        with open(path, "rb") as handle:
            found[name] = (handle.read(MAX_FILE_BYTES + 1), str(relative.parent) if relative.parent.parts else "")
    return found


def _from_zip(source: Path, wanted: set[str]) -> dict[str, tuple[bytes, str]]:
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise SubmissionError(f"{source.name} is not a valid zip file ({error})") from None
    with archive:
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if not entries:
            raise SubmissionError(f"the zip {source.name} contains no files")
        safe = [
            (PurePosixPath(info.filename), info)
            for info in entries
            if not info.filename.startswith("/") and ".." not in PurePosixPath(info.filename).parts
        ]
        found = {}
        for name, (relative, info) in _depth_first_match(safe, wanted).items():
            try:
                with archive.open(info) as handle:
                    content = handle.read(MAX_FILE_BYTES + 1)
            except (zipfile.BadZipFile, RuntimeError, OSError, EOFError) as error:
                raise SubmissionError(f"cannot read {relative} from {source.name}: {error}") from None
            found[name] = (content, str(relative.parent) if relative.parent.parts else "")
        return found


def _only_notebook(folder: Path) -> Path | None:
    """The notebook a folder holds, when the declared files are not there (an upload of one notebook)."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if p.is_file() and not p.is_symlink())
    if len(notebooks) > 1:
        names = ", ".join(p.name for p in notebooks)
        raise SubmissionError(f"the submission holds several notebooks ({names}) and none of the files: submit one")
    return notebooks[0] if notebooks else None


def _from_notebook(source: Path, wanted: set[str]) -> dict[str, tuple[bytes, str]]:
    """The body of each ``%%writefile <file>`` cell whose file is declared, read with json, never run."""
    with open(source, "rb") as handle:
        raw = handle.read(MAX_NOTEBOOK_BYTES + 1)
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(f"{source.name} is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB")
    try:
        cells = json.loads(raw)["cells"]
        codes = [_cell_text(cell) for cell in cells if isinstance(cell, dict) and cell.get("cell_type") == "code"]
    except (ValueError, KeyError, TypeError) as error:
        raise SubmissionError(f"{source.name} is not a valid Jupyter notebook ({error})") from None
    found: dict[str, tuple[bytes, str]] = {}
    cell_of: dict[str, int] = {}
    for number, text in enumerate(codes, start=1):
        first, _, body = text.lstrip("\n").partition("\n")
        match = WRITEFILE.fullmatch(first)
        name = PurePosixPath(match["path"].strip("'\"")).name if match else None
        if name not in wanted:
            continue
        if name in cell_of:
            raise SubmissionError(
                f"{source.name}: code cells {cell_of[name]} and {number} both start with %%writefile {name}; "
                f"keep one cell per file"
            )
        cell_of[name] = number
        found[name] = (body.encode("utf-8"), "")
    if not found:
        raise SubmissionError(
            f"{source.name} has no code cell that starts with %%writefile for {', '.join(sorted(wanted))}: "
            f"each of your files is one cell whose first line is `%%writefile <file>`"
        )
    return found


def _cell_text(cell: dict[str, object]) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise TypeError("a cell's source is neither text nor a list of lines")
