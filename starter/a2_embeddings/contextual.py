"""Contextual word vectors: a word's vector read from a BERT model, pooled over its sub-word tokens.

Fill in every function that raises NotImplementedError. The handout (assignments/a2_embeddings/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch
from torch import nn


def contextual_vector(model: nn.Module, tokenizer, sentence: str, word: str) -> torch.Tensor:
    """The contextual vector of ``word`` in ``sentence`` (handout §9): float32 (H,).

    Find the first whole-word occurrence of ``word`` in ``sentence`` (ignoring case), run the model in
    evaluation mode without gradients on the tokenized sentence, and average the last hidden states
    (``last_hidden_state``, (1, T, H)) of the word's sub-word tokens. [CLS] and [SEP] are never part of a
    word. ``tokenizer(sentence, return_offsets_mapping=True)`` gives each token's character span.
    """
    raise NotImplementedError("contextual_vector")
