"""word2vec's skip-gram with negative sampling (SGNS): training pairs, the noise distribution, the loss,
the model and its training loop."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset


class SkipGramDataset(Dataset):
    """Every (center, context) pair of the sentences: for each position i, each j != i with |i - j| <= window,
    inside the same sentence. Pairs come sentence by sentence, center by center, contexts left to right."""

    def __init__(self, sentences: list[list[int]], window: int = 2) -> None:
        self.pairs = [
            (sentence[i], sentence[j])
            for sentence in sentences
            for i in range(len(sentence))
            for j in range(max(0, i - window), min(len(sentence), i + window + 1))
            if j != i
        ]

    def __len__(self) -> int:
        return len(self.pairs)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        center, context = self.pairs[index]
        return torch.tensor(center, dtype=torch.int64), torch.tensor(context, dtype=torch.int64)  # (), ()


def unigram_distribution(counts: torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """The noise distribution P(w) = count(w)^power / sum_v count(v)^power, float32 (V,)."""
    weights = counts.to(torch.float32) ** power  # (V,)
    return weights / weights.sum()


def sample_negatives(probs: torch.Tensor, batch_size: int, k: int, generator: torch.Generator) -> torch.Tensor:
    """``k`` noise words for each of ``batch_size`` pairs, drawn with replacement from ``probs`` (V,) with
    ``generator`` (never the global random state): int64 (batch_size, k)."""
    flat = torch.multinomial(probs, batch_size * k, replacement=True, generator=generator)  # (B * K,)
    return flat.view(batch_size, k)


def sgns_loss(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of -log s(u_o . v_c) - sum_k log s(-u_k . v_c), with s the sigmoid.

    center v_c (B, D), context u_o (B, D), negatives u_k (B, K, D); logsigmoid keeps it finite for any score.
    """
    positive = (center * context).sum(dim=-1)  # (B,)
    negative = torch.einsum("bkd,bd->bk", negatives, center)  # (B, K)
    losses = -F.logsigmoid(positive) - F.logsigmoid(-negative).sum(dim=-1)  # (B,)
    return losses.mean()


class SkipGram(nn.Module):
    """Two tables of vectors: ``center_embedding`` (v, the word vectors we keep) and ``context_embedding``
    (u, for words seen as contexts). ``forward`` returns the SGNS loss of a batch."""

    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        self.center_embedding = nn.Embedding(vocab_size, dim)
        self.context_embedding = nn.Embedding(vocab_size, dim)
        nn.init.uniform_(self.center_embedding.weight, -0.5 / dim, 0.5 / dim)
        nn.init.zeros_(self.context_embedding.weight)

    def forward(self, centers: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """centers (B,), contexts (B,), negatives (B, K) int64 -> the loss, a scalar."""
        return sgns_loss(
            self.center_embedding(centers), self.context_embedding(contexts), self.context_embedding(negatives)
        )


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    probs: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    k: int,
    generator: torch.Generator,
) -> float:
    """One pass over ``loader``'s (centers, contexts) batches, with ``k`` fresh negatives per pair drawn by
    ``sample_negatives`` from ``probs`` with ``generator``. Returns the mean loss per pair."""
    model.train()
    total_loss, total_pairs = 0.0, 0
    for centers, contexts in loader:
        negatives = sample_negatives(probs, len(centers), k, generator)  # (B, K)
        loss = model(centers, contexts, negatives)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(centers)
        total_pairs += len(centers)
    return total_loss / total_pairs
