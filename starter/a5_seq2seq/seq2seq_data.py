"""Pairs of token-id sequences as a Dataset, and the collate function that pads them into a batch.

Fill in every function that raises NotImplementedError. The handout (assignments/a5_seq2seq/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class Seq2SeqDataset(Dataset):
    """(source ids, target ids) pairs; item ``i`` adds the special tokens a seq2seq model reads.

    ``pairs`` is a list of ``(source, target)``, each a list of int token ids (either may be empty).
    Keep what ``__getitem__`` needs; ``sos_id`` and ``eos_id`` are the ids of <sos> and <eos>.
    """

    def __init__(self, pairs: list[tuple[list[int], list[int]]], sos_id: int = 1, eos_id: int = 2) -> None:
        raise NotImplementedError("Seq2SeqDataset.__init__")

    def __len__(self) -> int:
        """The number of pairs."""
        raise NotImplementedError("Seq2SeqDataset.__len__")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(source, target)`` of pair ``index``.

        ``source`` int64 (S_i + 1,): the source ids followed by ``eos_id``.
        ``target`` int64 (T_i + 2,): ``sos_id``, the target ids, then ``eos_id``.
        An empty source gives ``[eos_id]``, an empty target ``[sos_id, eos_id]``.
        """
        raise NotImplementedError("Seq2SeqDataset.__getitem__")


def collate(
    batch: list[tuple[torch.Tensor, torch.Tensor]], pad_id: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad the sources and the targets of ``batch`` (items of a Seq2SeqDataset) on the right with ``pad_id``.

    Returns ``(source, source_mask, target)``:
    - source int64 (B, S_max), each source right-padded with ``pad_id`` to the longest source of the batch;
    - source_mask bool (B, S_max), True at the real tokens of each source, False at its padding;
    - target int64 (B, T_max), each target right-padded with ``pad_id`` to the longest target of the batch.
    """
    raise NotImplementedError("collate")
