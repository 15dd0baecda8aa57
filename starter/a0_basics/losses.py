"""The losses of the course, written from their formulas.

Fill in every function that raises NotImplementedError. The handout (assignments/a0_basics/README.md)
derives each formula; the shapes in the docstrings are what the autograder checks. Use elementary tensor
operations only (arithmetic, ``exp``, ``log``, ``log1p``, ``abs``, ``max``, ``clamp``, ``gather``,
indexing, ``sum``, ``mean``, ``where``): the grader fails a loss that calls any of PyTorch's losses
(``torch.nn.functional.*_loss``, ``cross_entropy``, ``binary_cross_entropy*``, the ``nn.*Loss`` modules)
or ``log_softmax``, ``softmax``, ``logsumexp``, ``logaddexp``, ``softplus``, ``logsigmoid``, in any of
their forms (``torch.``, ``Tensor.``, ``torch.special.``, ``torch.nn.functional.``). You may call your
own functions, and add helpers.
"""

from __future__ import annotations

import torch


def l1_loss(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error, ``mean(|input - target|)`` over every element.

    ``input`` and ``target`` have one shape, any shape (at least one element). Returns a 0-d tensor ``()``.
    """
    raise NotImplementedError("l1_loss")


def mse_loss(input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error, ``mean((input - target)^2)`` over every element.

    ``input`` and ``target`` have one shape, any shape (at least one element). Returns a 0-d tensor ``()``.
    """
    raise NotImplementedError("mse_loss")


def nll_loss(log_probs: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    """Negative log-likelihood: the mean of ``-log_probs[i, target[i]]`` over the rows i whose target is not
    ``ignore_index``.

    ``log_probs`` (N, C) float, log-probabilities; ``target`` (N,) int64, class indices in [0, C) or
    ``ignore_index`` (which may itself be a valid class, as a padding id is). At least one row is not
    ignored. Returns a 0-d tensor ``()``.
    """
    raise NotImplementedError("nll_loss")


def cross_entropy(logits: torch.Tensor, target: torch.Tensor, ignore_index: int = -100) -> torch.Tensor:
    """Cross-entropy from raw scores: ``nll_loss`` of the log-softmax of ``logits``, with the log-softmax
    computed by the stable log-sum-exp of handout §5, so that logits of magnitude 1000 give finite, right
    values and gradients.

    ``logits`` (N, C) float; ``target`` (N,) int64 as in ``nll_loss``. Returns a 0-d tensor ``()``.
    """
    raise NotImplementedError("cross_entropy")


def binary_cross_entropy_with_logits(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy from raw scores, the mean over every element of
    ``-[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]``, in the stable form of handout §6.

    ``logits`` and ``target`` have one shape, any shape; targets are probabilities in [0, 1] (not only 0 or
    1). Returns a 0-d tensor ``()``.
    """
    raise NotImplementedError("binary_cross_entropy_with_logits")
