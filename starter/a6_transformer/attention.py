"""Scaled dot-product attention, its masks, and multi-head attention.

Fill in every function that raises NotImplementedError. The handout (assignments/a6_transformer/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import math  # noqa: F401 - you will need math.sqrt

import torch
from torch import nn


def scaled_dot_product_attention(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: torch.Tensor | None = None
) -> torch.Tensor:
    """softmax(q k^T / sqrt(d_k)) v for q (..., T_q, d_k), k (..., T_k, d_k), v (..., T_k, d_v).

    Any number of leading axes (none, a batch, a batch and heads) must work: index the last two axes
    with negative numbers. ``mask`` is boolean, broadcastable to (..., T_q, T_k), True where a query may
    attend to a key; fill the other scores with -inf BEFORE the softmax (over the keys, the last axis).
    Returns (..., T_q, d_v). Must agree with torch.nn.functional.scaled_dot_product_attention.
    """
    raise NotImplementedError("scaled_dot_product_attention")


def causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """Boolean (T, T) with T = ``size``, True where key j <= query i (the diagonal included)."""
    raise NotImplementedError("causal_mask")


def padding_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """Boolean (B, 1, T) for lengths int64 (B,): True at the real keys j < lengths[b].

    T is ``max_len`` when given, else the longest length. The middle axis of size 1 broadcasts over the
    queries, so ``causal_mask(T) & padding_mask(lengths)`` is (B, T, T).
    """
    raise NotImplementedError("padding_mask")


class MultiHeadAttention(nn.Module):
    """h heads of scaled dot-product attention on learned projections, concatenated and projected.

    Create exactly these submodules, with these names: ``self.q_proj``, ``self.k_proj``, ``self.v_proj``
    and ``self.out_proj``, each ``nn.Linear(d_model, d_model)`` (with a bias). Head i uses the features
    i * d_k to (i + 1) * d_k of each projection, with d_k = d_model // n_heads.
    """

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        raise NotImplementedError("MultiHeadAttention.__init__")

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        """query (B, T_q, D), key and value (B, T_k, D), mask broadcastable to (B, T_q, T_k) -> (B, T_q, D).

        Project, split into heads (B, h, T, d_k) with view(B, T, h, d_k).transpose(1, 2), give the mask a
        head axis (mask.unsqueeze(-3)), attend with your scaled_dot_product_attention, merge the heads back
        to (B, T_q, D) and apply out_proj. Take B and T from the tensors you are given.
        """
        raise NotImplementedError("MultiHeadAttention.forward")
