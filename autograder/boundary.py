"""The records that cross the sandbox boundary: what the judge asks a test process to run, and what
comes back. Standard library and the wire types only, so both sides can import it without torch.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, get_args

from autograder.wire import Outputs

Status = Literal["ok", "error", "memory", "exit", "timeout", "crash", "garbage"]
"""How a test process ended. Only "ok" carries outputs:

- ``error``: the student's code raised (message and trimmed traceback say where);
- ``memory``: it went over its memory cap;
- ``exit``: it ended the process itself (``sys.exit``, ``os._exit``, a fake "all passed" and exit 0);
- ``timeout``: it ran past its wall-clock limit and was killed;
- ``crash``: it was killed by a signal, or brought the worker down;
- ``garbage``: it sent bytes that are not a result frame.
"""
STATUSES: frozenset[str] = frozenset(get_args(Status))
CHILD_STATUSES: frozenset[str] = frozenset({"ok", "error", "memory", "exit"})  # what a test process may claim


@dataclass(frozen=True)
class ProbeRequest:
    """One run of one probe on one submission with one seed, and the limits around it."""

    assignment: str
    """The assignment whose probes.py defines the probe."""
    probe: str
    """The probe's function name."""
    seed: int
    """Seeds every random draw of the probe and of the student's code."""
    device: Literal["cpu", "cuda"]
    """Where the probe puts its tensors."""
    modules: dict[str, str]
    """Module name -> path of the submitted file that provides it."""
    declared: list[str]
    """Every module name the assignment declares, present or not, so a missing one is explained."""
    timeout_s: float
    memory_mb: int
    file_size_mb: int
    output_kb: int
    hidden_data: bool = False
    """Whether this run serves hidden tests only, and may read hidden data (held-out inputs)."""
    warm_imports: list[str] = field(default_factory=list)
    """Modules the worker imports before forking this test (learned from the solution by ``regen``), so
    that each test does not pay for them again."""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProbeRequest:
        return cls(**data)


@dataclass
class ProbeResult:
    """What one test process produced: outputs (status "ok") or why there are none."""

    status: Status
    message: str = ""
    traceback: str = ""
    outputs: Outputs = field(default_factory=dict)
    printed: str = ""
    elapsed_s: float = 0.0
    peak_mb: float = 0.0
    imported: list[str] = field(default_factory=list)
    """Modules the run imported beyond what the worker had loaded (the roots only)."""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def import_roots(claimed: Any) -> list[str]:
    """The ``imported`` list that a test process's frame claims, as data: names as capped strings, and
    nothing at all when it is not a list (the frame is the submission's to forge)."""
    return [str(name)[:200] for name in claimed[:10_000]] if isinstance(claimed, list) else []
