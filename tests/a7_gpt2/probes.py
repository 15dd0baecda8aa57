"""Probes of a7_gpt2: each builds seeded inputs, calls one part of the student's code, returns raw data.

The real GPT-2 tokenizer and the kit's tiny pre-trained GPT-2 are loaded once in the warm worker; each
probe works on its own copy. The step, schedule and decoding probes use trusted versions of the other
parts (helpers.py): a wrong collate costs the collate tests only, a wrong filter_logits the filtering
tests only (sample runs with the trusted filter in its place). Every random draw happens before the
first output is computed, so one failing output never shifts the inputs of another.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader

from autograder.probing.core import Context, DataFile, ProbeError, evaluation, expect_type, named, probe
from autograder.probing.lazy import field, once
from autograder.probing.optim import StepRecorder
from autograder.probing.params import flat_parameters, load_trained, parameter_blocks, trained_parameters
from autograder.probing.tensors import expect_tensor

from .helpers import (
    DATA,
    IGNORE_INDEX,
    MODEL_DIR,
    TOKENIZER_DIR,
    expect_batch,
    expect_number,
    fresh_copy,
    load_pretrained,
    load_tokenizer,
    random_blocks,
    shifted_cross_entropy,
    stream_blocks,
    tiny_model,
    trusted_collate,
    trusted_filter,
    trusted_groups,
    trusted_warmup,
)

HERE = Path(__file__).resolve().parent
TOKENIZER = DataFile(TOKENIZER_DIR / "vocab.json", load_tokenizer)
PRETRAINED = DataFile(MODEL_DIR / "config.json", load_pretrained)
SONNETS = DataFile(DATA / "sonnets.txt", lambda text: text.strip().split("\n\n"))
HELDOUT = DataFile(HERE / "heldout" / "sonnets.txt", lambda text: text.strip().split("\n\n"), hidden=True)
HELDOUT_BLOCK = 64  # as build_data.py, which wrote the labels
HELDOUT_BATCH = 4
BATCH_KEYS = ("input_ids", "attention_mask", "labels")


def _opening_lines(ctx: Context, count: int) -> list[str]:
    """The first one to three lines of ``count`` seeded sonnets: short documents of different lengths."""
    sonnets = ctx.sample(SONNETS.get(), count)
    return ["\n".join(sonnet.splitlines()[: 1 + ctx.random.randint(0, 2)]) for sonnet in sonnets]


def _blocks(data: Any, what: str) -> list[list[int]]:
    """Every item of the student's dataset, checked to be a 1-D int64 tensor, as lists of ids."""
    items = [expect_tensor(data[i], f"{what}[{i}]") for i in range(len(data))]
    for i, item in enumerate(items):
        if item.dim() != 1 or item.dtype != torch.int64:
            raise ProbeError(f"{what}[{i}] should be a 1-D int64 tensor, got {item.dtype} {tuple(item.shape)}")
    return [item.tolist() for item in items]


@probe
def dataset(ctx: Context) -> dict[str, Any]:
    """LMDataset on the real tokenizer: documents joined by <|endoftext|>, cut into blocks."""
    lm_data, tokenizer = ctx.student("lm_data"), TOKENIZER.get()
    texts = _opening_lines(ctx, 3 + ctx.seed % 2)
    block_size = 11 + 2 * ctx.seed  # never a divisor of the stream's length here

    def build(texts: list[str], block_size: int) -> Any:
        return lm_data.LMDataset(texts, tokenizer, block_size)

    data = once(lambda: build(texts, block_size))
    return {
        "length": lambda: len(data()),
        "blocks": lambda: _blocks(data(), "dataset"),
        "first_block": lambda: data()[0],
        "blocks_of_one_short_text": lambda: _blocks(build(texts[:1], 200), "LMDataset([text], tokenizer, 200)"),
        "blocks_of_exact_fit": lambda: _blocks(build(["Hello world"], 3), 'LMDataset(["Hello world"], tokenizer, 3)'),
        "blocks_of_size_one": lambda: _blocks(build(texts[:1], 1), "LMDataset([text], tokenizer, 1)"),
        "blocks_with_an_empty_text": lambda: _blocks(build([texts[0], "", texts[1]], block_size), "dataset"),
        "length_of_no_text": lambda: len(build([], block_size)),
    }


