"""Trusted pieces the a0_basics probes build on: a recorder of the torch functions a student's function
calls, checks of what the student's code returned (tensors, numpy arrays), a known-good numpy RNN and
PyTorch's own RNN with the same weights, and small tools for lazy outputs and gradients.

None of this calls the student's code on its own, so a probe that uses it tests one part of the
submission only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from autograder.probing.core import ProbeError

T = TypeVar("T")

LIBRARY_LOSSES = frozenset(
    {
        "cross_entropy",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "kl_div",
        "log_softmax",
        "softmax",
        "logsumexp",
        "logaddexp",
        "softplus",
        "logsigmoid",
        "log_sigmoid",
    }
)  # with every function whose name ends in "_loss": what the losses of the handout's §3 to §7 must not call
RNN_GRADIENTS = ["x", "h0", "w_ih", "w_hh", "b"]


def display_name(function: Any) -> str:
    """How a student wrote the call: ``torch.nn.functional.log_softmax``, ``Tensor.logsumexp``, ``torch.exp``."""
    name = getattr(function, "__name__", repr(function))
    module = getattr(function, "__module__", None)
    if module is None:
        return f"Tensor.{name}"
    if module == "torch._C._special":
        return f"torch.special.{name.removeprefix('special_')}"
    if module == "torch._C._nn":
        return f"torch.nn.functional.{name}"
    return f"{module}.{name}"


def is_library_loss(display: str) -> bool:
    """Whether a call is one of torch's losses, or one of the functions the handout asks you to write."""
    name = display.rsplit(".", 1)[-1].lstrip("_")
    return name.endswith("_loss") or name in LIBRARY_LOSSES


def is_torch_call(display: str) -> bool:
    """Every torch function is a torch call: the numpy RNN may use numpy only."""
    return True


class _CallRecorder(TorchFunctionMode):
    """Records the display name of every torch function called while it is active."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __torch_function__(self, func: Any, types: Any, args: tuple[Any, ...] = (), kwargs: Any = None) -> Any:
        self.names.append(display_name(func))
        return func(*args, **(kwargs or {}))


def watched(function: Callable[..., T], what: str, forbidden: Callable[[str], bool], rule: str) -> Callable[..., T]:
    """``function``, run on copies of its tensor and array arguments (an in-place change of an input
    cannot shift another output) under a recorder of torch calls: a call of a forbidden function is a
    ProbeError that names it (``rule`` says what the handout allows), so every output that used it fails."""

    def call(*args: Any, **kwargs: Any) -> T:
        copies = [_copy(value) for value in args]
        recorder = _CallRecorder()
        with recorder:
            result = function(*copies, **kwargs)
        called = sorted({name for name in recorder.names if forbidden(name)})
        if called:
            raise ProbeError(f"{what} called {', '.join(called)}: {rule}")
        return result

    return call


def _copy(value: Any) -> Any:
    """A copy of a tensor (still attached to the graph, so gradients reach the original) or an array."""
    if type(value) is torch.Tensor:
        return value.clone()
    return value.copy() if type(value) is np.ndarray else value


def scalar_gradients(
    loss: Any, upstream: torch.Tensor, tensors: dict[str, torch.Tensor], what: str
) -> dict[str, torch.Tensor]:
    """Backpropagate ``loss * upstream`` from a scalar loss and return ``{name: gradient}``. The upstream
    factor is drawn by the caller before any lazy output runs, so the seeds stay aligned."""
    loss = expect_scalar(loss, what)
    if not loss.requires_grad:
        raise ProbeError(f"{what} does not require a gradient: is the computation detached?")
    for tensor in tensors.values():
        tensor.grad = None
    (loss * upstream).backward()
    missing = [name for name, tensor in tensors.items() if tensor.grad is None]
    if missing:
        raise ProbeError(f"no gradient reached {', '.join(missing)}: is the computation detached?")
    return {name: tensor.grad.detach().cpu() for name, tensor in tensors.items()}


def expect_scalar(value: Any, what: str) -> torch.Tensor:
    """``value`` itself if it is exactly a 0-d floating torch.Tensor: a loss is one number."""
    if type(value) is not torch.Tensor:
        raise ProbeError(f"{what} returned {type(value).__name__}, not a torch.Tensor")
    if value.dim() != 0 or not value.is_floating_point():
        raise ProbeError(f"{what} returned a {value.dtype} tensor of shape {tuple(value.shape)}, expected a float ()")
    return value


def expect_array(value: Any, what: str, shape: tuple[int, ...]) -> torch.Tensor:
    """A float64 copy, as a tensor, of ``value`` if it is exactly a floating numpy array of ``shape``."""
    if type(value) is not np.ndarray:
        raise ProbeError(f"{what} returned {type(value).__name__}, not a numpy.ndarray")
    if value.dtype.kind != "f":
        raise ProbeError(f"{what} returned an array of dtype {value.dtype}, expected floating point")
    if value.shape != shape:
        raise ProbeError(f"{what} returned shape {value.shape}, expected {shape}")
    return torch.tensor(value, dtype=torch.float64)


def expect_gradients(value: Any, what: str, shapes: dict[str, tuple[int, ...]]) -> dict[str, torch.Tensor]:
    """The dict of gradients the student's BPTT returned, each checked by :func:`expect_array`."""
    if type(value) is not dict:
        raise ProbeError(f"{what} should return a dict, got {type(value).__name__}")
    missing = [name for name in shapes if name not in value]
    if missing:
        raise ProbeError(f"{what} returned no gradient for {', '.join(map(repr, missing))}")
    return {name: expect_array(value[name], f"{what}[{name!r}]", shape) for name, shape in shapes.items()}


