"""The warm worker: imports torch and the probes once, warms them up, then forks one process per test.

It never runs student code itself and never touches CUDA, so each fork starts clean in milliseconds.
It talks to the judge over its original stdin/stdout with length-prefixed frames; it forwards what a
test process sends without interpreting it.

Run by the judge as ``python -m autograder.sandbox.worker``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import select
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO

import torch

from autograder.probes import DataFile, ProbeFunction, probes_of
from autograder.sandbox import child, limits
from autograder.sandbox.protocol import ProtocolError, read_json, write_frame, write_json

POLL_S = 0.05
MEMORY_POLL_S = 0.1
MAX_RESULT_BYTES = 128 * 2**20
GRACE_AFTER_EXIT_S = 0.2


def main() -> None:
    inbox, outbox = _protocol_streams()
    setup = read_json(inbox)
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    limits.prctl(limits.PR_SET_PDEATHSIG, signal.SIGKILL)
    limits.harden_supervisor()
    for name in setup["preload"]:
        importlib.import_module(name)
    probes = {
        assignment: probes_of(import_probes(assignment, Path(path)))
        for assignment, path in setup["probes"].items()
    }
    DataFile.preload_all()
    _warm_up()
    user = limits.SandboxUser.resolve(setup["sandbox_user"]) if setup["sandbox_user"] else None
    write_json(outbox, {
        "ready": True,
        "probes": {assignment: sorted(found) for assignment, found in probes.items()},
        "torch": torch.__version__,
        "cuda": torch.cuda.is_available(),  # NVML-based (see the client), so no CUDA context here
    })
    while True:
        try:
            request = read_json(inbox)
        except ProtocolError:
            return
        meta, frame = supervise(request, probes[request["assignment"]][request["probe"]], user)
        write_json(outbox, meta)
        write_frame(outbox, frame)


def _protocol_streams() -> tuple[BinaryIO, BinaryIO]:
    """Move the judge's channel off fds 0/1, so a stray print in this process cannot corrupt it."""
    inbox = os.fdopen(os.dup(0), "rb")
    outbox = os.fdopen(os.dup(1), "wb")
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(2, 1)
    return inbox, outbox


def import_probes(assignment: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"autograder_probes_{assignment}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _warm_up() -> None:
    """Run a tiny CPU workload once, so the modules that torch imports lazily (optimizers pull in
    hundreds) are loaded here and not in a test process that may not be allowed to read them."""
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Dropout(0.1), nn.Linear(3, 1))
    loader = DataLoader(TensorDataset(torch.randn(8, 4), torch.ones(8)), batch_size=4, shuffle=True)
    for optimizer_class in (torch.optim.SGD, torch.optim.Adam, torch.optim.AdamW):
        optimizer = optimizer_class(model.parameters(), lr=0.01)
        for features, labels in loader:
            optimizer.zero_grad()
            loss = nn.functional.binary_cross_entropy_with_logits(model(features).squeeze(-1), labels)
            loss.backward()
            optimizer.step()
    nn.functional.cross_entropy(torch.randn(2, 3), torch.tensor([0, 2])).item()
    torch.testing.assert_close(torch.ones(2), torch.ones(2))


def supervise(
    request: dict[str, Any], probe_function: ProbeFunction, user: limits.SandboxUser | None
) -> tuple[dict[str, Any], bytes]:
    """Fork the test process, watch it from outside, clean up everything it left, report."""
    scratch = Path(tempfile.mkdtemp(prefix="autograder-test-"))
    if user is not None:
        os.chown(scratch, user.uid, user.gid)
    capture_path = scratch.parent / f"{scratch.name}.out"
    capture_fd = os.open(capture_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_EXCL, 0o600)
    memory_cap = request["memory_mb"] * 2**20
    address_limit = limits.virtual_size_bytes() + memory_cap if request["device"] == "cpu" else None
    read_end, write_end = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        os.setsid()
        child.run_test(request, probe_function, write_end, capture_fd, scratch, address_limit, user)
    os.close(write_end)
    os.close(capture_fd)
    try:
        meta, frame = _watch(pid, read_end, started, request["timeout_s"], memory_cap)
    finally:
        os.close(read_end)
        limits.kill_everything_below(os.getpid(), user)
    meta["elapsed_s"] = round(time.monotonic() - started, 4)
    meta["printed"] = _head(capture_path, request["output_kb"] * 1024)
    capture_path.unlink(missing_ok=True)
    shutil.rmtree(scratch, ignore_errors=True)
    return meta, frame


def _watch(pid: int, fd: int, started: float, timeout_s: float, memory_cap: int) -> tuple[dict[str, Any], bytes]:
    chunks: list[bytes] = []
    received = 0
    exit_status: int | None = None
    exited_at = eof_at = None
    next_memory_check = started
    peak = 0
    while True:
        now = time.monotonic()
        if now - started > timeout_s:
            return {"status": "timeout", "message": f"timed out after {timeout_s:g} s"}, b""
        if eof_at is None:
            ready, _, _ = select.select([fd], [], [], POLL_S)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    eof_at = now
                received += len(chunk)
                if received > MAX_RESULT_BYTES:
                    return {"status": "garbage", "message": "the test process sent more data than allowed"}, b""
                chunks.append(chunk)
        else:
            time.sleep(POLL_S / 5)
        if exit_status is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                exit_status, exited_at = status, now
        if now >= next_memory_check:
            used = limits.private_memory_bytes([pid, *limits.descendants(pid)])
            peak = max(peak, used)
            if used > memory_cap:
                return {"status": "memory", "message": f"used more than {memory_cap // 2**20} MiB of memory"}, b""
            next_memory_check = now + MEMORY_POLL_S
        if exit_status is not None and (eof_at is not None or now - exited_at > GRACE_AFTER_EXIT_S):
            return _verdict_of_exit(exit_status, b"".join(chunks), peak)


def _verdict_of_exit(status: int, data: bytes, peak: int) -> tuple[dict[str, Any], bytes]:
    peak_mb = round(peak / 2**20, 1)
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return {"status": "crash", "message": f"the test process was killed by {name}", "peak_mb": peak_mb}, b""
    code = os.WEXITSTATUS(status)
    if code != 0 or not data:
        message = f"your code ended the test process (exit status {code}) before the test finished"
        return {"status": "exit", "message": message, "peak_mb": peak_mb}, b""
    return {"status": "reported", "peak_mb": peak_mb}, data


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
