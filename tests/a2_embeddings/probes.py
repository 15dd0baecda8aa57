"""Probes of a2_embeddings: each builds seeded inputs, calls one part of the student's code, returns raw data.

Later parts run on trusted twins of earlier ones: ``nearest_neighbours`` and ``analogy`` on a trusted
cosine similarity, ``SkipGram`` on a trusted loss, ``train_epoch`` on a trusted model and sampler. So a
wrong cosine costs the cosine tests only, a wrong loss the loss tests only. Outputs given as functions are
computed one by one, and every random draw happens before the first of them runs, so one failing edge
case never shifts the inputs of another.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader

from autograder.probing.core import Context, DataFile, ProbeError, named, probe
from autograder.probing.grads import backward_with
from autograder.probing.lazy import field, once
from autograder.probing.optim import StepRecorder, training_outputs
from autograder.probing.params import seed_parameters
from autograder.probing.tensors import expect_tensor, stack_tensors

from .helpers import (
    TrustedSkipGram,
    describe_uniform,
    embedding_tables,
    read_corpus,
    read_questions,
    read_vocab,
    replaced,
    skipgram_pairs,
    trusted_cosine,
    trusted_sample_negatives,
    trusted_sgns_loss,
    word_list,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TRAIN = DataFile(ROOT / "assignments" / "a1_bow" / "data" / "train.tsv", read_corpus)
BERT_VOCAB = DataFile(ROOT / "assignments" / "a2_embeddings" / "data" / "vocab.txt", read_vocab)
QUESTIONS = DataFile(HERE / "heldout" / "questions.tsv", read_questions, hidden=True)


def _vectors(ctx: Context, count: int, dim: int) -> torch.Tensor:
    """Seeded vectors whose norms range over two orders of magnitude, so that normalising matters."""
    scales = torch.logspace(-1, 1, count)[ctx.sample(range(count), count)].to(ctx.device)  # (count,)
    return ctx.randn(count, dim) * scales.unsqueeze(1)


def _words(ctx: Context, count: int) -> list[str]:
    """``count`` distinct made-up words, in a seeded order (so a word's index says nothing about it)."""
    words = [f"w{i:02d}" for i in range(count)]
    ctx.random.shuffle(words)
    return words


@probe
def cosine(ctx: Context) -> dict[str, Any]:
    """cosine_similarity_matrix on rows of different norms, N != M, with edge cases and gradients."""
    similarity = ctx.student("word_vectors").cosine_similarity_matrix
    n, m, dim = 5 + ctx.seed % 3, 4, 3 + ctx.seed % 4
    a, b = _vectors(ctx, n, dim), _vectors(ctx, m, dim)
    with_zero = torch.cat([a[:2], a.new_zeros(1, dim), a[2:]])  # a zero row: similarity 0, never NaN
    tiny = a * 1e-3  # most norms below eps = 0.01: those rows are divided by eps, not by their norms
    upstream = ctx.randn(n, m)

    def run(x: torch.Tensor, y: torch.Tensor, **kwargs: float) -> torch.Tensor:
        return expect_tensor(similarity(x, y, **kwargs), "cosine_similarity_matrix", shape=(len(x), len(y)))

    def gradients() -> dict[str, torch.Tensor]:
        a_, b_ = a.clone().requires_grad_(True), b.clone().requires_grad_(True)
        return backward_with(similarity(a_, b_), upstream, {"a": a_, "b": b_}, "cosine_similarity_matrix")

    grads = once(gradients)
    return {
        "similarities": lambda: named(run(a, b), "row of a", "row of b"),
        "similarities_of_one": lambda: run(a[:1], b),
        "similarities_with_itself": lambda: named(run(b, b), "row of b", "row of b"),
        "similarities_of_empty": lambda: run(a[:0], b),
        "similarities_with_zero_row": lambda: named(run(with_zero, b), "row of a", "row of b"),
        "similarities_with_eps": lambda: named(run(tiny, b, eps=0.01), "row of a", "row of b"),
        "grad_a": field(grads, "grad_a"),
        "grad_b": field(grads, "grad_b"),
    }


@probe
def neighbours(ctx: Context) -> dict[str, Any]:
    """nearest_neighbours on a trusted cosine: several words, k at 1, 3, 0 and V - 1."""
    word_vectors = ctx.student("word_vectors")
    replaced(word_vectors, "cosine_similarity_matrix", trusted_cosine)
    count = 12 + ctx.seed % 5
    vectors, vocab = _vectors(ctx, count, 4), _words(ctx, count)
    queries = ctx.sample(vocab, 5)

    def ask(word: str, k: int) -> list[str]:
        found = word_list(word_vectors.nearest_neighbours(vectors, list(vocab), word, k), "nearest_neighbours")
        if len(found) != k:
            raise ProbeError(f"nearest_neighbours(..., {word!r}, k={k}) returned {len(found)} words, expected {k}")
        return found

    return {
        "inputs": queries,
        "top_3": lambda: [ask(word, 3) for word in queries],
        "top_1": lambda: [ask(word, 1) for word in queries],
        "top_0": lambda: ask(queries[0], 0),
        "all_others": lambda: ask(queries[0], count - 1),
    }


@probe
def analogies(ctx: Context) -> dict[str, Any]:
    """analogy on a trusted cosine: 30 questions on vectors of very different norms, and one planted answer."""
    word_vectors = ctx.student("word_vectors")
    replaced(word_vectors, "cosine_similarity_matrix", trusted_cosine)
    count, dim = 20 + ctx.seed % 4, 5
    vectors, vocab = _vectors(ctx, count, dim), _words(ctx, count)
    questions = [tuple(ctx.sample(vocab, 3)) for _ in range(30)]
    a, b, c, d = (vocab.index(w) for w in ctx.sample(vocab, 4))
    unit = torch.nn.functional.normalize(vectors, dim=1)
    planted = vectors.clone()
    planted[d] = 3.0 * (unit[b] - unit[a] + unit[c])  # the answer of (a, b, c) by construction

    def ask(table: torch.Tensor, question: tuple[str, ...]) -> str:
        answer = word_vectors.analogy(table, list(vocab), *question)
        if type(answer) is not str:
            raise ProbeError(f"analogy should return a word (str), got {type(answer).__name__}")
        return answer

    return {
        "inputs": [list(q) for q in questions],
        "answers": lambda: [ask(vectors, q) for q in questions],
        "planted_answer": lambda: ask(planted, (vocab[a], vocab[b], vocab[c])),
    }


def _items(data: Any, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every item of the student's dataset as (centers, contexts), each checked to be a pair of tensors."""
    items = [data[i] for i in range(count)]
    if not all(type(item) in (tuple, list) and len(item) == 2 for item in items):
        raise ProbeError("dataset[i] should be a pair (center, context)")
    centers = stack_tensors([center for center, _ in items], "dataset[i][0]")
    contexts = stack_tensors([context for _, context in items], "dataset[i][1]")
    return centers, contexts


@probe
def pairs(ctx: Context) -> dict[str, Any]:
    """SkipGramDataset on sentences of lengths 0 to 7, with the default window and a wider one."""
    dataset = ctx.student("skipgram").SkipGramDataset
    lengths = [0, 1, 2, 7, *[2 + ctx.random.randrange(6) for _ in range(3)]]
    ctx.random.shuffle(lengths)
    ids = ctx.randint(30, sum(lengths)).tolist()
    sentences = [ids[sum(lengths[:i]) : sum(lengths[: i + 1])] for i in range(len(lengths))]
    window = 3 + ctx.seed % 2  # never the default 2
    default, wide = once(lambda: dataset(sentences)), once(lambda: dataset(sentences, window=window))
    expected = {w: len(skipgram_pairs(sentences, w)) for w in (2, window)}
    every = once(lambda: _items(default(), expected[2]))
    every_wide = once(lambda: _items(wide(), expected[window]))
    return {
        "length": lambda: len(default()),
        "length_with_window": lambda: len(wide()),
        "length_of_short_sentences": lambda: len(dataset([[5], [], [7]])),
        "first_center": lambda: default()[0][0],
        "first_context": lambda: default()[0][1],
        "centers": lambda: named(every()[0], "pair"),
        "contexts": lambda: named(every()[1], "pair"),
        "centers_with_window": lambda: named(every_wide()[0], "pair"),
        "contexts_with_window": lambda: named(every_wide()[1], "pair"),
    }


@probe
def noise(ctx: Context) -> dict[str, Any]:
    """unigram_distribution of skewed counts (one of them 0), and 100,000 draws of sample_negatives."""
    skipgram = ctx.student("skipgram")
    vocab_size = 8 + ctx.seed % 5
    counts = (1000 * ctx.rand(vocab_size).cpu() ** 4).round().long() + 1
    counts[ctx.random.randrange(vocab_size)] = 0
    probs = counts.float() ** 0.75 / (counts.float() ** 0.75).sum()  # trusted, for the sampler's tests
    batch, k, seed = 1000, 100, 1000 + ctx.seed

    def draw(batch: int, k: int, global_seed: int) -> torch.Tensor:
        """Draws with a generator seeded ``seed``, after setting the global seed to something else."""
        torch.manual_seed(global_seed)
        generator = torch.Generator().manual_seed(seed)
        return expect_tensor(skipgram.sample_negatives(probs, batch, k, generator), "sample_negatives", (batch, k))

    samples = once(lambda: draw(batch, k, 0))

    def frequencies() -> torch.Tensor:
        drawn = samples()
        if drawn.dtype != torch.int64 or drawn.min() < 0 or drawn.max() >= vocab_size:
            raise ProbeError(f"sample_negatives should return int64 ids in [0, {vocab_size}), got {drawn.dtype}")
        return named(torch.bincount(drawn.flatten(), minlength=vocab_size) / drawn.numel(), "word")

    def generator_advances() -> bool:
        """Two calls with one generator draw different words (the generator's state moves on)."""
        generator = torch.Generator().manual_seed(seed)
        first, second = (skipgram.sample_negatives(probs, 50, 5, generator) for _ in range(2))
        return not torch.equal(expect_tensor(first, "sample_negatives"), expect_tensor(second, "sample_negatives"))

    return {
        "probs": lambda: named(skipgram.unigram_distribution(counts), "word"),
        "probs_power_half": lambda: named(skipgram.unigram_distribution(counts, power=0.5), "word"),
        "probs_of_one_word": lambda: skipgram.unigram_distribution(torch.tensor([7])),
        "sample": lambda: samples()[:2, :5],
        "sample_of_one": lambda: draw(1, 3, 0),
        "frequencies": frequencies,
        "sample_with_other_global_seed": lambda: draw(batch, k, 1)[:2, :5],
        "generator_advances": lambda: [generator_advances()],
    }


@probe
def loss(ctx: Context) -> dict[str, Any]:
    """sgns_loss on seeded vectors (B, K and D all different), a batch of one, huge scores, and gradients."""
    sgns_loss = ctx.student("skipgram").sgns_loss
    batch, k, dim = 6 + ctx.seed % 3, 3 + ctx.seed % 2, 5
    center, context, negatives = ctx.randn(batch, dim), ctx.randn(batch, dim), ctx.randn(batch, k, dim)
    upstream = ctx.randn(())

    def value(*tensors: torch.Tensor) -> torch.Tensor:
        return expect_tensor(sgns_loss(*tensors), "sgns_loss", shape=())

    def gradients() -> dict[str, torch.Tensor]:
        tensors = {"center": center, "context": context, "negatives": negatives}
        tensors = {name: t.clone().requires_grad_(True) for name, t in tensors.items()}
        return backward_with(sgns_loss(*tensors.values()), upstream, tensors, "sgns_loss")

    grads = once(gradients)
    return {
        "loss": lambda: value(center, context, negatives),
        "loss_of_one": lambda: value(center[:1], context[:1], negatives[:1]),
        "loss_of_one_negative": lambda: value(center, context, negatives[:, :1]),
        "loss_at_extremes": lambda: value(30 * center, 30 * context, 30 * negatives),
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ("center", "context", "negatives")},
    }


@probe
def model(ctx: Context) -> dict[str, Any]:
    """SkipGram's two tables, their initialisation, and its loss and gradients on a trusted sgns_loss."""
    skipgram = ctx.student("skipgram")
    replaced(skipgram, "sgns_loss", trusted_sgns_loss)
    vocab_size, dim, batch, k = 15 + ctx.seed, 6 + ctx.seed % 2, 5, 3
    centers, contexts = ctx.randint(vocab_size, batch), ctx.randint(vocab_size, batch)
    negatives = ctx.randint(vocab_size, batch, k)
    upstream = ctx.randn(())
    weights = {name: ctx.randn(vocab_size, dim) for name in ("center", "context")}
    fresh = skipgram.SkipGram(vocab_size, dim)
    tables = once(lambda: embedding_tables(fresh, f"SkipGram({vocab_size}, {dim})"))
    large = once(lambda: embedding_tables(skipgram.SkipGram(400, 50), "SkipGram(400, 50)"))

    def loaded() -> tuple[torch.nn.Embedding, torch.nn.Embedding]:
        """The student's tables, holding the seeded weights."""
        center, context = tables()
        with torch.no_grad():
            center.weight.copy_(weights["center"])
            context.weight.copy_(weights["context"])
        return center, context

    def run() -> torch.Tensor:
        loaded()
        return expect_tensor(fresh(centers, contexts, negatives), "SkipGram.forward", shape=())

    def gradients() -> dict[str, torch.Tensor]:
        center, context = loaded()
        tensors = {"center_embedding": center.weight, "context_embedding": context.weight}
        return backward_with(fresh(centers, contexts, negatives), upstream, tensors, "SkipGram.forward")

    grads = once(gradients)
    return {
        "shapes": lambda: [list(t.weight.shape) for t in tables()],
        "initial_center": lambda: describe_uniform("center_embedding", large()[0].weight, 0.5 / 50),
        "initial_context": lambda: describe_uniform("context_embedding", large()[1].weight, 0.0),
        "loss": run,
        **{f"grad_{name}": field(grads, f"grad_{name}") for name in ("center_embedding", "context_embedding")},
    }


@probe
def train_epoch(ctx: Context) -> dict[str, Any]:
    """One epoch of the student's loop on a trusted model and sampler: batches of 5, 5 and 2 pairs."""
    skipgram = ctx.student("skipgram")
    replaced(skipgram, "sample_negatives", trusted_sample_negatives)
    vocab_size, k = 10, 2 + ctx.seed % 2
    model = TrustedSkipGram(vocab_size, 4)
    seed_parameters(ctx, model, scale=1.0)
    pairs = skipgram_pairs([ctx.randint(vocab_size, 4).tolist(), ctx.randint(vocab_size, 2).tolist()], window=2)
    loader = DataLoader(list(zip(pairs[:, 0], pairs[:, 1], strict=True)), batch_size=5)
    probs = ctx.rand(vocab_size).cpu() + 0.1
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer, model)
    generator = torch.Generator().manual_seed(ctx.seed)
    mean_loss = skipgram.train_epoch(model, loader, probs / probs.sum(), optimizer, k, generator)
    outputs = training_outputs(recorder, model, mean_loss)
    return {name: outputs[name] for name in ("mean_loss", "step_gradients", "parameters")}


