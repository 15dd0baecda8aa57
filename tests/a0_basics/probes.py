"""Probes of a0_basics: each builds seeded inputs, calls one part of the student's code, returns raw data.

Every call of a loss runs under a recorder of torch calls, and a call of one of torch's losses (or of
``log_softmax``, ``logsumexp``, ...) fails every output that used it, with the name of what was called;
the numpy RNN may call no torch function at all. The backward probe feeds the student's BPTT the states
of a trusted forward pass, so a wrong forward pass costs the forward tests only. Outputs given as
functions are computed one by one, and every random draw happens before the first of them, so one
failing edge case (T == 0, a batch of one) costs only the tests that read it.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import torch

from autograder.probing.core import Context, ProbeError, named, probe
from autograder.probing.lazy import field, once
from autograder.probing.tensors import expect_tensor

from .helpers import (
    RNN_GRADIENTS,
    autograd_rnn_gradients,
    expect_array,
    expect_gradients,
    flat_blocks,
    is_library_loss,
    is_torch_call,
    rnn_states,
    scalar_gradients,
    torch_rnn,
    watched,
)

LOSS_RULE = "write the loss from its formula with elementary tensor operations (handout §7)"
NUMPY_RULE = "the RNN of handout §9 and §10 is numpy only"
SEQUENCE_AXES = ("sequence", "step", "unit")


def _loss(ctx: Context, name: str) -> Any:
    """The student's loss ``name``, watched for calls of torch's own losses."""
    return watched(getattr(ctx.student("losses"), name), name, is_library_loss, LOSS_RULE)


def _scalar_upstream(ctx: Context) -> torch.Tensor:
    """A seeded factor for the backward pass, so that a loss off by a constant shows in its gradients."""
    return ctx.randn(1).squeeze(0)


def _pair_gradients(
    name: str, loss: Any, pair: tuple[torch.Tensor, torch.Tensor], upstream: torch.Tensor
) -> dict[str, torch.Tensor]:
    """The gradients of a loss of one (input, target) pair with respect to both."""
    first, second = (t.clone().requires_grad_(True) for t in pair)
    return scalar_gradients(loss(first, second), upstream, {"input": first, "target": second}, name)


def _pairwise_outputs(
    name: str, loss: Any, cases: dict[str, tuple[torch.Tensor, torch.Tensor]], upstream: torch.Tensor
) -> dict[str, Any]:
    """Values of a loss of (input, target) pairs of one shape on every case, and the gradients of the
    main case with respect to both input and target."""
    grads = once(partial(_pair_gradients, name, loss, cases["main"], upstream))
    values = {f"{name}{'' if case == 'main' else '_of_' + case}": partial(loss, *pair) for case, pair in cases.items()}
    return values | {f"{name}_grad_{of}": field(grads, of) for of in ("input", "target")}


def _elementwise_cases(ctx: Context, make_input: Any, make_target: Any) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """(input, target) pairs of shapes (N, D) with N != D, (2, 3, 4), and a single element (1,)."""
    rows, columns = 4 + ctx.seed % 3, 3 + ctx.seed % 2
    shapes = {"main": (rows, columns), "3d": (2, 3, 4), "one": (1,)}
    return {case: (make_input(*shape), make_target(*shape)) for case, shape in shapes.items()}


@probe
def regression_losses(ctx: Context) -> dict[str, Any]:
    """l1_loss and mse_loss: means over every element, and their gradients for input and target."""
    cases = _elementwise_cases(ctx, ctx.randn, ctx.randn)
    upstream = _scalar_upstream(ctx)
    outputs: dict[str, Any] = {}
    for name in ("l1_loss", "mse_loss"):
        outputs |= _pairwise_outputs(name, _loss(ctx, name), cases, upstream)
    return outputs


def _probabilities(ctx: Context, *shape: int) -> torch.Tensor:
    """Targets in [0, 1]: about half hard labels (0 or 1), half soft ones."""
    soft, hard, pick = ctx.rand(*shape), ctx.rand(*shape).round(), ctx.rand(*shape) < 0.5
    return torch.where(pick, hard, soft)


def _large(ctx: Context, *shape: int) -> torch.Tensor:
    """Values of magnitude 50 to 1000, of either sign: every naive exponential overflows somewhere."""
    sign = ctx.randint(2, *shape).float() * 2 - 1
    return sign * (50 + 950 * ctx.rand(*shape))


@probe
def binary_cross_entropy(ctx: Context) -> dict[str, Any]:
    """binary_cross_entropy_with_logits on ordinary and on very large logits, with hard and soft targets."""
    name = "binary_cross_entropy_with_logits"
    cases = _elementwise_cases(ctx, lambda *shape: 3 * ctx.randn(*shape), partial(_probabilities, ctx))
    cases["large_logits"] = (_large(ctx, 5, 3), _probabilities(ctx, 5, 3))
    upstream = _scalar_upstream(ctx)
    loss = _loss(ctx, name)
    large_grads = once(partial(_pair_gradients, name, loss, cases["large_logits"], upstream))
    return _pairwise_outputs(name, loss, cases, upstream) | {
        f"{name}_grad_input_of_large_logits": field(large_grads, "input"),
    }


def _class_targets(ctx: Context, rows: int, classes: int) -> dict[str, Any]:
    """Class indices (N,) with nothing ignored, with two rows at the default -100, with two rows at a
    non-default ignore_index that is itself a valid class (as a padding id is), never 0, and with two
    rows at -1."""
    target = ctx.randint(classes, rows)
    ignore_index = 1 + ctx.seed % (classes - 1)
    ignored, kept = ctx.sample(range(rows), 2), ctx.sample(range(rows), 3)
    with_default = target.clone()
    with_default[ignored] = -100
    with_index = target.clone()
    with_index[ignored] = ignore_index
    kept = [row for row in kept if row not in ignored][:1]
    with_index[kept] = (ignore_index + 1) % classes  # at least one row that counts
    with_negative = target.clone()
    with_negative[ignored] = -1
    return {
        "target": target,
        "with_default": with_default,
        "with_index": with_index,
        "ignore_index": ignore_index,
        "with_negative": with_negative,
    }


def _named_lazy(compute: Any, *axes: str) -> Any:
    """A lazy output whose tensor gets axis names for the feedback."""
    return lambda: named(compute(), *axes)


def _classification_outputs(
    name: str, loss: Any, scores: torch.Tensor, targets: dict[str, Any], upstream: Any
) -> dict[str, Any]:
    """Values of a loss of (scores (N, C), target (N,)): plain, batch of one, ignored rows at -100 and at
    a non-default ignore_index; gradients of the scores, plain and with ignored rows. The loss with
    ignore_index=-1 is read by no rule: it tells the feedback an ignore_index dropped on the way (-1 is
    then an index out of range) from a mask of the negative targets (which ignores -1 as it should)."""
    ignore_index = targets["ignore_index"]

    def gradient(target: torch.Tensor, **options: int) -> torch.Tensor:
        leaf = scores.clone().requires_grad_(True)
        return scalar_gradients(loss(leaf, target, **options), upstream, {"scores": leaf}, name)["scores"]

    return {
        name: lambda: loss(scores, targets["target"]),
        f"{name}_of_one": lambda: loss(scores[:1], targets["target"][:1]),
        f"{name}_with_ignored": lambda: loss(scores, targets["with_default"]),
        f"{name}_ignore_index": lambda: loss(scores, targets["with_index"], ignore_index=ignore_index),
        f"{name}_ignore_index_minus_one": lambda: loss(scores, targets["with_negative"], ignore_index=-1),
        f"{name}_grad": _named_lazy(lambda: gradient(targets["target"]), "row", "class"),
        f"{name}_grad_ignore_index": _named_lazy(
            lambda: gradient(targets["with_index"], ignore_index=ignore_index), "row", "class"
        ),
    }


def _class_sizes(ctx: Context) -> tuple[int, int]:
    """(N, C) with N != C, so that a reduction over the wrong axis shows."""
    return 6 + ctx.seed % 3, 4 + ctx.seed % 2


@probe
def nll(ctx: Context) -> dict[str, Any]:
    """nll_loss on trusted log-probabilities: mean over the rows that are not ignored, and its gradient."""
    rows, classes = _class_sizes(ctx)
    log_probs = torch.log_softmax(2 * ctx.randn(rows, classes), dim=1)
    targets = _class_targets(ctx, rows, classes)
    upstream = _scalar_upstream(ctx)
    return _classification_outputs("nll_loss", _loss(ctx, "nll_loss"), log_probs, targets, upstream)


@probe
def cross_entropy(ctx: Context) -> dict[str, Any]:
    """cross_entropy from logits: as nll_loss's cases, and on logits of magnitude 50 to 1000, where only a
    stable log-sum-exp stays finite (the targets are seldom the largest logit there)."""
    rows, classes = _class_sizes(ctx)
    logits, large = 3 * ctx.randn(rows, classes), _large(ctx, rows, classes)
    targets = _class_targets(ctx, rows, classes)
    upstream = _scalar_upstream(ctx)
    loss = _loss(ctx, "cross_entropy")
    target = targets["target"]

    def large_gradient() -> torch.Tensor:
        leaf = large.clone().requires_grad_(True)
        return scalar_gradients(loss(leaf, target), upstream, {"logits": leaf}, "cross_entropy")["logits"]

    return _classification_outputs("cross_entropy", loss, logits, targets, upstream) | {
        "cross_entropy_of_large_logits": lambda: loss(large, target),
        "cross_entropy_of_large_logits_of_one": lambda: loss(large[:1], target[:1]),
        "cross_entropy_grad_of_large_logits": _named_lazy(large_gradient, "row", "class"),
    }


def _fit(gradient_descent: Any, x: torch.Tensor, y: torch.Tensor, lr: float, steps: int) -> dict[str, Any]:
    """One call of the student's gradient_descent, its result checked: (w (D,), b (), losses: steps floats)."""
    result = gradient_descent(x, y, lr, steps)
    if type(result) not in (tuple, list) or len(result) != 3:
        raise ProbeError(f"gradient_descent should return a triple (w, b, losses), got {type(result).__name__}")
    w = expect_tensor(result[0], "gradient_descent's w", shape=(x.shape[1],))
    b = expect_tensor(result[1], "gradient_descent's b", shape=())
    losses = result[2]
    if type(losses) is not list or not all(type(value) in (float, int) for value in losses):
        raise ProbeError(f"gradient_descent's losses should be a list of Python floats, got {type(losses).__name__}")
    if len(losses) != steps:
        raise ProbeError(f"gradient_descent returned {len(losses)} losses for {steps} steps")
    losses_ = named(torch.tensor(losses, dtype=torch.float64), "step")
    return {"weight": named(w.detach(), "feature"), "bias": b.detach(), "losses": losses_}


