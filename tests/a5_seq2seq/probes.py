"""Probes of a5_seq2seq: each builds seeded inputs, calls one part of the student's code, returns raw data.

The decoder, teacher-forcing, training and decoding probes use trusted parts of their own (a known-good
attention, encoder, decoder, loss and teacher-forcing loop), so a wrong attention costs the attention
tests only, a wrong decoder the decoder tests only, and a wrong loss the loss tests only. Outputs given
as functions are computed one by one, so a failing batch of one does not cost the test of a full batch.
Every random draw happens before the first output is computed, so one failing output never shifts the
inputs of another.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from autograder.probing.core import Context, DataFile, ProbeError, expect_type, named, probe
from autograder.probing.grads import backward_with
from autograder.probing.lazy import field, once
from autograder.probing.optim import StepRecorder
from autograder.probing.params import flat_parameters, parameter_blocks, seed_parameters
from autograder.probing.tensors import expect_tensor

from .helpers import (
    EOS_ID,
    SOS_ID,
    ScriptedDecoder,
    ScriptedEncoder,
    TrustedDecoder,
    TrustedEncoder,
    date_number,
    encode,
    lengths_with_edges,
    module_tensors,
    pad_batch,
    random_sequences,
    read_pairs,
    submodules,
    token_lists,
    trusted_masked_cross_entropy,
    trusted_teacher_forcing_logits,
)

HERE = Path(__file__).resolve().parent
TRAIN = DataFile(HERE.parents[1] / "assignments" / "a5_seq2seq" / "data" / "train.tsv", read_pairs)
HELDOUT_SOURCES = DataFile(HERE / "heldout" / "sources.txt", str.splitlines, hidden=True)
ENCODER_PARTS = {"embedding": nn.Embedding, "gru": nn.GRU}
DECODER_PARTS = {"embedding": nn.Embedding, "gru": nn.GRUCell, "output": nn.Linear}
TRAINING_STEPS = 300  # optimizer steps of the held-out test, batches of 64
BATCH = 7  # the handout's batch of seven; every probe also runs a batch of one


def _pair(result: Any, what: str, names: tuple[str, ...]) -> tuple[Any, ...]:
    """What the student's code returned, checked to be a tuple of ``len(names)``, for a clear message."""
    if type(result) not in (tuple, list) or len(result) != len(names):
        raise ProbeError(f"{what} should return a tuple ({', '.join(names)}), got {type(result).__name__}")
    return tuple(result)


# ---------------------------------------------------------------------------------------------- data


@probe
def dataset(ctx: Context) -> dict[str, Any]:
    """Seq2SeqDataset appends <eos> to the source and wraps the target in <sos> ... <eos>; empty sides too."""
    data_module = ctx.student("seq2seq_data")
    sos_id, eos_id = 5 + ctx.seed, 9 + ctx.seed  # never the defaults 1 and 2
    count = 6 + ctx.seed % 3
    sources = random_sequences(ctx, lengths_with_edges(ctx, count, 0, 7), 30, {sos_id, eos_id})
    targets = random_sequences(ctx, lengths_with_edges(ctx, count, 0, 5), 30, {sos_id, eos_id})
    pairs = list(zip(sources, targets, strict=True))
    data = data_module.Seq2SeqDataset(pairs, sos_id=sos_id, eos_id=eos_id)

    def items() -> list[tuple[torch.Tensor, torch.Tensor]]:
        found = [_pair(data[i], "dataset[i]", ("source", "target")) for i in range(count)]
        return [(expect_tensor(s, "dataset[i][0]"), expect_tensor(t, "dataset[i][1]")) for s, t in found]

    every = once(items)
    return {
        "length": lambda: len(data),
        "length_of_one": lambda: len(data_module.Seq2SeqDataset(pairs[:1], sos_id=sos_id, eos_id=eos_id)),
        "first_source": lambda: every()[0][0],
        "first_target": lambda: every()[0][1],
        "sources": lambda: [s.tolist() for s, _ in every()],
        "targets": lambda: [t.tolist() for _, t in every()],
        "dtypes": lambda: sorted({str(x.dtype) for pair in every() for x in pair}),
        "items_with_default_ids": lambda: [
            [x.tolist() for x in _pair(data_module.Seq2SeqDataset(pairs)[i], "dataset[i]", ("source", "target"))]
            for i in range(count)
        ],
    }


