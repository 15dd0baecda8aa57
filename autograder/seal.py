"""Close the kit's private paths to other users before any student code runs as one of them."""

from __future__ import annotations

import os
import stat

from autograder.kit import Kit


def seal_private_paths(kit: Kit) -> None:
    """Remove group and other permissions from grading.yaml, tests/ and solutions/ (root only reads
    them). Student code runs as an unprivileged user, so it can read none of them."""
    for path in kit.private_paths():
        if path.exists():
            mode = stat.S_IMODE(path.stat().st_mode)
            os.chmod(path, mode & ~(stat.S_IRWXG | stat.S_IRWXO))
