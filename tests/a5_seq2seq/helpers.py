"""Trusted pieces the a5_seq2seq probes build on: the data pipeline of the handout's §2, a padded batch,
a known-good attention, encoder, decoder, loss and teacher-forcing loop, and small tools for lazy outputs
and gradients.

None of this calls the student's code, so a probe that uses it tests one part of the submission only.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, TypeVar

import torch
from torch import nn

from autograder.probing.core import Context, ProbeError

T = TypeVar("T")

SPECIALS = ["<pad>", "<sos>", "<eos>", "<unk>"]  # ids 0, 1, 2, 3 in both vocabularies
PAD_ID, SOS_ID, EOS_ID, UNK_ID = 0, 1, 2, 3
TARGET_CHARACTERS = "-0123456789"
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def encode(text: str, vocab: dict[str, int]) -> list[int]:
    """One id per character; a character outside the vocabulary is <unk>."""
    return [vocab.get(character, UNK_ID) for character in text]


def read_pairs(text: str) -> tuple[dict[str, int], dict[str, int], list[tuple[list[int], list[int]]]]:
    """train.tsv (header, then ``source<TAB>target``) as (source vocabulary, target vocabulary, id pairs).

    The source vocabulary is the four specials, then every character of the training sources, sorted; the
    target vocabulary is the four specials, then ``-0123456789``: the vocabularies of the handout's §2."""
    rows = [line.split("\t") for line in text.splitlines()[1:]]
    characters = sorted({character for source, _ in rows for character in source})
    source_vocab = {token: index for index, token in enumerate(SPECIALS + characters)}
    target_vocab = {token: index for index, token in enumerate(SPECIALS + list(TARGET_CHARACTERS))}
    return source_vocab, target_vocab, [(encode(s, source_vocab), encode(t, target_vocab)) for s, t in rows]


def date_number(ids: list[int], target_vocab: dict[str, int]) -> int:
    """A decoded target as the integer YYYYMMDD when it reads exactly ``YYYY-MM-DD``, else -1: equal
    numbers mean equal strings, so comparing numbers is an exact-match comparison of the decoded text."""
    characters = {index: token for token, index in target_vocab.items() if len(token) == 1}
    text = "".join(characters.get(i, "?") for i in ids)
    match = ISO_DATE.fullmatch(text)
    return int("".join(match.groups())) if match else -1


def pad_batch(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded ids int64 (B, L_max) and the mask bool (B, L_max), True at real tokens."""
    longest = max(len(sequence) for sequence in sequences)
    ids = torch.tensor([[*sequence, *[pad_id] * (longest - len(sequence))] for sequence in sequences])
    lengths = torch.tensor([len(sequence) for sequence in sequences])
    return ids, torch.arange(longest) < lengths.unsqueeze(1)


def random_sequences(ctx: Context, lengths: list[int], vocab_size: int, avoid: set[int]) -> list[list[int]]:
    """Seeded token ids in [0, vocab_size), never one of ``avoid``, one list per requested length."""
    tokens = [t for t in range(vocab_size) if t not in avoid]
    picks = ctx.randint(len(tokens), sum(lengths)).cpu().tolist()
    sequences, start = [], 0
    for length in lengths:
        sequences.append([tokens[i] for i in picks[start : start + length]])
        start += length
    return sequences


def lengths_with_edges(ctx: Context, count: int, shortest: int, longest: int) -> list[int]:
    """``count`` lengths in [shortest, longest], shuffled, with one of ``shortest`` and one of ``longest``."""
    lengths = [shortest, longest, *[ctx.random.randint(shortest, longest) for _ in range(count - 2)]]
    ctx.random.shuffle(lengths)
    return lengths


class TrustedBahdanau(nn.Module):
    """A known-good additive attention of the handout's §4, for probing the decoder alone."""

    def __init__(self, hidden_size: int, attention_size: int) -> None:
        super().__init__()
        self.W1 = nn.Linear(hidden_size, attention_size, bias=False)
        self.W2 = nn.Linear(hidden_size, attention_size, bias=False)
        self.v = nn.Linear(attention_size, 1, bias=False)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, ...]:
        scores = self.v(torch.tanh(self.W1(keys) + self.W2(query).unsqueeze(1))).squeeze(-1)  # (B, S)
        weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)  # (B, S)
        return weights, torch.bmm(weights.unsqueeze(1), keys).squeeze(1)  # (B, S), (B, H)


