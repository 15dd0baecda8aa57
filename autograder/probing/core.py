"""The probe contract: ``@probe``, the seeded context a probe receives, and how it reports.

A probe runs inside the sandbox: it builds seeded inputs, calls the student's code and returns named
raw outputs (tensors, numbers, lists). It never decides a score.

    @probe
    def model_forward(ctx: Context) -> dict[str, object]:
        model = ctx.student("model").Classifier(40, 16, 8)
        ...
        return {"logits": model(features), "gradients": lambda: backward(...)}

An output given as a function of no arguments is computed on its own: if the student's code raises
there, that output carries the error and the probe's other outputs still count.

A probe may have a trusted evaluation (``@evaluation(of=probe)``): a function that gets the probe's
outputs as tensors, in a process of its own that never loads student code, and whose outputs are the
test's. Held-out metrics belong there: the probe returns what the student's code trained, and the
evaluation alone reads the held-out data.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Generic, TypeVar

import torch

T = TypeVar("T")
ProbeFunction = Callable[["Context"], dict[str, Any]]
Evaluation = Callable[["Context", dict[str, Any]], dict[str, Any]]
PROBE_MARK = "__autograder_probe__"
EVALUATION_MARK = "__autograder_evaluation__"


class ProbeError(Exception):
    """The student's code broke the contract the probe relies on; the message is shown to the student."""


def probe(function: ProbeFunction) -> ProbeFunction:
    """Mark a function of a probes.py as a probe (grading.yaml names it by its function name)."""
    setattr(function, PROBE_MARK, True)
    return function


def evaluation(of: ProbeFunction) -> Callable[[Evaluation], Evaluation]:
    """Make a function the trusted evaluation of the probe ``of``. A submission can change anything in
    its own process, down to the code that sends the outputs, so a number computed there is only as
    honest as the submission; the evaluation's process is forked from the worker after the test
    process has ended, holds the hidden data, and runs no student code."""

    def mark(function: Evaluation) -> Evaluation:
        setattr(of, EVALUATION_MARK, function)
        return function

    return mark


def evaluation_of(probe_function: ProbeFunction) -> Evaluation | None:
    return getattr(probe_function, EVALUATION_MARK, None)


def probes_of(module: ModuleType) -> dict[str, ProbeFunction]:
    return {name: fn for name, fn in vars(module).items() if getattr(fn, PROBE_MARK, False)}


class DataFile(Generic[T]):
    """A data file a probe needs. Public data is read once in the warm worker before any student code
    runs, so a test process (which cannot see the kit's folders) still has it. Hidden data (held-out
    inputs) is never loaded there: only the test processes of hidden tests get the file, and read it
    themselves, so a visible test, whose printed output students see, cannot reach it. A probe with an
    evaluation never gets it: its evaluation's process does. A missing file
    is reported when a probe asks for it, not when the module loads."""

    _all: ClassVar[list[DataFile[Any]]] = []

    def __init__(self, path: Path, parse: Callable[[str], T], hidden: bool = False) -> None:
        self.path, self.parse, self.hidden = path, parse, hidden
        self._value: T | None = None
        DataFile._all.append(self)

    def get(self) -> T:
        if self._value is None:
            try:
                self._value = self.parse(self.path.read_text(encoding="utf-8"))
            except OSError:
                raise ProbeError(f"the grader's data file {self.path.name} is not available here") from None
        return self._value

    @classmethod
    def preload_public(cls) -> None:
        for data_file in cls._all:
            if not data_file.hidden and data_file.path.is_file():
                data_file.get()

    @classmethod
    def hidden_paths(cls) -> list[Path]:
        return sorted({data_file.path.resolve() for data_file in cls._all if data_file.hidden})


@dataclass
class Context:
    """What a probe gets: the seed, the device, and the student's modules (imported on first use)."""

    seed: int
    device: torch.device
    import_student: Callable[[str], ModuleType]
    _generator: torch.Generator = field(init=False)

    def __post_init__(self) -> None:
        self._generator = torch.Generator().manual_seed(self.seed)
        self.random = random.Random(self.seed)

    def student(self, module: str) -> ModuleType:
        return self.import_student(module)

    def randn(self, *shape: int) -> torch.Tensor:
        """Seeded normal values, drawn on the CPU so every device sees the same numbers, then moved."""
        return torch.randn(*shape, generator=self._generator).to(self.device)

    def rand(self, *shape: int) -> torch.Tensor:
        """Seeded uniform values in [0, 1), drawn on the CPU, then moved."""
        return torch.rand(*shape, generator=self._generator).to(self.device)

    def randint(self, high: int, *shape: int) -> torch.Tensor:
        return torch.randint(high, shape, generator=self._generator).to(self.device)

    def sample(self, items: Sequence[T], count: int) -> list[T]:
        return self.random.sample(items, count)


Axis = str | list[tuple[str, list[int]]]


@dataclass(frozen=True)
class Named:
    """A tensor output whose axes have names for the feedback: a plain name ("step"), counted from 1
    when shown, or the blocks a flattened axis concatenates ([("layers.0.weight", [6, 12]), ...])."""

    tensor: Any
    axes: tuple[Axis, ...]


def named(tensor: Any, *axes: Axis) -> Named:
    """``named(gradients, "step", parameter_blocks(model))``: one name per axis of ``tensor``."""
    return Named(tensor, axes)


def expect_type(value: Any, expected: type | tuple[type, ...], what: str) -> Any:
    """Raise a clear ProbeError unless ``value`` has exactly (or subclasses) the expected type."""
    if not isinstance(value, expected) or (expected is dict and type(value) is not dict):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise ProbeError(f"{what} should be a {names}, got {type(value).__name__}")
    return value
