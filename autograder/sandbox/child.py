"""The life of one test process, forked from the warm worker: confine, run the probe, send data, exit.

This function never returns: whatever the student's code does, the process ends with ``os._exit`` (so
no ``atexit`` hook or ``finally`` of the student's runs after it), and the worker supervises it from
outside with a timeout, a memory watch and a SIGKILL of everything it started.
"""

from __future__ import annotations

import errno
import functools
import os
import random
import resource
import sys
import tempfile
import traceback
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import torch

from autograder.boundary import ProbeRequest
from autograder.probing.core import Context, Evaluation, ProbeError, ProbeFunction
from autograder.sandbox import importer
from autograder.sandbox.limits import SandboxUser, confine
from autograder.sandbox.serialize import to_wire_value
from autograder.sandbox.spawn import WORKER_ENV
from autograder.sandbox.view import SCRATCH, View
from autograder.sandbox.view import inside as view_inside
from autograder.wire import Array, Failed, Outputs, pack

_EXIT = os._exit
_WRITE = os.write
MAX_MESSAGE_CHARS = 2000


@dataclass(frozen=True)
class Confinement:
    """What the worker hands a test process: the pipe for its one result frame, the file that captures
    what it prints, its scratch folder, its address-space limit, and, as root, the sandbox user and
    the allow-listed view of the file system."""

    result_fd: int
    capture_fd: int
    scratch: Path
    memory_limit_bytes: int | None
    user: SandboxUser | None
    view: tuple[View, Path] | None


def run_test(
    request: ProbeRequest,
    probe_function: ProbeFunction,
    confinement: Confinement,
) -> NoReturn:
    """Run the probe on the student's code."""
    view = confinement.view
    files = {name: view_inside(Path(path)) if view else Path(path) for name, path in request.modules.items()}

    def outputs(context_of: ContextOf) -> Outputs:
        import_student = importer.install(files, request.declared)
        return _compute(probe_function(context_of(import_student)), files, request)

    _run(request, outputs, files, [], confinement)


def run_evaluation(
    request: ProbeRequest,
    evaluation: Evaluation,
    given: Outputs,
    imported_by_probe: list[str],
    confinement: Confinement,
) -> NoReturn:
    """Run a probe's trusted evaluation on the outputs its test process ``given``: no student code is
    importable here, and the tensors are rebuilt from data, so nothing of that process comes along."""

    def outputs(context_of: ContextOf) -> Outputs:
        context = context_of(_no_student_code)
        return _compute(evaluation(context, _as_tensors(given, context.device)), {}, request)

    _run(request, outputs, {}, imported_by_probe, confinement)


ContextOf = Callable[[Callable[[str], types.ModuleType]], Context]


def _run(
    request: ProbeRequest,
    outputs: Callable[[ContextOf], Outputs],
    files: dict[str, Path],
    imported_before: list[str],
    confinement: Confinement,
) -> NoReturn:
    """Confine this process, compute the outputs, send them as one frame, exit."""
    loaded_before = set(sys.modules)
    result_fd, view = confinement.result_fd, confinement.view
    try:
        _keep_only_fds(result_fd, confinement.capture_fd)
        confine(confinement.memory_limit_bytes, request.file_size_mb * 2**20, confinement.user, view)
        scratch = SCRATCH if view is not None else confinement.scratch
        os.chdir(scratch)
        _minimal_environment(scratch)
        tempfile.tempdir = str(scratch)  # the worker's cached choice would point elsewhere
        make_deterministic(request.seed)
        computed = outputs(lambda import_student: Context(request.seed, torch.device(request.device), import_student))
        imported = sorted({*imported_before, *new_import_roots(loaded_before, set(files))})
        frame = pack(computed, meta={"status": "ok", "imported": imported})
    except BaseException as error:  # noqa: BLE001 - everything the student's code raises is a result
        frame = pack({}, meta=describe_failure(error, files, request.memory_mb, request.file_size_mb))
    try:
        unsent = memoryview(frame)
        while unsent:
            unsent = unsent[_WRITE(result_fd, unsent) :]
    finally:
        _EXIT(0)


def _no_student_code(module: str) -> types.ModuleType:
    raise ProbeError(f"an evaluation runs no student code (it asked for {module!r})")


def _as_tensors(given: Outputs, device: torch.device) -> dict[str, Any]:
    """The probe's outputs as an evaluation reads them: arrays as tensors on ``device``, in the dtype
    they had (bfloat16 travels as float32), anything else as it came."""
    return {name: _tensor(value, device) if isinstance(value, Array) else value for name, value in given.items()}


def _tensor(array: Array, device: torch.device) -> torch.Tensor:
    dtype = getattr(torch, array.torch_dtype.removeprefix("torch."), None)
    tensor = torch.from_numpy(np.array(array.values))
    return tensor.to(device, dtype if isinstance(dtype, torch.dtype) else tensor.dtype)


LAZY_OUTPUTS = (types.FunctionType, functools.partial)
PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", *WORKER_ENV)


def _minimal_environment(scratch: Path) -> None:
    """Student code sees an explicit, minimal environment: never the grader's variables (a platform's
    tokens, paths of the kit)."""
    kept = {name: os.environ[name] for name in PASSED_ENVIRONMENT if name in os.environ}
    os.environ.clear()
    os.environ.update(kept, HOME=str(scratch), TMPDIR=str(scratch), USER="student", LOGNAME="student")


def _compute(outputs: Any, files: dict[str, Path], request: ProbeRequest) -> Outputs:
    """Turn what the probe returned into wire data. An output given as a function is computed here on
    its own: what the student's code raises there fails that output only."""
    if type(outputs) is not dict:
        raise TypeError(f"a probe must return a dict of outputs, not {type(outputs).__name__}")
    computed: Outputs = {}
    for name, value in outputs.items():
        if type(value) in LAZY_OUTPUTS:
            try:
                value = value()
            except BaseException as error:  # noqa: BLE001 - the student's error, for this output alone
                failure = describe_failure(error, files, request.memory_mb, request.file_size_mb)
                computed[str(name)] = Failed(failure["message"], failure.get("traceback", ""))
                continue
        computed[str(name)] = to_wire_value(value)
    return computed


def new_import_roots(loaded_before: set[str], student_modules: set[str]) -> list[str]:
    """Modules imported since ``loaded_before`` whose parent package was loaded already: importing these
    in the worker loads all the others too."""
    new = set(sys.modules) - loaded_before - student_modules
    return sorted(name for name in new if name.rpartition(".")[0] not in new)


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


def deterministic_algorithms() -> None:
    """Process-wide, once in the worker (every test process inherits it): deterministic kernels, no TF32.
    torch's public switch also imports the compiler's configuration (about a second, and nothing a
    probe uses), so the switch itself is called where torch offers it."""
    switch = getattr(torch._C, "_set_deterministic_algorithms", None)
    if switch is None:
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        switch(True, warn_only=True)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False


def make_deterministic(seed: int) -> None:
    """Seed every random generator a probe or the student's code may draw from."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


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