@probe
def contextual(ctx: Context) -> dict[str, Any]:
    """contextual_vector on a tiny random BERT handed over in training mode (dropout 0.1)."""
    from transformers import BertConfig, BertModel, BertTokenizer

    contextual_vector = ctx.student("contextual").contextual_vector
    vocab = BERT_VOCAB.get()
    tokenizer = BertTokenizer(vocab=dict(vocab))
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16 + 8 * (ctx.seed % 2),
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        initializer_range=0.3,
    )
    torch.manual_seed(ctx.seed)
    bert = BertModel(config, add_pooling_layer=False).train()  # contextual_vector must switch to eval itself
    hidden = config.hidden_size
    cases = [
        ("The bank was closed on Sunday.", "bank"),  # three word pieces: b ##an ##k
        ("Witless and utterly pointless.", "witless"),  # the first word, capitalised in the sentence
        ("An unwatchable mess, but the actors try.", "unwatchable"),  # four pieces, the first is 'un'
        ("The plot is thin; the plot is also dull.", "plot"),  # two occurrences: the first one counts
        ("Nothing here is funny.", "funny"),  # the last word, before the period
    ]
    riverbank = ("We sat on the bank of the river.", "bank")

    def vector(sentence: str, word: str) -> torch.Tensor:
        return expect_tensor(contextual_vector(bert, tokenizer, sentence, word), "contextual_vector", (hidden,))

    first = once(lambda: vector(*cases[0]))
    again = once(lambda: (first(), vector(*cases[0]))[1])

    def distances() -> list[float]:
        """How far 'bank' moves from one call to the next in the same sentence, then into another sentence."""
        return [float(torch.linalg.vector_norm(first() - other)) for other in (again(), vector(*riverbank))]

    return {
        "inputs": [list(case) for case in cases],
        "vectors": lambda: named(torch.stack([vector(*case) for case in cases]), "case", "unit"),
        "vector_first": first,
        "vector_again": again,
        "distances_same_then_other_sentence": distances,
    }