def rnn_states(x: np.ndarray, h0: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The trusted forward pass of the handout's §9: states (B, T, H), for probing the backward pass alone."""
    states, h = [], h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w_ih.T + h @ w_hh.T + b)
        states.append(h)
    return np.stack(states, axis=1) if states else np.zeros((x.shape[0], 0, h0.shape[1]))


def torch_rnn(
    weights: dict[str, np.ndarray], x: np.ndarray, h0: np.ndarray
) -> tuple[nn.RNN, torch.Tensor, torch.Tensor, torch.Tensor]:
    """PyTorch's own ``nn.RNN`` (tanh, float64) holding the same weights (the bias as ``bias_ih_l0``,
    ``bias_hh_l0`` zero), with the leaf tensors of x and h0; returns (rnn, x, h0, states)."""
    w_ih, w_hh, b = (torch.tensor(weights[name]) for name in ("w_ih", "w_hh", "b"))
    rnn = nn.RNN(w_ih.shape[1], w_ih.shape[0], batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(w_ih)
        rnn.weight_hh_l0.copy_(w_hh)
        rnn.bias_ih_l0.copy_(b)
        rnn.bias_hh_l0.zero_()
    x_, h0_ = torch.tensor(x, requires_grad=True), torch.tensor(h0[None], requires_grad=True)
    states, _ = rnn(x_, h0_)
    return rnn, x_, h0_, states


def autograd_rnn_gradients(
    weights: dict[str, np.ndarray], x: np.ndarray, h0: np.ndarray, grad_states: np.ndarray
) -> dict[str, torch.Tensor]:
    """What autograd gives through ``nn.RNN`` for the upstream gradient ``grad_states`` (B, T, H)."""
    rnn, x_, h0_, states = torch_rnn(weights, x, h0)
    states.backward(torch.tensor(grad_states))
    found = [x_.grad, h0_.grad[0], rnn.weight_ih_l0.grad, rnn.weight_hh_l0.grad, rnn.bias_ih_l0.grad]
    return dict(zip(RNN_GRADIENTS, found, strict=True))


def flat_blocks(tensors: dict[str, torch.Tensor]) -> tuple[torch.Tensor, list[tuple[str, list[int]]]]:
    """Every tensor flattened into one float64 vector, and the named blocks that the feedback reads."""
    vector = torch.cat([tensor.detach().double().flatten() for tensor in tensors.values()])
    return vector, [(name, list(tensor.shape)) for name, tensor in tensors.items()]
