"""An LSTM cell written from its equations, with the parameters of ``nn.LSTMCell``."""

from __future__ import annotations

import math

import torch
from torch import nn


class LSTMCell(nn.Module):
    """One step of a long short-term memory, with the parameters of ``nn.LSTMCell``.

    ``weight_ih`` (4H, I), ``weight_hh`` (4H, H), ``bias_ih`` (4H,) and ``bias_hh`` (4H,) each stack four
    blocks of H rows: the input gate i, the forget gate f, the candidate g and the output gate o, in that
    order. Weights copied from an ``nn.LSTMCell`` therefore give the same outputs.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.weight_ih = nn.Parameter(torch.empty(4 * hidden_size, input_size))
        self.weight_hh = nn.Parameter(torch.empty(4 * hidden_size, hidden_size))
        self.bias_ih = nn.Parameter(torch.empty(4 * hidden_size))
        self.bias_hh = nn.Parameter(torch.empty(4 * hidden_size))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every parameter uniform in (-1/sqrt(H), 1/sqrt(H)), as PyTorch initialises ``nn.LSTMCell``."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for parameter in self.parameters():
            nn.init.uniform_(parameter, -bound, bound)

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The next state ``(h, c)``, each (B, H), from the input ``x`` (B, I) and the state ``(h, c)``
        (zeros when ``state`` is None, as for ``nn.LSTMCell``)."""
        if state is None:
            zeros = x.new_zeros(x.shape[0], self.hidden_size)
            state = (zeros, zeros)
        h, c = state
        w_ii, w_if, w_ig, w_io = self.weight_ih.chunk(4)  # (H, I) each
        w_hi, w_hf, w_hg, w_ho = self.weight_hh.chunk(4)  # (H, H) each
        b_ii, b_if, b_ig, b_io = self.bias_ih.chunk(4)  # (H,) each
        b_hi, b_hf, b_hg, b_ho = self.bias_hh.chunk(4)  # (H,) each
        i = torch.sigmoid(x @ w_ii.T + b_ii + h @ w_hi.T + b_hi)  # (B, H) input gate
        f = torch.sigmoid(x @ w_if.T + b_if + h @ w_hf.T + b_hf)  # (B, H) forget gate
        g = torch.tanh(x @ w_ig.T + b_ig + h @ w_hg.T + b_hg)  # (B, H) candidate cell
        o = torch.sigmoid(x @ w_io.T + b_io + h @ w_ho.T + b_ho)  # (B, H) output gate
        c_next = f * c + i * g  # (B, H)
        h_next = o * torch.tanh(c_next)  # (B, H)
        return h_next, c_next