class TrustedEncoder(nn.Module):
    """A known-good encoder of the handout's §3."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, pad_id: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.gru = nn.GRU(embed_dim, hidden_size, batch_first=True)

    def forward(self, source: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        outputs, _ = self.gru(self.embedding(source))  # (B, S, H)
        rows = torch.arange(source.shape[0], device=outputs.device)
        return outputs, outputs[rows, mask.sum(dim=1) - 1]  # (B, S, H), (B, H)


class TrustedDecoder(nn.Module):
    """A known-good decoder of the handout's §5; ``calls`` counts the steps taken."""

    def __init__(self, vocab_size: int, embed_dim: int, hidden_size: int, pad_id: int, dropout: float) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=pad_id)
        self.attention = TrustedBahdanau(hidden_size, hidden_size + 1)
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRUCell(embed_dim + hidden_size, hidden_size)
        self.output = nn.Linear(2 * hidden_size, vocab_size)
        self.calls = 0

    def step(
        self, token: torch.Tensor, hidden: torch.Tensor, encoder_outputs: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        self.calls += 1
        embedded = self.dropout(self.embedding(token))  # (B, E)
        weights, context = self.attention(hidden, encoder_outputs, mask)  # (B, S), (B, H)
        hidden = self.gru(torch.cat([embedded, context], dim=1), hidden)  # (B, H)
        return self.output(torch.cat([hidden, context], dim=1)), hidden, weights  # (B, V), (B, H), (B, S)


class ScriptedEncoder(nn.Module):
    """An encoder whose outputs are the one-hot source tokens (B, S, V) and whose state (B, 2) is
    ``[position 0, a shift per row]``: with :class:`ScriptedDecoder`, what greedy decoding must produce
    is known from the source alone."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.shift = nn.Parameter(torch.tensor(1.0))
        self.modes: list[bool] = []

    def forward(self, source: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        self.modes.append(self.training)
        outputs = nn.functional.one_hot(source, self.vocab_size).float()  # (B, S, V_source)
        shifts = self.shift * (source[:, 0] % 3 + 1).float()  # (B,)
        return outputs, torch.stack([torch.zeros_like(shifts), shifts], dim=1)  # (B, S, V), (B, 2)


class ScriptedDecoder(nn.Module):
    """A decoder whose next token is known: at position p of row b it predicts
    ``CONTENT[(token + source[b, p] + shift_b) % len(CONTENT)]`` while p < length_b - 1, and <eos> at
    p = length_b - 1. A decoding loop that does not feed back its prediction, drops the new state, or
    starts from another state than the encoder's, gives other tokens. ``calls`` counts the steps taken and
    ``modes`` records whether it was in training mode at each one."""

    def __init__(self, vocab_size: int, eos_id: int) -> None:
        super().__init__()
        self.vocab_size, self.eos_id = vocab_size, eos_id
        self.content = torch.tensor([t for t in range(1, vocab_size) if t != eos_id])  # never <pad> 0
        self.margin = nn.Parameter(torch.tensor(5.0))
        self.calls, self.modes = 0, []

    def step(
        self, token: torch.Tensor, hidden: torch.Tensor, encoder_outputs: torch.Tensor, mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        self.calls += 1
        self.modes.append(self.training)
        rows = torch.arange(token.shape[0], device=token.device)
        position = hidden[:, 0].long()  # (B,)
        source = encoder_outputs[rows, position.clamp(max=encoder_outputs.shape[1] - 1)].argmax(dim=-1)  # (B,)
        content = self.content.to(token.device)
        following = content[(token + source + hidden[:, 1].long()) % len(content)]  # (B,)
        chosen = torch.where(position >= mask.sum(dim=1) - 1, torch.full_like(following, self.eos_id), following)
        logits = self.margin * nn.functional.one_hot(chosen, self.vocab_size).float()  # (B, V)
        weights = nn.functional.one_hot(position.clamp(max=mask.shape[1] - 1), mask.shape[1]).float()  # (B, S)
        return logits, torch.stack([hidden[:, 0] + 1, hidden[:, 1]], dim=1), weights


def trusted_masked_cross_entropy(logits: torch.Tensor, targets: torch.Tensor, pad_id: int = 0) -> torch.Tensor:
    """The per-token mean cross-entropy over the real tokens of targets (B, T), logits (B, T, V)."""
    return nn.functional.cross_entropy(logits.flatten(0, 1), targets.flatten(), ignore_index=pad_id)


def trusted_teacher_forcing_logits(
    encoder: nn.Module, decoder: nn.Module, source: torch.Tensor, mask: torch.Tensor, target: torch.Tensor
) -> torch.Tensor:
    """Logits (B, T - 1, V) with the true previous token fed at every step."""
    encoder_outputs, hidden = encoder(source, mask)
    steps = []
    for t in range(target.shape[1] - 1):
        logits, hidden, _ = decoder.step(target[:, t], hidden, encoder_outputs, mask)
        steps.append(logits)
    return torch.stack(steps, dim=1)


def submodules(model: Any, what: str, kinds: dict[str, type]) -> dict[str, nn.Module]:
    """The named submodules the handout asks for, or a ProbeError that names the missing one."""
    if not isinstance(model, nn.Module):
        raise ProbeError(f"{what} should be an nn.Module, got {type(model).__name__}")
    parts = {}
    for name, kind in kinds.items():
        part = getattr(model, name, None)
        if not isinstance(part, kind):
            raise ProbeError(f"{what} should have self.{name}, an nn.{kind.__name__} (see the handout)")
        parts[name] = part
    return parts


def module_tensors(parts: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    """Every parameter of the parts, under names a student recognises (``gru_weight_ih_l0``)."""
    return {f"{part}_{name}": p for part, module in parts.items() for name, p in module.named_parameters()}


def token_lists(result: Any, rows: int, what: str) -> list[list[int]]:
    """What greedy_decode returned, checked to be ``rows`` lists of plain ints."""
    if type(result) is not list or len(result) != rows:
        raise ProbeError(f"{what} should return a list of {rows} lists of token ids, got {type(result).__name__}")
    for row in result:
        if type(row) is not list or not all(type(token) is int for token in row):
            raise ProbeError(f"{what} should return lists of Python ints (use .tolist() or int(...))")
    return [list(row) for row in result]
