"""Probes of a4_char_rnn: each builds seeded inputs, calls one part of the student's code, returns raw data.

The training, sampling and perplexity probes use trusted parts of their own (the handout's vocabulary, a
known-good CharLM), so a wrong LSTMCell costs the cell tests only, a wrong CharLM the model tests only,
and a wrong train_chunk the training tests only. Outputs given as functions are computed one by one, so a
failing edge case (a text shorter than one window) does not cost the test of ordinary ones. Every random
draw happens before the first output is computed, so one failing output never shifts another's inputs.
The held-out probe returns only the trained parameters; its evaluation, where no student code runs,
reads the held-out passage.
"""

from __future__ import annotations

import copy
from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn

from autograder.probing.core import Context, DataFile, ProbeError, evaluation, expect_type, named, probe
from autograder.probing.grads import backward_with
from autograder.probing.lazy import field, once
from autograder.probing.optim import StepRecorder, training_outputs
from autograder.probing.params import (
    flat_parameters,
    load_trained,
    parameter_blocks,
    parameters_by_name,
    seed_parameters,
    trained_parameters,
)
from autograder.probing.tensors import expect_tensor

from .helpers import (
    UNK,
    FixedDistributionLM,
    TrustedCharLM,
    TrustedVocab,
    describe_range,
    entropy_of_counts,
    expect_pair,
    stream_chunks,
    trusted_perplexity,
    unigram_perplexity,
)

HERE = Path(__file__).resolve().parent
TRAIN = DataFile(HERE.parents[1] / "assignments" / "a4_char_rnn" / "data" / "train.txt", str)
HELDOUT = DataFile(HERE / "heldout" / "text.txt", str, hidden=True)
CELL_PARAMETERS = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
MODEL_PARTS = {"embedding": nn.Embedding, "lstm": nn.LSTM, "dropout": nn.Dropout, "output": nn.Linear}
TEMPERATURES = [0.25, 0.5, 1.0, 2.0, 4.0]
# The held-out perplexity to beat: the solution reaches 5.3 to 5.6 (seeds 0 to 3) with the recipe of
# heldout_training, and the context-free unigram baseline is 29.6; 7.0 leaves room for any correct loop.
PERPLEXITY_BOUND = 7.0
EMBED_DIM, HIDDEN_SIZE = 32, 128  # of the model that heldout_training trains


def _passage(ctx: Context, length: int) -> str:
    """A seeded passage of the training text."""
    text = TRAIN.get()
    start = ctx.random.randrange(len(text) - length)
    return text[start : start + length]


@probe
def vocab(ctx: Context) -> dict[str, Any]:
    """CharVocab on a passage: its size, the ids of the passage and of unseen characters, and decoding."""
    char_data = ctx.student("char_data")
    passage = _passage(ctx, 150 + 20 * ctx.seed)
    other = _passage(ctx, 60) + "~é{" + UNK  # characters the passage may lack, and some the text never has
    chars = char_data.CharVocab(passage)
    size = len(TrustedVocab(passage))
    ids = torch.randint(size, (40,), generator=torch.Generator().manual_seed(ctx.seed))

    def decoded(value: Any) -> str:
        return expect_type(chars.decode(value), str, "CharVocab.decode")

    return {
        "size": lambda: len(chars),
        "ids_of_text": lambda: expect_tensor(chars.encode(passage), "CharVocab.encode"),
        "ids_with_unknown": lambda: expect_tensor(chars.encode(other), "CharVocab.encode"),
        "decoded_list": lambda: decoded(ids.tolist()),
        "decoded_tensor": lambda: decoded(ids),
        "decoded_unknown": lambda: decoded(chars.encode(other)),
        "ids_of_empty_text": lambda: expect_tensor(chars.encode(""), "CharVocab.encode"),
        "decoded_nothing": lambda: decoded([]),
        "size_of_empty_vocabulary": lambda: len(char_data.CharVocab("")),
    }


