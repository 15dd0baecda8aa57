"""Seeded parameters for any ``nn.Module`` (Linear, Embedding, GRU, attention, a Hugging Face model),
found and named by ``named_parameters()``, so a probe does not depend on how the student built it."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from autograder.probing.core import Context, ProbeError


def seed_parameters(ctx: Context, module: nn.Module, scale: float = 0.5, bias_scale: float = 0.1) -> None:
    """Overwrite every parameter, in ``named_parameters()`` order, with seeded normal values: matrices
    and higher scaled by ``scale / sqrt(fan_in)``, vectors by ``bias_scale``. Embedding rows of a
    ``padding_idx`` are set to zero again, as ``nn.Embedding`` keeps them."""
    with torch.no_grad():
        for _, parameter in module.named_parameters():
            values = ctx.randn(*parameter.shape).to(parameter.device, parameter.dtype)
            if parameter.dim() >= 2:
                parameter.copy_(values * scale / parameter[0].numel() ** 0.5)
            else:
                parameter.copy_(values * bias_scale)
        for embedding in (m for m in module.modules() if isinstance(m, nn.Embedding)):
            if embedding.padding_idx is not None:
                embedding.weight[embedding.padding_idx].zero_()


def parameters_by_name(module: nn.Module, names: list[str]) -> dict[str, nn.Parameter]:
    """The parameters called ``names``: by full name, or by a unique last component (so a student's
    ``self.cell.weight_ih`` answers for ``weight_ih``)."""
    named = dict(module.named_parameters())
    found = {}
    for name in names:
        matches = [key for key in named if key == name or key.endswith("." + name)]
        if len(matches) != 1:
            which = "no parameter" if not matches else f"{len(matches)} parameters ({', '.join(matches)})"
            raise ProbeError(f"expected one parameter named {name!r} in {type(module).__name__}, found {which}")
        found[name] = named[matches[0]]
    return found


def parameter_blocks(module: nn.Module) -> list[tuple[str, list[int]]]:
    """(name, shape) of every parameter in order: the axis names of :func:`flat_parameters`."""
    return [(name, list(p.shape)) for name, p in module.named_parameters()]


def flat_parameters(module: nn.Module) -> torch.Tensor:
    """Every parameter's values, flattened and concatenated in ``named_parameters()`` order."""
    return torch.cat([p.detach().flatten() for p in module.parameters()]).cpu()


def linear_layers(model: nn.Module, count: int) -> list[nn.Linear]:
    """The model's ``nn.Linear`` layers in ``modules()`` order; exactly ``count`` of them are required."""
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if len(layers) != count:
        raise ProbeError(f"expected {count} nn.Linear layers in the model, found {len(layers)}")
    return layers


TRAINED = "trained:"
"""The prefix of the outputs that carry a trained module's parameters to a probe's evaluation."""


def trained_parameters(module: nn.Module) -> dict[str, torch.Tensor]:
    """Every parameter of ``module`` as an output (``trained:lstm.weight_hh_l0``), for the probe's
    trusted evaluation to load into a model of its own with :func:`load_trained`."""
    named = nn.Module.named_parameters(module)  # the module's own override, if any, is not asked
    return {TRAINED + name: p.detach().cpu().clone() for name, p in named}


def load_trained(module: nn.Module, given: dict[str, Any]) -> nn.Module:
    """Copy the trained parameters among ``given`` (a probe's outputs) into the trusted ``module``, every
    one of its parameters by name and shape; its buffers and code stay its own."""
    with torch.no_grad():
        for name, parameter in module.named_parameters():
            value = given.get(TRAINED + name)
            if type(value) is not torch.Tensor or value.shape != parameter.shape or not value.is_floating_point():
                got = f"shape {tuple(value.shape)}" if type(value) is torch.Tensor else type(value).__name__
                raise ProbeError(
                    f"the trained model should have a parameter {name} of shape "
                    f"{tuple(parameter.shape)} (floating point), got {got}"
                )
            parameter.copy_(value)
    return module
