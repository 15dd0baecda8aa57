"""Fine-tuning a pre-trained causal language model: weight-decay groups, a warmup schedule, one step."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Two AdamW groups: matrices (and embeddings) decay; biases and LayerNorm weights, the 1-D
    parameters, do not."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


def warmup_linear(step: int, warmup_steps: int, total_steps: int) -> float:
    """The learning-rate multiplier: 0 -> 1 linearly over ``warmup_steps``, then 1 -> 0 linearly at
    ``total_steps``, and 0 after."""
    if step < warmup_steps:
        return step / warmup_steps
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def fine_tune_step(
    model: nn.Module,
    batch: dict[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    max_grad_norm: float,
) -> float:
    """One optimisation step on one batch; returns the batch's loss."""
    model.train()
    optimizer.zero_grad()
    device = next(model.parameters()).device
    inputs = {name: tensor.to(device) for name, tensor in batch.items()}
    loss = model(**inputs).loss  # the model shifts the labels itself
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
    optimizer.step()
    scheduler.step()
    return loss.item()
