"""Decoding: top-k and top-p (nucleus) filtering, and sampling with temperature from a generator."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """A copy of ``logits`` (B, V) with -inf wherever a token is filtered out: top-k keeps the tokens
    at least as large as the k-th largest (0 turns it off); top-p then keeps the most probable tokens
    up to and including the one whose cumulative probability reaches ``top_p`` (1.0 turns it off).
    Ties with the last kept token are kept, so the result never depends on how a sort breaks ties."""
    kept = torch.ones_like(logits, dtype=torch.bool)  # (B, V)
    if top_k > 0:
        kth = torch.topk(logits, min(top_k, logits.shape[-1]), dim=-1).values[..., -1:]  # (B, 1)
        kept &= logits >= kth
    if top_p < 1.0:
        masked = logits.masked_fill(~kept, float("-inf"))
        probs, _ = torch.sort(torch.softmax(masked, dim=-1), dim=-1, descending=True)  # (B, V)
        before = torch.cumsum(probs, dim=-1) - probs  # (B, V) the mass of the more probable tokens
        sorted_logits, _ = torch.sort(masked, dim=-1, descending=True)
        last = sorted_logits.masked_fill(before >= top_p, float("inf")).min(dim=-1, keepdim=True).values  # (B, 1)
        kept &= logits >= last
    return logits.masked_fill(~kept, float("-inf"))


def sample(
    model: nn.Module,
    tokenizer: Any,
    prompt: str,
    max_new_tokens: int,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    generator: torch.Generator | None = None,
) -> str:
    """The prompt followed by ``max_new_tokens`` tokens, each drawn with ``torch.multinomial`` from the
    softmax of the last position's filtered logits divided by ``temperature``; greedy (argmax) when
    ``temperature`` is 0. In evaluation mode, without gradients."""
    model.eval()
    device = next(model.parameters()).device
    ids = torch.tensor([tokenizer(prompt)["input_ids"]], device=device)  # (1, P)
    with torch.no_grad():
        for _ in range(max_new_tokens):
            logits = model(input_ids=ids).logits[:, -1, :]  # (1, V)
            if temperature == 0:
                next_id = logits.argmax(dim=-1, keepdim=True)  # (1, 1)
            else:
                probs = torch.softmax(filter_logits(logits / temperature, top_k, top_p), dim=-1)
                next_id = torch.multinomial(probs.cpu(), 1, generator=generator).to(device)  # (1, 1)
            ids = torch.cat([ids, next_id], dim=1)
    return tokenizer.decode(ids[0].tolist())
