"""Positional encoding, LayerNorm, the post-norm encoder block, and a small Transformer classifier."""

from __future__ import annotations

import math

import torch
from attention import MultiHeadAttention, padding_mask
from torch import nn


def positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """The sinusoidal encoding (T, D): PE[t, 2i] = sin(t / 10000^(2i/D)), PE[t, 2i+1] = cos(t / 10000^(2i/D))."""
    positions = torch.arange(length, dtype=torch.float32).unsqueeze(1)  # (T, 1)
    even = torch.arange(0, d_model, 2, dtype=torch.float32)  # (ceil(D/2),) the 2i of each pair
    angles = positions / 10000.0 ** (even / d_model)  # (T, ceil(D/2))
    encoding = torch.zeros(length, d_model)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])  # an odd D has one sine more than cosines
    return encoding


class LayerNorm(nn.Module):
    """(x - mean) / sqrt(var + eps) * weight + bias over the last axis, with the biased variance."""

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d_model))
        self.bias = nn.Parameter(torch.zeros(d_model))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., D) -> (..., D): every position normalised on its own."""
        mean = x.mean(dim=-1, keepdim=True)
        variance = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # divided by D, not D - 1
        return (x - mean) / torch.sqrt(variance + self.eps) * self.weight + self.bias


class EncoderBlock(nn.Module):
    """The paper's post-norm block: x = LN(x + Dropout(MHA(x))), then x = LN(x + Dropout(FFN(x)))."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.attention = MultiHeadAttention(d_model, n_heads)
        self.norm1 = LayerNorm(d_model)
        self.feed_forward = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm2 = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """x (B, T, D), mask broadcastable to (B, T, T) -> (B, T, D)."""
        x = self.norm1(x + self.dropout(self.attention(x, x, x, mask)))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class TransformerClassifier(nn.Module):
    """Embedding * sqrt(D) + positional encoding, encoder blocks, the mean over real tokens, Linear."""

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
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=pad_id)
        self.register_buffer("pe", positional_encoding(max_len, d_model), persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(EncoderBlock(d_model, n_heads, d_ff, dropout) for _ in range(n_layers))
        self.output = nn.Linear(d_model, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Right-padded ids (B, T) and lengths (B,) -> logits (B, C); padding changes nothing."""
        steps = ids.shape[1]
        x = self.embedding(ids) * math.sqrt(self.embedding.embedding_dim) + self.pe[:steps]  # (B, T, D)
        x = self.dropout(x)
        mask = padding_mask(lengths.to(ids.device), steps)  # (B, 1, T): no query looks at a pad
        for block in self.blocks:
            x = block(x, mask)
        real = mask.squeeze(1).unsqueeze(-1).to(x.dtype)  # (B, T, 1): 1 at real tokens
        pooled = (x * real).sum(dim=1) / real.sum(dim=1)  # (B, D): the mean over real tokens only
        return self.output(pooled)  # (B, C)
