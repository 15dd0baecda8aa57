"""An encoder-decoder with attention: the encoder, one decoder step, the masked loss, a training step
with teacher forcing, and greedy decoding.

Fill in every function that raises NotImplementedError. The handout (assignments/a5_seq2seq/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch import nn


class Encoder(nn.Module):
    """Embedding - GRU over the whole source.

    Create exactly these submodules, in this order, with these names:
    ``self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)`` and
    ``self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True)``.
    """

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, pad_id: int = 0) -> None:
        super().__init__()
        raise NotImplementedError("Encoder.__init__")

    def forward(self, source: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(outputs, hidden)`` for right-padded source ids (B, S) int64 and their mask (B, S) bool.

        outputs (B, S, H): the GRU's output at every position, from a zero initial state (what the outputs
        are at padded positions does not matter: the attention never looks there).
        hidden (B, H): for each row b, the output at its last real token, position ``mask[b].sum() - 1``.
        """
        raise NotImplementedError("Encoder.forward")


class AttentionDecoder(nn.Module):
    """One target token at a time, attending to the encoder's outputs.

    Create exactly these submodules, with these names: ``self.embedding = nn.Embedding(vocab_size,
    embed_dim, padding_idx=pad_id)``, ``self.attention = attention`` (the module you are given),
    ``self.dropout = nn.Dropout(dropout)``, ``self.gru = nn.GRUCell(embed_dim + hidden_size, hidden_size)``
    and ``self.output = nn.Linear(2 * hidden_size, vocab_size)``.
    """

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
        raise NotImplementedError("AttentionDecoder.__init__")

    def step(
        self, token: torch.Tensor, hidden: torch.Tensor, encoder_outputs: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One decoding step: ``(logits (B, V), new hidden (B, H), attention weights (B, S))``.

        ``token`` int64 (B,) are the previous tokens, ``hidden`` (B, H) the decoder state to start from
        (use it: do not keep a state in the module), ``encoder_outputs`` (B, S, H) and ``mask`` (B, S) bool.
        1. embedded = dropout(embedding(token)), (B, E);
        2. weights, context = attention(hidden, encoder_outputs, mask), (B, S) and (B, H);
        3. new hidden = gru(concatenate [embedded, context] on the last axis, (B, E + H), hidden), (B, H);
        4. logits = output(concatenate [new hidden, context]), (B, V).
        Take every size from the inputs: B may be 1 or anything else.
        """
        raise NotImplementedError("AttentionDecoder.step")


def masked_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """The cross-entropy of ``logits`` (B, T, V) against ``targets`` (B, T) int64, a float scalar ().

    Positions where ``targets == pad_id`` do not count: the result is the sum of the per-token losses of
    the real tokens divided by the number of real tokens.
    """
    raise NotImplementedError("masked_cross_entropy")


def teacher_forcing_logits(
    encoder: nn.Module, decoder: nn.Module, source: torch.Tensor, mask: torch.Tensor, target: torch.Tensor
) -> torch.Tensor:
    """Logits (B, T - 1, V) that predict ``target[:, 1:]`` for source (B, S), mask (B, S), target (B, T).

    Run the encoder, start the decoder from the encoder's hidden state, and at each step t = 0 .. T - 2
    feed the true token ``target[:, t]`` (teacher forcing) and the state of the previous step; stack the
    logits of the T - 1 steps on axis 1.
    """
    raise NotImplementedError("teacher_forcing_logits")


def train_step(
    encoder: nn.Module,
    decoder: nn.Module,
    optimizer: torch.optim.Optimizer,
    source: torch.Tensor,
    mask: torch.Tensor,
    target: torch.Tensor,
    pad_id: int = 0,
) -> float:
    """One optimizer step on a batch (source (B, S), mask (B, S), target (B, T)); returns the loss as a float.

    Put both models in training mode, zero the gradients, compute ``teacher_forcing_logits``, the
    ``masked_cross_entropy`` against ``target[:, 1:]`` with ``pad_id``, backpropagate and step.
    """
    raise NotImplementedError("train_step")


def greedy_decode(
    encoder: nn.Module,
    decoder: nn.Module,
    source: torch.Tensor,
    mask: torch.Tensor,
    sos_id: int = 1,
    eos_id: int = 2,
    max_length: int = 20,
) -> list[list[int]]:
    """The greedy output of every row of source (B, S) with mask (B, S), as B lists of Python ints.

    Put both models in evaluation mode and work without gradients. Start every row from ``sos_id`` and the
    encoder's hidden state; at each step feed the previous step's argmax token and state. A row's list
    ends before its first ``eos_id`` (which is not included) or after ``max_length`` tokens; stop calling
    the decoder as soon as every row has produced ``eos_id``.
    """
    raise NotImplementedError("greedy_decode")
