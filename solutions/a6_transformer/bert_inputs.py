"""BERT's pre-training inputs: masked language modelling with the 80/10/10 rule, next-sentence pairs."""

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
    """(inputs, labels) for masked language modelling, both int64 of the shape of ``ids``.

    Every non-special token is selected with probability p; a selected token becomes ``mask_id`` 80% of
    the time, a random token of [0, vocab_size) 10% of the time, and stays itself 10% of the time. Labels
    hold the original id at selected positions and -100 elsewhere. Three draws from ``generator``, in
    this order, each of the shape of ``ids``: rand (selection), rand (which of the three), randint.
    """
    selection = torch.rand(ids.shape, generator=generator)
    action = torch.rand(ids.shape, generator=generator)
    random_ids = torch.randint(vocab_size, ids.shape, generator=generator)
    special = torch.isin(ids, torch.tensor(list(special_ids), dtype=ids.dtype))
    selected = (selection < p) & ~special
    labels = torch.where(selected, ids, IGNORE_INDEX)
    inputs = torch.where(selected & (action < 0.8), mask_id, ids)
    inputs = torch.where(selected & (action >= 0.8) & (action < 0.9), random_ids, inputs)
    return inputs, labels


def make_nsp_pairs(sentences: Sequence[str], generator: torch.Generator) -> list[tuple[str, str, int]]:
    """(A, B, label) for every sentence A but the last: B is A's true successor with label 0 (IsNext)
    half of the time, else a sentence drawn uniformly from all the others but the successor, label 1.

    Per pair, one ``torch.rand(())`` draw, then, for NotNext only, one ``torch.randint(n - 1, ())`` draw j,
    shifted by one from j >= i + 1 on, so that the true successor is never drawn.
    """
    pairs = []
    for i in range(len(sentences) - 1):
        if float(torch.rand((), generator=generator)) < 0.5:
            pairs.append((sentences[i], sentences[i + 1], IS_NEXT))
            continue
        j = int(torch.randint(len(sentences) - 1, (), generator=generator))
        j += int(j >= i + 1)
        pairs.append((sentences[i], sentences[j], NOT_NEXT))
    return pairs
