"""A correct bow_data written differently from the reference."""

from __future__ import annotations

import re
from collections import Counter

import torch
from torch.utils.data import Dataset

UNK = "<unk>"
TOKEN_PATTERN = re.compile(r"[^\W]+(?:'[^\W]+)*|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lowercase ``text`` and split it into words (apostrophes inside a word kept) and punctuation marks."""
    return TOKEN_PATTERN.findall(text.lower())


def build_vocab(texts: list[str], min_freq: int = 1) -> dict[str, int]:
    """Map ``UNK`` to 0, then every token seen at least ``min_freq`` times, most frequent first
    (ties broken alphabetically), to 1, 2, ..."""
    counts = Counter()
    for text in texts:
        counts.update(tokenize(text))
    kept = sorted(token for token, count in counts.items() if count >= min_freq)
    kept.sort(key=counts.__getitem__, reverse=True)  # stable: ties stay alphabetical
    vocab = {UNK: 0}
    for token in kept:
        vocab[token] = len(vocab)
    return vocab


def one_hot(token: str, vocab: dict[str, int]) -> torch.Tensor:
    """A float32 vector of shape (V,) with a single 1 at the token's index (``UNK`` for unknown tokens)."""
    vector = torch.zeros(len(vocab), dtype=torch.float32)
    vector[vocab.get(token, vocab[UNK])] = 1.0
    return vector


def bag_of_words(text: str, vocab: dict[str, int]) -> torch.Tensor:
    """A float32 vector of shape (V,) counting how often each vocabulary entry occurs in ``text``."""
    vector = torch.zeros(len(vocab), dtype=torch.float32)
    for token in tokenize(text):
        vector += one_hot(token, vocab)
    return vector


class BowDataset(Dataset):
    """Sentences with 0/1 labels; item ``i`` is (bag-of-words float32 (V,), label float32 ())."""

    def __init__(self, texts: list[str], labels: list[int], vocab: dict[str, int]) -> None:
        self.texts = list(texts)
        self.labels = list(labels)
        self.vocab = vocab

    def __len__(self) -> int:
        return len(self.texts)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        features = bag_of_words(self.texts[index], self.vocab)
        label = torch.as_tensor(float(self.labels[index]))
        return features, label


def build_datasets(
    train_texts: list[str],
    train_labels: list[int],
    test_texts: list[str],
    test_labels: list[int],
    min_freq: int = 2,
) -> tuple[dict[str, int], BowDataset, BowDataset]:
    """Build the vocabulary on the training texts only, then both datasets over that vocabulary."""
    vocab = build_vocab(train_texts, min_freq=min_freq)
    return vocab, BowDataset(train_texts, train_labels, vocab), BowDataset(test_texts, test_labels, vocab)
