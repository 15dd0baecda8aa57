"""Start the warm worker's process (standard library only, so it can run before anything else loads).

The command line starts it first thing, for the commands that grade: the worker's import of torch
(about a second) then overlaps with the command line loading the rest of the kit, and the first
:class:`~autograder.sandbox.client.Worker` adopts the process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

WORKER_ENV = {
    "PYTHONHASHSEED": "0",  # set iteration order in student code is the same in every run
    "PYTHONDONTWRITEBYTECODE": "1",
    "OMP_NUM_THREADS": "1",
    "CUBLAS_WORKSPACE_CONFIG": ":4096:8",  # deterministic cuBLAS
    "PYTORCH_NVML_BASED_CUDA_CHECK": "1",  # is_available() without creating a CUDA context
}
PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])

Spawned = tuple["subprocess.Popen[bytes]", IO[bytes]]
_spare: Spawned | None = None


def spawn() -> Spawned:
    """A new worker process (waiting for its setup on stdin) and the file that collects its stderr."""
    log = tempfile.TemporaryFile()
    env = {**os.environ, **WORKER_ENV}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_ROOT, env.get("PYTHONPATH")]))
    process = subprocess.Popen(
        [sys.executable, "-m", "autograder.sandbox.worker"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=env,
    )
    return process, log


def prestart() -> None:
    """Start a spare worker process now, for the first Worker to adopt."""
    global _spare
    if _spare is None:
        _spare = spawn()


def adopt() -> Spawned:
    """The spare process if there is one, else a new one."""
    global _spare
    spawned, _spare = _spare or spawn(), None
    return spawned


def discard_spare() -> None:
    """End a spare process that nothing adopted (the command failed before grading)."""
    global _spare
    if _spare is not None:
        _spare[0].kill()
        _spare[0].wait()
        _spare = None