@probe
def collate_batch(ctx: Context) -> dict[str, Any]:
    """collate pads on the right with pad_id; the mask marks real tokens; labels are the ids with -100
    on padding, not shifted. pad_id is the end-of-text id, which also occurs inside the blocks."""
    collate = ctx.student("lm_data").collate
    eos = 50256
    lengths = [5 + ctx.seed % 3, 9, 1, 7, 3]
    ctx.random.shuffle(lengths)
    batch = random_blocks(ctx, lengths, 50257, eos)
    longest = lengths.index(max(lengths))
    other_pad = 3 + ctx.seed

    def run(blocks: list[torch.Tensor], pad_id: int) -> dict[str, torch.Tensor]:
        return expect_batch(collate([b.clone() for b in blocks], pad_id), "collate")

    every = once(lambda: run(batch, eos))
    one = once(lambda: run(batch[longest : longest + 1], eos))
    return {
        **{key: field(every, key) for key in BATCH_KEYS},
        "input_ids_with_another_pad_id": lambda: run(batch, other_pad)["input_ids"],
        "labels_with_another_pad_id": lambda: run(batch, other_pad)["labels"],
        **{f"{key}_of_one": field(one, key) for key in BATCH_KEYS},
        "labels_of_length_one_blocks": lambda: run([b[:1] for b in batch], eos)["labels"],
    }


def _groups_of(groups: Any, model: torch.nn.Module) -> list[list[Any]]:
    """[name, weight decay] of every parameter, as AdamW built from the student's groups applies it
    (a group without "weight_decay" gets AdamW's default, a sentinel here)."""
    groups = expect_type(groups, list, "parameter_groups")
    if not all(type(group) is dict and "params" in group for group in groups):
        raise ProbeError('parameter_groups should return a list of dicts, each with "params"')
    optimizer = torch.optim.AdamW(groups, lr=1e-3, weight_decay=0.777)
    names = {id(p): name for name, p in model.named_parameters()}
    decay: dict[str, float] = {}
    for group in optimizer.param_groups:
        for parameter in group["params"]:
            name = names.get(id(parameter))
            if name is None:
                raise ProbeError("parameter_groups returned a tensor that is not a parameter of the model")
            decay[name] = float(group["weight_decay"])
    missing = [name for name in names.values() if name not in decay]
    if missing:
        raise ProbeError(f"parameter_groups left out {', '.join(missing)}")
    return [[name, decay[name]] for name in names.values()]


@probe
def groups(ctx: Context) -> dict[str, Any]:
    """parameter_groups on GPT-2 models: decay on matrices and embeddings, none on biases and LayerNorm."""
    parameter_groups = ctx.student("lm_train").parameter_groups
    model = tiny_model(ctx, dropout=0.0)
    weight_decay = 0.05 + 0.01 * ctx.seed  # never a default
    pretrained = PRETRAINED.get()
    return {
        "weight_decay_of_each_parameter": lambda: _groups_of(parameter_groups(model, weight_decay), model),
        "weight_decay_of_the_pretrained_model": lambda: _groups_of(parameter_groups(pretrained, 0.1), pretrained),
    }


@probe
def schedule(ctx: Context) -> dict[str, Any]:
    """warmup_linear from step 0 to past the end, with and without warmup."""
    warmup_linear = ctx.student("lm_train").warmup_linear
    warmup, total = 3 + ctx.seed, 10 + 2 * ctx.seed

    def values(warmup: int, total: int) -> list[float]:
        return [expect_number(warmup_linear(s, warmup, total), "warmup_linear") for s in range(total + 3)]

    return {
        "multipliers": lambda: values(warmup, total),
        "multipliers_without_warmup": lambda: values(0, total),
        "multipliers_all_warmup": lambda: values(total, total),
        "multiplier_at_step_0": lambda: expect_number(warmup_linear(0, warmup, total), "warmup_linear"),
        "multiplier_at_the_end": lambda: expect_number(warmup_linear(total, warmup, total), "warmup_linear"),
    }


