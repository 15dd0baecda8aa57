"""An LSTM cell written from its equations, with the parameters of ``nn.LSTMCell``."""

from __future__ import annotations

import torch
from torch import nn


class LSTMCell(nn.Module):
    """One step of a long short-term memory, with the parameters of ``nn.LSTMCell`` (handout §4).

    Create ``weight_ih`` (4H, I), ``weight_hh`` (4H, H), ``bias_ih`` (4H,) and ``bias_hh`` (4H,) as
    ``nn.Parameter``s, and keep ``input_size`` and ``hidden_size`` as attributes. Each parameter stacks
    four blocks of H rows: the input gate i, the forget gate f, the candidate g and the output gate o,
    in that order, so that weights copied from an ``nn.LSTMCell`` give the same outputs.
    """

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        raise NotImplementedError("LSTMCell.__init__: create the four parameters, then call reset_parameters()")

    def reset_parameters(self) -> None:
        """Every parameter uniform in (-1/sqrt(H), 1/sqrt(H)), as PyTorch initialises ``nn.LSTMCell``."""
        raise NotImplementedError("LSTMCell.reset_parameters")

    def forward(
        self, x: torch.Tensor, state: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """The next state ``(h, c)``, each (B, H), from the input ``x`` (B, I) and the state ``(h, c)``,
        each (B, H); zeros when ``state`` is None, as for ``nn.LSTMCell``."""
        raise NotImplementedError("LSTMCell.forward: the equations of handout §4")
