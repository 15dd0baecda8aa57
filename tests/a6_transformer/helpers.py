"""Trusted pieces the a6_transformer probes build on: attention, multi-head attention, the encoder block
and the positional encoding of the handout, the data of the classification task and its training loop,
and small tools for lazy outputs and gradients.

None of this calls the student's code, so a probe that puts these parts into a student's module tests
that module's own code only.
"""

from __future__ import annotations

from typing import Any, TypeVar

import torch
from torch import nn

from autograder.probing.core import expect_type
from autograder.probing.tensors import expect_tensor

T = TypeVar("T")

LETTERS = "abcdefghijklmnopqr"
VOCAB = {"<pad>": 0, **{letter: index for index, letter in enumerate(LETTERS, start=1)}}  # the handout's §9


def submodule(module: nn.Module, name: str, kind: type = nn.Module) -> Any:
    """The student's submodule ``name``, checked to be a ``kind``, so that a missing one reads clearly."""
    return expect_type(getattr(module, name, None), kind, f"{type(module).__name__}.{name}")


def trusted_positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """The handout's sinusoidal encoding (T, D)."""
    angles = torch.arange(length, dtype=torch.float32).unsqueeze(1) / 10000.0 ** (
        torch.arange(0, d_model, 2, dtype=torch.float32) / d_model
    )  # (T, ceil(D/2))
    encoding = torch.zeros(length, d_model)
    encoding[:, 0::2] = torch.sin(angles)
    encoding[:, 1::2] = torch.cos(angles[:, : d_model // 2])
    return encoding


def trusted_padding_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """Boolean (B, 1, T), True at the real keys."""
    size = int(lengths.max()) if max_len is None else max_len
    return (torch.arange(size, device=lengths.device) < lengths.unsqueeze(-1)).unsqueeze(1)


def trusted_causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """Boolean (T, T), True where key j <= query i."""
    return torch.ones(size, size, dtype=torch.bool, device=device).tril()


class TrustedMultiHeadAttention(nn.Module):
    """Multi-head attention of the handout's §5 through PyTorch's own kernel, with the student's API."""

    def __init__(self, d_model: int, n_heads: int) -> None:
        super().__init__()
        self.n_heads = n_heads
        self.q_proj, self.k_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)
        self.v_proj, self.out_proj = nn.Linear(d_model, d_model), nn.Linear(d_model, d_model)

    def _heads(self, x: torch.Tensor) -> torch.Tensor:
        return x.unflatten(-1, (self.n_heads, -1)).transpose(1, 2)  # (B, h, T, d_k)

    def forward(
        self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, mask: torch.Tensor | None = None
    ) -> torch.Tensor:
        q, k, v = self._heads(self.q_proj(query)), self._heads(self.k_proj(key)), self._heads(self.v_proj(value))
        mask = None if mask is None else mask.unsqueeze(-3)
        heads = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # (B, h, T_q, d_k)
        return self.out_proj(heads.transpose(1, 2).flatten(-2))


class TrustedEncoderBlock(nn.Module):
    """The post-norm encoder block of the handout's §7, with nn.LayerNorm."""

    def __init__(self, d_model: int, n_heads: int, d_ff: int, dropout: float) -> None:
        super().__init__()
        self.attention = TrustedMultiHeadAttention(d_model, n_heads)
        self.norm1 = nn.LayerNorm(d_model)
        self.feed_forward = nn.Sequential(nn.Linear(d_model, d_ff), nn.ReLU(), nn.Linear(d_ff, d_model))
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        x = self.norm1(x + self.dropout(self.attention(x, x, x, mask)))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


def read_sequences(text: str) -> tuple[list[list[int]], list[int]]:
    """A ``label<TAB>tokens`` file (header first) as id lists and labels; a labels-free file of one
    sequence per line (the held-out texts) gives labels of -1."""
    lines = text.splitlines()
    if lines and lines[0] == "label\ttokens":
        rows = [line.split("\t") for line in lines[1:]]
        return [[VOCAB[t] for t in tokens.split()] for _, tokens in rows], [int(label) for label, _ in rows]
    return [[VOCAB[t] for t in line.split()] for line in lines], [-1] * len(lines)


def pad_batch(sequences: list[list[int]], pad_id: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids int64 (B, L_max) and lengths int64 (B,)."""
    longest = max(len(sequence) for sequence in sequences)
    ids = torch.tensor([[*sequence, *[pad_id] * (longest - len(sequence))] for sequence in sequences])
    return ids, torch.tensor([len(sequence) for sequence in sequences])


def train_classifier(
    model: nn.Module, sequences: list[list[int]], labels: list[int], epochs: int, seed: int, lr: float = 1e-3
) -> None:
    """The handout's training loop of §9: Adam, mean cross-entropy, shuffled batches of 64."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    shuffle = torch.Generator().manual_seed(seed)
    device = next(model.parameters()).device
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(sequences), generator=shuffle).tolist()
        for start in range(0, len(order), 64):
            rows = order[start : start + 64]
            ids, lengths = pad_batch([sequences[i] for i in rows])
            targets = torch.tensor([labels[i] for i in rows], device=device)
            optimizer.zero_grad()
            logits = expect_tensor(model(ids.to(device), lengths.to(device)), "TransformerClassifier.forward")
            nn.functional.cross_entropy(logits, targets).backward()
            optimizer.step()