def _window_items(data: Any, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every (x, y) of the student's dataset as two stacked int tensors (count, window)."""
    pairs = [expect_pair(data[i], f"CharWindows[{i}]") for i in range(count)]
    xs = [expect_tensor(x, "CharWindows[i][0]").detach().cpu() for x, _ in pairs]
    ys = [expect_tensor(y, "CharWindows[i][1]").detach().cpu() for _, y in pairs]
    if len({tuple(t.shape) for t in xs + ys}) > 1:
        raise ProbeError("every x and y of CharWindows should have the shape (window,)")
    return torch.stack(xs), torch.stack(ys)


@probe
def windows(ctx: Context) -> dict[str, Any]:
    """CharWindows with stride > 1: the number of windows, every (x, y), the last window, short texts."""
    windows_class = ctx.student("char_data").CharWindows
    window, stride = 5 + ctx.seed % 3, 2 + ctx.seed % 2  # stride > 1 and != window
    count = 6 + ctx.seed
    exact = window + 1 + (count - 1) * stride  # the last window ends on the last id
    ids = ctx.randint(50, exact + stride - 1).cpu()  # a few ids more, too few for another window
    data = windows_class(ids, window, stride)
    fitting = windows_class(ids[:exact], window, stride)
    items = once(lambda: _window_items(data, len(data)))
    last = once(lambda: expect_pair(fitting[len(fitting) - 1], "CharWindows[len - 1]"))
    one = once(lambda: _window_items(windows_class(ids[: window + 1], window, stride), 1))
    return {
        "length": lambda: len(data),
        "length_when_the_last_window_ends_the_text": lambda: len(fitting),
        "length_of_window_plus_one_ids": lambda: len(windows_class(ids[: window + 1], window, stride)),
        "length_of_text_shorter_than_a_window": lambda: len(windows_class(ids[:window], window, stride)),
        "length_of_empty_text": lambda: len(windows_class(ids[:0], window, stride)),
        "inputs": lambda: named(items()[0], "window", "position"),
        "targets": lambda: named(items()[1], "window", "position"),
        "last_input": lambda: expect_tensor(last()[0], "CharWindows[len - 1][0]"),
        "last_target": lambda: expect_tensor(last()[1], "CharWindows[len - 1][1]"),
        "inputs_of_one_window": lambda: one()[0],
        "targets_of_one_window": lambda: one()[1],
    }


def _cell_sizes(ctx: Context) -> tuple[int, int]:
    """(I, H) with I != H, so that a transposed weight or a bound from the wrong size shows."""
    return 3 + ctx.seed % 3, 5 + ctx.seed % 2


@probe
def cell(ctx: Context) -> dict[str, Any]:
    """LSTMCell has nn.LSTMCell's parameters and, with the same weights, computes the same (h, c)."""
    lstm_cell = ctx.student("lstm_cell")
    input_size, hidden_size = _cell_sizes(ctx)
    batch, steps = 4, 4
    reference = nn.LSTMCell(input_size, hidden_size)
    seed_parameters(ctx, reference, scale=1.0, bias_scale=0.5)
    reference.to(ctx.device)
    x, h, c = ctx.randn(batch, input_size), ctx.randn(batch, hidden_size), 2 * ctx.randn(batch, hidden_size)
    upstream_h, upstream_c = ctx.randn(batch, hidden_size), ctx.randn(batch, hidden_size)
    sequence = ctx.randn(steps, batch, input_size)
    mine = expect_type(lstm_cell.LSTMCell(input_size, hidden_size), nn.Module, "LSTMCell(...)").to(ctx.device)
    found = once(lambda: parameters_by_name(mine, CELL_PARAMETERS))

    def load() -> dict[str, nn.Parameter]:
        """The student's parameters, holding the seeded nn.LSTMCell's values (copied by name, once)."""
        parameters = found()
        with torch.no_grad():
            for name, parameter in parameters.items():
                value = getattr(reference, name)
                if parameter.shape != value.shape:
                    raise ProbeError(f"{name} has shape {tuple(parameter.shape)}, expected {tuple(value.shape)}")
                parameter.copy_(value)
        return parameters

    loaded = once(load)

    def step(x: torch.Tensor, state: Any) -> tuple[torch.Tensor, torch.Tensor]:
        """One call of the student's cell with the seeded weights; (h', c') checked to be (B, H) tensors."""
        loaded()
        h_next, c_next = expect_pair(mine(x, state), "LSTMCell.forward")
        shape = (x.shape[0], hidden_size)
        return expect_tensor(h_next, "LSTMCell's h", shape), expect_tensor(c_next, "LSTMCell's c", shape)

    def ranges(after_reset: bool) -> list[str]:
        """Whether every parameter of an LSTMCell(40, 9) fills (-1/3, 1/3) and stays inside."""
        fresh = lstm_cell.LSTMCell(40, 9)
        parameters = parameters_by_name(fresh, CELL_PARAMETERS)
        if after_reset:
            with torch.no_grad():
                for parameter in parameters.values():
                    parameter.zero_()
            fresh.reset_parameters()
        return [describe_range(name, p, 9**-0.5) for name, p in parameters.items()]

    def gradients() -> dict[str, torch.Tensor]:
        x_, h_, c_ = (t.clone().requires_grad_(True) for t in (x, h, c))
        h_next, c_next = step(x_, (h_, c_))
        output, upstream = torch.cat([h_next, c_next]), torch.cat([upstream_h, upstream_c])
        return backward_with(output, upstream, {"x": x_, "h": h_, "c": c_, **loaded()}, "LSTMCell.forward")

    def unrolled(one_step: nn.Module) -> torch.Tensor:
        """A trusted loop over time from the zero state, so this test reads the cell and nothing else."""
        states, state = [], None
        for t in range(steps):
            state = expect_pair(one_step(sequence[t], state), "LSTMCell.forward")
            states.append(torch.stack([expect_tensor(s, "LSTMCell.forward", (batch, hidden_size)) for s in state]))
        return named(torch.stack(states).detach(), "step", "h_or_c", "row", "unit")

    def from_state_dict() -> nn.Module:
        """The handout's test: a fresh LSTMCell loads an nn.LSTMCell's state_dict as it is."""
        fresh = lstm_cell.LSTMCell(input_size, hidden_size).to(ctx.device)
        fresh.load_state_dict(reference.state_dict())
        return fresh

    grads = once(gradients)
    both = once(lambda: step(x, (h, c)))
    return {
        **{name: partial(lambda n: found()[n].detach(), name) for name in CELL_PARAMETERS},
        "sizes": lambda: [mine.input_size, mine.hidden_size],
        "initial_ranges": lambda: ranges(after_reset=False),
        "ranges_after_reset_parameters": lambda: ranges(after_reset=True),
        "h_next": lambda: named(both()[0], "row", "unit"),
        "c_next": lambda: named(both()[1], "row", "unit"),
        "h_and_c_of_one": lambda: torch.stack(step(x[:1], (h[:1], c[:1]))),  # a batch of one stays (1, H)
        "h_and_c_from_no_state": lambda: torch.stack(step(x, None)),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ["x", "h", "c", *CELL_PARAMETERS]},
        "states_of_your_cell": lambda: unrolled(from_state_dict()),
        "states_of_nn_lstmcell": lambda: unrolled(reference),
    }


