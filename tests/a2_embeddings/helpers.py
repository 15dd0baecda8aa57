"""Trusted pieces the a2_embeddings probes build on: the corpus of the handout's §2, known-good twins of
the student's cosine similarity, noise sampler, SGNS loss and model, the tiny BERT of §9, and small tools
for lazy outputs and gradients.

None of this calls the student's code, so a probe that uses it tests one part of the submission only.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TypeVar

import torch
import torch.nn.functional as F
from torch import nn

from autograder.probing.core import ProbeError

T = TypeVar("T")

TOKEN_PATTERN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")  # a1_bow's tokenizer
MIN_COUNT = 3


@dataclass(frozen=True)
class Corpus:
    """The training reviews as word ids: ``vocab[i]`` is word i, ``counts[i]`` its count, most frequent first."""

    vocab: list[str]
    counts: torch.Tensor  # int64 (V,)
    sentences: list[list[int]]

    @property
    def index(self) -> dict[str, int]:
        return {word: i for i, word in enumerate(self.vocab)}


def read_corpus(text: str) -> Corpus:
    """train.tsv (header, then ``label<TAB>text``) as the corpus of §2: a1_bow's tokens, the words seen at
    least MIN_COUNT times (most frequent first, ties alphabetical), every other word dropped."""
    token_lists = [TOKEN_PATTERN.findall(line.split("\t", 1)[1].lower()) for line in text.splitlines()[1:]]
    counts = Counter(token for tokens in token_lists for token in tokens)
    vocab = sorted((w for w, c in counts.items() if c >= MIN_COUNT), key=lambda w: (-counts[w], w))
    index = {word: i for i, word in enumerate(vocab)}
    sentences = [[index[t] for t in tokens if t in index] for tokens in token_lists]
    return Corpus(vocab, torch.tensor([counts[w] for w in vocab]), sentences)


def read_questions(text: str) -> list[tuple[str, str, str]]:
    """The held-out two-choice questions, one ``word<TAB>candidate 0<TAB>candidate 1`` a line."""
    return [tuple(line.split("\t")) for line in text.splitlines()]  # type: ignore[misc]


def read_vocab(text: str) -> dict[str, int]:
    """A WordPiece vocab.txt (one token a line) as {token: id}."""
    return {token: i for i, token in enumerate(text.splitlines())}


def skipgram_pairs(sentences: list[list[int]], window: int) -> torch.Tensor:
    """Every (center, context) pair of §4, int64 (P, 2), in the order of the handout."""
    pairs = [
        (sentence[i], sentence[j])
        for sentence in sentences
        for i in range(len(sentence))
        for j in range(max(0, i - window), min(len(sentence), i + window + 1))
        if j != i
    ]
    return torch.tensor(pairs, dtype=torch.int64).view(-1, 2)


def trusted_cosine(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Cosine similarities (N, M) of the rows of a (N, D) and b (M, D), each row divided by max(norm, eps)."""
    return F.normalize(a, dim=1, eps=eps) @ F.normalize(b, dim=1, eps=eps).T


def trusted_sample_negatives(probs: torch.Tensor, batch_size: int, k: int, generator: torch.Generator) -> torch.Tensor:
    """The handout's sampler: one multinomial draw of batch_size * k ids with replacement, (B, K)."""
    return torch.multinomial(probs, batch_size * k, replacement=True, generator=generator).view(batch_size, k)


def trusted_sgns_loss(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """The SGNS loss of §5, averaged over the batch."""
    positive = F.logsigmoid((center * context).sum(-1))  # (B,)
    negative = F.logsigmoid(-(negatives @ center.unsqueeze(-1)).squeeze(-1)).sum(-1)  # (B,)
    return -(positive + negative).mean()


class TrustedSkipGram(nn.Module):
    """A known-good SkipGram of §6, for probing ``train_epoch`` alone."""

    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.center_embedding = nn.Embedding(vocab_size, dim)
        self.context_embedding = nn.Embedding(vocab_size, dim)

    def forward(self, centers: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        center = self.center_embedding(centers)  # (B, D)
        return trusted_sgns_loss(center, self.context_embedding(contexts), self.context_embedding(negatives))


def replaced(module: ModuleType, name: str, trusted: Callable[..., Any]) -> None:
    """Put ``trusted`` in place of the student's ``module.name``, so that the student's functions that call
    it by name are graded on their own work (a wrong ``name`` costs its own tests only)."""
    if not hasattr(module, name):
        raise ProbeError(f"{module.__name__}.py should define {name} (handout §11)")
    setattr(module, name, trusted)


def embedding_tables(model: Any, what: str) -> tuple[nn.Embedding, nn.Embedding]:
    """The model's ``center_embedding`` and ``context_embedding``, checked to be ``nn.Embedding``s."""
    if not isinstance(model, nn.Module):
        raise ProbeError(f"{what} should be an nn.Module, got {type(model).__name__}")
    tables = [getattr(model, name, None) for name in ("center_embedding", "context_embedding")]
    for name, table in zip(("center_embedding", "context_embedding"), tables, strict=True):
        if type(table) is not nn.Embedding:
            raise ProbeError(f"{what} should have self.{name}, an nn.Embedding (handout §6)")
    return tables[0], tables[1]


def word_list(value: Any, what: str) -> list[str]:
    """``value`` as a plain list of plain strings, or a ProbeError saying what came back instead."""
    if type(value) not in (list, tuple) or not all(type(word) is str for word in value):
        raise ProbeError(f"{what} should return a list of words (str), got {type(value).__name__}")
    return list(value)


def describe_uniform(name: str, values: torch.Tensor, bound: float) -> str:
    """One sentence about whether ``values`` look uniform in (-bound, bound), or are all zero (bound 0)."""
    largest = float(values.detach().abs().max())
    if bound == 0.0:
        return f"{name}: all zero" if largest == 0.0 else f"{name}: values up to ±{largest:.4g}, expected zeros"
    if not math.isfinite(largest) or largest > bound:
        return f"{name}: values up to ±{largest:.4g}, outside (-0.5/D, 0.5/D) = ±{bound:.4g}"
    if largest < 0.8 * bound:
        return f"{name}: values only up to ±{largest:.4g}, expected them to fill (-0.5/D, 0.5/D) = ±{bound:.4g}"
    return f"{name}: uniform in (-0.5/D, 0.5/D)"
