"""Linear regression fitted by gradient descent, with the gradients from autograd."""

from __future__ import annotations

import torch


def gradient_descent(
    x: torch.Tensor, y: torch.Tensor, lr: float, steps: int
) -> tuple[torch.Tensor, torch.Tensor, list[float]]:
    """Fit ``y ≈ x @ w + b`` by ``steps`` steps of gradient descent on the mean squared error.

    ``x`` (N, D), ``y`` (N,). ``w`` (D,) and ``b`` () start at zero. Returns ``(w, b, losses)``: the
    parameters after the last step, detached, and the loss before each step, as Python floats.
    """
    w = torch.zeros(x.shape[1], dtype=x.dtype, device=x.device, requires_grad=True)  # (D,)
    b = torch.zeros((), dtype=x.dtype, device=x.device, requires_grad=True)  # ()
    losses = []
    for _ in range(steps):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():  # the update itself is no part of the graph
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        losses.append(loss.item())
    return w.detach(), b.detach(), losses
