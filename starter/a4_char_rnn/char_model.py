"""A character language model, one step of truncated backpropagation through time, sampling and perplexity."""

from __future__ import annotations

from typing import Protocol

import torch
from torch import nn

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, H)


class Vocab(Protocol):
    """What ``sample`` needs of a vocabulary (a ``CharVocab``)."""

    def encode(self, text: str) -> torch.Tensor: ...

    def decode(self, ids: list[int]) -> str: ...


class CharLM(nn.Module):
    """Embedding - LSTM - Dropout - Linear: the logits of the next character at every position (handout §5).

    Create ``self.embedding = nn.Embedding(vocab_size, embed_dim)``, ``self.lstm = nn.LSTM(embed_dim,
    hidden_size, num_layers=num_layers, batch_first=True)`` (no dropout of its own), ``self.dropout =
    nn.Dropout(dropout)`` and ``self.output = nn.Linear(hidden_size, vocab_size)``.
    """

    def __init__(
        self, vocab_size: int, embed_dim: int, hidden_size: int, num_layers: int = 1, dropout: float = 0.0
    ) -> None:
        super().__init__()
        raise NotImplementedError("CharLM.__init__")

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Logits (B, T, V) for ids ``x`` (B, T), and the state ``(h, c)`` after the last step, each
        (num_layers, B, H); the LSTM starts from ``state``, or from zeros when it is None. Dropout acts on
        the LSTM's outputs, before the output layer."""
        raise NotImplementedError("CharLM.forward")


def train_chunk(
    model: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    state: State | None,
    optimizer: torch.optim.Optimizer,
    clip: float,
) -> tuple[float, State]:
    """One step of truncated BPTT on the chunk ``batch`` = (x, y), each int64 (B, T), from ``state``
    (handout §6).

    Training mode; detach the incoming state (None for an epoch's first chunk) so that no gradient flows
    into the previous chunk; zero the gradients; the mean cross-entropy over all B*T positions; backward;
    clip the gradient norm to ``clip``; step. Returns the loss as a float and the state after the chunk,
    to pass to the next chunk.
    """
    raise NotImplementedError("train_chunk")


def sample(
    model: nn.Module, vocab: Vocab, prompt: str, length: int, temperature: float, generator: torch.Generator
) -> str:
    """``length`` new characters that follow ``prompt`` (at least one character), in evaluation mode
    without gradients (handout §7).

    Read the prompt once, then repeat: take the last position's logits (V,); at temperature 0 pick their
    argmax, otherwise draw ``torch.multinomial(torch.softmax(logits / temperature, dim=-1), 1,
    generator=generator)``; feed the character back with the state. Returns the new characters only.
    """
    raise NotImplementedError("sample")


def perplexity(model: nn.Module, ids: torch.Tensor) -> float:
    """exp of the mean cross-entropy of predicting ``ids[1:]`` from ``ids[:-1]`` (``ids`` int64 (N,), N >= 2),
    in one pass from the zero state, in evaluation mode without gradients (handout §8)."""
    raise NotImplementedError("perplexity")