@probe
def step_loss(ctx: Context) -> dict[str, Any]:
    """fine_tune_step's loss on a model without dropout (SGD with lr 0: the weights stay), against the
    model's own loss and the shifted cross-entropy written out."""
    fine_tune_step = ctx.student("lm_train").fine_tune_step
    model = tiny_model(ctx, dropout=0.0)
    vocab, eos = model.config.vocab_size, model.config.vocab_size - 1
    batch = trusted_collate(random_blocks(ctx, [6, 9 + ctx.seed % 4, 4], vocab, eos), eos)
    one = trusted_collate(random_blocks(ctx, [7], vocab, eos), eos)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)

    def loss_of(batch: dict[str, torch.Tensor]) -> float:
        return expect_number(fine_tune_step(model, dict(batch), optimizer, scheduler, 1.0), "fine_tune_step")

    def written_out(batch: dict[str, torch.Tensor]) -> list[float]:
        with torch.no_grad():
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits
            own = model(**batch).loss
        return [float(shifted_cross_entropy(logits, batch["labels"])), float(own)]

    return {
        "losses": lambda: [loss_of(batch), loss_of(one)],
        "losses_of_your_step": lambda: [loss_of(batch), loss_of(batch), loss_of(one), loss_of(one)],
        "shifted_cross_entropy_and_model_loss": lambda: [*written_out(batch), *written_out(one)],
    }


class LearningRates:
    """The learning rate of each group at each optimizer.step(), through a step pre-hook."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.rows: list[list[float]] = []
        optimizer.register_step_pre_hook(self._record)

    def _record(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        self.rows.append([group["lr"] for group in optimizer.param_groups])


@probe
def step(ctx: Context) -> dict[str, Any]:
    """Three calls of fine_tune_step on a trusted GPT-2 with dropout, handed over in evaluation mode with
    stale gradients, AdamW on trusted groups, a trusted warmup schedule and a max norm that clips."""
    fine_tune_step = ctx.student("lm_train").fine_tune_step
    model = tiny_model(ctx, dropout=0.2)
    vocab, eos = model.config.vocab_size, model.config.vocab_size - 1
    batches = [trusted_collate(random_blocks(ctx, lengths, vocab, eos), eos) for lengths in ([5, 8, 3], [7, 7], [6])]
    for parameter in model.parameters():
        parameter.grad = ctx.randn(*parameter.shape)  # stale: fine_tune_step must zero them first
    model.eval()
    optimizer = torch.optim.AdamW(trusted_groups(model, 0.1), lr=0.05)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, partial(trusted_warmup, warmup_steps=1, total_steps=4))
    recorder, rates = StepRecorder(optimizer, model), LearningRates(optimizer)
    max_grad_norm = 0.3 + 0.05 * ctx.seed  # below every gradient norm here: clipping acts at each step

    def run() -> list[float]:
        torch.manual_seed(ctx.seed)  # the dropout masks of the reference
        losses = [fine_tune_step(model, dict(batch), optimizer, scheduler, max_grad_norm) for batch in batches]
        return [expect_number(loss, "fine_tune_step") for loss in losses]

    losses = once(run)
    blocks = parameter_blocks(model)

    def after(read: Any) -> Any:
        return lambda: (losses(), read())[1]

    return {
        "losses": losses,
        "step_gradients": after(lambda: named(recorder.gradients(), "step", blocks)),
        "gradient_norm_at_each_step": after(
            lambda: named(torch.linalg.vector_norm(recorder.gradients(), dim=1), "step")
        ),
        "training_mode_at_each_step": after(lambda: recorder.training),
        "learning_rate_at_each_step": after(lambda: rates.rows),
        "learning_rate_after_the_calls": after(lambda: scheduler.get_last_lr()),
        "parameters": after(lambda: named(flat_parameters(model), blocks)),
    }


def _masks(filtered: Any, logits: torch.Tensor, what: str) -> torch.Tensor:
    """Which tokens ``filter_logits`` kept (B, V) bool, after checking that it returned a new float
    tensor of the logits' shape, equal to them where kept and -inf elsewhere."""
    filtered = expect_tensor(filtered, what, shape=tuple(logits.shape))
    if not filtered.is_floating_point():
        raise ProbeError(f"{what} should return floating-point logits, got {filtered.dtype}")
    kept = filtered != float("-inf")
    if not torch.equal(filtered[kept], logits[kept]):
        raise ProbeError(f"{what} changed the logits it keeps: they must stay as they were")
    return kept.cpu()


