"""Pairs of token-id sequences as a Dataset, and the collate function that pads them into a batch."""

from __future__ import annotations

import torch
from torch.utils.data import Dataset


class Seq2SeqDataset(Dataset):
    """(source ids, target ids) pairs; item ``i`` adds the special tokens a seq2seq model reads.

    ``dataset[i]`` is ``(source, target)``: ``source`` int64 (S_i + 1,) is the source ids followed by
    ``eos_id``, and ``target`` int64 (T_i + 2,) is ``sos_id``, the target ids, then ``eos_id``.
    """

    def __init__(self, pairs: list[tuple[list[int], list[int]]], sos_id: int = 1, eos_id: int = 2) -> None:
        self.pairs = [(list(source), list(target)) for source, target in pairs]
        self.sos_id, self.eos_id = sos_id, eos_id

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        source, target = self.pairs[index]
        source_ids = torch.tensor([*source, self.eos_id], dtype=torch.int64)  # (S_i + 1,)
        target_ids = torch.tensor([self.sos_id, *target, self.eos_id], dtype=torch.int64)  # (T_i + 2,)
        return source_ids, target_ids


def pad(sequences: list[torch.Tensor], pad_id: int) -> torch.Tensor:
    """Right-pad 1-D int64 tensors with ``pad_id`` to the longest one: (B, L_max)."""
    ids = torch.full((len(sequences), max(len(s) for s in sequences)), pad_id, dtype=torch.int64)
    for row, sequence in enumerate(sequences):
        ids[row, : len(sequence)] = sequence
    return ids


def collate(
    batch: list[tuple[torch.Tensor, torch.Tensor]], pad_id: int = 0
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Pad the sources and the targets of ``batch`` on the right with ``pad_id``.

    Returns ``(source, source_mask, target)``: source int64 (B, S_max), source_mask bool (B, S_max), True
    at the real tokens of each source and False at its padding, and target int64 (B, T_max).
    """
    sources = [source for source, _ in batch]
    source = pad(sources, pad_id)  # (B, S_max)
    lengths = torch.tensor([len(s) for s in sources])  # (B,)
    source_mask = torch.arange(source.shape[1]) < lengths.unsqueeze(1)  # (B, S_max)
    return source, source_mask, pad([target for _, target in batch], pad_id)
