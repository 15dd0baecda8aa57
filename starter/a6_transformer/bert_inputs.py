"""BERT's pre-training inputs: masked language modelling with the 80/10/10 rule, next-sentence pairs.

Fill in every function that raises NotImplementedError. The handout (assignments/a6_transformer/README.md)
explains each step; the autograder checks the exact outputs for a fixed generator, so draw the random
numbers exactly as the docstrings say.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

IGNORE_INDEX = -100  # cross_entropy's default ignore_index: no loss where a token was not selected
IS_NEXT, NOT_NEXT = 0, 1


def mask_tokens(
    ids: torch.Tensor,
    vocab_size: int,
    special_ids: Sequence[int],
    mask_id: int,
    generator: torch.Generator,
    p: float = 0.15,
) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, labels) for masked language modelling, both int64 of the shape of ``ids`` (any shape).

    Draw from ``generator``, in this order, each of the shape of ``ids``: ``torch.rand`` (selection),
    ``torch.rand`` (action), ``torch.randint(vocab_size, ...)`` (random tokens). A token is selected where
    the selection draw is < p and the token is not in ``special_ids``. A selected token becomes ``mask_id``
    where the action draw is < 0.8, the random token where it is in [0.8, 0.9), and stays itself otherwise.
    Labels are the original ids at selected positions and IGNORE_INDEX elsewhere. Do not modify ``ids``.
    """
    raise NotImplementedError("mask_tokens")


def make_nsp_pairs(sentences: Sequence[str], generator: torch.Generator) -> list[tuple[str, str, int]]:
    """A list of (A, B, label), one per sentence A = sentences[i] but the last, in order.

    For each i: one draw ``torch.rand((), generator=generator)``; if it is < 0.5, B = sentences[i + 1] and
    label IS_NEXT; otherwise draw ``j = torch.randint(len(sentences) - 1, (), generator=generator)``, add one
    to j when j >= i + 1 (so that the true successor is never drawn), and B = sentences[j], label NOT_NEXT.
    Fewer than two sentences give an empty list.
    """
    raise NotImplementedError("make_nsp_pairs")
