"""The life of one test process, forked from the warm worker: confine, run the probe, send data, exit.

This function never returns: whatever the student's code does, the process ends with ``os._exit`` (so
no ``atexit`` hook or ``finally`` of the student's runs after it), and the worker supervises it from
outside with a timeout, a memory watch and a SIGKILL of everything it started.
"""

from __future__ import annotations

import errno
import os
import random
import resource
import traceback
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import torch

from autograder.probes import Context, ProbeError, ProbeFunction
from autograder.sandbox import importer
from autograder.sandbox.limits import SandboxUser, confine
from autograder.sandbox.serialize import to_wire
from autograder.wire import pack

_EXIT = os._exit
_WRITE = os.write
MAX_MESSAGE_CHARS = 2000


def run_test(
    request: dict[str, Any],
    probe_function: ProbeFunction,
    result_fd: int,
    capture_fd: int,
    scratch: Path,
    memory_limit_bytes: int | None,
    user: SandboxUser | None,
) -> NoReturn:
    files = {name: Path(path) for name, path in request["modules"].items()}
    try:
        _keep_only_fds(result_fd, capture_fd)
        confine(memory_limit_bytes, request["file_size_mb"] * 2**20, user)
        os.chdir(scratch)
        os.environ.update(HOME=str(scratch), TMPDIR=str(scratch), USER="student", LOGNAME="student")
        make_deterministic(request["seed"])
        import_student = importer.install(files, request["declared"])
        context = Context(request["seed"], torch.device(request["device"]), import_student)
        frame = pack(to_wire(probe_function(context)), meta={"status": "ok"})
    except BaseException as error:  # noqa: BLE001 - everything the student's code raises is a result
        frame = pack({}, meta=describe_failure(error, files, request["memory_mb"], request["file_size_mb"]))
    try:
        view = memoryview(frame)
        while view:
            view = view[_WRITE(result_fd, view) :]
    finally:
        _EXIT(0)


def _keep_only_fds(result_fd: int, capture_fd: int) -> None:
    """stdin from /dev/null, stdout and stderr into the capture file, every other descriptor closed
    (above all the worker's channel to the judge)."""
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(capture_fd, 1)
    os.dup2(capture_fd, 2)
    keep = sorted({0, 1, 2, result_fd})
    highest = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    for low, high in zip(keep, [*keep[1:], highest], strict=True):
        os.closerange(low + 1, high)
    os.set_inheritable(result_fd, False)


def make_deterministic(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def describe_failure(
    error: BaseException, files: dict[str, Path], memory_mb: int, file_size_mb: int
) -> dict[str, Any]:
    """What went wrong, for the student: the exception and the frames of their own files only."""
    if isinstance(error, MemoryError) or (
        isinstance(error, RuntimeError) and "allocate" in _text(error) and "memory" in _text(error)
    ):
        return {"status": "memory", "message": f"used more than {memory_mb} MiB of memory"}
    if isinstance(error, OSError) and error.errno == errno.EFBIG:
        message = f"your code wrote more than the {file_size_mb} MiB allowed (printed or to files)"
        return {"status": "error", "message": message}
    if isinstance(error, SystemExit):
        return {"status": "exit", "message": f"your code called sys.exit({_text(error.code)})"}
    if isinstance(error, ProbeError | importer.MissingStudentFile):
        return {"status": "error", "message": _text(error)}
    by_path = {str(path): path.name for path in files.values()}
    if isinstance(error, SyntaxError) and error.filename in by_path:
        line = (error.text or "").rstrip()
        return {
            "status": "error",
            "message": f"SyntaxError in {by_path[error.filename]}, line {error.lineno}: {error.msg}",
            "traceback": f"    {line.strip()}" if line else "",
        }
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename in by_path]
    lines = [f'  File "{by_path[f.filename]}", line {f.lineno}, in {f.name}\n    {f.line or ""}' for f in frames]
    message = f"{type(error).__name__}: {_text(error)}"
    if not frames:
        message += " (raised in the grader's probe while it used what your code returned)"
    return {"status": "error", "message": message, "traceback": "\n".join(lines)}


def _text(value: Any) -> str:
    try:
        return str(value)[:MAX_MESSAGE_CHARS]
    except BaseException:  # noqa: BLE001 - a hostile __str__
        return "<unprintable>"