@probe
def filtering(ctx: Context) -> dict[str, Any]:
    """filter_logits's masks: top-k and top-p alone and together, ties, the cases that keep one token or
    every token; the input is left as it was."""
    filter_logits = ctx.student("lm_decode").filter_logits
    vocab = 12 + ctx.seed
    logits = ctx.randn(5, vocab) * 2
    k = 3 + ctx.seed % 3
    tied = logits.clone()
    top = logits.max(dim=-1, keepdim=True).values
    tied[:, 0:1], tied[:, 1:4] = top + 1.0, top + 0.5  # the largest, then three equal logits (ranks 2 to 4)
    order = ctx.random.sample(range(vocab), vocab)
    spread = torch.linspace(0.0, -100.0, vocab, device=ctx.device)[order].expand(2, vocab)  # tiny probabilities
    original = logits.clone()

    def mask(logits: torch.Tensor, **options: Any) -> torch.Tensor:
        described = ", ".join(f"{key}={value}" for key, value in options.items())
        kept = _masks(filter_logits(logits, **options), logits, f"filter_logits(logits, {described})")
        return named(kept, "row", "token")

    return {
        "top_k": lambda: mask(logits, top_k=k, top_p=1.0),
        "top_k_of_one": lambda: mask(logits, top_k=1, top_p=1.0),
        "top_k_with_ties": lambda: mask(tied, top_k=2, top_p=1.0),
        "top_k_above_vocabulary": lambda: mask(logits, top_k=vocab + 5, top_p=1.0),
        "top_p": lambda: mask(logits, top_k=0, top_p=0.7 + 0.05 * ctx.seed),
        "top_p_below_the_largest_probability": lambda: mask(logits, top_k=0, top_p=0.01),
        "top_p_with_ties": lambda: mask(tied, top_k=0, top_p=0.5),
        "top_p_of_one_keeps_all": lambda: mask(spread, top_k=0, top_p=1.0),
        "nothing_filtered": lambda: mask(logits, top_k=0, top_p=1.0),
        "top_k_then_top_p": lambda: mask(logits, top_k=k + 1, top_p=0.6),
        "batch_of_one": lambda: mask(logits[2:3], top_k=k, top_p=0.8),
        "logits_after_the_calls": lambda: (mask(logits, top_k=k, top_p=0.8), logits)[1],
        "logits_before_the_calls": original,
    }


@probe
def sampling(ctx: Context) -> dict[str, Any]:
    """sample with the tiny pre-trained GPT-2 (handed over in training mode, dropout 0.5) and the real
    tokenizer; the trusted filter_logits stands in for the student's."""
    lm_decode = ctx.student("lm_decode")
    lm_decode.filter_logits = trusted_filter
    tokenizer, model = TOKENIZER.get(), fresh_copy(PRETRAINED.get(), ctx.device)
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.5
    model.train()
    prompt = ctx.random.choice(["Shall I compare thee", "Of Mans First Disobedience", "My love is as a fever"])
    tokens = 10 + ctx.seed

    def run(max_new_tokens: int = tokens, prompt: str = prompt, seed: int | None = None, **options: Any) -> str:
        generator = None if seed is None else torch.Generator().manual_seed(seed)
        text = lm_decode.sample(model, tokenizer, prompt, max_new_tokens, generator=generator, **options)
        return expect_type(text, str, "sample")

    def with_global_state(global_seed: int) -> str:
        torch.manual_seed(global_seed)  # the generator alone must decide the draws
        return run(seed=100 + ctx.seed, temperature=0.9, top_k=40, top_p=0.95)

    return {
        "greedy": lambda: run(temperature=0.0),
        "greedy_from_one_token": lambda: run(prompt="Thou", temperature=0.0),
        "no_new_tokens": lambda: run(max_new_tokens=0, temperature=0.0),
        "sampled": lambda: with_global_state(1),
        "sampled_again": lambda: with_global_state(2),
        "sampled_hot_unfiltered": lambda: run(seed=200 + ctx.seed, temperature=2.0),
        "sampled_cold_filtered": lambda: run(seed=300 + ctx.seed, temperature=0.5, top_k=5, top_p=0.8),
    }


