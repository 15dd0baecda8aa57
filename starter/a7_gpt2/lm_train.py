"""Fine-tuning a pre-trained causal language model: weight-decay groups, a warmup schedule, one step
(handout §4 and §5)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Parameter groups for ``torch.optim.AdamW``: every parameter of ``model`` exactly once.

    Returns a list of dicts ``{"params": [...], "weight_decay": ...}``: the matrices and embeddings
    (parameters with 2 or more dimensions) get ``weight_decay``; the biases and LayerNorm weights (the
    1-D parameters) get 0.0.
    """
    raise NotImplementedError("task 3: two groups, with and without weight decay")


def warmup_linear(step: int, warmup_steps: int, total_steps: int) -> float:
    """The learning-rate multiplier at ``step`` (0, 1, 2, ...), for ``LambdaLR``.

    Rises linearly from 0 at step 0 to 1 at ``warmup_steps``, then falls linearly to 0 at
    ``total_steps``, and stays 0 after it. With ``warmup_steps = 0`` it starts at 1.
    """
    raise NotImplementedError("task 4: linear warmup, then linear decay")


def fine_tune_step(
    model: nn.Module,
    batch: dict[str, torch.Tensor],
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    max_grad_norm: float,
) -> float:
    """One optimisation step of a causal LM (a ``GPT2LMHeadModel``) on one batch of ``collate``.

    In order: training mode, zero the gradients, forward with the labels (the model returns the loss
    of the shifted labels), backward, clip the gradient norm to ``max_grad_norm``, optimizer step,
    scheduler step. Returns the loss as a Python float.
    """
    raise NotImplementedError("task 5: one fine-tuning step")
