"""Probes of a3_gru: each builds seeded inputs, calls one part of the student's code, returns raw data.

The unrolling, training-loop and prediction probes use trusted parts of their own (``nn.GRUCell``, a
known-good classifier, a known-good collate), so a wrong GRUCell costs the cell tests only, a wrong
GRUClassifier the classifier tests only, and a wrong collate the data tests only. Outputs given as
functions are computed one by one, so a failing T == 0 case does not cost the test of ordinary sequences.
Every random draw happens before the first output is computed, so one failing output never shifts the
inputs of another.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from autograder.probing.core import Context, DataFile, ProbeError, expect_type, named, probe
from autograder.probing.grads import backward_with
from autograder.probing.lazy import field, once
from autograder.probing.optim import StepRecorder, training_outputs
from autograder.probing.params import flat_parameters, parameter_blocks, parameters_by_name, seed_parameters
from autograder.probing.tensors import expect_tensor, stack_tensors

from .helpers import (
    TrustedGRUClassifier,
    classifier_parts,
    classifier_tensors,
    describe_range,
    encode,
    pad_batch,
    random_sequences,
    read_training_data,
    tokenize,
    trusted_collate,
)

HERE = Path(__file__).resolve().parent
TRAIN = DataFile(HERE.parents[1] / "assignments" / "a1_bow" / "data" / "train.tsv", read_training_data)
HELDOUT_TEXTS = DataFile(HERE.parent / "a1_bow" / "heldout" / "texts.txt", str.splitlines, hidden=True)
CELL_PARAMETERS = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
SEQUENCE_AXES = ("sequence", "step", "unit")


def _cell_sizes(ctx: Context) -> tuple[int, int]:
    """(I, H) with I != H, so that a transposed weight or a bound from the wrong size shows."""
    return 3 + ctx.seed % 3, 6 + ctx.seed % 2


def _seeded_grucell(ctx: Context, input_size: int, hidden_size: int) -> nn.GRUCell:
    """PyTorch's own cell with seeded weights and biases large enough that every term of §6 matters."""
    cell = nn.GRUCell(input_size, hidden_size)
    seed_parameters(ctx, cell, scale=1.0, bias_scale=0.5)
    return cell.to(ctx.device)


def _lengths(ctx: Context, count: int, longest: int) -> list[int]:
    """``count`` lengths in [1, longest], shuffled, with a sequence of length one and one of ``longest``."""
    lengths = [1, longest, *[ctx.random.randint(1, longest) for _ in range(count - 2)]]
    ctx.random.shuffle(lengths)
    return lengths


