"""A vanilla tanh RNN in numpy: the forward pass over T steps and backpropagation through time by hand."""

from __future__ import annotations

import numpy as np


def rnn_forward_numpy(x: np.ndarray, h0: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every state ``h_t = tanh(x_t W_ih^T + h_{t-1} W_hh^T + b)``, stacked as (B, T, H).

    ``x`` (B, T, I), ``h0`` (B, H), ``w_ih`` (H, I), ``w_hh`` (H, H), ``b`` (H,).
    """
    states = np.zeros((x.shape[0], x.shape[1], h0.shape[1]), dtype=np.result_type(x, h0, w_ih, w_hh, b))
    h = h0
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w_ih.T + h @ w_hh.T + b)  # (B, H)
        states[:, t] = h
    return states


def rnn_backward_numpy(
    x: np.ndarray, h0: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, states: np.ndarray, grad_states: np.ndarray
) -> dict[str, np.ndarray]:
    """Backpropagation through time for :func:`rnn_forward_numpy`.

    ``states`` (B, T, H) is what the forward pass returned and ``grad_states`` (B, T, H) the gradient of
    the loss with respect to each of them. Returns the gradients ``{"x": (B, T, I), "h0": (B, H),
    "w_ih": (H, I), "w_hh": (H, H), "b": (H,)}``.
    """
    grad_x = np.zeros_like(x)
    grad_w_ih, grad_w_hh = np.zeros_like(w_ih), np.zeros_like(w_hh)
    grad_b = np.zeros(w_hh.shape[0], dtype=w_hh.dtype)
    grad_h = np.zeros_like(h0)  # (B, H): the gradient reaching h_t from the steps after t
    for t in reversed(range(x.shape[1])):
        previous = states[:, t - 1] if t > 0 else h0  # (B, H)
        grad_a = (grad_states[:, t] + grad_h) * (1 - states[:, t] ** 2)  # (B, H), through the tanh
        grad_x[:, t] = grad_a @ w_ih
        grad_w_ih += grad_a.T @ x[:, t]
        grad_w_hh += grad_a.T @ previous
        grad_b += grad_a.sum(axis=0)
        grad_h = grad_a @ w_hh  # (B, H), to h_{t-1}
    return {"x": grad_x, "h0": grad_h, "w_ih": grad_w_ih, "w_hh": grad_w_hh, "b": grad_b}