@probe
def heldout_predictions(ctx: Context) -> dict[str, Any]:
    """The student's model, sampler and loop trained for two epochs on the reviews, then asked the held-out
    two-choice questions: which candidate has the larger score u . v with the word."""
    skipgram = ctx.student("skipgram")
    corpus, questions = TRAIN.get(), QUESTIONS.get()
    index = corpus.index
    pairs = skipgram_pairs(corpus.sentences, window=2)
    order = torch.randperm(len(pairs), generator=torch.Generator().manual_seed(ctx.seed))
    loader = [(batch[:, 0], batch[:, 1]) for batch in pairs[order].split(1024)]  # the pairs of §4, shuffled
    model = skipgram.SkipGram(len(corpus.vocab), 50)
    center, context = embedding_tables(model, f"SkipGram({len(corpus.vocab)}, 50)")
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    probs = expect_tensor(skipgram.unigram_distribution(corpus.counts), "unigram_distribution")
    generator = torch.Generator().manual_seed(ctx.seed)
    for _ in range(2):
        skipgram.train_epoch(model, loader, probs, optimizer, 5, generator)
    ids = torch.tensor([[index[word] for word in question] for question in questions])  # (Q, 3)
    with torch.no_grad():
        v = center.weight[ids[:, 0]]  # (Q, D)
        scores = torch.einsum("qd,qcd->qc", v, context.weight[ids[:, 1:]])  # (Q, 2)
    return {"predictions": (scores[:, 1] > scores[:, 0]).long()}
