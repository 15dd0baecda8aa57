"""Characters as ids, and a text cut into (input, target) windows for a character language model."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

UNK = "\ufffd"  # the unknown character, index 0: stands for every character the vocabulary has not seen


class CharVocab:
    """Every character of a text, sorted, after the unknown character (handout §2).

    ``chars[i]`` is the character of id i: ``chars[0]`` is ``UNK``, then ``sorted(set(text))`` (without
    ``UNK``, which is never listed twice). ``len(vocab)`` is ``len(chars)``.
    """

    def __init__(self, text: str) -> None:
        raise NotImplementedError("CharVocab.__init__: build self.chars (and a char -> id mapping)")

    def __len__(self) -> int:
        raise NotImplementedError("CharVocab.__len__")

    def encode(self, text: str) -> torch.Tensor:
        """int64 (len(text),): the id of every character, 0 for a character not in the vocabulary."""
        raise NotImplementedError("CharVocab.encode")

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        """The characters of ``ids`` (a 1-D tensor or a list of ints), joined into one string."""
        raise NotImplementedError("CharVocab.decode")


class CharWindows(Dataset):
    """Windows of ``window`` ids every ``stride`` ids of ``ids`` (int64 (N,)) (handout §3).

    Item i is ``(x, y)``, each int64 (window,): ``x = ids[i*stride : i*stride + window]`` and ``y`` the
    same window shifted by one id. A window needs ``window + 1`` ids, so there are
    ``(N - 1 - window) // stride + 1`` windows, and none when N <= window. An index outside
    ``range(len(self))`` raises ``IndexError``.
    """

    def __init__(self, ids: torch.Tensor, window: int, stride: int) -> None:
        raise NotImplementedError("CharWindows.__init__")

    def __len__(self) -> int:
        raise NotImplementedError("CharWindows.__len__")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError("CharWindows.__getitem__")
