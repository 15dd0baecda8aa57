"""What probes are written with. A probe runs inside the sandbox: it builds seeded inputs, calls the
student's code and returns named raw outputs (tensors, numbers, lists). It never decides a score.

    @probe
    def model_forward(ctx: Context) -> dict[str, object]:
        model = ctx.student("bow_model").BowClassifier(40, 16, 8)
        ...
        return {"logits": logits}
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar, Generic, TypeVar

import torch
from torch import nn

T = TypeVar("T")
ProbeFunction = Callable[["Context"], dict[str, Any]]


class ProbeError(Exception):
    """The student's code broke the contract the probe relies on; the message is shown to the student."""


def probe(function: ProbeFunction) -> ProbeFunction:
    """Mark a function of a probes.py as a probe (grading.yaml names it by its function name)."""
    function.__autograder_probe__ = True  # type: ignore[attr-defined]
    return function


def probes_of(module: ModuleType) -> dict[str, ProbeFunction]:
    return {name: fn for name, fn in vars(module).items() if getattr(fn, "__autograder_probe__", False)}


class DataFile(Generic[T]):
    """A data file a probe needs, read once in the warm worker before any student code runs, so a test
    process (which may not read the kit's private folders) still has it. A missing file is reported
    when a probe asks for it, not when the module loads."""

    _all: ClassVar[list[DataFile[Any]]] = []

    def __init__(self, path: Path, parse: Callable[[str], T]) -> None:
        self.path, self.parse = path, parse
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
    def preload_all(cls) -> None:
        for data_file in cls._all:
            if data_file.path.is_file():
                data_file.get()


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

    def randint(self, high: int, *shape: int) -> torch.Tensor:
        return torch.randint(high, shape, generator=self._generator).to(self.device)

    def sample(self, items: list[T], count: int) -> list[T]:
        return self.random.sample(items, count)


def expect_type(value: Any, expected: type | tuple[type, ...], what: str) -> Any:
    """Raise a clear ProbeError unless ``value`` has exactly (or subclasses) the expected type."""
    if not isinstance(value, expected) or (expected is dict and type(value) is not dict):
        names = " or ".join(t.__name__ for t in (expected if isinstance(expected, tuple) else (expected,)))
        raise ProbeError(f"{what} should be a {names}, got {type(value).__name__}")
    return value


def linear_layers(model: nn.Module, count: int) -> list[nn.Linear]:
    """The model's ``nn.Linear`` layers in ``modules()`` order; exactly ``count`` of them are required."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(layers) != count:
        raise ProbeError(f"expected {count} nn.Linear layers in the model, found {len(layers)}")
    return layers


def set_seeded_weights(ctx: Context, layers: list[nn.Linear], scale: float = 0.5) -> None:
    """Overwrite every layer's weight and bias with seeded values, independent of how the student
    created or named them."""
    with torch.no_grad():
        for layer in layers:
            fan_in = layer.weight.shape[1]
            layer.weight.copy_(ctx.randn(*layer.weight.shape) * scale / fan_in**0.5)
            if layer.bias is not None:
                layer.bias.copy_(ctx.randn(*layer.bias.shape) * 0.1)


def layer_shapes(layers: list[nn.Linear]) -> list[list[int]]:
    return [list(layer.weight.shape) for layer in layers]


class RecordingSGD(torch.optim.SGD):
    """Plain SGD that also records, at every ``step()``, the gradients it is about to apply, so a probe
    can see whether each step used its own batch's gradient (``zero_grad``) and whether steps happen."""

    def __init__(self, params: Any, lr: float) -> None:
        super().__init__(params, lr=lr)
        self.step_gradients: list[torch.Tensor] = []

    def step(self, closure: Any = None) -> Any:
        grads = [
            (p.grad if p.grad is not None else torch.zeros_like(p)).detach().flatten()
            for group in self.param_groups
            for p in group["params"]
        ]
        self.step_gradients.append(torch.cat(grads).cpu())
        return super().step(closure)

    def recorded(self, parameter_count: int) -> torch.Tensor:
        """The recorded gradients as (steps, parameters); (0, parameters) when step() never ran."""
        if not self.step_gradients:
            return torch.zeros(0, parameter_count)
        return torch.stack(self.step_gradients)


def flat_parameters(model: nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in model.parameters()]).cpu()


def stack_tensors(values: list[Any], what: str) -> torch.Tensor:
    """Stack what the student's code returned, after checking each is a plain tensor of one shape."""
    for value in values:
        if type(value) is not torch.Tensor:
            raise ProbeError(f"{what} returned {type(value).__name__}, not a torch.Tensor")
    shapes = {tuple(value.shape) for value in values}
    if len(shapes) > 1:
        raise ProbeError(f"{what} returned tensors of different shapes: {sorted(shapes)}")
    return torch.stack([value.detach().cpu() for value in values]) if values else torch.zeros(0)
