"""Static word vectors: cosine similarity, nearest neighbours and analogies by vector arithmetic.

Fill in every function that raises NotImplementedError. The handout (assignments/a2_embeddings/README.md)
explains each step; the shapes in the docstrings are what the autograder checks.
"""

from __future__ import annotations

import torch


def cosine_similarity_matrix(a: torch.Tensor, b: torch.Tensor, eps: float = 1e-8) -> torch.Tensor:
    """Cosine similarity of every row of ``a`` with every row of ``b`` (handout §3).

    a: float (N, D), b: float (M, D); returns float (N, M) with entry [i, j] = cos(a[i], b[j]).
    Divide each row by max(its norm, eps), so that a zero row gets similarity 0 (not NaN). N may be 0.
    Differentiable with respect to a and b.
    """
    raise NotImplementedError("cosine_similarity_matrix")


def nearest_neighbours(vectors: torch.Tensor, vocab: list[str], word: str, k: int) -> list[str]:
    """The ``k`` words most cosine-similar to ``word``, most similar first, never ``word`` itself.

    vectors: float (V, D), row i is the vector of vocab[i]; 0 <= k <= V - 1. Use cosine_similarity_matrix.
    """
    raise NotImplementedError("nearest_neighbours")


def analogy(vectors: torch.Tensor, vocab: list[str], a: str, b: str, c: str) -> str:
    """The word d such that a is to b as c is to d (3CosAdd, handout §3).

    Normalise the vectors of a, b and c to unit length, form the target b - a + c (D,), and return the
    word most cosine-similar to the target, other than a, b and c. Use cosine_similarity_matrix.
    """
    raise NotImplementedError("analogy")