@probe
def cell(ctx: Context) -> dict[str, Any]:
    """GRUCell has nn.GRUCell's parameters and, with the same weights, computes the same next state."""
    gru_cell = ctx.student("gru_cell")
    input_size, hidden_size = _cell_sizes(ctx)
    batch, steps = 5, 4
    reference = _seeded_grucell(ctx, input_size, hidden_size)
    x, h = ctx.randn(batch, input_size), ctx.randn(batch, hidden_size)
    upstream = ctx.randn(batch, hidden_size)
    sequence, h0 = ctx.randn(batch, steps, input_size), ctx.randn(batch, hidden_size)
    mine = expect_type(gru_cell.GRUCell(input_size, hidden_size), nn.Module, f"GRUCell({input_size}, {hidden_size})")
    mine.to(ctx.device)
    found = once(lambda: parameters_by_name(mine, CELL_PARAMETERS))

    def loaded() -> dict[str, nn.Parameter]:
        """The student's parameters, holding the seeded nn.GRUCell's values (copied by name)."""
        parameters = found()
        with torch.no_grad():
            for name, parameter in parameters.items():
                value = getattr(reference, name)
                if parameter.shape != value.shape:
                    raise ProbeError(f"{name} has shape {tuple(parameter.shape)}, expected {tuple(value.shape)}")
                parameter.copy_(value)
        return parameters

    def ranges(after_reset: bool) -> list[str]:
        """Whether every parameter of a GRUCell(48, 12) fills (-1/sqrt(12), 1/sqrt(12)) and stays inside."""
        fresh = gru_cell.GRUCell(48, 12)
        parameters = parameters_by_name(fresh, CELL_PARAMETERS)
        if after_reset:
            with torch.no_grad():
                for parameter in parameters.values():
                    parameter.zero_()
            fresh.reset_parameters()
        return [describe_range(name, p, 12**-0.5) for name, p in parameters.items()]

    def gradients() -> dict[str, torch.Tensor]:
        parameters = loaded()
        x_, h_ = x.clone().requires_grad_(True), h.clone().requires_grad_(True)
        return backward_with(mine(x_, h_), upstream, {"x": x_, "h": h_, **parameters}, "GRUCell.forward")

    grads = once(gradients)

    def unrolled(step: nn.Module) -> torch.Tensor:
        """A trusted loop over the time axis, so this test reads the cell and nothing else."""
        states, state = [], h0
        for t in range(steps):
            state = step(sequence[:, t], state)
            states.append(expect_tensor(state, "GRUCell.forward", shape=(batch, hidden_size)))
        return named(torch.stack(states, dim=1), *SEQUENCE_AXES)

    def from_state_dict() -> nn.Module:
        """The handout's test: a fresh GRUCell loads an nn.GRUCell's state_dict as it is."""
        fresh = gru_cell.GRUCell(input_size, hidden_size).to(ctx.device)
        fresh.load_state_dict(reference.state_dict())
        return fresh

    def step(x: torch.Tensor, h: torch.Tensor) -> Any:
        """One call of the student's cell with the seeded weights."""
        loaded()
        return mine(x, h)

    return {
        **{name: partial(lambda n: found()[n].detach(), name) for name in CELL_PARAMETERS},
        "sizes": lambda: [mine.input_size, mine.hidden_size],
        "initial_ranges": lambda: ranges(after_reset=False),
        "ranges_after_reset_parameters": lambda: ranges(after_reset=True),
        "next_state": lambda: named(step(x, h), "row", "unit"),
        "next_state_of_one": lambda: step(x[:1], h[:1]),  # a batch of one stays (1, H)
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ["x", "h", *CELL_PARAMETERS]},
        "states_of_your_cell": lambda: unrolled(from_state_dict()),
        "states_of_nn_grucell": lambda: unrolled(reference),
    }


@probe
def unroll(ctx: Context) -> dict[str, Any]:
    """gru_forward unrolls a trusted nn.GRUCell: all the states, the last one, and gradients through time."""
    gru_forward = ctx.student("gru_cell").gru_forward
    input_size, hidden_size = _cell_sizes(ctx)
    batch, steps = 3, 4 + ctx.seed % 3
    trusted = _seeded_grucell(ctx, input_size, hidden_size)
    inputs, h0 = ctx.randn(batch, steps, input_size), ctx.randn(batch, hidden_size)
    upstream_states, upstream_last = ctx.randn(batch, steps, hidden_size), ctx.randn(batch, hidden_size)

    def run(inputs: torch.Tensor, h0: torch.Tensor) -> tuple[Any, Any]:
        result = gru_forward(trusted, inputs, h0)
        if type(result) not in (tuple, list) or len(result) != 2:
            raise ProbeError(f"gru_forward should return a pair (states, last), got {type(result).__name__}")
        return result[0], result[1]

    def gradients() -> dict[str, torch.Tensor]:
        """Backpropagation through time: from every state and the last one back to the inputs, h0 and weights."""
        inputs_, h0_ = inputs.clone().requires_grad_(True), h0.clone().requires_grad_(True)
        states, last = run(inputs_, h0_)
        states = expect_tensor(states, "gru_forward's states", shape=(batch, steps, hidden_size))
        last = expect_tensor(last, "gru_forward's last state", shape=(batch, hidden_size))
        output = torch.cat([states.flatten(), last.flatten()])
        upstream = torch.cat([upstream_states.flatten(), upstream_last.flatten()])
        tensors = {"inputs": inputs_, "h0": h0_, **{name: getattr(trusted, name) for name in CELL_PARAMETERS}}
        return backward_with(output, upstream, tensors, "gru_forward")

    everything = once(lambda: run(inputs, h0))
    one_step = once(lambda: run(inputs[:, :1], h0))
    one_sequence = once(lambda: run(inputs[:1], h0[:1]))
    no_steps = once(lambda: run(inputs[:, :0], h0))
    grads = once(gradients)
    return {
        "states": lambda: named(everything()[0], *SEQUENCE_AXES),
        "last": lambda: named(everything()[1], "sequence", "unit"),
        "states_of_one_step": lambda: one_step()[0],
        "last_of_one_step": lambda: one_step()[1],
        "states_of_one_sequence": lambda: one_sequence()[0],
        "last_of_one_sequence": lambda: one_sequence()[1],
        "states_of_no_steps": lambda: no_steps()[0],
        "last_of_no_steps": lambda: no_steps()[1],
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ["inputs", "h0", *CELL_PARAMETERS]},
    }