@probe
def descent(ctx: Context) -> dict[str, Any]:
    """gradient_descent on seeded linear data: the parameters and the losses, also for one example and
    for zero steps (the zero start itself)."""
    rows, features = 12 + ctx.seed % 5, 2 + ctx.seed % 3
    x = ctx.randn(rows, features)
    y = x @ ctx.randn(features) + ctx.randn(1) + 0.1 * ctx.randn(rows)
    lr, steps = 0.05 + 0.01 * (ctx.seed % 4), 8 + ctx.seed % 4
    gradient_descent = ctx.student("descent").gradient_descent
    runs = {
        "": once(lambda: _fit(gradient_descent, x, y, lr, steps)),
        "_of_one": once(lambda: _fit(gradient_descent, x[:1], y[:1], lr, steps)),
        "_at_start": once(lambda: _fit(gradient_descent, x, y, lr, 0)),
    }
    return {f"{key}{suffix}": field(run, key) for suffix, run in runs.items() for key in ("weight", "bias", "losses")}


def _rnn_sizes(ctx: Context) -> tuple[int, int, int, int]:
    """(B, T, I, H) with I != H, so that a transposed weight shows."""
    return 3, 4 + ctx.seed % 3, 2 + ctx.seed % 3, 5 + ctx.seed % 2


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.cpu().double().numpy()


