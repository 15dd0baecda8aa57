"""Linear regression fitted by gradient descent, with the gradients from autograd.

Fill in the function that raises NotImplementedError (handout §8).
"""

from __future__ import annotations

import torch


def gradient_descent(
    x: torch.Tensor, y: torch.Tensor, lr: float, steps: int
) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Fit ``y ≈ x @ w + b`` by ``steps`` steps of gradient descent on the mean squared error.

    ``x`` (N, D) float32, ``y`` (N,) float32. ``w`` (D,) and ``b`` () start at zero, as tensors of x's
    dtype and device with ``requires_grad=True``. Each step computes the loss ``mean((x @ w + b - y)^2)``,
    calls ``backward()``, updates ``w`` and ``b`` by ``-lr * grad`` inside ``torch.no_grad()``, and zeroes
    both gradients.

    Returns ``(w, b, losses)``: ``w`` (D,) and ``b`` () after the last step, detached, and ``losses``, a
    list of ``steps`` Python floats, the loss computed at the start of each step (before its update).
    With ``steps == 0``: the zeros and an empty list.
    """
    raise NotImplementedError("gradient_descent")
