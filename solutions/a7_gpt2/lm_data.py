"""The language-modelling data: documents joined by <|endoftext|> and cut into blocks, and a collate
function that pads variable-length blocks into one batch for GPT2LMHeadModel."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset

IGNORE_INDEX = -100  # the label that cross_entropy (and GPT2LMHeadModel's loss) skips


class LMDataset(Dataset):
    """Every document's token ids followed by the end-of-text token, concatenated into one stream and
    cut into consecutive blocks of ``block_size`` tokens; the last block keeps the remainder."""

    def __init__(self, texts: list[str], tokenizer: Any, block_size: int) -> None:
        eos = tokenizer.eos_token_id
        stream = [token for text in texts for token in [*tokenizer(text)["input_ids"], eos]]
        self.blocks = [stream[start : start + block_size] for start in range(0, len(stream), block_size)]

    def __len__(self) -> int:
        return len(self.blocks)

    def __getitem__(self, index: int) -> torch.Tensor:
        return torch.tensor(self.blocks[index], dtype=torch.int64)  # (L,), L <= block_size


def collate(batch: list[torch.Tensor], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad 1-D id tensors on the right to the longest: ``input_ids`` (B, L) padded with ``pad_id``,
    ``attention_mask`` (B, L) 1 on real tokens, and ``labels`` (B, L): the ids themselves, not
    shifted (the model shifts them), with -100 on padding."""
    lengths = torch.tensor([len(ids) for ids in batch])  # (B,)
    input_ids = torch.full((len(batch), int(lengths.max())), pad_id, dtype=torch.int64)  # (B, L)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
    attention_mask = (torch.arange(input_ids.shape[1]) < lengths[:, None]).long()  # (B, L)
    labels = input_ids.masked_fill(attention_mask == 0, IGNORE_INDEX)  # (B, L)
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}
