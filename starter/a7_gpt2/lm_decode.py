"""Decoding: top-k and top-p (nucleus) filtering, and sampling with temperature from a generator
(handout §6 and §7)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """A new tensor like ``logits`` (B, V), with -inf on every filtered-out token, the others unchanged.

    top-k (off when ``top_k`` is 0): keep the logits at least as large as the k-th largest (ties kept;
    k larger than V keeps everything). top-p (off when ``top_p`` is 1.0), on what top-k kept: sort the
    probabilities in decreasing order, keep a token when the tokens before it hold less than ``top_p``
    (so the token that reaches ``top_p`` stays, and at least one token always does), then keep every
    logit at least as large as the smallest kept one (ties kept). The argument is not modified.
    """
    raise NotImplementedError("task 6: top-k and top-p filtering")


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
    """The prompt followed by ``max_new_tokens`` generated tokens, decoded into one string.

    In evaluation mode and without gradients, from the prompt's ids (1, P): at each step, the logits of
    the last position (1, V); with ``temperature`` 0 the next token is their argmax; otherwise divide
    them by ``temperature``, apply ``filter_logits(logits, top_k, top_p)``, take the softmax, and draw
    the next token with ``torch.multinomial(probs, 1, generator=generator)``. Append it and go on.
    Returns ``tokenizer.decode`` of all the ids, prompt included.
    """
    raise NotImplementedError("task 7: the decoding loop")
