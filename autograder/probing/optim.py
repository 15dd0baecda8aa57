"""A recorder of what any optimizer sees at each ``step()``: the gradients it is about to apply and
whether the model was in training mode, through PyTorch's own step hooks."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from autograder.probing.core import named
from autograder.probing.params import flat_parameters, parameter_blocks


class StepRecorder:
    """``recorder = StepRecorder(optimizer, model)``; after the student's loop, ``recorder.gradients()``
    is (steps, parameters): a row per ``step()`` call, zeros where a parameter had no gradient."""

    def __init__(self, optimizer: torch.optim.Optimizer, model: nn.Module | None = None) -> None:
        self.parameters = [p for group in optimizer.param_groups for p in group["params"]]
        self.model = model
        self.rows: list[torch.Tensor] = []
        self.training: list[bool] = []
        optimizer.register_step_pre_hook(self._record)

    def _record(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        grads = [(p.grad if p.grad is not None else torch.zeros_like(p)).detach().flatten() for p in self.parameters]
        self.rows.append(torch.cat(grads).cpu())
        if self.model is not None:
            self.training.append(self.model.training)

    def gradients(self) -> torch.Tensor:
        """The recorded gradients as (steps, parameters); (0, parameters) when step() never ran."""
        if not self.rows:
            return torch.zeros(0, sum(p.numel() for p in self.parameters))
        return torch.stack(self.rows)


def training_outputs(recorder: StepRecorder, model: nn.Module, mean_loss: Any) -> dict[str, Any]:
    """What a probe of a training loop returns: the loss the loop reported, the gradient each step saw,
    the training mode at each step, and the parameters after the loop, with named axes."""
    blocks = parameter_blocks(model)
    return {
        "mean_loss": mean_loss,
        "step_gradients": named(recorder.gradients(), "step", blocks),
        "training_mode_at_each_step": recorder.training,
        "parameters": named(flat_parameters(model), blocks),
    }
