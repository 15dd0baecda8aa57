"""Trusted pieces the a3_gru probes build on: the data pipeline of the handout's §2, a padded batch, a
known-good GRU classifier, and small tools for lazy outputs and gradients.

None of this calls the student's code, so a probe that uses it tests one part of the submission only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, TypeVar

import torch
from torch import nn

from autograder.probing.core import Context, ProbeError

T = TypeVar("T")

TOKEN_PATTERN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")  # a1_bow's tokenizer
PAD, UNK = "<pad>", "<unk>"
MAX_TOKENS = 60


def tokenize(text: str) -> list[str]:
    """a1_bow's tokenizer: lowercase, then words (with inner apostrophes) and single punctuation marks."""
    return TOKEN_PATTERN.findall(text.lower())


def build_vocab(token_lists: list[list[str]], min_freq: int = 2) -> dict[str, int]:
    """<pad> = 0, <unk> = 1, then tokens seen at least ``min_freq`` times, most frequent first, ties
    alphabetical: the vocabulary of the handout's §2."""
    counts = Counter(token for tokens in token_lists for token in tokens)
    kept = sorted((t for t, c in counts.items() if c >= min_freq), key=lambda t: (-counts[t], t))
    return {PAD: 0, UNK: 1} | {token: index for index, token in enumerate(kept, start=2)}


def encode(tokens: list[str], vocab: dict[str, int]) -> list[int]:
    """Ids of the first 60 tokens; a review without any token becomes [<unk>], so every length is >= 1."""
    ids = [vocab.get(token, vocab[UNK]) for token in tokens[:MAX_TOKENS]]
    return ids or [vocab[UNK]]


def read_training_data(text: str) -> tuple[dict[str, int], list[list[int]], list[int]]:
    """train.tsv (header, then ``label<TAB>text``) as (vocabulary, id sequences, labels)."""
    rows = [line.split("\t", 1) for line in text.splitlines()[1:]]
    token_lists = [tokenize(sentence) for _, sentence in rows]
    vocab = build_vocab(token_lists)
    return vocab, [encode(tokens, vocab) for tokens in token_lists], [int(label) for label, _ in rows]


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids int64 (B, L_max) and lengths int64 (B,): the trusted twin of ``collate``."""
    longest = max(len(sequence) for sequence in sequences)
    ids = torch.tensor([[*sequence, *[pad_id] * (longest - len(sequence))] for sequence in sequences])
    return ids, torch.tensor([len(sequence) for sequence in sequences])


def trusted_collate(batch: list[tuple[list[int], int]], pad_id: int) -> tuple[torch.Tensor, ...]:
    """(ids, lengths, labels) of a batch of (id list, label) pairs, for loaders the probes build."""
    ids, lengths = pad_batch([sequence for sequence, _ in batch], pad_id)
    return ids, lengths, torch.tensor([label for _, label in batch])


def random_sequences(ctx: Context, lengths: list[int], vocab_size: int, pad_id: int) -> list[list[int]]:
    """Seeded token ids in [0, vocab_size), never ``pad_id``, one list per requested length."""
    tokens = [t for t in range(vocab_size) if t != pad_id]
    picks = ctx.randint(len(tokens), sum(lengths)).cpu().tolist()
    sequences, start = [], 0
    for length in lengths:
        sequences.append([tokens[i] for i in picks[start : start + length]])
        start += length
    return sequences


class TrustedGRUClassifier(nn.Module):
    """A known-good classifier of the handout's §8, for probing ``train_epoch`` and ``predict`` alone."""

    def __init__(
        self, vocab_size: int, embed_dim: int, hidden_size: int, num_classes: int, pad_id: int, dropout: float
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        states, _ = self.gru(self.embedding(ids))  # (B, L, H)
        last = states[torch.arange(ids.shape[0], device=states.device), lengths.to(states.device) - 1]  # (B, H)
        return self.output(self.dropout(last))  # (B, C)


CLASSIFIER_PARTS = {"embedding": nn.Embedding, "gru": nn.GRU, "dropout": nn.Dropout, "output": nn.Linear}
GRU_PARAMETERS = ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]


def classifier_parts(model: Any) -> dict[str, nn.Module]:
    """The four submodules the handout's task 6 asks for, or a ProbeError that names the missing one."""
    if not isinstance(model, nn.Module):
        raise ProbeError(f"GRUClassifier(...) should be an nn.Module, got {type(model).__name__}")
    parts = {}
    for name, kind in CLASSIFIER_PARTS.items():
        part = getattr(model, name, None)
        if not isinstance(part, kind):
            raise ProbeError(f"GRUClassifier should have self.{name}, an nn.{kind.__name__} (handout §8)")
        parts[name] = part
    return parts


def classifier_tensors(parts: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    """Every parameter of the classifier, under names a student recognises (``gru_weight_ih_l0``)."""
    tensors = {"embedding_weight": parts["embedding"].weight}
    tensors |= {f"gru_{name}": getattr(parts["gru"], name) for name in GRU_PARAMETERS}
    return tensors | {"output_weight": parts["output"].weight, "output_bias": parts["output"].bias}


def describe_range(name: str, values: torch.Tensor, bound: float) -> str:
    """One sentence about whether ``values`` look uniform in (-bound, bound): the same sentence for every
    right initialisation, a specific one for a wrong range."""
    largest = float(values.detach().abs().max())
    if not math.isfinite(largest) or largest > bound:
        return f"{name}: values up to ±{largest:.4g}, outside (-1/sqrt(H), 1/sqrt(H)) = ±{bound:.4g}"
    if largest < 0.8 * bound:
        return f"{name}: values only up to ±{largest:.4g}, expected them to fill (-1/sqrt(H), 1/sqrt(H)) = ±{bound:.4g}"
    return f"{name}: uniform in (-1/sqrt(H), 1/sqrt(H))"
