"""Pre-train the kit's tiny GPT-2 on Paradise Lost and save it to ``tiny_gpt2/`` with ``save_pretrained``.

Usage (after build_data.py):
    python assignments/a7_gpt2/data/pretrain.py

GPT-2's architecture and real vocabulary (50,257 tokens) at a tiny size: 2 layers, 2 heads, width 32,
128 positions, about 1.6 million parameters (6.6 MB of safetensors). Seeded, deterministic and on one
CPU thread, so running it again rewrites the same bytes (same torch and transformers versions). It
takes a few minutes on one core.
"""

from __future__ import annotations

import math
from pathlib import Path

import torch
from transformers import GPT2Config, GPT2LMHeadModel, GPT2TokenizerFast

DATA_DIR = Path(__file__).resolve().parent
MODEL_DIR = DATA_DIR / "tiny_gpt2"
SEED = 20261124
BLOCK, BATCH, STEPS, WARMUP, PEAK_LR = 128, 8, 240, 24, 3e-3


def tiny_config(tokenizer: GPT2TokenizerFast) -> GPT2Config:
    return GPT2Config(
        vocab_size=len(tokenizer),
        n_positions=BLOCK,
        n_embd=32,
        n_layer=2,
        n_head=2,
        bos_token_id=tokenizer.eos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )


def blocks(tokenizer: GPT2TokenizerFast) -> torch.Tensor:
    """The poem's ids followed by <|endoftext|>, as (N, BLOCK) rows (the remainder dropped)."""
    text = (DATA_DIR / "paradise_lost.txt").read_text(encoding="utf-8")
    ids = torch.tensor([*tokenizer(text)["input_ids"], tokenizer.eos_token_id])
    return ids[: len(ids) // BLOCK * BLOCK].view(-1, BLOCK)


def learning_rate(step: int) -> float:
    """Linear warmup, then a cosine decay to a tenth of the peak."""
    if step < WARMUP:
        return PEAK_LR * (step + 1) / WARMUP
    progress = (step - WARMUP) / (STEPS - WARMUP)
    return PEAK_LR * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))


def main() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(SEED)
    tokenizer = GPT2TokenizerFast.from_pretrained(DATA_DIR / "gpt2_tokenizer")
    data = blocks(tokenizer)
    model = GPT2LMHeadModel(tiny_config(tokenizer))
    optimizer = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, weight_decay=0.01)
    order = torch.Generator().manual_seed(SEED)
    model.train()
    for step in range(STEPS):
        rows = torch.randint(len(data), (BATCH,), generator=order)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step)
        loss = model(input_ids=data[rows], labels=data[rows]).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % 50 == 0 or step == STEPS - 1:
            print(f"step {step:4d}  loss {loss.item():.3f}", flush=True)
    model.save_pretrained(MODEL_DIR)


if __name__ == "__main__":
    main()
