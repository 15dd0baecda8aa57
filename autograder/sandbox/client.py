"""The judge's handle on the warm worker: start it, send a test, get data back. No torch here."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import IO, Any

from autograder.boundary import CHILD_STATUSES, STATUSES, ProbeRequest, ProbeResult, import_roots
from autograder.sandbox import spawn
from autograder.sandbox.protocol import ProtocolError, read_frame, read_json, write_json
from autograder.text import clean
from autograder.wire import Failed, Rejected, Value, WireError, unpack

STARTUP_TIMEOUT_S = 300
REPLY_MARGIN_S = 30
PRINTED_CHARS = 64 * 1024


class WorkerError(Exception):
    """The worker could not start."""


class Worker:
    """One warm worker process serving the probes of the given assignments (``probes``: assignment ->
    its tests folder, which holds probes.py)."""

    def __init__(self, probes: dict[str, Path], preload: list[str], sandbox_user: str | None, kit_root: Path) -> None:
        self._setup = {
            "probes": {assignment: str(path) for assignment, path in probes.items()},
            "preload": preload,
            "sandbox_user": sandbox_user,
            "kit_root": str(kit_root),
        }
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self.info: dict[str, Any] = {}

    def __enter__(self) -> Worker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def start(self) -> None:
        self._process, self._log = spawn.adopt()
        try:
            self.info = self._exchange(self._setup, STARTUP_TIMEOUT_S, frames=0)[0]
        except ProtocolError:
            self._log.seek(0)
            detail = self._log.read().decode(errors="replace")[-3000:]
            self.close()
            raise WorkerError(f"the sandbox worker failed to start:\n{detail}") from None
        if not self.info.get("ready"):
            self.close()
            raise WorkerError(f"grading cannot start: {self.info.get('problem')}")

    def close(self) -> None:
        if self._process and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def run(self, request: ProbeRequest) -> ProbeResult:
        """Run one test; if the worker itself is lost, the test fails and a fresh worker takes over."""
        try:
            meta, frame = self._exchange(request.to_json(), request.timeout_s + REPLY_MARGIN_S, frames=1)
        except ProtocolError:
            self.close()
            self.start()
            return ProbeResult("crash", "the test process brought down the grader's worker; it was restarted")
        return _result(meta, frame)

    def _exchange(self, message: dict[str, Any], timeout_s: float, frames: int) -> tuple[dict[str, Any], bytes]:
        process = self._process
        if process is None or process.poll() is not None:
            raise ProtocolError("the worker is not running")
        watchdog = threading.Timer(timeout_s, process.kill)
        watchdog.start()
        try:
            write_json(process.stdin, message)
            reply = read_json(process.stdout)
            frame = read_frame(process.stdout) if frames else b""
        except (OSError, ValueError) as error:
            raise ProtocolError(str(error)) from None
        finally:
            watchdog.cancel()
        return reply, frame


def _result(meta: dict[str, Any], frame: bytes) -> ProbeResult:
    """The worker's report as a typed result; every string from the test process capped and cleaned."""
    common = {
        "printed": clean(str(meta.get("printed", "")), PRINTED_CHARS),
        "elapsed_s": float(meta.get("elapsed_s", 0.0)),
        "peak_mb": float(meta.get("peak_mb", 0.0)),
    }
    if meta.get("status") != "reported":
        status = meta.get("status")
        return ProbeResult(status if status in STATUSES else "crash", clean(str(meta.get("message", ""))), **common)
    try:
        outputs, child_meta = unpack(frame)
    except WireError as error:
        return ProbeResult("garbage", f"the test process returned something that is not data ({error})", **common)
    status = child_meta.get("status")
    if status not in CHILD_STATUSES:
        return ProbeResult("garbage", "the test process returned an unknown status", **common)
    return ProbeResult(
        status,
        clean(str(child_meta.get("message", ""))),
        clean(str(child_meta.get("traceback", ""))),
        {name: _cleaned(value) for name, value in outputs.items()} if status == "ok" else {},
        imported=import_roots(child_meta.get("imported")),
        **common,
    )


def _cleaned(value: Value) -> Value:
    """An output's error or refusal, capped and cleaned like every other string from a test process."""
    if isinstance(value, Failed):
        return Failed(clean(value.message), clean(value.traceback))
    if isinstance(value, Rejected):
        return Rejected(clean(value.reason))
    return value
