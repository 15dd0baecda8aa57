"""Trusted pieces the a7_gpt2 probes build on: the shipped tokenizer and tiny pre-trained GPT-2, a
seeded GPT-2 small enough to probe one step exactly, and known-good versions of every part the
students write (collate, weight-decay groups, schedule, filtering, the shifted loss), so that a probe
of one part calls the student's code for that part only.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any, TypeVar

import torch
from torch import nn
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

from autograder.probing.core import Context, ProbeError
from autograder.probing.params import seed_parameters

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")  # the worker forks after the tokenizer is loaded

T = TypeVar("T")
IGNORE_INDEX = -100
DATA = Path(__file__).resolve().parents[2] / "assignments" / "a7_gpt2" / "data"
TOKENIZER_DIR, MODEL_DIR = DATA / "gpt2_tokenizer", DATA / "tiny_gpt2"


def load_tokenizer(_: str) -> GPT2TokenizerFast:
    """GPT-2's tokenizer from the shipped vocab.json and merges.txt (the DataFile's text is unused)."""
    return GPT2TokenizerFast.from_pretrained(TOKENIZER_DIR)


def load_pretrained(_: str) -> GPT2LMHeadModel:
    """The kit's tiny pre-trained GPT-2 from its folder (the DataFile's text, config.json, is unused)."""
    model = GPT2LMHeadModel.from_pretrained(MODEL_DIR)
    model.loss_type = "ForCausalLM"  # GPT-2's loss, by its name in transformers, which warns without it
    return model


def fresh_copy(model: GPT2LMHeadModel, device: torch.device) -> GPT2LMHeadModel:
    """A private copy of a preloaded model, so that no probe sees what another one changed."""
    return copy.deepcopy(model).to(device)


def tiny_model(ctx: Context, dropout: float) -> GPT2LMHeadModel:
    """A seeded GPT-2 with a small vocabulary, for probing one step exactly: 1 or 2 layers, width 8."""
    vocab_size = 29 + ctx.seed
    config = GPT2Config(
        vocab_size=vocab_size,
        n_positions=16,
        n_embd=8,
        n_layer=1 + ctx.seed % 2,
        n_head=2,
        resid_pdrop=dropout,
        embd_pdrop=dropout,
        attn_pdrop=dropout,
        bos_token_id=vocab_size - 1,
        eos_token_id=vocab_size - 1,
    )
    torch.manual_seed(ctx.seed)  # the construction's own draws, overwritten below
    model = GPT2LMHeadModel(config)
    model.loss_type = "ForCausalLM"
    seed_parameters(ctx, model, scale=1.0, bias_scale=0.3)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.LayerNorm):
                module.weight.add_(1.0)  # LayerNorm gains around 1, as a trained model has
    return model.to(ctx.device)


def random_blocks(ctx: Context, lengths: list[int], vocab_size: int, eos_id: int) -> list[torch.Tensor]:
    """Seeded int64 id blocks of the given lengths, with an end-of-text token inside the longer ones."""
    blocks = []
    for length in lengths:
        ids = ctx.randint(vocab_size - 1, length).cpu()
        if length >= 3:
            ids[length // 2] = eos_id  # a real token that equals the usual pad_id
        blocks.append(ids)
    return blocks


def trusted_collate(batch: list[torch.Tensor], pad_id: int) -> dict[str, torch.Tensor]:
    """The known-good collate of the handout: right padding, mask, unshifted labels with -100."""
    lengths = torch.tensor([len(ids) for ids in batch])
    input_ids = torch.full((len(batch), int(lengths.max())), pad_id, dtype=torch.int64)
    for row, ids in enumerate(batch):
        input_ids[row, : len(ids)] = ids
    attention_mask = (torch.arange(input_ids.shape[1]) < lengths[:, None]).long()
    labels = input_ids.masked_fill(attention_mask == 0, IGNORE_INDEX)
    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}


def trusted_groups(model: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    decay = [p for p in model.parameters() if p.dim() >= 2]
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": [p for p in model.parameters() if p.dim() < 2], "weight_decay": 0.0},
    ]


def trusted_warmup(step: int, warmup_steps: int, total_steps: int) -> float:
    if step < warmup_steps:
        return step / warmup_steps
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


def trusted_filter(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """Top-k, then top-p, keeping ties with the last kept token; -inf elsewhere (the handout's §6)."""
    kept = torch.ones_like(logits, dtype=torch.bool)
    if top_k > 0:
        kept &= logits >= torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values[..., -1:]
    if top_p < 1.0:
        masked = logits.masked_fill(~kept, float("-inf"))
        probs = torch.sort(torch.softmax(masked, dim=-1), dim=-1, descending=True).values
        before = torch.cumsum(probs, dim=-1) - probs  # the mass of the tokens sorted before each one
        ordered = torch.sort(masked, dim=-1, descending=True).values
        kept &= logits >= ordered.masked_fill(before >= top_p, float("inf")).min(dim=-1, keepdim=True).values
    return logits.masked_fill(~kept, float("-inf"))


def shifted_cross_entropy(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """The causal LM loss written out: position t predicts label t + 1; -100 labels are skipped."""
    return nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1), labels[:, 1:].flatten(), ignore_index=IGNORE_INDEX)


def stream_blocks(texts: list[str], tokenizer: GPT2TokenizerFast, block_size: int) -> list[list[int]]:
    """The handout's LMDataset, trusted: ids of each text and <|endoftext|>, cut into blocks."""
    eos = tokenizer.eos_token_id
    ids = [token for text in texts for token in [*tokenizer(text)["input_ids"], eos]]
    return [ids[start : start + block_size] for start in range(0, len(ids), block_size)]


def expect_number(value: Any, what: str) -> float:
    """A plain Python int or float (not a tensor, not a bool), as a float."""
    if type(value) not in (int, float):
        raise ProbeError(f"{what} should return a Python float, got {type(value).__name__}")
    return float(value)


def expect_batch(value: Any, what: str) -> dict[str, torch.Tensor]:
    """A dict with ``input_ids``, ``attention_mask`` and ``labels``, each a plain tensor."""
    if type(value) is not dict:
        raise ProbeError(f"{what} should return a dict, got {type(value).__name__}")
    missing = [key for key in ("input_ids", "attention_mask", "labels") if key not in value]
    if missing:
        raise ProbeError(f"{what} returned a dict without {', '.join(missing)}")
    for key in ("input_ids", "attention_mask", "labels"):
        if type(value[key]) is not torch.Tensor:
            raise ProbeError(f"{what}[{key!r}] should be a torch.Tensor, got {type(value[key]).__name__}")
    return value
