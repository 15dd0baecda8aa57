"""Trusted pieces the a4_char_rnn probes build on: the handout's vocabulary and windows, a known-good
character model (one that records the state it is given), a model whose next-character distribution is
fixed, the trusted metrics, and small tools for lazy outputs and gradients.

None of this calls the student's code, so a probe that uses it tests one part of the submission only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

import torch
from torch import nn

from autograder.probing.core import ProbeError

T = TypeVar("T")
State = tuple[torch.Tensor, torch.Tensor]
UNK = "\ufffd"  # the handout's unknown character, index 0


class TrustedVocab:
    """The handout's CharVocab: the unknown character at 0, then every character of the text, sorted."""

    def __init__(self, text: str) -> None:
        self.chars = [UNK, *sorted(set(text) - {UNK})]
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor([self.index.get(char, 0) for char in text], dtype=torch.int64)

    def decode(self, ids: Sequence[int] | torch.Tensor) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def stream_chunks(ids: torch.Tensor, batch_size: int, window: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """The text as ``batch_size`` parallel streams, cut into consecutive (x, y) chunks of (B, window): row b
    of chunk k + 1 continues row b of chunk k, so a state carried across chunks reads each stream in order."""
    length = (len(ids) - 1) // batch_size
    streams = torch.stack([ids[b * length : (b + 1) * length + 1] for b in range(batch_size)])  # (B, length + 1)
    starts = range(0, length - window + 1, window)
    return [(streams[:, s : s + window], streams[:, s + 1 : s + window + 1]) for s in starts]


class _GradientGain(torch.autograd.Function):
    """The identity forward; backward, the gradient times ``gain``."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, gain: float) -> torch.Tensor:
        ctx.gain = gain
        return x.clone()

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad * ctx.gain, None


class TrustedCharLM(nn.Module):
    """A known-good CharLM of the handout (Embedding - LSTM - Dropout - Linear) that keeps a copy of the
    state it receives at each call (zeros for None), so a probe sees what a training loop passed it.
    With ``gradient_gain``, its logits are what they are, but every gradient behind them is that many
    times larger: a probe can then lift every gradient norm above a round number such as 1.0."""

    def __init__(
        self, vocab_size: int, embed_dim: int, hidden_size: int, dropout: float, gradient_gain: float = 1.0
    ) -> None:
        super().__init__()
        self.gradient_gain = gradient_gain
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size, vocab_size)
        self.received: list[torch.Tensor] = []

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        if state is None:
            self.received.append(torch.zeros(2, x.shape[0], self.lstm.hidden_size))
        else:
            self.received.append(torch.stack([state[0][0], state[1][0]]).detach().cpu().clone())
        states, state = self.lstm(self.embedding(x), state)  # (B, T, H)
        return _GradientGain.apply(self.output(self.dropout(states)), self.gradient_gain), state


class FixedDistributionLM(nn.Module):
    """A model whose next-character logits are always ``logits``, whatever it reads: sampling from it at
    temperature t draws from softmax(logits / t), which a probe can count."""

    def __init__(self, logits: torch.Tensor) -> None:
        super().__init__()
        self.logits = nn.Parameter(logits.clone())

    def forward(self, x: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        return self.logits.expand(x.shape[0], x.shape[1], -1), state


def trusted_perplexity(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """exp of the mean cross-entropy of ``targets`` (N,) under ``logits`` (N, V)."""
    return math.exp(nn.functional.cross_entropy(logits, targets).item())


def unigram_perplexity(train_ids: torch.Tensor, targets: torch.Tensor, vocab_size: int) -> float:
    """The perplexity of the best model that ignores the context: character frequencies of the training
    text (add-one smoothed), the baseline the handout states."""
    counts = torch.bincount(train_ids, minlength=vocab_size).double() + 1.0
    return math.exp(-torch.log(counts / counts.sum())[targets].mean().item())


def entropy_of_counts(text: str) -> float:
    """The entropy in nats of the characters' empirical frequencies in ``text``."""
    counts = torch.tensor([text.count(char) for char in set(text)], dtype=torch.float64)
    p = counts / counts.sum()
    return float(-(p * p.log()).sum())


def expect_pair(value: Any, what: str) -> tuple[Any, Any]:
    """``value`` as a pair, or a ProbeError that says what was expected."""
    if type(value) not in (tuple, list) or len(value) != 2:
        raise ProbeError(f"{what} should be a pair, got {type(value).__name__}")
    return value[0], value[1]


def describe_range(name: str, values: torch.Tensor, bound: float) -> str:
    """One sentence about whether ``values`` look uniform in (-bound, bound): the same sentence for every
    right initialisation, a specific one for a wrong range."""
    largest = float(values.detach().abs().max())
    if not math.isfinite(largest) or largest > bound:
        return f"{name}: values up to ±{largest:.4g}, outside (-1/sqrt(H), 1/sqrt(H)) = ±{bound:.4g}"
    if largest < 0.8 * bound:
        return f"{name}: values only up to ±{largest:.4g}, expected them to fill (-1/sqrt(H), 1/sqrt(H)) = ±{bound:.4g}"
    return f"{name}: uniform in (-1/sqrt(H), 1/sqrt(H))"