def _items(data: Any, count: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Every item of the student's dataset, checked to be a pair of plain tensors."""
    pairs = [data[i] for i in range(count)]
    if not all(type(item) in (tuple, list) and len(item) == 2 for item in pairs):
        raise ProbeError("dataset[i] should be a pair (ids, label)")
    return [(expect_tensor(ids, "dataset[i][0]"), expect_tensor(label, "dataset[i][1]")) for ids, label in pairs]


@probe
def dataset(ctx: Context) -> dict[str, Any]:
    """SequenceDataset holds id lists and labels; item i is (ids int64 (L_i,), label int64 ())."""
    gru_data = ctx.student("gru_data")
    count = 6 + ctx.seed % 4
    sequences = random_sequences(ctx, _lengths(ctx, count, 8), vocab_size=50, pad_id=-1)
    labels = ctx.randint(3, count).cpu().tolist()
    data = gru_data.SequenceDataset(sequences, labels)
    items = once(lambda: _items(data, count))
    return {
        "length": lambda: len(data),
        "length_of_one": lambda: len(gru_data.SequenceDataset(sequences[:1], labels[:1])),
        "first_ids": lambda: items()[0][0],
        "first_label": lambda: items()[0][1],
        "item_shapes": lambda: [[list(ids.shape), list(label.shape)] for ids, label in items()],
        "all_ids": lambda: torch.cat([ids.detach().cpu().flatten() for ids, _ in items()]),
        "labels": lambda: stack_tensors([label for _, label in items()], "dataset[i][1]"),
    }


def _collated(result: Any) -> tuple[Any, Any, Any]:
    """What collate returned, checked to be a triple, so that a wrong arity gets a clear message."""
    if type(result) not in (tuple, list) or len(result) != 3:
        raise ProbeError(f"collate should return a triple (ids, lengths, labels), got {type(result).__name__}")
    return result[0], result[1], result[2]


@probe
def collate_batch(ctx: Context) -> dict[str, Any]:
    """collate pads on the right with pad_id to the batch's longest sequence; lengths and labels, int64."""
    collate = ctx.student("gru_data").collate
    pad_id = 7 + ctx.seed  # never the default 0
    lengths = _lengths(ctx, 5, 6)
    sequences = random_sequences(ctx, lengths, vocab_size=20, pad_id=pad_id)
    labels = ctx.randint(3, len(sequences)).cpu().tolist()
    batch = [(torch.tensor(s), torch.tensor(y)) for s, y in zip(sequences, labels, strict=True)]
    longest = lengths.index(max(lengths))
    every = once(lambda: _collated(collate(batch, pad_id=pad_id)))
    one = once(lambda: _collated(collate(batch[longest : longest + 1], pad_id=pad_id)))
    return {
        "ids": lambda: named(every()[0], "sequence", "position"),
        "ids_with_default_pad_id": lambda: named(_collated(collate(batch))[0], "sequence", "position"),
        "ids_of_one": lambda: one()[0],
        "ids_of_length_one_sequences": lambda: _collated(collate([(s[:1], y) for s, y in batch], pad_id=pad_id))[0],
        "lengths": lambda: every()[1],
        "labels": lambda: every()[2],
        "lengths_of_one": lambda: one()[1],
        "labels_of_one": lambda: one()[2],
    }


@probe
def classifier(ctx: Context) -> dict[str, Any]:
    """GRUClassifier with seeded weights: logits read at each sequence's last real token, and their gradients."""
    vocab_size, embed_dim, hidden_size, classes = 16 + ctx.seed, 5, 6, 3
    pad_id = 1 + ctx.seed % 3  # never the default 0
    lengths = _lengths(ctx, 7, 7)
    sequences = random_sequences(ctx, lengths, vocab_size, pad_id)
    ids, lengths_ = (t.to(ctx.device) for t in pad_batch(sequences, pad_id))
    more_padding = torch.cat([ids, torch.full((len(sequences), 3), pad_id, device=ctx.device)], dim=1)
    upstream = ctx.randn(len(sequences), classes)
    model = ctx.student("gru_model").GRUClassifier(
        vocab_size, embed_dim, hidden_size, num_classes=classes, pad_id=pad_id, dropout=0.4
    )
    parts = classifier_parts(model)
    padding_idx = parts["embedding"].padding_idx
    pad_row = parts["embedding"].weight[pad_id].detach().clone()
    shapes = [[name, list(p.shape)] for name, p in model.named_parameters()]
    for name in ("embedding", "gru", "output"):  # in a fixed order, whatever order the student registered them
        seed_parameters(ctx, parts[name], scale=1.0, bias_scale=0.3)
    model.to(ctx.device).eval()  # dropout > 0 must do nothing in evaluation mode

    def logits(ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return expect_tensor(model(ids, lengths), "GRUClassifier.forward", shape=(len(ids), classes))

    def in_training_mode() -> torch.Tensor:
        """Dropout on the final state, with the global generator reset so that the mask is the reference's."""
        model.train()
        try:
            torch.manual_seed(ctx.seed)
            return logits(ids, lengths_)
        finally:
            model.eval()

    def one_at_a_time() -> torch.Tensor:
        rows = [logits(ids[i : i + 1, : lengths[i]], lengths_[i : i + 1]) for i in range(len(sequences))]
        return torch.cat(rows)

    def gradients() -> dict[str, torch.Tensor]:
        return backward_with(model(ids, lengths_), upstream, classifier_tensors(parts), "GRUClassifier.forward")

    grads = once(gradients)
    first = once(lambda: named(logits(ids, lengths_), "sequence", "class"))
    longest = lengths.index(max(lengths))
    return {
        "padding_idx": padding_idx,
        "pad_row_at_construction": pad_row,
        "parameter_shapes": shapes,
        "logits": first,
        "logits_of_one": lambda: logits(ids[longest : longest + 1], lengths_[longest : longest + 1]),
        "logits_in_training_mode": lambda: named(in_training_mode(), "sequence", "class"),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in classifier_tensors(parts)},
        "logits_with_more_padding": lambda: named(logits(more_padding, lengths_), "sequence", "class"),
        "logits_one_at_a_time": lambda: named(one_at_a_time(), "sequence", "class"),
        "logits_again": lambda: named(logits(ids, lengths_), "sequence", "class"),
    }


def _training_setup(ctx: Context, dropout: float) -> tuple[TrustedGRUClassifier, DataLoader]:
    """A trusted 3-class model and a loader of 9 padded sequences in batches of 4, 4 and 1."""
    vocab_size, pad_id, classes, rows = 12, 2 + ctx.seed % 3, 3, 9
    sequences = random_sequences(ctx, _lengths(ctx, rows, 6), vocab_size, pad_id)
    labels = ctx.randint(classes, rows).cpu().tolist()
    model = TrustedGRUClassifier(vocab_size, 5, 6, classes, pad_id, dropout)
    seed_parameters(ctx, model, scale=1.0, bias_scale=0.3)
    pairs = list(zip(sequences, labels, strict=True))
    loader = DataLoader(pairs, batch_size=4, shuffle=False, collate_fn=partial(trusted_collate, pad_id=pad_id))
    return model.to(ctx.device), loader


@probe
def train_epoch(ctx: Context) -> dict[str, Any]:
    """One epoch of the student's loop on a trusted model, with a max_norm that never clips."""
    model, loader = _training_setup(ctx, dropout=0.3)
    model.eval()  # train_epoch must switch to training mode itself
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer, model)
    max_norm = 1000.0 + ctx.seed  # far above every gradient norm here: these tests see unclipped gradients
    mean_loss = ctx.student("gru_model").train_epoch(model, loader, optimizer, max_norm=max_norm)
    return training_outputs(recorder, model, mean_loss)


