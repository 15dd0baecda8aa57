"""A feed-forward bag-of-words classifier, its training loop and its predictions."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader


class BowClassifier(nn.Module):
    """Linear(V, hidden1) - ReLU - Linear(hidden1, hidden2) - ReLU - Linear(hidden2, 1).

    ``forward`` maps a batch of bag-of-words vectors (B, V) to one logit per sentence (B,).
    """

    def __init__(self, vocab_size: int, hidden1: int = 64, hidden2: int = 32) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(vocab_size, hidden1),
            nn.ReLU(),
            nn.Linear(hidden1, hidden2),
            nn.ReLU(),
            nn.Linear(hidden2, 1),
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features).squeeze(-1)


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    """One pass over ``loader`` with binary cross-entropy on the logits; returns the mean loss per example."""
    loss_fn = nn.BCEWithLogitsLoss()
    device = next(model.parameters()).device
    model.train()
    total_loss, total_examples = 0.0, 0
    for features, labels in loader:
        features, labels = features.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = loss_fn(model(features), labels)
        loss.backward()
        optimizer.step()
        total_loss += loss.item() * len(labels)
        total_examples += len(labels)
    return total_loss / total_examples


def predict(model: nn.Module, features: torch.Tensor) -> torch.Tensor:
    """Predicted labels (N,) int64 in {0, 1} for bag-of-words vectors (N, V): 1 where the logit is positive."""
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        return (model(features.to(device)) > 0).long()
