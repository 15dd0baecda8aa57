"""Static word vectors: cosine similarity, nearest neighbours and analogies by vector arithmetic."""

from __future__ import annotations

import torch


def cosine_similarity_matrix(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Cosine similarity of every row of ``a`` (N, D) with every row of ``b`` (M, D), as (N, M).

    Each row is divided by max(its norm, eps), so a zero row has similarity 0 with everything, not NaN.
    """
    a_unit = a / a.norm(dim=1, keepdim=True).clamp_min(eps)  # (N, D)
    b_unit = b / b.norm(dim=1, keepdim=True).clamp_min(eps)  # (M, D)
    return a_unit @ b_unit.T  # (N, M)


def _ranked(vectors: torch.Tensor, vocab: list[str], query: torch.Tensor, exclude: set[str], k: int) -> list[str]:
    """The ``k`` words whose vectors are most cosine-similar to ``query`` (D,), best first, skipping ``exclude``."""
    similarities = cosine_similarity_matrix(query.unsqueeze(0), vectors)[0]  # (V,)
    for word in exclude:
        similarities[vocab.index(word)] = float("-inf")
    order = similarities.argsort(descending=True, stable=True)[:k]  # (k,)
    return [vocab[i] for i in order.tolist()]


def nearest_neighbours(vectors: torch.Tensor, vocab: list[str], word: str, k: int) -> list[str]:
    """The ``k`` nearest words of ``word`` by cosine similarity, most similar first, never ``word`` itself."""
    return _ranked(vectors, vocab, vectors[vocab.index(word)], {word}, k)


def analogy(vectors: torch.Tensor, vocab: list[str], a: str, b: str, c: str) -> str:
    """The word ``d`` such that a is to b as c is to d (3CosAdd): the nearest word to b - a + c, computed on
    unit vectors, other than a, b and c."""
    unit = vectors / vectors.norm(dim=1, keepdim=True).clamp_min(1e-8)  # (V, D)
    target = unit[vocab.index(b)] - unit[vocab.index(a)] + unit[vocab.index(c)]  # (D,)
    return _ranked(vectors, vocab, target, {a, b, c}, 1)[0]
