"""word2vec's skip-gram with negative sampling (SGNS): training pairs, the noise distribution, the loss,
the model and its training loop.

Fill in every function that raises NotImplementedError. The handout (assignments/a2_embeddings/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset


class SkipGramDataset(Dataset):
    """Every (center, context) pair of a list of sentences of word ids (handout §4).

    For each sentence, each position i, each position j != i with |i - j| <= window inside the same
    sentence, in that order (sentence by sentence, i ascending, j ascending). ``len(dataset)`` is the
    number of pairs; ``dataset[n]`` is (center id int64 shape (), context id int64 shape ()). Sentences
    may be empty or one word long (they give no pair).
    """

    def __init__(self, sentences: list[list[int]], window: int = 2) -> None:
        raise NotImplementedError("SkipGramDataset.__init__")

    def __len__(self) -> int:
        raise NotImplementedError("SkipGramDataset.__len__")

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        raise NotImplementedError("SkipGramDataset.__getitem__")


def unigram_distribution(counts: torch.Tensor, power: float = 0.75) -> torch.Tensor:
    """The noise distribution of handout §5: P(w) = count(w)^power / sum_v count(v)^power.

    counts: int64 (V,), some may be 0; returns float32 (V,) summing to 1.
    """
    raise NotImplementedError("unigram_distribution")


def sample_negatives(probs: torch.Tensor, batch_size: int, k: int, generator: torch.Generator) -> torch.Tensor:
    """``k`` noise word ids for each of ``batch_size`` pairs, drawn with replacement from ``probs`` (V,).

    Every random draw uses ``generator``, never the global random state. Returns int64 (batch_size, k).
    """
    raise NotImplementedError("sample_negatives")


def sgns_loss(center: torch.Tensor, context: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
    """The SGNS loss of handout §5, averaged over the batch: a scalar (shape ()).

    center v_c: (B, D), context u_o: (B, D), negatives u_k: (B, K, D). For each pair,
    -log s(u_o . v_c) - sum_k log s(-u_k . v_c), with s the sigmoid. Finite for any score (logsigmoid).
    """
    raise NotImplementedError("sgns_loss")


class SkipGram(nn.Module):
    """Two tables of vectors (handout §6): ``self.center_embedding`` and ``self.context_embedding``, each an
    ``nn.Embedding(vocab_size, dim)``. Initialise the center vectors uniformly in (-0.5/dim, 0.5/dim) and
    the context vectors to zero."""

    def __init__(self, vocab_size: int, dim: int) -> None:
        super().__init__()
        raise NotImplementedError("SkipGram.__init__")

    def forward(self, centers: torch.Tensor, contexts: torch.Tensor, negatives: torch.Tensor) -> torch.Tensor:
        """centers int64 (B,), contexts int64 (B,), negatives int64 (B, K) -> the loss, shape (), with sgns_loss."""
        raise NotImplementedError("SkipGram.forward")


def train_epoch(
    model: nn.Module,
    loader: DataLoader,
    probs: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    k: int,
    generator: torch.Generator,
) -> float:
    """One pass over ``loader``, any iterable of (centers int64 (B,), contexts int64 (B,)) batches.

    For every batch: draw negatives = sample_negatives(probs, B, k, generator), compute the loss
    model(centers, contexts, negatives), then zero_grad, backward, step. Returns the mean loss per pair
    (a float; the last batch may be smaller).
    """
    raise NotImplementedError("train_epoch")
