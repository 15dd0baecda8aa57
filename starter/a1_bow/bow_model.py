"""A feed-forward bag-of-words classifier, its training loop and its predictions.

Fill in every function that raises NotImplementedError. The handout (assignments/a1_bow/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader


class BowClassifier(nn.Module):
    """Linear(V, hidden1) - ReLU - Linear(hidden1, hidden2) - ReLU - Linear(hidden2, 1).

    Use exactly three ``nn.Linear`` layers, created in that order. ``forward`` maps a float32 batch of
    bag-of-words vectors of shape (B, V) to one raw logit per sentence, shape (B,): no sigmoid, since
    the loss applies it.
    """

    def __init__(self, vocab_size: int, hidden1: int = 64, hidden2: int = 32) -> None:
        super().__init__()
        raise NotImplementedError("BowClassifier.__init__")

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError("BowClassifier.forward")


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    """Train ``model`` for one pass over ``loader`` and return the mean loss per example.

    For every batch (features (B, V) float32, labels (B,) float32): move both to the model's device,
    zero the gradients, compute the logits, the loss ``nn.BCEWithLogitsLoss()`` (mean over the batch),
    backpropagate, and take an optimizer step. The mean loss per example is the sum over batches of
    (batch loss x batch size) divided by the number of examples.
    """
    raise NotImplementedError("train_epoch")


def predict(model: nn.Module, features: torch.Tensor) -> torch.Tensor:
    """Predicted labels, int64 of shape (N,) with values in {0, 1}, for bag-of-words vectors (N, V).

    Put the model in evaluation mode, compute the logits without tracking gradients, and predict 1
    where the logit is positive (the probability sigmoid(logit) is above 0.5).
    """
    raise NotImplementedError("predict")