def _rnn_weights(ctx: Context, inputs: int, hidden: int) -> dict[str, np.ndarray]:
    """Seeded weights at a scale where the tanh is neither linear nor saturated."""
    w_ih, w_hh, b = 0.5 * ctx.randn(hidden, inputs), 0.4 * ctx.randn(hidden, hidden), 0.3 * ctx.randn(hidden)
    return {"w_ih": _numpy(w_ih), "w_hh": _numpy(w_hh), "b": _numpy(b)}


@probe
def rnn_forward(ctx: Context) -> dict[str, Any]:
    """rnn_forward_numpy: every state (B, T, H), also for T == 1, a batch of one and T == 0, and the same
    states as PyTorch's nn.RNN with the same weights."""
    batch, steps, inputs, hidden = _rnn_sizes(ctx)
    weights = _rnn_weights(ctx, inputs, hidden)
    x, h0 = _numpy(ctx.randn(batch, steps, inputs)), _numpy(ctx.randn(batch, hidden))
    forward = watched(ctx.student("rnn_numpy").rnn_forward_numpy, "rnn_forward_numpy", is_torch_call, NUMPY_RULE)

    def states(x: np.ndarray, h0: np.ndarray) -> Any:
        shape = (x.shape[0], x.shape[1], hidden)
        values = forward(x, h0, weights["w_ih"], weights["w_hh"], weights["b"])
        return named(expect_array(values, "rnn_forward_numpy", shape), *SEQUENCE_AXES)

    return {
        "states": lambda: states(x, h0),
        "states_of_one_step": lambda: states(x[:, :1], h0),
        "states_of_one_sequence": lambda: states(x[:1], h0[:1]),
        "states_of_no_steps": lambda: states(x[:, :0], h0),
        "states_of_nn_rnn": lambda: named(torch_rnn(weights, x, h0)[3].detach(), *SEQUENCE_AXES),
    }


