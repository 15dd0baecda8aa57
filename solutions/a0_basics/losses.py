"""The losses of the course, written from their formulas with stable forms where exponentials overflow."""

from __future__ import annotations

import torch


def l1_loss(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error over every element: ``input`` and ``target`` of one shape, returns ``()``."""
    return (input - target).abs().mean()


def mse_loss(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over every element: ``input`` and ``target`` of one shape, returns ``()``."""
    return ((input - target) ** 2).mean()


def nll_loss(log_probs: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    """Mean of ``-log_probs[i, target[i]]`` over the rows whose target is not ``ignore_index``.

    ``log_probs`` (N, C) float, ``target`` (N,) int64, returns ``()``.
    """
    kept = target != ignore_index  # (N,)
    safe = torch.where(kept, target, torch.zeros_like(target))  # (N,): a valid index even on ignored rows
    picked = log_probs.gather(1, safe.unsqueeze(1)).squeeze(1)  # (N,)
    return -(picked * kept).sum() / kept.sum()


def log_softmax(logits: torch.Tensor) -> torch.Tensor:
    """log softmax over the last axis, shifted by the row maximum so that no exponential overflows."""
    shifted = logits - logits.max(dim=-1, keepdim=True).values  # (..., C), every entry <= 0
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    """``nll_loss`` of the stable log-softmax of ``logits`` (N, C); ``target`` (N,) int64, returns ``()``."""
    return nll_loss(log_softmax(logits), target, ignore_index)


def binary_cross_entropy_with_logits(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over every element of ``-[y log s(x) + (1 - y) log(1 - s(x))]``, s the sigmoid, in the
    stable form ``max(x, 0) - x y + log(1 + exp(-|x|))``; ``logits`` and ``target`` of one shape."""
    return (logits.clamp(min=0) - logits * target + torch.log1p(torch.exp(-logits.abs()))).mean()
