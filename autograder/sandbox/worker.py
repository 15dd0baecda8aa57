"""The warm worker: imports torch and the probes once, warms them up, then forks one process per test.

It never runs student code itself and never touches CUDA, so each fork starts clean in milliseconds.
It talks to the judge over its original stdin/stdout with length-prefixed frames; it forwards what a
test process sends without interpreting it.

Run by the judge as ``python -m autograder.sandbox.worker``.
"""

from __future__ import annotations

import gc
import importlib
import importlib.machinery
import importlib.util
import os
import resource
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO, NoReturn

import numpy.random  # noqa: F401 - every test process seeds it: imported once, here
import torch

from autograder.boundary import ProbeRequest, import_roots
from autograder.probing.core import DataFile, ProbeFunction, evaluation_of, probes_of
from autograder.sandbox import child, limits, view
from autograder.sandbox.protocol import ProtocolError, read_json, write_frame, write_json
from autograder.wire import WireError, unpack

POLL_S = 0.05
MEMORY_POLL_S = 0.1
MAX_RESULT_BYTES = 128 * 2**20
_NAMESPACES: limits.PidNamespaces | None = None
GRACE_AFTER_EXIT_S = 0.2


def main() -> None:
    inbox, outbox = _protocol_streams()
    setup = read_json(inbox)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    child.deterministic_algorithms()
    limits.prctl(limits.PR_SET_PDEATHSIG, signal.SIGKILL)
    limits.harden_supervisor()
    for name in setup["preload"]:
        importlib.import_module(name)
    probes = {
        assignment: probes_of(import_probes(assignment, Path(folder)))
        for assignment, folder in setup["probes"].items()
    }
    DataFile.preload_public()
    child.make_deterministic(0)  # seeding's first-call set-up (numpy's, torch's) happens once, here
    gc.freeze()  # test processes never scan (and so never copy) the worker's objects
    user = limits.SandboxUser.resolve(setup["sandbox_user"]) if setup["sandbox_user"] else None
    global _NAMESPACES
    _NAMESPACES = limits.PidNamespaces() if user is not None else None
    kit_root = Path(setup["kit_root"])
    views = user is not None and views_work(kit_root)
    problem = reachability_problem(user, kit_root) if user is not None and not views else None
    if views:
        view.cut_network()
    write_json(outbox, {
        "ready": problem is None,
        "problem": problem,
        "probes": {assignment: sorted(found) for assignment, found in probes.items()},
        "torch": torch.__version__,
        "cuda": torch.cuda.is_available(),  # NVML-based (see the client), so no CUDA context here
    })
    while True:
        try:
            request = ProbeRequest.from_json(read_json(inbox))
        except (ProtocolError, TypeError):
            return
        _import_quietly(request.warm_imports)
        gc.freeze()
        meta, frame = run_probe(request, probes[request.assignment][request.probe], user, kit_root if views else None)
        write_json(outbox, meta)
        write_frame(outbox, frame)


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Move the judge's channel off fds 0/1, so a stray print in this process cannot corrupt it."""
    inbox = os.fdopen(os.dup(0), "rb")
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    return inbox, outbox


def import_probes(assignment: str, folder: Path) -> ModuleType:
    """Import ``folder/probes.py`` as a module of a package made of ``folder``, so that probes can
    import the helpers that only their assignment needs (``from .helpers import TrustedGRU``)."""
    package_name = f"autograder_tests_{assignment}"
    package = importlib.util.module_from_spec(importlib.machinery.ModuleSpec(package_name, None, is_package=True))
    package.__path__ = [str(folder)]
    sys.modules[package_name] = package
    return importlib.import_module(f"{package_name}.probes")


def _import_quietly(names: list[str]) -> None:
    """Import what the judge says the probe will need (what the solution's run imported, recorded by
    ``regen``), once, here, so that each test process does not import it again; torch imports much
    lazily (the first optimizer step pulls in ``torch._dynamo``, a second). A module that cannot be
    imported here is the test process's business, not the worker's."""
    for name in names:
        if name not in sys.modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - only a speed-up
                continue


def views_work(kit_root: Path) -> bool:
    """Whether a test process can have its own PID namespace and enter the allow-listed file system
    view here (both need namespaces, which some container platforms refuse)."""

    def isolate(root: Path) -> None:
        limits.PidNamespaces()  # the worker must be able to come back to its own namespace
        if limits.unshare_pid_namespace() != 0:
            raise OSError("unshare(CLONE_NEWPID) refused")
        view.enter(view.View.for_test(kit_root, [], 1), root)

    with tempfile.TemporaryDirectory(prefix="autograder-check-") as folder:
        return _in_test_process(lambda: isolate(Path(folder))) is None


def reachability_problem(user: limits.SandboxUser, kit_root: Path) -> str | None:
    """Why a test process, as the sandbox user and without the view, could not import the modules the
    worker did not preload (the Python installation or environment unreadable to it), or None."""
    failure = unreadable_by(user, view.python_paths(kit_root))
    if failure is None:
        return None
    return (
        f"the sandbox user cannot read the Python environment ({failure}), and this machine does not allow "
        "mount namespaces, which would make it reachable without opening the kit; make the Python "
        "installation and environment (and every folder above them) readable and searchable by others, "
        "or grade as root where unshare(CLONE_NEWNS) is allowed"
    )


