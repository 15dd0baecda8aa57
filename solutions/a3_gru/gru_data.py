"""Sequences of token ids as a Dataset, and the collate function that pads them into a batch."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class SequenceDataset(Dataset):
    """Token-id sequences with class labels; item ``i`` is (ids int64 (L_i,), label int64 ())."""

    def __init__(self, sequences: list[list[int]], labels: list[int]) -> None:
        self.sequences = [list(sequence) for sequence in sequences]
        self.labels = list(labels)

    def __len__(self) -> int:
        return len(self.sequences)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        ids = torch.tensor(self.sequences[index], dtype=torch.int64)  # (L,)
        label = torch.tensor(self.labels[index], dtype=torch.int64)  # ()
        return ids, label


def collate(
    batch: list[tuple[torch.Tensor, torch.Tensor]], pad_id: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Right-pad the sequences of ``batch`` (each of length >= 1) with ``pad_id`` to the longest one.

    Returns ``(ids, lengths, labels)``: ids int64 (B, L_max), the true lengths int64 (B,) and the labels
    int64 (B,).
    """
    lengths = torch.tensor([len(sequence) for sequence, _ in batch], dtype=torch.int64)  # (B,)
    ids = torch.full((len(batch), int(lengths.max())), pad_id, dtype=torch.int64)  # (B, L_max)
    for row, (sequence, _) in enumerate(batch):
        ids[row, : len(sequence)] = sequence
    labels = torch.stack([label for _, label in batch])  # (B,)
    return ids, lengths, labels
