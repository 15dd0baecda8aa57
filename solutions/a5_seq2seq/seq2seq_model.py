"""An encoder-decoder with attention: the encoder, one decoder step, the masked loss, a training step
with teacher forcing, and greedy decoding."""

from __future__ import annotations

import torch
from torch import nn


class Encoder(nn.Module):
    """Embedding - GRU over the whole source; its outputs are what the decoder attends to."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, pad_id: int = 0) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True)

    def forward(self, source: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(outputs (B, S, H), hidden (B, H))`` for source ids (B, S) and its mask (B, S): every output,
        and the state after each source's last real token."""
        outputs, _ = self.gru(self.embedding(source))  # (B, S, H), from a zero initial state
        last = mask.sum(dim=1) - 1  # (B,) index of the last real token
        hidden = outputs[torch.arange(source.shape[0], device=outputs.device), last]  # (B, H)
        return outputs, hidden


class AttentionDecoder(nn.Module):
    """One token at a time: attend with the previous state, then a GRU cell, then the output layer."""

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        hidden_size: int,
        attention: nn.Module,
        pad_id: int = 0,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.attention = attention
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRUCell(embed_dim + hidden_size, hidden_size)
        self.output = nn.Linear(2 * hidden_size, vocab_size)

    def step(
        self, token: torch.Tensor, hidden: torch.Tensor, encoder_outputs: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(logits (B, V), new hidden (B, H), attention weights (B, S))`` for the previous tokens (B,),
        the given decoder state (B, H), the encoder outputs (B, S, H) and the source mask (B, S)."""
        embedded = self.dropout(self.embedding(token))  # (B, E)
        weights, context = self.attention(hidden, encoder_outputs, mask)  # (B, S), (B, H)
        hidden = self.gru(torch.cat([embedded, context], dim=1), hidden)  # (B, H)
        logits = self.output(torch.cat([hidden, context], dim=1))  # (B, V)
        return logits, hidden, weights


def masked_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """The cross-entropy of logits (B, T, V) against targets (B, T), averaged over the real (non-pad) tokens."""
    losses = nn.functional.cross_entropy(logits.transpose(1, 2), targets, reduction="none")  # (B, T)
    real = targets != pad_id  # (B, T)
    return (losses * real).sum() / real.sum()


def teacher_forcing_logits(
    encoder: nn.Module, decoder: nn.Module, source: torch.Tensor, mask: torch.Tensor, target: torch.Tensor
) -> torch.Tensor:
    """Logits (B, T - 1, V) for target[:, 1:], feeding the decoder the true previous token at every step."""
    encoder_outputs, hidden = encoder(source, mask)
    steps = []
    for t in range(target.shape[1] - 1):
        logits, hidden, _ = decoder.step(target[:, t], hidden, encoder_outputs, mask)
        steps.append(logits)
    return torch.stack(steps, dim=1)


def train_step(
    encoder: nn.Module,
    decoder: nn.Module,
    optimizer: torch.optim.Optimizer,
    source: torch.Tensor,
    mask: torch.Tensor,
    target: torch.Tensor,
    pad_id: int = 0,
) -> float:
    """One optimizer step on a batch with teacher forcing; returns the batch's masked loss as a float."""
    encoder.train()
    decoder.train()
    optimizer.zero_grad()
    logits = teacher_forcing_logits(encoder, decoder, source, mask, target)  # (B, T - 1, V)
    loss = masked_cross_entropy(logits, target[:, 1:], pad_id)
    loss.backward()
    optimizer.step()
    return loss.item()


def greedy_decode(
    encoder: nn.Module,
    decoder: nn.Module,
    source: torch.Tensor,
    mask: torch.Tensor,
    sos_id: int = 1,
    eos_id: int = 2,
    max_length: int = 20,
) -> list[list[int]]:
    """The most likely token at each step, fed back as the next input, for source (B, S) and mask (B, S).

    Each row stops at its first ``eos_id`` (not included in its list) or after ``max_length`` tokens; the
    loop ends as soon as every row has stopped.
    """
    encoder.eval()
    decoder.eval()
    batch = source.shape[0]
    outputs: list[list[int]] = [[] for _ in range(batch)]
    with torch.no_grad():
        encoder_outputs, hidden = encoder(source, mask)
        token = torch.full((batch,), sos_id, dtype=torch.int64, device=source.device)  # (B,)
        done = torch.zeros(batch, dtype=torch.bool, device=source.device)  # (B,)
        for _ in range(max_length):
            logits, hidden, _ = decoder.step(token, hidden, encoder_outputs, mask)
            token = logits.argmax(dim=-1)  # (B,)
            done = done | (token == eos_id)
            for row in (~done).nonzero().flatten().tolist():
                outputs[row].append(int(token[row]))
            if bool(done.all()):
                break
    return outputs
