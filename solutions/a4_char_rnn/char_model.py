"""A character language model, one step of truncated backpropagation through time, sampling and perplexity."""

from __future__ import annotations

import math
from typing import Protocol

import torch
from torch import nn

State = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, H)


class Vocab(Protocol):
    """What ``sample`` needs of a vocabulary (a ``CharVocab``)."""

    def encode(self, text: str) -> torch.Tensor: ...

    def decode(self, ids: list[int]) -> str: ...


class CharLM(nn.Module):
    """Embedding - LSTM - Dropout - Linear: the logits of the next character at every position."""

    def __init__(
        self, vocab_size: int, embed_dim: int, hidden_size: int, num_layers: int = 1, dropout: float = 0.0
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_size, num_layers=num_layers, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size, vocab_size)

    def forward(self, x: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """Logits (B, T, V) for ids ``x`` (B, T), and the state after the last step; zeros when ``state`` is None."""
        states, state = self.lstm(self.embedding(x), state)  # (B, T, H)
        return self.output(self.dropout(states)), state


def train_chunk(
    model: nn.Module,
    batch: tuple[torch.Tensor, torch.Tensor],
    state: State | None,
    optimizer: torch.optim.Optimizer,
    clip: float,
) -> tuple[float, State]:
    """One step of truncated BPTT on the chunk ``batch`` = (x, y), each (B, T), starting from ``state``.

    The incoming state is detached, so the backward pass stops at the chunk's first step. Returns the mean
    cross-entropy of the chunk and the final state, to be passed to the next chunk.
    """
    x, y = batch
    model.train()
    if state is not None:
        state = (state[0].detach(), state[1].detach())
    optimizer.zero_grad()
    logits, state = model(x, state)  # (B, T, V)
    loss = nn.functional.cross_entropy(logits.flatten(0, 1), y.flatten())
    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()
    return loss.item(), state


@torch.no_grad()
def sample(
    model: nn.Module, vocab: Vocab, prompt: str, length: int, temperature: float, generator: torch.Generator
) -> str:
    """``length`` characters that follow ``prompt`` (at least one character), drawn one at a time.

    Each character is drawn with ``torch.multinomial(softmax(logits / temperature), 1, generator=generator)``;
    at temperature 0 it is the most likely one (argmax), and the generator is not used.
    """
    model.eval()
    device = next(model.parameters()).device
    logits, state = model(vocab.encode(prompt).to(device).unsqueeze(0))  # (1, P, V)
    ids = []
    for _ in range(length):
        last = logits[0, -1]  # (V,)
        if temperature == 0:
            next_id = last.argmax().view(1)
        else:
            probabilities = torch.softmax(last / temperature, dim=-1)
            next_id = torch.multinomial(probabilities.cpu(), 1, generator=generator).to(device)
        ids.append(int(next_id))
        logits, state = model(next_id.view(1, 1), state)
    return vocab.decode(ids)


@torch.no_grad()
def perplexity(model: nn.Module, ids: torch.Tensor) -> float:
    """exp of the mean cross-entropy of predicting ``ids[1:]`` from ``ids[:-1]`` (a 1-D tensor, N >= 2),
    read in one pass from the zero state, in evaluation mode."""
    model.eval()
    device = next(model.parameters()).device
    ids = ids.to(device)
    logits, _ = model(ids[:-1].unsqueeze(0))  # (1, N - 1, V)
    return math.exp(nn.functional.cross_entropy(logits[0], ids[1:]).item())
