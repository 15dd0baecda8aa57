"""Contextual word vectors: a word's vector read from a BERT model, pooled over its sub-word tokens."""

from __future__ import annotations

import re

import torch
from torch import nn


def word_span(sentence: str, word: str) -> tuple[int, int]:
    """Start and end character of the first whole-word occurrence of ``word`` in ``sentence``, ignoring case."""
    match = re.search(rf"(?<!\w){re.escape(word)}(?!\w)", sentence, flags=re.IGNORECASE)
    if match is None:
        raise ValueError(f"{word!r} is not a word of {sentence!r}")
    return match.start(), match.end()


def contextual_vector(model: nn.Module, tokenizer, sentence: str, word: str) -> torch.Tensor:
    """The mean of the last hidden states of ``word``'s sub-word tokens in ``sentence``, float32 (H,).

    The model runs in evaluation mode (no dropout) without gradients; [CLS] and [SEP] are never pooled.
    """
    start, end = word_span(sentence, word)
    encoding = tokenizer(sentence, return_offsets_mapping=True, return_tensors="pt")
    offsets = encoding.pop("offset_mapping")[0]  # (T, 2) character span of each token; (0, 0) for specials
    inside = (offsets[:, 0] >= start) & (offsets[:, 1] <= end) & (offsets[:, 1] > offsets[:, 0])  # (T,)
    model.eval()
    with torch.no_grad():
        states = model(**encoding).last_hidden_state[0]  # (T, H)
    return states[inside].mean(dim=0)  # (H,)
