"""Take a submission (a folder or a zip) and copy the declared files into a fresh, readable folder.

Only the files grading.yaml declares are taken, found by name at the shallowest depth; links, oversized
files and unsafe zip entries are ignored. Nothing in the submission is executed here.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 2 * 2**20
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
    elif zipfile.is_zipfile(source):
        found = _from_zip(source, set(files))
    elif source.suffix == ".zip":
        raise SubmissionError(f"{source.name} is not a valid zip file")
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
        submission.notes.append(f"missing from the submission: {', '.join(submission.missing)}")
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
