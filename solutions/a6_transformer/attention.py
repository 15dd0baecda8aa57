"""Scaled dot-product attention, its masks, and multi-head attention."""

from __future__ import annotations

import math

import torch
from torch import nn


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(q k^T / sqrt(d_k)) v for q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v).

    ``mask`` is boolean, broadcastable to (..., T_q, T_k), True where a query may attend to a key; the
    other scores become -inf before the softmax, so their weights are exactly zero. Returns (..., T_q, d_v).
    """
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])  # (..., T_q, T_k)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (..., T_q, T_k): each row sums to 1 over the keys
    return weights @ v  # (..., T_q, d_v)


def causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """Boolean (T, T), True where key j <= query i: position i sees itself and the past only."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


def padding_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """Boolean (B, 1, T), True at the real keys j < lengths[b]; T is ``max_len`` or the longest length.

    The middle axis of size 1 broadcasts over the queries, so the mask combines with a causal one:
    ``causal_mask(T) & padding_mask(lengths)`` is (B, T, T).
    """
    size = int(lengths.max()) if max_len is None else max_len
    positions = torch.arange(size, device=lengths.device)  # (T,)
    return (positions < lengths.unsqueeze(-1)).unsqueeze(1)  # (B, 1, T)


class MultiHeadAttention(nn.Module):
    """h heads of scaled dot-product attention on learned projections, concatenated and projected.

    The q, k, v and output projections are ``nn.Linear(d_model, d_model)``; head i reads the columns
    i * d_k to (i + 1) * d_k of each projection, with d_k = d_model / h.
    """

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not a multiple of n_heads={n_heads}")
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def split_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, D) -> (B, h, T, d_k): each head gets its own slice of the features at every position."""
        batch, steps, d_model = x.shape
        return x.view(batch, steps, self.n_heads, d_model // self.n_heads).transpose(1, 2)

    def merge_heads(self, x: torch.Tensor) -> torch.Tensor:
        """(B, h, T, d_k) -> (B, T, D): the heads' outputs side by side at every position."""
        batch, heads, steps, d_k = x.shape
        return x.transpose(1, 2).reshape(batch, steps, heads * d_k)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """query (B, T_q, D), key and value (B, T_k, D), mask broadcastable to (B, T_q, T_k) -> (B, T_q, D)."""
        q = self.split_heads(self.q_proj(query))  # (B, h, T_q, d_k)
        k = self.split_heads(self.k_proj(key))  # (B, h, T_k, d_k)
        v = self.split_heads(self.v_proj(value))  # (B, h, T_k, d_k)
        if mask is not None:
            mask = mask.unsqueeze(-3)  # (..., 1, T_q, T_k): the same mask for every head
        return self.out_proj(self.merge_heads(scaled_dot_product_attention(q, k, v, mask)))