def _model_parts(model: Any) -> dict[str, nn.Module]:
    """The four submodules the handout asks for, or a ProbeError that names the missing one."""
    expect_type(model, nn.Module, "CharLM(...)")
    parts = {}
    for name, kind in MODEL_PARTS.items():
        part = getattr(model, name, None)
        if not isinstance(part, kind):
            raise ProbeError(f"CharLM should have self.{name}, an nn.{kind.__name__} (handout §5)")
        parts[name] = part
    return parts


def _forward(
    model: nn.Module, x: torch.Tensor, state: Any, layers: int, hidden: int, vocab: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The student's logits (B, T, V) and final h and c (L, B, H), checked to be plain tensors of those shapes."""
    logits, state = expect_pair(model(x, state), "CharLM.forward")
    h, c = expect_pair(state, "CharLM's state")
    batch, steps = x.shape
    expect_tensor(logits, "CharLM's logits", (batch, steps, vocab))
    for name, tensor in (("h", h), ("c", c)):
        expect_tensor(tensor, f"CharLM's state {name}", (layers, batch, hidden))
    return logits, h, c


def _flat(logits: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """Logits, h and c in one tensor: logits flattened, then h, then c."""
    return torch.cat([logits.flatten(), h.flatten(), c.flatten()])


@probe
def model(ctx: Context) -> dict[str, Any]:
    """CharLM with two layers, seeded weights and dropout: logits, state, their shapes and gradients."""
    vocab_size, embed_dim, hidden_size, layers = 11 + ctx.seed, 4, 6, 2
    batch, steps = 3, 5 + ctx.seed % 2
    x = ctx.randint(vocab_size, batch, steps)
    state = (ctx.randn(layers, batch, hidden_size), ctx.randn(layers, batch, hidden_size))
    lm = ctx.student("char_model").CharLM(vocab_size, embed_dim, hidden_size, num_layers=layers, dropout=0.4)
    parts = _model_parts(lm)
    for name in MODEL_PARTS:  # in a fixed order, whatever order the student registered them
        seed_parameters(ctx, parts[name], scale=1.0, bias_scale=0.3)
    upstream = ctx.randn(batch * steps * vocab_size + 2 * layers * batch * hidden_size)
    lm.to(ctx.device).eval()  # dropout > 0 must do nothing in evaluation mode
    forward = partial(_forward, lm, layers=layers, hidden=hidden_size, vocab=vocab_size)
    split = steps // 2

    def run(x: torch.Tensor, state: Any) -> torch.Tensor:
        return _flat(*forward(x, state))

    def split_in_two() -> torch.Tensor:
        """The first steps, then the rest from the state they returned: the same as one call."""
        _, h, c = forward(x[:, :split], state)
        return run(x[:, split:], (h, c))

    def rest_of_one_call() -> torch.Tensor:
        logits, h, c = forward(x, state)
        return _flat(logits[:, split:], h, c)

    def in_training_mode() -> torch.Tensor:
        """Dropout on the LSTM's outputs, with the global generator reset so that the mask is the reference's."""
        lm.train()
        try:
            torch.manual_seed(ctx.seed)
            return run(x, state)
        finally:
            lm.eval()

    def gradients() -> dict[str, torch.Tensor]:
        tensors = {f"{part}_{name}": p for part in MODEL_PARTS for name, p in parts[part].named_parameters()}
        return backward_with(run(x, state), upstream, tensors, "CharLM.forward")

    whole = once(lambda: run(x, state))
    return {
        "parameter_shapes": sorted([name, list(p.shape)] for name, p in lm.named_parameters()),
        "logits_and_state": whole,
        "logits_and_state_from_no_state": lambda: run(x, None),
        "logits_and_state_of_one": lambda: run(x[:1], (state[0][:, :1], state[1][:, :1])),
        "logits_and_state_of_one_step": lambda: run(x[:, :1], state),
        "later_logits_and_state_in_two_calls": split_in_two,
        "later_logits_and_state_in_one_call": rest_of_one_call,
        "logits_and_state_in_training_mode": in_training_mode,
        "gradients": lambda: torch.cat([g.flatten() for g in gradients().values()]),
    }


def _training_setup(
    ctx: Context, dropout: float, gradient_gain: float = 1.0
) -> tuple[TrustedCharLM, list[tuple[torch.Tensor, torch.Tensor]]]:
    """A trusted CharLM with seeded weights and two consecutive chunks (B = 3, T = 4 or 5) of a random text."""
    vocab_size, batch, window = 9 + ctx.seed, 3, 4 + ctx.seed % 2
    lm = TrustedCharLM(vocab_size, 4, 5, dropout, gradient_gain)
    seed_parameters(ctx, lm, scale=1.0, bias_scale=0.3)
    ids = ctx.randint(vocab_size, batch * (2 * window + 1))
    return lm.to(ctx.device), stream_chunks(ids, batch, window)


def _state_as_tensor(state: Any, what: str) -> torch.Tensor:
    """A returned (h, c) of (1, B, H) tensors, stacked to (2, B, H)."""
    h, c = expect_pair(state, what)
    return torch.stack([expect_tensor(h, what), expect_tensor(c, what)])[:, 0].detach().cpu()


@probe
def training(ctx: Context) -> dict[str, Any]:
    """Two chunks of truncated BPTT on a trusted model, from a state that requires a gradient."""
    train_chunk = ctx.student("char_model").train_chunk
    lm, chunks = _training_setup(ctx, dropout=0.3)
    fresh = copy.deepcopy(lm)
    h0, c0 = ctx.randn(1, 3, 5).requires_grad_(True), ctx.randn(1, 3, 5).requires_grad_(True)
    lm.eval()  # train_chunk must switch to training mode itself
    optimizer = torch.optim.SGD(lm.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer, lm)
    clip = 1000.0 + ctx.seed  # far above every gradient norm here: these tests see unclipped gradients
    grads_of_h0: list[torch.Tensor] = []
    losses, returned = [], []
    state: Any = (h0, c0)
    for chunk in chunks:
        loss, state = expect_pair(train_chunk(lm, chunk, state, optimizer, clip), "train_chunk")
        losses.append(loss)
        returned.append(_state_as_tensor(state, "train_chunk's state"))
        grads_of_h0.append(h0.grad.detach().clone() if h0.grad is not None else torch.zeros_like(h0))
    fresh_optimizer = torch.optim.SGD(fresh.parameters(), lr=0.5)
    loss_from_no_state = once(
        lambda: expect_pair(train_chunk(fresh, chunks[0], None, fresh_optimizer, clip), "train_chunk")[0]
    )
    return {
        **training_outputs(recorder, lm, lambda: [float(expect_type(x, (float, int), "the loss")) for x in losses]),
        "states_received": named(torch.stack(lm.received), "chunk", "h_or_c", "row", "unit"),
        "state_received_by_chunk_2": lm.received[1],
        "state_returned_by_chunk_1": returned[0],
        "states_returned": named(torch.stack(returned), "chunk", "h_or_c", "row", "unit"),
        "grad_of_first_state_after_chunk_1": grads_of_h0[0],
        "grad_of_first_state_after_chunk_2": grads_of_h0[1],
        "loss_from_no_state": loss_from_no_state,
        "state_received_from_no_state": lambda: (loss_from_no_state(), fresh.received[0])[1],
    }


@probe
def clipping(ctx: Context) -> dict[str, Any]:
    """Two chunks with a clip below every gradient norm: each step must see a clipped gradient. The
    gradients are ten times their size (norms of about 2.5 to 5.5), so that a clip hard-coded to 1.0 acts
    and shows. The norm of the gradient left after the last step is read by no rule: it tells the
    feedback a gradient clipped after the step (clipped, but too late) from one never clipped."""
    train_chunk = ctx.student("char_model").train_chunk
    lm, chunks = _training_setup(ctx, dropout=0.0, gradient_gain=10.0)
    optimizer = torch.optim.SGD(lm.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer, lm)
    clip = 0.05 + 0.01 * ctx.seed  # never a round default
    state = None
    for chunk in chunks:
        _, state = expect_pair(train_chunk(lm, chunk, state, optimizer, clip), "train_chunk")
    left = [p.grad.flatten() for p in lm.parameters() if p.grad is not None]
    return {
        "gradient_norm_at_each_step": named(torch.linalg.vector_norm(recorder.gradients(), dim=1), "step"),
        "parameters": named(flat_parameters(lm), parameter_blocks(lm)),
        "gradient_norm_left": lambda: torch.linalg.vector_norm(torch.cat(left)),
    }


def _trusted_model(ctx: Context, vocab_size: int, dropout: float) -> TrustedCharLM:
    """A seeded trusted CharLM, handed over in training mode: the student's function must switch."""
    lm = TrustedCharLM(vocab_size, 8, 16, dropout)
    seed_parameters(ctx, lm, scale=2.0, bias_scale=0.5)
    return lm.to(ctx.device).train()


@torch.no_grad()
def _greedy(lm: nn.Module, chars: TrustedVocab, prompt: str, length: int) -> str:
    """The most likely next character, again and again, by the trusted model itself."""
    lm.eval()
    ids = chars.encode(prompt).to(next(lm.parameters()).device).unsqueeze(0)
    logits, state = lm(ids)
    picked = []
    for _ in range(length):
        picked.append(logits[0, -1].argmax().view(1, 1))
        logits, state = lm(picked[-1], state)
    return chars.decode([int(i) for i in picked])


@probe
def sampling(ctx: Context) -> dict[str, Any]:
    """sample on a trusted model: greedy at temperature 0, reproducible draws from a generator, and how
    the temperature reshapes a fixed distribution, counted over many draws."""
    sample = ctx.student("char_model").sample
    passage = _passage(ctx, 400)
    chars = TrustedVocab(passage)
    lm = _trusted_model(ctx, len(chars), dropout=0.5)
    prompt, length = passage[:12], 40 + 5 * ctx.seed
    temperature = 0.7 + 0.1 * ctx.seed
    fixed = FixedDistributionLM(ctx.randn(len(chars)) * 1.5).to(ctx.device)

    def drawn(model: nn.Module, prompt: str, length: int, temperature: float, seed: int) -> str:
        model.train()  # handed over in training mode every time: sample must switch to evaluation mode
        generator = torch.Generator().manual_seed(seed)
        text = expect_type(sample(model, chars, prompt, length, temperature, generator), str, "sample(...)")
        if len(text) != length:
            raise ProbeError(f"sample(..., length={length}, ...) returned {len(text)} characters")
        return text

    return {
        "greedy": lambda: drawn(lm, prompt, length, 0.0, ctx.seed),
        "greedy_by_argmax": lambda: _greedy(lm, chars, prompt, length),
        "sampled": lambda: drawn(lm, prompt, length, temperature, 100 + ctx.seed),
        "sampled_again_with_the_same_seed": lambda: drawn(lm, prompt, length, temperature, 100 + ctx.seed),
        "sampled_from_a_prompt_of_one": lambda: drawn(lm, prompt[-1], 10, temperature, 200 + ctx.seed),
        "sampled_nothing": lambda: drawn(lm, prompt, 0, temperature, ctx.seed),
        "entropy_as_temperature_rises": lambda: [
            entropy_of_counts(drawn(fixed, prompt[:1], 1500, t, 300 + ctx.seed)) for t in TEMPERATURES
        ],
    }


@probe
def perplexity(ctx: Context) -> dict[str, Any]:
    """perplexity on a trusted model with dropout, handed over in training mode; and on a uniform model."""
    measure = ctx.student("char_model").perplexity
    vocab_size = 13 + ctx.seed
    lm = _trusted_model(ctx, vocab_size, dropout=0.5)
    ids = ctx.randint(vocab_size, 30 + ctx.seed).cpu()
    uniform = _trusted_model(ctx, vocab_size, dropout=0.0)
    with torch.no_grad():
        uniform.output.weight.zero_()
        uniform.output.bias.zero_()

    def value(model: nn.Module, ids: torch.Tensor) -> float:
        model.train()  # handed over in training mode every time: perplexity must switch to evaluation mode
        result = measure(model, ids)
        if type(result) is torch.Tensor and result.numel() == 1:
            result = result.item()
        return float(expect_type(result, (float, int), "perplexity(...)"))

    return {
        "perplexity": lambda: value(lm, ids),
        "perplexity_of_two_characters": lambda: value(lm, ids[:2]),
        "perplexity_of_a_uniform_model": lambda: value(uniform, ids),
    }


@probe
def heldout_training(ctx: Context) -> dict[str, Any]:
    """The student's CharLM trained by the student's train_chunk on the shipped text (trusted vocabulary
    and chunks). Its trained parameters go to the evaluation below: this process never sees the
    held-out passage."""
    char_model = ctx.student("char_model")
    chars = TrustedVocab(TRAIN.get())
    torch.manual_seed(ctx.seed)
    lm = char_model.CharLM(len(chars), EMBED_DIM, HIDDEN_SIZE).to(ctx.device)
    optimizer = torch.optim.Adam(lm.parameters(), lr=8e-3)
    chunks = stream_chunks(chars.encode(TRAIN.get()), batch_size=32, window=64)
    for _ in range(4):
        state = None
        for x, y in chunks:
            batch = (x.to(ctx.device), y.to(ctx.device))
            _, state = expect_pair(char_model.train_chunk(lm, batch, state, optimizer, 1.0), "train_chunk")
    _model_parts(lm)
    return trained_parameters(lm)


@evaluation(of=heldout_training)
def heldout_evaluation(ctx: Context, trained: dict[str, Any]) -> dict[str, Any]:
    """The trained parameters in the handout's CharLM, run by trusted code on the held-out passage:
    next-character predictions, and its perplexity beside the unigram baseline and the bound."""
    text = TRAIN.get()
    chars = TrustedVocab(text)
    train_ids, heldout_ids = chars.encode(text), chars.encode(HELDOUT.get())
    lm = load_trained(TrustedCharLM(len(chars), EMBED_DIM, HIDDEN_SIZE, dropout=0.0), trained).to(ctx.device).eval()
    with torch.no_grad():
        logits = lm(heldout_ids[:-1].view(1, -1).to(ctx.device))[0][0].float().cpu()  # (N - 1, V)
    targets = heldout_ids[1:]
    return {
        "predictions": logits.argmax(dim=-1),
        "perplexity_unigram_bound_yours": [
            unigram_perplexity(train_ids, targets, len(chars)),
            PERPLEXITY_BOUND,
            trusted_perplexity(logits, targets),
        ],
    }
