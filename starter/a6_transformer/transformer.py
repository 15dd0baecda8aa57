"""Positional encoding, LayerNorm, the post-norm encoder block, and a small Transformer classifier.

Fill in every function that raises NotImplementedError. The handout (assignments/a6_transformer/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import math  # noqa: F401 - you will need math.sqrt

import torch
from attention import MultiHeadAttention, padding_mask  # noqa: F401 - your attention.py
from torch import nn


def positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """The sinusoidal encoding, float32 (T, D) with T = ``length`` and D = ``d_model`` (even or odd).

    PE[t, 2i] = sin(t / 10000^(2i/D)) and PE[t, 2i+1] = cos(t / 10000^(2i/D)).
    """
    raise NotImplementedError("positional_encoding")


class LayerNorm(nn.Module):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last axis, with the biased variance.

    Parameters ``self.weight`` (D,), initialised to ones, and ``self.bias`` (D,), initialised to zeros, so
    that nn.LayerNorm's state_dict loads as it is. Do not call nn.LayerNorm or layer_norm.
    """

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        raise NotImplementedError("LayerNorm.__init__")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., D) -> (..., D): every position normalised on its own."""
        raise NotImplementedError("LayerNorm.forward")


class EncoderBlock(nn.Module):
    """The paper's post-norm block: x = LN(x + Dropout(MHA(x))), then x = LN(x + Dropout(FFN(x))).

    Create exactly these submodules, with these names: ``self.attention = MultiHeadAttention(d_model,
    n_heads)``, ``self.norm1 = LayerNorm(d_model)``, ``self.feed_forward = nn.Sequential(nn.Linear(d_model,
    d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))``, ``self.norm2 = LayerNorm(d_model)`` and
    ``self.dropout = nn.Dropout(dropout)``.
    """

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        raise NotImplementedError("EncoderBlock.__init__")

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, T, D), mask broadcastable to (B, T, T) -> (B, T, D); call self.attention(x, x, x, mask)."""
        raise NotImplementedError("EncoderBlock.forward")


class TransformerClassifier(nn.Module):
    """Embedding * sqrt(D) + positional encoding, encoder blocks, the mean over real tokens, Linear.

    Create exactly these submodules, with these names: ``self.embedding = nn.Embedding(vocab_size, d_model,
    padding_idx=pad_id)``, ``self.dropout = nn.Dropout(dropout)``, ``self.blocks = nn.ModuleList`` of
    ``n_layers`` EncoderBlock(d_model, n_heads, d_ff, dropout) and ``self.output = nn.Linear(d_model,
    num_classes)``. Keep ``positional_encoding(max_len, d_model)`` as a buffer, not a parameter
    (``self.register_buffer("pe", ..., persistent=False)``).
    """

    def __init__(
        self,
        vocab_size: int,
        d_model: int,
        n_heads: int,
        d_ff: int,
        n_layers: int,
        num_classes: int = 2,
        max_len: int = 64,
        pad_id: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        raise NotImplementedError("TransformerClassifier.__init__")

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Right-padded ids int64 (B, T) and lengths int64 (B,) -> logits (B, C).

        x = dropout(embedding(ids) * sqrt(D) + pe[:T]) (B, T, D); every block with
        ``padding_mask(lengths, T)``; then the mean of the final states over each sequence's real tokens
        only (B, D) and the output layer. Pad tokens appended to a batch must change no logit.
        """
        raise NotImplementedError("TransformerClassifier.forward")
