"""A correct bag-of-words classifier written differently from the reference: named layers, F.relu."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F
from torch.utils.data import DataLoader


class BowClassifier(nn.Module):
    def __init__(self, vocab_size: int, hidden1: int = 64, hidden2: int = 32) -> None:
        super().__init__()
        self.first = nn.Linear(vocab_size, hidden1)
        self.second = nn.Linear(hidden1, hidden2)
        self.out = nn.Linear(hidden2, 1)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.out(F.relu(self.second(F.relu(self.first(features)))))[:, 0]


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    device = next(model.parameters()).device
    model.train()
    losses, count = [], 0
    for features, labels in loader:
        optimizer.zero_grad(set_to_none=True)
        loss = F.binary_cross_entropy_with_logits(model(features.to(device)), labels.to(device))
        loss.backward()
        optimizer.step()
        losses.append(loss.detach() * labels.numel())
        count += labels.numel()
    return (torch.stack(losses).sum() / count).item()


@torch.no_grad()
def predict(model: nn.Module, features: torch.Tensor) -> torch.Tensor:
    model.eval()
    probabilities = torch.sigmoid(model(features.to(next(model.parameters()).device)))
    return (probabilities > 0.5).to(torch.int64)
