"""The language-modelling data: documents joined by <|endoftext|> and cut into blocks, and a collate
function that pads variable-length blocks into one batch for GPT2LMHeadModel (handout §2 and §3)."""

from __future__ import annotations

from typing import Any

import torch
from torch.utils.data import Dataset

IGNORE_INDEX = -100  # the label that cross_entropy (and GPT2LMHeadModel's loss) skips


class LMDataset(Dataset):
    """Blocks of token ids for causal language modelling.

    Args:
        texts: the documents, N strings (N may be 0; a document may be empty).
        tokenizer: a Hugging Face tokenizer: ``tokenizer(text)["input_ids"]`` is a list of ids and
            ``tokenizer.eos_token_id`` the end-of-text id (50256 for GPT-2).
        block_size: the largest number of tokens in one block, >= 1.

    Every document's ids are followed by the end-of-text id; all of them are concatenated into one
    stream, cut into consecutive, non-overlapping blocks of ``block_size`` ids; the last block holds
    what is left (1 to block_size ids). ``dataset[i]`` is block i, an int64 tensor (L_i,).
    """

    def __init__(self, texts: list[str], tokenizer: Any, block_size: int) -> None:
        raise NotImplementedError("task 1: tokenise, join with the end-of-text id, cut into blocks")

    def __len__(self) -> int:
        raise NotImplementedError("task 1: the number of blocks")

    def __getitem__(self, index: int) -> torch.Tensor:
        raise NotImplementedError("task 1: block `index` as an int64 tensor (L,)")


def collate(batch: list[torch.Tensor], pad_id: int) -> dict[str, torch.Tensor]:
    """Pad a list of B int64 tensors (L_b,) into one batch.

    Returns a dict of three int64 tensors (B, L_max), L_max the longest L_b:
        input_ids: the ids, padded on the right with ``pad_id``;
        attention_mask: 1 on real tokens, 0 on padding;
        labels: the ids themselves, NOT shifted (the model shifts them), with -100 on padding only.
    """
    raise NotImplementedError("task 2: pad, mask and labels")
