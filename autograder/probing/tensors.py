"""Checks on what the student's code returned, before a probe uses it."""

from __future__ import annotations

from typing import Any

import torch

from autograder.probing.core import ProbeError


def expect_tensor(value: Any, what: str, shape: tuple[int, ...] | None = None) -> torch.Tensor:
    """``value`` itself, if it is exactly a ``torch.Tensor`` (of ``shape`` when given)."""
    if type(value) is not torch.Tensor:
        raise ProbeError(f"{what} returned {type(value).__name__}, not a torch.Tensor")
    if shape is not None and tuple(value.shape) != shape:
        raise ProbeError(f"{what} returned shape {tuple(value.shape)}, expected {shape}")
    return value


def stack_tensors(values: list[Any], what: str) -> torch.Tensor:
    """Stack what the student's code returned, after checking each is a plain tensor of one shape."""
    for value in values:
        expect_tensor(value, what)
    shapes = {tuple(value.shape) for value in values}
    if len(shapes) > 1:
        raise ProbeError(f"{what} returned tensors of different shapes: {sorted(shapes)}")
    return torch.stack([value.detach().cpu() for value in values]) if values else torch.zeros(0)
