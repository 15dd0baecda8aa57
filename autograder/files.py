"""Files replaced at once: a reader sees the old file or the whole new one, never a half-written one.
The temporary file is made beside the target, under a name of the grader's choosing, so nothing planted
under a guessable name can take its place."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def replace_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (readable by all, 0o644) in one rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    with os.fdopen(handle, "wb") as file:
        file.write(data)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)