@probe
def collate_batch(ctx: Context) -> dict[str, Any]:
    """collate pads sources and targets on the right with pad_id and returns the source mask."""
    collate = ctx.student("seq2seq_data").collate
    pad_id = 4 + ctx.seed  # never the default 0
    sources = random_sequences(ctx, lengths_with_edges(ctx, 5, 1, 6), 20, {pad_id})
    targets = random_sequences(ctx, lengths_with_edges(ctx, 5, 2, 5), 20, {pad_id})
    batch = [(torch.tensor(s), torch.tensor(t)) for s, t in zip(sources, targets, strict=True)]
    longest = [len(s) for s in sources].index(max(len(s) for s in sources))
    names = ("source", "source_mask", "target")

    def run(batch: list[tuple[torch.Tensor, torch.Tensor]], **kwargs: Any) -> tuple[Any, ...]:
        return _pair(collate(batch, **kwargs), "collate", names)

    every = once(lambda: run(batch, pad_id=pad_id))
    one = once(lambda: run(batch[longest : longest + 1], pad_id=pad_id))
    short = once(lambda: run([(s[:1], t[:2]) for s, t in batch], pad_id=pad_id))
    return {
        "source": lambda: named(every()[0], "row", "position"),
        "target": lambda: named(every()[2], "row", "position"),
        "source_mask": lambda: named(every()[1], "row", "position"),
        "source_with_default_pad_id": lambda: named(run(batch)[0], "row", "position"),
        "source_of_one": lambda: one()[0],
        "target_of_one": lambda: one()[2],
        "source_mask_of_one": lambda: one()[1],
        "source_of_length_one": lambda: short()[0],
        "source_mask_of_length_one": lambda: short()[1],
    }


# ------------------------------------------------------------------------------------------- encoder


def _source_batch(ctx: Context, rows: int, longest: int, vocab_size: int, pad_id: int) -> tuple[torch.Tensor, ...]:
    """Padded source ids (B, S) and mask (B, S) with a sequence of length one and one of ``longest``."""
    sequences = random_sequences(ctx, lengths_with_edges(ctx, rows, 1, longest), vocab_size, {pad_id})
    ids, mask = pad_batch(sequences, pad_id)
    return ids.to(ctx.device), mask.to(ctx.device)


