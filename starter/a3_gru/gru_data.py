"""Sequences of token ids as a Dataset, and the collate function that pads them into a batch.

Fill in every function that raises NotImplementedError. The handout (assignments/a3_gru/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class SequenceDataset(Dataset):
    """Token-id sequences with class labels.

    ``len(dataset)`` is the number of sequences; ``dataset[i]`` is a pair
    (ids of sequence i: int64, shape (L_i,), label of sequence i: int64, shape ()).
    Sequences have different lengths, each at least 1.
    """

    def __init__(self, sequences: list[list[int]], labels: list[int]) -> None:
        raise NotImplementedError("SequenceDataset.__init__")

    def __len__(self) -> int:
        raise NotImplementedError("SequenceDataset.__len__")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError("SequenceDataset.__getitem__")


def collate(
    batch: list[tuple[torch.Tensor, torch.Tensor]], pad_id: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Turn a list of B (ids (L_i,), label ()) pairs into one padded batch.

    Every sequence has length >= 1. Pad each one on the right with ``pad_id`` up to the longest length of
    this batch, L_max. Returns ``(ids, lengths, labels)``: ids int64 (B, L_max), the true lengths L_i
    int64 (B,) and the labels int64 (B,). A batch of one sequence gives shapes (1, L_1), (1,), (1,).
    """
    raise NotImplementedError("collate")
