"""A GRU sentence classifier, its training loop with gradient clipping, and its predictions.

Fill in every function that raises NotImplementedError. The handout (assignments/a3_gru/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.utils.data import DataLoader


class GRUClassifier(nn.Module):
    """Embedding - GRU - the state at each sequence's last real token - Dropout - Linear.

    Create exactly these submodules, in this order, with these names:
    ``self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)``,
    ``self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True)``,
    ``self.dropout = nn.Dropout(dropout)`` and ``self.output = nn.Linear(hidden_size, num_classes)``.
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
        raise NotImplementedError("GRUClassifier.__init__")

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits (B, C) for right-padded token ids (B, L) int64 with true lengths (B,) int64.

        Embed (B, L, E), run the GRU from a zero initial state (B, L, H), take for each sequence b the state
        at its last real token, index ``lengths[b] - 1`` (not the last position, which may be padding),
        (B, H), then dropout and the linear layer. Padding appended to a sequence must not change its
        logits, and a sequence's logits must not depend on the other sequences of the batch.
        """
        raise NotImplementedError("GRUClassifier.forward")


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer, max_norm: float = 1.0) -> float:
    """Train ``model`` for one pass over ``loader`` and return the mean loss per example.

    Put the model in training mode. For every batch (ids (B, L), lengths (B,), labels (B,), all int64):
    move them to the model's device, zero the gradients, compute the logits (B, C), the loss
    ``nn.functional.cross_entropy`` (mean over the batch), backpropagate, clip the gradients with
    ``torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)`` and take an optimizer step. The mean
    loss per example is the sum over batches of (batch loss x batch size) divided by the number of examples.
    """
    raise NotImplementedError("train_epoch")


def predict(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Predicted classes, int64 of shape (N,), for padded ids (N, L) int64 and lengths (N,) int64.

    Put the model in evaluation mode, compute the logits without tracking gradients and take the class
    with the largest logit.
    """
    raise NotImplementedError("predict")