def unreadable_by(user: limits.SandboxUser, paths: list[Path]) -> str | None:
    """The first of ``paths`` that ``user`` cannot list (a folder) or read (a file), as an error line."""

    def read_all() -> None:
        os.setgroups([])
        os.setgid(user.gid)
        os.setuid(user.uid)
        for path in paths:
            os.listdir(path) if path.is_dir() else path.open("rb").close()

    return _in_test_process(read_all)


def _in_test_process(action: Any) -> str | None:
    """Run ``action`` in a forked process; None if it succeeded, else its error in one line."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            action()
            message = b""
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            message = f"{type(error).__name__}: {error}".encode()[:2000] or b"failed"
        os.write(write_end, message)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as reader:
        message = reader.read()
    os.waitpid(pid, 0)
    return message.decode(errors="replace") or None


def run_probe(
    request: ProbeRequest, probe_function: ProbeFunction, user: limits.SandboxUser | None, kit_root: Path | None
) -> tuple[dict[str, Any], bytes]:
    """One test: the probe in a test process, then, for a probe with an evaluation, that evaluation in a
    process of its own, within the same time budget. The test process then gets no hidden data: only
    what the evaluation makes of its outputs is reported."""
    evaluation = evaluation_of(probe_function)
    submitted = [Path(path) for path in request.modules.values()]
    probe_task = partial(child.run_test, request, probe_function)
    meta, frame = supervise(request, probe_task, submitted, request.hidden_data and evaluation is None, user, kit_root)
    if evaluation is None or meta["status"] != "reported":
        return meta, frame
    try:
        given, probe_meta = unpack(frame)
    except WireError:
        return meta, frame  # the judge says what is wrong with it
    if probe_meta.get("status") != "ok":
        return meta, frame
    left = replace(request, timeout_s=request.timeout_s - meta["elapsed_s"])
    imported = import_roots(probe_meta.get("imported"))
    evaluation_task = partial(child.run_evaluation, request, evaluation, given, imported)
    evaluated, frame = supervise(left, evaluation_task, [], request.hidden_data, user, kit_root)
    if evaluated["status"] == "timeout":
        evaluated["message"] = f"timed out after {request.timeout_s:g} s"
    evaluated.update(
        elapsed_s=round(meta["elapsed_s"] + evaluated["elapsed_s"], 4),
        peak_mb=max(meta.get("peak_mb", 0.0), evaluated.get("peak_mb", 0.0)),
        printed=meta["printed"],
    )
    return evaluated, frame


Task = Callable[[child.Confinement], NoReturn]
"""What a test process runs, in its confinement: the probe, or an evaluation."""


def supervise(
    request: ProbeRequest,
    task: Task,
    submitted: list[Path],
    hidden_data: bool,
    user: limits.SandboxUser | None,
    kit_root: Path | None,
) -> tuple[dict[str, Any], bytes]:
    """Fork a test process for ``task``, watch it from outside, clean up everything it left, report.
    With a ``kit_root``, the process sees only the allow-listed view of the file system: the
    ``submitted`` files and, with ``hidden_data``, the held-out data."""
    scratch = Path(tempfile.mkdtemp(prefix="autograder-test-"))
    if user is not None:
        os.chown(scratch, user.uid, user.gid)
    root = Path(tempfile.mkdtemp(prefix="autograder-root-")) if kit_root is not None else None
    data = DataFile.hidden_paths() if hidden_data else []
    test_view = (view.View.for_test(kit_root, submitted, request.memory_mb, data), root) if root is not None else None
    capture_path = scratch.parent / f"{scratch.name}.out"
    capture_fd = os.open(capture_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
    memory_cap = request.memory_mb * 2**20
    address_limit = limits.virtual_size_bytes() + memory_cap if request.device == "cpu" else None
    read_end, write_end = os.pipe()
    status_read, status_write = os.pipe() if test_view is not None else (None, None)
    started = time.monotonic()
    pid = _NAMESPACES.fork_isolated() if test_view is not None else os.fork()
    if pid == 0:
        os.close(read_end)

        def run() -> NoReturn:
            os.setsid()
            task(child.Confinement(write_end, capture_fd, scratch, address_limit, user, test_view))

        if status_write is not None:
            _be_init(run, keep=(write_end, capture_fd, status_write), status_fd=status_write)
        run()
    os.close(write_end)
    os.close(capture_fd)
    if status_write is not None:
        os.close(status_write)
    try:
        meta, frame = _watch(pid, read_end, started, request.timeout_s, memory_cap, status_read)
    finally:
        os.close(read_end)
        if status_read is not None:
            os.close(status_read)
        limits.kill_everything_below(os.getpid(), user)
    meta["elapsed_s"] = round(time.monotonic() - started, 4)
    meta["printed"] = _head(capture_path, request.output_kb * 1024)
    capture_path.unlink(missing_ok=True)
    remove_tree(scratch)
    if root is not None:
        remove_tree(root)
    return meta, frame


def _be_init(run: Callable[[], NoReturn], keep: tuple[int, ...], status_fd: int) -> NoReturn:
    """Be the init of the test's PID namespace: a root process that runs no student code, forks the
    test, waits for it, reports its exit status, and exits, whereupon the kernel kills every process
    left in the namespace (daemons, orphans). The test, an unprivileged user, cannot signal it."""
    limits.prctl(limits.PR_SET_PDEATHSIG, signal.SIGKILL)
    highest = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    for low, high in zip((2, *sorted(keep)), (*sorted(keep), highest), strict=True):
        os.closerange(low + 1, high)  # the judge's channel above all
    test = os.fork()
    if test == 0:
        os.close(status_fd)
        run()
    for fd in keep:
        if fd != status_fd:
            os.close(fd)
    _, status = os.waitpid(test, 0)
    os.write(status_fd, struct.pack("<i", status))
    os._exit(0)


def remove_tree(path: Path) -> None:
    """Remove whatever a test left in ``path``, however deep: ``shutil.rmtree`` recurses in Python and
    fails on a folder chain a few thousand deep, so ``rm`` takes over where it gives up."""
    try:
        shutil.rmtree(path)
    except FileNotFoundError:
        return
    except (OSError, RecursionError):
        subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], check=False, timeout=60)


def _watch(
    pid: int, fd: int, started: float, timeout_s: float, memory_cap: int, status_fd: int | None
) -> tuple[dict[str, Any], bytes]:
    """Collect the result frame until the test process ends, a limit is passed, or it sends too much.
    With ``status_fd``, ``pid`` is the namespace's init, which reports the test's own exit status.
    It waits on the pipe and on the process itself (a pidfd), so an ending is seen at once."""
    chunks: list[bytes] = []
    received = 0
    exit_status: int | None = None
    exited_at = eof_at = None
    next_memory_check = started + MEMORY_POLL_S / 2
    peak = 0
    process_fd = _pidfd(pid)
    try:
        while True:
            now = time.monotonic()
            if now - started > timeout_s:
                return {"status": "timeout", "message": f"timed out after {timeout_s:g} s"}, b""
            open_ends = (fd if eof_at is None else None, process_fd if exit_status is None else None)
            waits = [f for f in open_ends if f is not None]
            wait_s = max(0.0, min(started + timeout_s, next_memory_check) - now)
            ready, _, _ = select.select(waits, [], [], min(wait_s, POLL_S if process_fd is None else wait_s))
            if fd in ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    eof_at = time.monotonic()
                received += len(chunk)
                if received > MAX_RESULT_BYTES:
                    return {"status": "garbage", "message": "the test process sent more data than allowed"}, b""
                chunks.append(chunk)
            if exit_status is None:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    exit_status, exited_at = status, time.monotonic()
            now = time.monotonic()
            if now >= next_memory_check:
                used = limits.private_memory_bytes([pid, *limits.descendants(pid)])
                peak = max(peak, used)
                if used > memory_cap:
                    return {"status": "memory", "message": f"used more than {memory_cap // 2**20} MiB of memory"}, b""
                next_memory_check = now + MEMORY_POLL_S
            if exit_status is not None and (eof_at is not None or now - exited_at > GRACE_AFTER_EXIT_S):
                return _verdict_of_exit(_reported_status(status_fd, exit_status), b"".join(chunks), peak)
    finally:
        if process_fd is not None:
            os.close(process_fd)


def _pidfd(pid: int) -> int | None:
    """A descriptor that becomes readable when ``pid`` ends (Linux 5.3+), or None where there is none."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _reported_status(status_fd: int | None, own_status: int) -> int:
    """The test's exit status as its init reported it, or the process's own when there is no init."""
    if status_fd is None:
        return own_status
    ready, _, _ = select.select([status_fd], [], [], 0)
    data = os.read(status_fd, 4) if ready else b""
    return struct.unpack("<i", data)[0] if len(data) == 4 else own_status


def _verdict_of_exit(status: int, data: bytes, peak: int) -> tuple[dict[str, Any], bytes]:
    peak_mb = round(peak / 2**20, 1)
    if os.WIFSIGNALED(status):
        name = signal_name(os.WTERMSIG(status))
        return {"status": "crash", "message": f"the test process was killed by {name}", "peak_mb": peak_mb}, b""
    code = os.WEXITSTATUS(status)
    if code != 0 or not data:
        message = f"your code ended the test process (exit status {code}) before the test finished"
        return {"status": "exit", "message": message, "peak_mb": peak_mb}, b""
    return {"status": "reported", "peak_mb": peak_mb}, data


def signal_name(number: int) -> str:
    """SIGKILL for 9, and "signal 40" for a real-time or unknown signal, which has no name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _head(path: Path, limit: int) -> str:
    try:
        with path.open("rb") as captured:
            data = captured.read(limit + 1)
    except OSError:
        return ""
    text = data[:limit].decode("utf-8", errors="replace")
    return text + ("\n[... output truncated]" if len(data) > limit else "")


if __name__ == "__main__":
    main()
