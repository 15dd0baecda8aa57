"""Attention over the encoder's outputs: Bahdanau's additive score and Luong's dot and general scores."""

from __future__ import annotations

import torch
from torch import nn


class Attention(nn.Module):
    """What every attention of this assignment shares: a score per source position, then the weights
    (a softmax over the real positions only) and the context (the weighted sum of the encoder outputs).
    Subclasses define ``score``."""

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        """Scores (B, S) of the decoder state ``query`` (B, H) against the encoder outputs ``keys`` (B, S, H)."""
        raise NotImplementedError

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(weights (B, S), context (B, H))``: padded positions (mask False) get exactly zero weight."""
        scores = self.score(query, keys).masked_fill(~mask, float("-inf"))  # (B, S)
        weights = torch.softmax(scores, dim=-1)  # (B, S), each row sums to one over its real positions
        context = torch.bmm(weights.unsqueeze(1), keys).squeeze(1)  # (B, H)
        return weights, context


class BahdanauAttention(Attention):
    """The additive score ``v^T tanh(W1 h_enc + W2 h_dec)``, with W1, W2 (A, H) and v (1, A), no biases."""

    def __init__(self, hidden_size: int, attention_size: int) -> None:
        super().__init__()
        self.W1 = nn.Linear(hidden_size, attention_size, bias=False)  # applied to the encoder outputs
        self.W2 = nn.Linear(hidden_size, attention_size, bias=False)  # applied to the decoder state
        self.v = nn.Linear(attention_size, 1, bias=False)

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        features = torch.tanh(self.W1(keys) + self.W2(query).unsqueeze(1))  # (B, S, A)
        return self.v(features).squeeze(-1)  # (B, S)


class LuongAttention(Attention):
    """Luong's multiplicative scores: ``dot`` is h_dec . h_enc, ``general`` is h_dec . (W h_enc), W (H, H)."""

    def __init__(self, hidden_size: int, method: str = "dot") -> None:
        super().__init__()
        if method not in ("dot", "general"):
            raise ValueError(f"method should be 'dot' or 'general', got {method!r}")
        self.method = method
        if method == "general":
            self.W = nn.Linear(hidden_size, hidden_size, bias=False)

    def score(self, query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        if self.method == "general":
            keys = self.W(keys)  # (B, S, H)
        return torch.bmm(keys, query.unsqueeze(-1)).squeeze(-1)  # (B, S)
