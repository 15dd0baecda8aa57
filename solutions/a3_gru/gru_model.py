"""A GRU sentence classifier, its training loop with gradient clipping, and its predictions."""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader


class GRUClassifier(nn.Module):
    """Embedding - GRU - the state at each sequence's last real token - Dropout - Linear.

    ``forward`` maps padded ids (B, L) and true lengths (B,) to logits (B, C). Padding after a sequence's
    last token changes nothing, since the GRU reads left to right and we stop reading at that token.
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        hidden_size: int,
        num_classes: int = 2,
        pad_id: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.output = nn.Linear(hidden_size, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(ids)  # (B, L, E)
        states, _ = self.gru(embedded)  # (B, L, H), from a zero initial state
        rows = torch.arange(ids.shape[0], device=states.device)  # (B,)
        last = states[rows, lengths.to(states.device) - 1]  # (B, H): the state after the last real token
        return self.output(self.dropout(last))  # (B, C)


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, max_norm: float = 1.0) -> float:
    """One pass over ``loader`` with cross-entropy and gradient clipping; returns the mean loss per example."""
    device = next(model.parameters()).device
    model.train()
    total_loss, total_examples = 0.0, 0
    for ids, lengths, labels in loader:
        ids, lengths, labels = ids.to(device), lengths.to(device), labels.to(device)
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(ids, lengths), labels)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()
        total_loss += loss.item() * len(labels)
        total_examples += len(labels)
    return total_loss / total_examples


def predict(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Predicted classes, int64 (N,), for padded ids (N, L) and lengths (N,): the argmax of the logits."""
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        return model(ids.to(device), lengths.to(device)).argmax(dim=-1)