@probe
def rnn_backward(ctx: Context) -> dict[str, Any]:
    """rnn_backward_numpy on the states of a trusted forward pass: the gradients of x, h0 and the weights,
    also for T == 1, a batch of one and T == 0, and the same gradients as autograd through nn.RNN."""
    batch, steps, inputs, hidden = _rnn_sizes(ctx)
    weights = _rnn_weights(ctx, inputs, hidden)
    x, h0 = _numpy(ctx.randn(batch, steps, inputs)), _numpy(ctx.randn(batch, hidden))
    grad_states = _numpy(ctx.randn(batch, steps, hidden))
    backward = watched(ctx.student("rnn_numpy").rnn_backward_numpy, "rnn_backward_numpy", is_torch_call, NUMPY_RULE)

    def gradients(x: np.ndarray, h0: np.ndarray, grad_states: np.ndarray) -> dict[str, torch.Tensor]:
        states = rnn_states(x, h0, weights["w_ih"], weights["w_hh"], weights["b"])
        shapes = {"x": x.shape, "h0": h0.shape, **{name: weights[name].shape for name in ("w_ih", "w_hh", "b")}}
        values = backward(x, h0, weights["w_ih"], weights["w_hh"], states, grad_states)
        return expect_gradients(values, "rnn_backward_numpy", shapes)

    def flat(compute: Any) -> Any:
        return lambda: named(*flat_blocks(compute()))

    every = once(lambda: gradients(x, h0, grad_states))
    return {
        **{f"grad_{name}": field(every, name) for name in RNN_GRADIENTS},
        "gradients_of_one_step": flat(lambda: gradients(x[:, :1], h0, grad_states[:, :1])),
        "gradients_of_one_sequence": flat(lambda: gradients(x[:1], h0[:1], grad_states[:1])),
        "gradients_of_no_steps": flat(lambda: gradients(x[:, :0], h0, grad_states[:, :0])),
        "gradients_of_your_bptt": flat(every),
        "gradients_of_autograd": flat(lambda: autograd_rnn_gradients(weights, x, h0, grad_states)),
    }
