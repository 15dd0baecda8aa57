"""Attention over the encoder's outputs: Bahdanau's additive score and Luong's dot and general scores.

Fill in every function that raises NotImplementedError. The handout (assignments/a5_seq2seq/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch import nn


class Attention(nn.Module):
    """What every attention of this assignment shares: a score per source position (``score``, defined by
    each subclass), then the weights and the context (``forward``, written once here)."""

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (B, S) of the decoder state ``query`` (B, H) against the encoder outputs ``keys`` (B, S, H)."""
        raise NotImplementedError("score is defined by each subclass")

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(weights, context)`` for ``query`` (B, H), ``keys`` (B, S, H) and the source ``mask`` (B, S) bool.

        weights (B, S): the softmax of ``self.score(query, keys)`` over the positions, with the padded
        positions (mask False) excluded before the softmax, so that they get exactly zero weight and each
        row sums to one over its real positions.
        context (B, H): the sum over the positions of weights[b, s] * keys[b, s].
        """
        raise NotImplementedError("Attention.forward")


class BahdanauAttention(Attention):
    """The additive score ``score[b, s] = v^T tanh(W1 keys[b, s] + W2 query[b])``.

    Create ``self.W1 = nn.Linear(hidden_size, attention_size, bias=False)`` (applied to the encoder
    outputs), ``self.W2 = nn.Linear(hidden_size, attention_size, bias=False)`` (applied to the decoder
    state) and ``self.v = nn.Linear(attention_size, 1, bias=False)``, in this order.
    """

    def __init__(self, hidden_size: int, attention_size: int) -> None:
        super().__init__()
        raise NotImplementedError("BahdanauAttention.__init__")

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (B, S) for ``query`` (B, H) and ``keys`` (B, S, H); the tanh features are (B, S, A)."""
        raise NotImplementedError("BahdanauAttention.score")


class LuongAttention(Attention):
    """Luong's multiplicative scores: ``dot`` is ``query[b] . keys[b, s]``; ``general`` is
    ``query[b] . (W keys[b, s])`` with ``self.W = nn.Linear(hidden_size, hidden_size, bias=False)``.

    ``method`` is ``"dot"`` (no parameter at all) or ``"general"``; raise ValueError for anything else.
    """

    def __init__(self, hidden_size: int, method: str = "dot") -> None:
        super().__init__()
        raise NotImplementedError("LuongAttention.__init__")

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (B, S) for ``query`` (B, H) and ``keys`` (B, S, H)."""
        raise NotImplementedError("LuongAttention.score")
