"""A GRU cell written from its equations, and the loop that unrolls it over time."""

from __future__ import annotations

import math

import torch
from torch import nn


class GRUCell(nn.Module):
    """One step of a gated recurrent unit, with the parameters of ``nn.GRUCell``.

    ``weight_ih`` (3H, I), ``weight_hh`` (3H, H), ``bias_ih`` (3H,) and ``bias_hh`` (3H,) each stack three
    blocks of H rows: the reset gate r, the update gate z and the candidate n, in that order. Weights copied
    from an ``nn.GRUCell`` therefore give the same outputs.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.weight_ih = nn.Parameter(torch.empty(3 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(3 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(3 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(3 * hidden_size))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter uniform in (-1/sqrt(H), 1/sqrt(H)), as PyTorch initialises ``nn.GRUCell``."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        """The next hidden state (B, H) from the input ``x`` (B, I) and the previous state ``h`` (B, H)."""
        w_ir, w_iz, w_in = self.weight_ih.chunk(3)  # (H, I) each
        w_hr, w_hz, w_hn = self.weight_hh.chunk(3)  # (H, H) each
        b_ir, b_iz, b_in = self.bias_ih.chunk(3)  # (H,) each
        b_hr, b_hz, b_hn = self.bias_hh.chunk(3)  # (H,) each
        r = torch.sigmoid(x @ w_ir.T + b_ir + h @ w_hr.T + b_hr)  # (B, H) reset gate
        z = torch.sigmoid(x @ w_iz.T + b_iz + h @ w_hz.T + b_hz)  # (B, H) update gate
        n = torch.tanh(x @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))  # (B, H) candidate state
        return (1 - z) * n + z * h  # (B, H)


def gru_forward(cell: nn.Module, inputs: torch.Tensor, h0: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Unroll ``cell`` over the time axis of ``inputs`` (B, T, I), starting from the state ``h0`` (B, H).

    Returns ``(states, last)``: ``states`` (B, T, H) holds the hidden state after every step and ``last``
    (B, H) the state after the final step. For T == 0 no step is taken: ``states`` is an empty (B, 0, H)
    tensor and ``last`` is ``h0`` itself.
    """
    h = h0  # (B, H)
    states = []
    for t in range(inputs.shape[1]):
        h = cell(inputs[:, t], h)  # (B, H)
        states.append(h)
    if not states:
        return h0.new_empty(h0.shape[0], 0, h0.shape[1]), h0
    return torch.stack(states, dim=1), h  # (B, T, H), (B, H)