@probe
def train_clipping(ctx: Context) -> dict[str, Any]:
    """One epoch with a max_norm below every batch's gradient norm: each step must see a clipped gradient.
    The norm of the gradient left after the epoch is read by no rule: it tells the feedback a gradient
    clipped after the step (clipped, but too late) from one never clipped."""
    model, loader = _training_setup(ctx, dropout=0.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer, model)
    max_norm = 0.05 + 0.01 * ctx.seed  # never the default 1.0
    ctx.student("gru_model").train_epoch(model, loader, optimizer, max_norm=max_norm)
    left = [p.grad.flatten() for p in model.parameters() if p.grad is not None]
    return {
        "gradient_norm_at_each_step": named(torch.linalg.vector_norm(recorder.gradients(), dim=1), "step"),
        "parameters": named(flat_parameters(model), parameter_blocks(model)),
        "gradient_norm_left": lambda: torch.linalg.vector_norm(torch.cat(left)),
    }


@probe
def predict(ctx: Context) -> dict[str, Any]:
    """predict on a trusted model with dropout, handed over in training mode."""
    vocab_size, pad_id, classes, rows = 20, 2, 3, 40
    sequences = random_sequences(ctx, _lengths(ctx, rows, 9), vocab_size, pad_id)
    ids, lengths = pad_batch(sequences, pad_id)
    model = TrustedGRUClassifier(vocab_size, 6, 8, classes, pad_id, dropout=0.5)
    seed_parameters(ctx, model, scale=1.0, bias_scale=0.3)
    model.to(ctx.device).train()  # predict must switch to evaluation mode itself
    predict = ctx.student("gru_model").predict
    one = lengths.tolist().index(1)
    return {
        "predictions": lambda: named(predict(model, ids, lengths), "sequence"),
        "prediction_of_one": lambda: predict(model, ids[one : one + 1, :1], lengths[one : one + 1]),
    }


@probe
def heldout_predictions(ctx: Context) -> dict[str, Any]:
    """The whole pipeline on the real reviews with the student's code; the held-out labels stay outside."""
    gru_data, gru_model = ctx.student("gru_data"), ctx.student("gru_model")
    vocab, sequences, labels = TRAIN.get()
    heldout = [encode(tokenize(text), vocab) for text in HELDOUT_TEXTS.get()]
    shuffle = torch.Generator().manual_seed(ctx.seed)
    train_data = gru_data.SequenceDataset(sequences, labels)
    loader = DataLoader(train_data, batch_size=64, shuffle=True, generator=shuffle, collate_fn=gru_data.collate)
    model = gru_model.GRUClassifier(len(vocab), 64, 64, dropout=0.2).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(4):
        gru_model.train_epoch(model, loader, optimizer, max_norm=1.0)
    heldout_data = gru_data.SequenceDataset(heldout, [0] * len(heldout))
    ids, lengths, _ = _collated(gru_data.collate([heldout_data[i] for i in range(len(heldout))]))
    return {"predictions": gru_model.predict(model, ids, lengths)}
