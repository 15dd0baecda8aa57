"""From raw sentences to tensors: tokens, a vocabulary, one-hot and bag-of-words vectors, a Dataset.

Fill in every function that raises NotImplementedError. The handout (assignments/a1_bow/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch.utils.data import Dataset

UNK = "<unk>"


def tokenize(text: str) -> list[str]:
    """Lowercase ``text`` and split it into tokens.

    A token is either a word (a run of letters, digits or underscores, which may contain apostrophes
    between such characters, as in "it's") or a single punctuation mark. Whitespace is dropped.

    >>> tokenize("It's a GREAT film!")
    ["it's", 'a', 'great', 'film', '!']
    """
    raise NotImplementedError("tokenize")


def build_vocab(texts: list[str], min_freq: int = 1) -> dict[str, int]:
    """Map ``UNK`` to index 0, then every token that occurs at least ``min_freq`` times in ``texts``
    to 1, 2, ..., most frequent first; tokens with the same count are ordered alphabetically."""
    raise NotImplementedError("build_vocab")


def one_hot(token: str, vocab: dict[str, int]) -> torch.Tensor:
    """A float32 tensor of shape (V,), V = len(vocab), with a single 1.0 at the token's index.

    A token that is not in the vocabulary gets the index of ``UNK``.
    """
    raise NotImplementedError("one_hot")


def bag_of_words(text: str, vocab: dict[str, int]) -> torch.Tensor:
    """A float32 tensor of shape (V,): entry i counts how often vocabulary entry i occurs in
    ``tokenize(text)`` (unknown tokens count towards ``UNK``). It is the sum of the tokens' one-hots."""
    raise NotImplementedError("bag_of_words")


class BowDataset(Dataset):
    """Sentences with 0/1 labels over a fixed vocabulary.

    ``len(dataset)`` is the number of sentences; ``dataset[i]`` is a pair
    (bag-of-words of sentence i: float32, shape (V,), label of sentence i: float32, shape ()).
    """

    def __init__(self, texts: list[str], labels: list[int], vocab: dict[str, int]) -> None:
        raise NotImplementedError("BowDataset.__init__")

    def __len__(self) -> int:
        raise NotImplementedError("BowDataset.__len__")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError("BowDataset.__getitem__")


def build_datasets(
    train_texts: list[str],
    train_labels: list[int],
    test_texts: list[str],
    test_labels: list[int],
    min_freq: int = 2,
) -> tuple[dict[str, int], BowDataset, BowDataset]:
    """Return (vocab, train_dataset, test_dataset).

    The vocabulary is built with ``build_vocab(..., min_freq)`` on the training texts only: the test
    sentences must not influence anything the model sees. Both datasets use that vocabulary.
    """
    raise NotImplementedError("build_datasets")
