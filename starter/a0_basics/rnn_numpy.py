"""A vanilla tanh RNN in numpy: the forward pass over T steps and backpropagation through time by hand.

Fill in every function that raises NotImplementedError (handout §9 and §10). Use numpy only: the grader
fails these functions if they call any torch function. The grader checks your gradients against what
PyTorch's autograd gives through ``nn.RNN`` with the same weights.
"""

from __future__ import annotations

import numpy as np


def rnn_forward_numpy(x: np.ndarray, h0: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Every hidden state of a tanh RNN, ``h_t = tanh(x_t W_ih^T + h_{t-1} W_hh^T + b)`` for t = 1..T.

    ``x`` (B, T, I), ``h0`` (B, H), ``w_ih`` (H, I), ``w_hh`` (H, H), ``b`` (H,), all float64.
    Returns ``states`` (B, T, H), a numpy array where ``states[:, t - 1]`` is h_t (h0 itself is not in it).
    For T == 0, an empty (B, 0, H) array.
    """
    raise NotImplementedError("rnn_forward_numpy")


def rnn_backward_numpy(
    x: np.ndarray, h0: np.ndarray, w_ih: np.ndarray, w_hh: np.ndarray, states: np.ndarray, grad_states: np.ndarray
) -> dict[str, np.ndarray]:
    """Backpropagation through time for ``rnn_forward_numpy``.

    ``x``, ``h0``, ``w_ih``, ``w_hh`` as in ``rnn_forward_numpy``; ``states`` (B, T, H) is what the forward
    pass returned, and ``grad_states`` (B, T, H) the gradient of the loss with respect to each state
    directly (``grad_states[:, t - 1]`` = dL/dh_t, not counting the paths through later states).

    Returns a dict of numpy arrays: ``{"x": (B, T, I), "h0": (B, H), "w_ih": (H, I), "w_hh": (H, H),
    "b": (H,)}``, the full gradients of the loss. For T == 0 every gradient is zero.
    """
    raise NotImplementedError("rnn_backward_numpy")
