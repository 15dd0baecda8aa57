"""Forward and backward with a seeded upstream gradient, and every gradient returned by name."""

from __future__ import annotations

from typing import Any

import torch

from autograder.probing.core import Context, ProbeError


def backward_seeded(ctx: Context, output: torch.Tensor, tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Backpropagate ``sum(output * g)`` for a seeded ``g`` of the output's shape, and return
    ``{"grad_<name>": gradient}`` for each named tensor (inputs and parameters alike).

    A tensor that no gradient reached is an error naming it: the computation was detached somewhere.
    """
    if type(output) is not torch.Tensor:
        raise ProbeError(f"expected a torch.Tensor to backpropagate from, got {type(output).__name__}")
    return backward_with(output, ctx.randn(*output.shape), tensors, "the output")


def backward_with(
    output: Any, upstream: torch.Tensor, tensors: dict[str, torch.Tensor], what: str
) -> dict[str, torch.Tensor]:
    """Backpropagate ``sum(output * upstream)`` and return ``{"grad_<name>": gradient}``; ``what`` names
    the student's call in errors. Probes with lazy outputs draw ``upstream`` before any output runs, so
    that one failing output never shifts the seeds of another."""
    if type(output) is not torch.Tensor:
        raise ProbeError(f"{what} returned {type(output).__name__}, not a torch.Tensor")
    if tuple(output.shape) != tuple(upstream.shape):
        raise ProbeError(f"{what} returned shape {tuple(output.shape)}, expected {tuple(upstream.shape)}")
    if not output.requires_grad:
        raise ProbeError(f"{what} does not require a gradient: is the computation detached?")
    for tensor in tensors.values():
        tensor.grad = None
    (output * upstream).sum().backward()
    missing = [name for name, tensor in tensors.items() if tensor.grad is None]
    if missing:
        raise ProbeError(f"no gradient reached {', '.join(missing)}: is the computation detached?")
    return {f"grad_{name}": tensor.grad.detach().cpu() for name, tensor in tensors.items()}