def _heldout_loss_and_predictions(model: Any, blocks: list[list[int]], device: torch.device) -> tuple[float, Any]:
    """The mean next-token loss over the held-out blocks and the argmax prediction at every position
    but each block's last, computed by trusted code in evaluation mode, HELDOUT_BATCH blocks at a time.
    A batch's logits (51 MB) lie above glibc's largest mmap threshold (32 MB), so each is a mapping of
    its own, returned to the system when freed, where the heap would keep what it once held."""
    model.eval()
    total, predictions = 0.0, []
    with torch.no_grad():
        for start in range(0, len(blocks), HELDOUT_BATCH):
            batch = trusted_collate([torch.tensor(block) for block in blocks[start : start + HELDOUT_BATCH]], pad_id=0)
            batch = {key: tensor.to(device) for key, tensor in batch.items()}
            logits = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits[:, :-1]
            targets = batch["labels"][:, 1:]  # (B, L - 1): the next token of each position
            real = targets != IGNORE_INDEX  # False on padding and at each block's last position
            total += float(nn.functional.cross_entropy(logits[real], targets[real], reduction="sum"))
            predictions.append(logits.argmax(dim=-1)[real].cpu())
    predicted = torch.cat(predictions)
    return total / len(predicted), predicted


@probe
def heldout_predictions(ctx: Context) -> dict[str, Any]:
    """The student's whole fine-tuning pipeline on the training sonnets, from the tiny pre-trained GPT-2.
    The fine-tuned parameters go to the evaluation below: this process never sees the held-out sonnets."""
    lm_data, lm_train = ctx.student("lm_data"), ctx.student("lm_train")
    tokenizer, model = TOKENIZER.get(), fresh_copy(PRETRAINED.get(), ctx.device)
    steps, warmup = 50, 5
    data = lm_data.LMDataset(SONNETS.get(), tokenizer, 64)
    shuffle = torch.Generator().manual_seed(ctx.seed)
    collate = partial(lm_data.collate, pad_id=tokenizer.eos_token_id)
    loader = DataLoader(data, batch_size=4, shuffle=True, generator=shuffle, collate_fn=collate)
    optimizer = torch.optim.AdamW(lm_train.parameter_groups(model, 0.01), lr=1e-2)
    schedule = partial(lm_train.warmup_linear, warmup_steps=warmup, total_steps=steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    torch.manual_seed(ctx.seed)
    batches = iter(loader)
    for _ in range(steps):
        lm_train.fine_tune_step(model, next(batches), optimizer, scheduler, 1.0)
    return trained_parameters(model)


@evaluation(of=heldout_predictions)
def heldout_evaluation(ctx: Context, trained: dict[str, Any]) -> dict[str, Any]:
    """The fine-tuned parameters in a fresh copy of the pre-trained GPT-2 (its own code and buffers), run
    by trusted code on the held-out sonnets: next-token predictions (their labels stay with the judge),
    and the held-out loss before and after fine-tuning."""
    heldout = stream_blocks(HELDOUT.get(), TOKENIZER.get(), HELDOUT_BLOCK)
    loss_before, _ = _heldout_loss_and_predictions(fresh_copy(PRETRAINED.get(), ctx.device), heldout, ctx.device)
    model = load_trained(fresh_copy(PRETRAINED.get(), ctx.device), trained)
    loss_after, predictions = _heldout_loss_and_predictions(model, heldout, ctx.device)
    return {"predictions": predictions, "heldout_loss_before_and_after": [loss_before, loss_after]}
