"""Characters as ids, and a text cut into (input, target) windows for a character language model."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

UNK = "\ufffd"  # the unknown character, index 0: stands for every character the vocabulary has not seen


class CharVocab:
    """Every character of a text, sorted, after the unknown character: ``chars[i]`` is the character of id i."""

    def __init__(self, text: str) -> None:
        self.chars = [UNK, *sorted(set(text) - {UNK})]
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        """int64 (len(text),): the id of every character, 0 for a character not in the vocabulary."""
        return torch.tensor([self.index.get(char, 0) for char in text], dtype=torch.int64)

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """The characters of ``ids`` (a 1-D tensor or a list of ints), joined into one string."""
        return "".join(self.chars[int(i)] for i in ids)


class CharWindows(Dataset):
    """Windows of ``window`` ids every ``stride`` ids; item i is (x, y), y being x shifted by one character.

    A window needs ``window + 1`` ids (its input and one more for the last target), so a text of N ids has
    ``(N - 1 - window) // stride + 1`` windows, and none when N <= window.
    """

    def __init__(self, ids: torch.Tensor, window: int, stride: int) -> None:
        self.ids, self.window, self.stride = ids, window, stride

    def __len__(self) -> int:
        return max(0, (len(self.ids) - 1 - self.window) // self.stride + 1)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not 0 <= index < len(self):
            raise IndexError(f"window {index} of {len(self)}")
        start = index * self.stride
        chunk = self.ids[start : start + self.window + 1]  # (window + 1,)
        return chunk[:-1], chunk[1:]  # (window,) each