@probe
def encoder(ctx: Context) -> dict[str, Any]:
    """Encoder with seeded weights: outputs at the real positions, the state at the last real token."""
    vocab_size, embed_dim, hidden_size, pad_id = 15 + ctx.seed, 4 + ctx.seed % 2, 6, 1 + ctx.seed % 3
    source, mask = _source_batch(ctx, BATCH, 6 + ctx.seed % 2, vocab_size, pad_id)
    more_padding = torch.cat([source, torch.full((BATCH, 3), pad_id, device=ctx.device)], dim=1)
    more_mask = torch.cat([mask, torch.zeros(BATCH, 3, dtype=torch.bool, device=ctx.device)], dim=1)
    upstream_outputs, upstream_hidden = ctx.randn(*source.shape, hidden_size), ctx.randn(BATCH, hidden_size)
    model = ctx.student("seq2seq_model").Encoder(vocab_size, embed_dim, hidden_size, pad_id=pad_id)
    parts = submodules(model, "Encoder(...)", ENCODER_PARTS)
    padding_idx, shapes = parts["embedding"].padding_idx, [[n, list(p.shape)] for n, p in model.named_parameters()]
    for name in ENCODER_PARTS:  # in a fixed order, whatever order the student registered them
        seed_parameters(ctx, parts[name], scale=1.0, bias_scale=0.3)
    model.to(ctx.device)

    def run(source: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(outputs zeroed at the padding, hidden): the outputs at padded positions are free (§3)."""
        outputs, hidden = _pair(model(source, mask), "Encoder.forward", ("outputs", "hidden"))
        outputs = expect_tensor(outputs, "Encoder.forward's outputs", shape=(*source.shape, hidden_size))
        hidden = expect_tensor(hidden, "Encoder.forward's hidden", shape=(source.shape[0], hidden_size))
        return outputs * mask.unsqueeze(-1), hidden

    def gradients() -> dict[str, torch.Tensor]:
        outputs, hidden = run(source, mask)
        output = torch.cat([outputs.flatten(), hidden.flatten()])
        upstream = torch.cat([upstream_outputs.flatten(), upstream_hidden.flatten()])
        return backward_with(output, upstream, module_tensors(parts), "Encoder.forward")

    first, grads = once(lambda: run(source, mask)), once(gradients)
    padded = once(lambda: run(more_padding, more_mask))
    longest = int(mask.sum(dim=1).argmax())
    one = once(lambda: run(source[longest : longest + 1], mask[longest : longest + 1]))
    return {
        "padding_idx": padding_idx,
        "parameter_shapes": shapes,
        "outputs": lambda: named(first()[0], "row", "position", "unit"),
        "hidden": lambda: named(first()[1], "row", "unit"),
        "outputs_of_one": lambda: one()[0],
        "hidden_of_one": lambda: one()[1],
        **{f"grad_{n}": field(grads, f"grad_{n}") for n in module_tensors(parts)},
        "hidden_with_more_padding": lambda: named(padded()[1], "row", "unit"),
    }


# ----------------------------------------------------------------------------------------- attention


def _attention_probe(ctx: Context, build: Any, parts: list[str], hidden_size: int) -> dict[str, Any]:
    """Scores, weights, context and their gradients of a student's attention, with seeded weights.

    B != S and A != H, so a transposed weight or a softmax over the batch axis shows. The mask has a
    row of one real position and a row of S; the padded keys are then replaced to check that they
    change nothing."""
    rows, positions = 5 + ctx.seed % 2, 8 + ctx.seed % 2
    attention = expect_type(build(), nn.Module, "the attention")
    modules = {name: getattr(attention, name, None) for name in parts}
    missing = [name for name, module in modules.items() if not isinstance(module, nn.Linear)]
    for name in parts:  # in a fixed order, whatever order the student registered them
        if name not in missing:
            seed_parameters(ctx, modules[name], scale=1.5)
    attention.to(ctx.device)
    query, keys = ctx.randn(rows, hidden_size), ctx.randn(rows, positions, hidden_size)
    lengths = torch.tensor(lengths_with_edges(ctx, rows, 1, positions), device=ctx.device)
    mask = torch.arange(positions, device=ctx.device) < lengths.unsqueeze(1)  # (B, S)
    other_keys = torch.where(mask.unsqueeze(-1), keys, 3 * ctx.randn(rows, positions, hidden_size))
    upstream_scores, upstream_weights = ctx.randn(rows, positions), ctx.randn(rows, positions)
    upstream_context = ctx.randn(rows, hidden_size)

    def structure() -> list[list[Any]]:
        if missing:
            raise ProbeError(f"the attention should have self.{missing[0]}, an nn.Linear without bias (handout §4)")
        return [[n, list(p.shape)] for n, p in attention.named_parameters()]

    def scores(query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
        return expect_tensor(attention.score(query, keys), "score", shape=tuple(keys.shape[:2]))

    def attend(query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        weights, context = _pair(attention(query, keys, mask), "the attention's forward", ("weights", "context"))
        weights = expect_tensor(weights, "the attention's weights", shape=tuple(keys.shape[:2]))
        return weights, expect_tensor(context, "the attention's context", shape=(keys.shape[0], hidden_size))

    def gradients(of_scores: bool) -> dict[str, torch.Tensor]:
        structure()
        query_, keys_ = query.clone().requires_grad_(True), keys.clone().requires_grad_(True)
        tensors = {"query": query_, "keys": keys_, **{f"{n}_weight": modules[n].weight for n in parts}}
        if of_scores:
            return backward_with(scores(query_, keys_), upstream_scores, tensors, "score")
        weights, context = attend(query_, keys_, mask)
        output, upstream = (
            torch.cat([weights.flatten(), context.flatten()]),
            torch.cat([upstream_weights.flatten(), upstream_context.flatten()]),
        )
        return backward_with(output, upstream, tensors, "the attention's forward")

    score_grads, attend_grads = once(partial(gradients, True)), once(partial(gradients, False))
    first = once(lambda: attend(query, keys, mask))
    one = once(lambda: attend(query[:1], keys[:1], mask[:1]))
    other = once(lambda: attend(query, other_keys, mask))
    tensor_names = ["query", "keys", *(f"{n}_weight" for n in parts)]
    return {
        "parameter_shapes": structure,
        "scores": lambda: named(scores(query, keys), "row", "position"),
        "scores_of_one": lambda: scores(query[:1], keys[:1]),
        **{f"score_grad_{n}": field(score_grads, f"grad_{n}") for n in tensor_names},
        "weights": lambda: named(first()[0], "row", "position"),
        "context": lambda: named(first()[1], "row", "unit"),
        "weights_of_one": lambda: one()[0],
        "context_of_one": lambda: one()[1],
        "weights_without_padding": lambda: attend(query, keys, torch.ones_like(mask))[0],
        **{f"grad_{n}": field(attend_grads, f"grad_{n}") for n in tensor_names},
        "weight_sums": lambda: named(first()[0].sum(dim=1), "row"),
        "ones": torch.ones(rows),
        "weights_on_padding": lambda: first()[0].detach()[~mask],
        "zeros_on_padding": torch.zeros(int((~mask).sum())),
        "weights_with_other_padded_keys": lambda: named(other()[0], "row", "position"),
        "context_with_other_padded_keys": lambda: named(other()[1], "row", "unit"),
    }


@probe
def bahdanau(ctx: Context) -> dict[str, Any]:
    """BahdanauAttention(H, A): the additive score v^T tanh(W1 h_enc + W2 h_dec), weights and context."""
    hidden_size, attention_size = 4 + ctx.seed % 2, 7
    module = ctx.student("attention")
    return _attention_probe(
        ctx, lambda: module.BahdanauAttention(hidden_size, attention_size), ["W1", "W2", "v"], hidden_size
    )


@probe
def luong_dot(ctx: Context) -> dict[str, Any]:
    """LuongAttention(H, method="dot"): the dot score h_dec . h_enc, weights and context."""
    hidden_size = 4 + ctx.seed % 2
    module = ctx.student("attention")
    return _attention_probe(ctx, lambda: module.LuongAttention(hidden_size, method="dot"), [], hidden_size)


@probe
def luong_general(ctx: Context) -> dict[str, Any]:
    """LuongAttention(H, method="general"): the score h_dec . (W h_enc), weights and context."""
    hidden_size = 4 + ctx.seed % 2
    module = ctx.student("attention")
    return _attention_probe(ctx, lambda: module.LuongAttention(hidden_size, method="general"), ["W"], hidden_size)


# ------------------------------------------------------------------------------------------- decoder


@probe
def decoder(ctx: Context) -> dict[str, Any]:
    """AttentionDecoder.step with seeded weights and a trusted attention: logits, state, weights, gradients."""
    vocab_size, embed_dim, hidden_size, pad_id = 11 + ctx.seed, 3 + ctx.seed % 2, 5, 2 + ctx.seed % 2
    positions = 6 + ctx.seed % 3
    tokens = torch.tensor(random_sequences(ctx, [BATCH], vocab_size, {pad_id})[0], device=ctx.device)
    hidden, other_hidden = ctx.randn(BATCH, hidden_size), 2 * ctx.randn(BATCH, hidden_size)
    encoder_outputs = ctx.randn(BATCH, positions, hidden_size)
    lengths = torch.tensor(lengths_with_edges(ctx, BATCH, 1, positions), device=ctx.device)
    mask = torch.arange(positions, device=ctx.device) < lengths.unsqueeze(1)
    upstream_logits, upstream_hidden = ctx.randn(BATCH, vocab_size), ctx.randn(BATCH, hidden_size)
    attention = TrustedDecoder(vocab_size, embed_dim, hidden_size, pad_id, 0.0).attention
    seed_parameters(ctx, attention, scale=1.5)
    model = ctx.student("seq2seq_model").AttentionDecoder(
        vocab_size, embed_dim, hidden_size, attention, pad_id=pad_id, dropout=0.4
    )
    parts = submodules(model, "AttentionDecoder(...)", DECODER_PARTS)
    padding_idx, shapes = parts["embedding"].padding_idx, [[n, list(p.shape)] for n, p in model.named_parameters()]
    for name in DECODER_PARTS:  # in a fixed order, whatever order the student registered them
        seed_parameters(ctx, parts[name], scale=1.0, bias_scale=0.3)
    model.to(ctx.device).eval()  # dropout > 0 must do nothing in evaluation mode

    def step(rows: slice, hidden: torch.Tensor) -> tuple[torch.Tensor, ...]:
        count = len(range(*rows.indices(BATCH)))
        result = _pair(
            model.step(tokens[rows], hidden[rows], encoder_outputs[rows], mask[rows]),
            "AttentionDecoder.step",
            ("logits", "hidden", "weights"),
        )
        shapes = [(count, vocab_size), (count, hidden_size), (count, positions)]
        return tuple(
            expect_tensor(x, f"AttentionDecoder.step's {what}", shape=shape)
            for x, what, shape in zip(result, ("logits", "hidden", "weights"), shapes, strict=True)
        )

    def in_training_mode() -> torch.Tensor:
        """Dropout on the embedded token, with the global generator reset so the mask is the reference's."""
        model.train()
        try:
            torch.manual_seed(ctx.seed)
            return step(slice(None), hidden)[0]
        finally:
            model.eval()

    def gradients() -> dict[str, torch.Tensor]:
        hidden_, outputs_ = hidden.clone().requires_grad_(True), encoder_outputs.clone().requires_grad_(True)
        logits, new_hidden, _ = _pair(
            model.step(tokens, hidden_, outputs_, mask), "AttentionDecoder.step", ("logits", "hidden", "weights")
        )
        expect_tensor(logits, "logits", shape=(BATCH, vocab_size))
        expect_tensor(new_hidden, "hidden", shape=(BATCH, hidden_size))
        output = torch.cat([logits.flatten(), new_hidden.flatten()])
        upstream = torch.cat([upstream_logits.flatten(), upstream_hidden.flatten()])
        tensors = {"hidden": hidden_, "encoder_outputs": outputs_, **module_tensors(parts)}
        return backward_with(output, upstream, tensors, "AttentionDecoder.step")

    def one_at_a_time() -> torch.Tensor:
        return torch.cat([step(slice(i, i + 1), hidden)[0] for i in range(BATCH)])

    first, grads = once(lambda: step(slice(None), hidden)), once(gradients)
    other = once(lambda: step(slice(None), other_hidden))
    grad_names = ["hidden", "encoder_outputs", *module_tensors(parts)]
    return {
        "padding_idx": padding_idx,
        "parameter_shapes": shapes,
        "logits": lambda: named(first()[0], "row", "token"),
        "hidden": lambda: named(first()[1], "row", "unit"),
        "weights": lambda: named(first()[2], "row", "position"),
        "logits_of_one": lambda: step(slice(0, 1), hidden)[0],
        "hidden_of_one": lambda: step(slice(0, 1), hidden)[1],
        "logits_from_other_hidden": lambda: named(other()[0], "row", "token"),
        "hidden_from_other_hidden": lambda: named(other()[1], "row", "unit"),
        "weights_from_other_hidden": lambda: named(other()[2], "row", "position"),
        **{f"grad_{n}": field(grads, f"grad_{n}") for n in grad_names},
        "logits_one_at_a_time": lambda: named(one_at_a_time(), "row", "token"),
        "logits_in_training_mode": lambda: named(in_training_mode(), "row", "token"),
    }


# ---------------------------------------------------------------------------------- loss and training


@probe
def loss(ctx: Context) -> dict[str, Any]:
    """masked_cross_entropy on a padded batch: the mean over the real tokens only, and its gradient."""
    masked_cross_entropy = ctx.student("seq2seq_model").masked_cross_entropy
    rows, steps, vocab_size, pad_id = 5, 6, 7 + ctx.seed, 3 + ctx.seed % 2
    targets, _ = pad_batch(random_sequences(ctx, lengths_with_edges(ctx, rows, 1, steps), vocab_size, {pad_id}), pad_id)
    targets = targets.to(ctx.device)
    logits = 2 * ctx.randn(rows, steps, vocab_size)
    zero_padded = torch.where(targets == pad_id, torch.zeros_like(targets), targets)
    full = targets.shape[1] - (targets == pad_id).sum(dim=1)
    longest = int(full.argmax())

    def value(logits: torch.Tensor, targets: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        return expect_tensor(masked_cross_entropy(logits, targets, **kwargs), "masked_cross_entropy", shape=())

    def gradient() -> torch.Tensor:
        logits_ = logits.clone().requires_grad_(True)
        return backward_with(value(logits_, targets, pad_id=pad_id), torch.ones(()), {"logits": logits_}, "loss")[
            "grad_logits"
        ]

    return {
        "loss": lambda: value(logits, targets, pad_id=pad_id),
        "loss_of_one": lambda: value(logits[longest : longest + 1], targets[longest : longest + 1], pad_id=pad_id),
        "loss_with_default_pad_id": lambda: value(logits, zero_padded),
        "grad_logits": lambda: named(gradient(), "row", "step", "token"),
    }


def _trusted_models(ctx: Context, dropout: float, target_vocab: int = 9) -> tuple[TrustedEncoder, TrustedDecoder]:
    """A seeded known-good encoder and decoder (E != H); the pad id is 0."""
    encoder = TrustedEncoder(12, 4, 5, pad_id=0)
    decoder = TrustedDecoder(target_vocab, 3, 5, pad_id=0, dropout=dropout)
    seed_parameters(ctx, encoder, scale=1.0, bias_scale=0.3)
    seed_parameters(ctx, decoder, scale=1.5, bias_scale=0.3)
    return encoder.to(ctx.device), decoder.to(ctx.device)


def _target_batch(ctx: Context, rows: int, vocab_size: int) -> torch.Tensor:
    """Padded targets <sos> ... <eos> (B, T) with pad id 0, one of them as short as <sos> <eos>."""
    middles = random_sequences(ctx, lengths_with_edges(ctx, rows, 0, 4), vocab_size, {0, SOS_ID, EOS_ID})
    return pad_batch([[SOS_ID, *middle, EOS_ID] for middle in middles], 0)[0].to(ctx.device)


@probe
def teacher_forcing(ctx: Context) -> dict[str, Any]:
    """teacher_forcing_logits on trusted models: logits (B, T - 1, V) and gradients through every step."""
    run = ctx.student("seq2seq_model").teacher_forcing_logits
    encoder, decoder = _trusted_models(ctx, dropout=0.0)
    models = {"encoder": encoder, "decoder": decoder}
    source, mask = _source_batch(ctx, BATCH, 6, 12, 0)
    target = _target_batch(ctx, BATCH, 9)
    upstream = ctx.randn(BATCH, target.shape[1] - 1, 9)
    shortest = int((target != 0).sum(dim=1).argmin())

    def logits(rows: slice, width: int) -> torch.Tensor:
        count = len(range(*rows.indices(BATCH)))
        result = run(encoder, decoder, source[rows], mask[rows], target[rows, :width])
        return expect_tensor(result, "teacher_forcing_logits", shape=(count, width - 1, 9))

    def gradients() -> dict[str, torch.Tensor]:
        return backward_with(logits(slice(None), target.shape[1]), upstream, tensors, "teacher_forcing_logits")

    tensors = {f"{side}_{n.replace('.', '_')}": p for side, m in models.items() for n, p in m.named_parameters()}
    grads = once(gradients)
    return {
        "logits": lambda: named(logits(slice(None), target.shape[1]), "row", "step", "token"),
        "logits_of_one_step": lambda: logits(slice(shortest, shortest + 1), 2),
        **{f"grad_{n}": field(grads, f"grad_{n}") for n in tensors},
    }


@probe
def train(ctx: Context) -> dict[str, Any]:
    """Three calls of train_step (batches of 4, 4 and 1) on trusted models with dropout, handed over in
    evaluation mode. The student's module gets the trusted loss and teacher-forcing loop, so a wrong
    one of those costs its own tests only."""
    model_module = ctx.student("seq2seq_model")
    model_module.masked_cross_entropy = trusted_masked_cross_entropy
    model_module.teacher_forcing_logits = trusted_teacher_forcing_logits
    encoder, decoder = _trusted_models(ctx, dropout=0.3)
    batches = [(*_source_batch(ctx, rows, 6, 12, 0), _target_batch(ctx, rows, 9)) for rows in (4, 4, 1)]
    both = nn.ModuleList([encoder, decoder])
    both.eval()  # train_step must switch to training mode itself
    optimizer = torch.optim.SGD(both.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer)
    modes: list[bool] = []
    every_module = [*encoder.modules(), *decoder.modules()]
    optimizer.register_step_pre_hook(lambda *_: modes.append(all(m.training for m in every_module)))
    losses = [model_module.train_step(encoder, decoder, optimizer, *batch) for batch in batches]
    blocks = parameter_blocks(both)
    return {
        "losses": losses,
        "step_gradients": named(recorder.gradients(), "step", blocks),
        "training_mode_at_each_step": modes,
        "parameters": named(flat_parameters(both), blocks),
    }


@probe
def greedy(ctx: Context) -> dict[str, Any]:
    """greedy_decode on scripted models whose right answer is known, handed over in training mode, with
    non-default ids: rows of 0 to 5 tokens, a max_length that cuts some, and a batch of one."""
    greedy_decode = ctx.student("seq2seq_model").greedy_decode
    vocab_size, sos_id, eos_id = 9, 4 + ctx.seed % 2, 6 + ctx.seed % 2
    encoder, decoder = ScriptedEncoder(12).to(ctx.device), ScriptedDecoder(vocab_size, eos_id).to(ctx.device)
    source, mask = _source_batch(ctx, BATCH, 6, 12, 0)
    encoder.train(), decoder.train()  # greedy_decode must switch to evaluation mode itself

    def decode(rows: slice, max_length: int) -> list[list[int]]:
        count = len(range(*rows.indices(BATCH)))
        result = greedy_decode(
            encoder, decoder, source[rows], mask[rows], sos_id=sos_id, eos_id=eos_id, max_length=max_length
        )
        return token_lists(result, count, "greedy_decode")

    def calls(rows: slice, max_length: int) -> int:
        decoder.calls = 0
        decode(rows, max_length)
        return decoder.calls

    def modes() -> list[bool]:
        encoder.modes.clear(), decoder.modes.clear()
        decode(slice(None), 12)
        return [all(encoder.modes), any(encoder.modes), all(decoder.modes), any(decoder.modes)]

    every = once(lambda: decode(slice(None), 12))
    longest = int(mask.sum(dim=1).argmax())
    return {
        "tokens": every,
        "tokens_of_one": lambda: decode(slice(longest, longest + 1), 12),
        "tokens_with_max_length_3": lambda: decode(slice(None), 3),
        "steps_taken": lambda: [calls(slice(None), 12), calls(slice(None), 3), calls(slice(longest, longest + 1), 12)],
        "training_mode_while_decoding": modes,
        "tokens_one_at_a_time": lambda: [decode(slice(i, i + 1), 12)[0] for i in range(BATCH)],
        "tokens_in_a_batch": every,
    }


# --------------------------------------------------------------------------------- held-out accuracy


@probe
def heldout_predictions(ctx: Context) -> dict[str, Any]:
    """The whole pipeline on the dates with the student's code; the held-out answers stay with the judge.
    Each decoded answer becomes the integer YYYYMMDD when it reads exactly YYYY-MM-DD, else -1."""
    data_module, attention_module = ctx.student("seq2seq_data"), ctx.student("attention")
    model_module = ctx.student("seq2seq_model")
    source_vocab, target_vocab, pairs = TRAIN.get()
    loader = DataLoader(
        data_module.Seq2SeqDataset(pairs),
        batch_size=64,
        shuffle=True,
        generator=torch.Generator().manual_seed(ctx.seed),
        collate_fn=data_module.collate,
    )
    encoder = model_module.Encoder(len(source_vocab), 32, 64).to(ctx.device)
    attention = attention_module.BahdanauAttention(64, 64)
    decoder = model_module.AttentionDecoder(len(target_vocab), 32, 64, attention).to(ctx.device)
    optimizer = torch.optim.Adam([*encoder.parameters(), *decoder.parameters()], lr=5e-3)
    for source, mask, target in _batches(loader, TRAINING_STEPS):
        model_module.train_step(encoder, decoder, optimizer, *(x.to(ctx.device) for x in (source, mask, target)))
    heldout_data = data_module.Seq2SeqDataset([(encode(text, source_vocab), []) for text in HELDOUT_SOURCES.get()])
    batch = data_module.collate([heldout_data[i] for i in range(len(heldout_data))])
    source, mask, _ = _pair(batch, "collate", ("source", "source_mask", "target"))
    result = model_module.greedy_decode(encoder, decoder, source.to(ctx.device), mask.to(ctx.device), max_length=12)
    decoded = token_lists(result, len(heldout_data), "greedy_decode")
    return {"predictions": torch.tensor([date_number(ids, target_vocab) for ids in decoded], dtype=torch.int64)}


def _batches(loader: DataLoader, count: int) -> Iterator[Any]:
    """The first ``count`` batches of ``loader``, going through it as many times as needed."""
    seen = 0
    while seen < count:
        for batch in loader:
            if seen == count:
                return
            seen += 1
            yield batch
