"""A GRU cell written from its equations, and the loop that unrolls it over time.

Fill in every function that raises NotImplementedError. The handout (assignments/a3_gru/README.md)
explains each step; the shapes in the docstrings are what the autograder checks. Do not use
``nn.GRUCell``, ``nn.GRU`` or anything from ``torch._VF`` here: the point is to write the gates yourself.
"""

from __future__ import annotations

import torch
from torch import nn


class GRUCell(nn.Module):
    """One step of a gated recurrent unit, with the parameters of ``nn.GRUCell``.

    Four ``nn.Parameter``s, with exactly these names and shapes (I = input_size, H = hidden_size):
    ``weight_ih`` (3H, I), ``weight_hh`` (3H, H), ``bias_ih`` (3H,) and ``bias_hh`` (3H,). Each stacks three
    blocks of H rows: the reset gate r, the update gate z and the candidate n, in that order, so that
    weights copied from an ``nn.GRUCell`` give the same outputs.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        """Create the four parameters, keep ``input_size`` and ``hidden_size``, then call ``reset_parameters``."""
        super().__init__()
        raise NotImplementedError("GRUCell.__init__")

    def reset_parameters(self) -> None:
        """Fill every parameter uniformly in (-1/sqrt(H), 1/sqrt(H)), as PyTorch initialises ``nn.GRUCell``."""
        raise NotImplementedError("GRUCell.reset_parameters")

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The next hidden state (B, H) from the input ``x`` (B, I) and the previous state ``h`` (B, H).

            r  = sigmoid(x W_ir^T + b_ir + h W_hr^T + b_hr)
            z  = sigmoid(x W_iz^T + b_iz + h W_hz^T + b_hz)
            n  = tanh(x W_in^T + b_in + r * (h W_hn^T + b_hn))
            h' = (1 - z) * n + z * h

        W_ir, W_iz, W_in are the three row blocks of ``weight_ih`` (H, I) each; W_hr, W_hz, W_hn those of
        ``weight_hh`` (H, H) each; the biases likewise. Note where b_hn goes: inside the product with r.
        """
        raise NotImplementedError("GRUCell.forward")


def gru_forward(cell: nn.Module, inputs: torch.Tensor, h0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Unroll ``cell`` over the time axis of ``inputs`` (B, T, I), starting from the state ``h0`` (B, H).

    Step t computes ``h_t = cell(inputs[:, t], h_{t-1})``. Returns ``(states, last)``: ``states`` (B, T, H)
    holds the hidden state after every step, in order, and ``last`` (B, H) the state after the final step.
    For T == 0 no step is taken: ``states`` is an empty (B, 0, H) tensor and ``last`` is ``h0`` itself.
    Keep everything in the autograd graph (no ``.detach()``, no in-place writes into a tensor that needs
    gradients): the grader backpropagates through all the steps.
    """
    raise NotImplementedError("gru_forward")
