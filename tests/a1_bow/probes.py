"""Probes of a1_bow: each builds seeded inputs, calls one part of the student's code, returns raw data.

The training-loop and prediction probes use a trusted model of their own, so a wrong BowClassifier
costs the model tests only, and a wrong train_epoch costs the training tests only. Outputs given as
functions are computed one by one, so a wrong one_hot does not cost the bag_of_words test.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from autograder.probing.core import Context, DataFile, ProbeError, expect_type, probe
from autograder.probing.grads import backward_seeded
from autograder.probing.optim import StepRecorder, training_outputs
from autograder.probing.params import linear_layers, seed_parameters
from autograder.probing.tensors import expect_tensor, stack_tensors

HERE = Path(__file__).resolve().parent
DATA = HERE.parents[1] / "assignments" / "a1_bow" / "data"
UNK = "<unk>"


def _read_tsv(text: str) -> tuple[list[str], list[int]]:
    rows = [line.split("\t", 1) for line in text.splitlines()[1:]]
    return [sentence for _, sentence in rows], [int(label) for label, _ in rows]


TRAIN = DataFile(DATA / "train.tsv", _read_tsv)
HELDOUT_TEXTS = DataFile(HERE / "heldout" / "texts.txt", str.splitlines, hidden=True)
TRICKY_SENTENCES = [
    "It's a GREAT film!",
    "Don't -- ever -- watch this... (seriously)",
    "  Tabs\tand\nnewlines  ",
    "A 179-minute épopée, co-written by O'Brien's crew.",
    "",
]


def _sentences(ctx: Context, count: int) -> tuple[list[str], list[int]]:
    texts, labels = TRAIN.get()
    rows = ctx.sample(range(len(texts)), count)
    return [texts[i] for i in rows], [labels[i] for i in rows]


def _probe_vocab(ctx: Context, sentences: list[str]) -> dict[str, int]:
    """A vocabulary of most (not all) words of the sentences, with shuffled indices after <unk>."""
    words = sorted({w.strip(".,!?;:\"()'").lower() for s in sentences for w in s.split()} - {""})
    kept = ctx.sample(words, int(len(words) * 0.8))
    return {UNK: 0} | {word: index for index, word in enumerate(kept, start=1)}


def _vocab_entries(vocab: Any, what: str) -> list[list[Any]]:
    expect_type(vocab, dict, what)
    if not all(type(k) is str and type(v) is int for k, v in vocab.items()):
        raise ProbeError(f"{what} should map str tokens to int indices")
    return [[token, index] for token, index in sorted(vocab.items(), key=lambda item: item[1])]


class TrustedClassifier(nn.Module):
    """A known-good bag-of-words classifier for probing the training loop and predict."""

    def __init__(self, vocab_size: int, hidden: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(vocab_size, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, 1)
        )

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.layers(features).squeeze(-1)


def _trusted_model(ctx: Context, vocab_size: int, hidden: int, dropout: float = 0.0) -> TrustedClassifier:
    model = TrustedClassifier(vocab_size, hidden, dropout)
    seed_parameters(ctx, model, scale=1.0)
    return model.to(ctx.device)


def layer_shapes(layers: list[nn.Linear]) -> list[list[int]]:
    return [list(layer.weight.shape) for layer in layers]


def _counts(ctx: Context, rows: int, vocab_size: int) -> torch.Tensor:
    return ctx.randint(3, rows, vocab_size).float()


@probe
def tokenize(ctx: Context) -> dict[str, Any]:
    sentences = TRICKY_SENTENCES + _sentences(ctx, 25)[0]
    tokenize = ctx.student("bow_data").tokenize
    return {"inputs": sentences, "tokens": [tokenize(sentence) for sentence in sentences]}


@probe
def vocab(ctx: Context) -> dict[str, Any]:
    build_vocab = ctx.student("bow_data").build_vocab
    sentences = [*_sentences(ctx, 150)[0], ""]
    min_freq = 2 + ctx.seed % 2  # 2 or 3: never only the default
    return {
        "entries": lambda: _vocab_entries(build_vocab(sentences, min_freq=min_freq), f"build_vocab(texts, {min_freq})"),
        "entries_all": lambda: _vocab_entries(build_vocab(sentences[:10]), "build_vocab(texts)"),
        "entries_of_nothing": lambda: _vocab_entries(build_vocab([""]), "build_vocab([''])"),
    }


@probe
def vectors(ctx: Context) -> dict[str, Any]:
    bow = ctx.student("bow_data")
    sentences = [*_sentences(ctx, 8)[0], "", "Zzz qqq!"]  # the empty text, and one of unknown words only
    vocab = _probe_vocab(ctx, sentences)
    tokens = [*ctx.sample(sorted(vocab), 6), UNK, "zzz-not-a-word"]
    return {
        "inputs": sentences,
        "one_hot": lambda: stack_tensors([bow.one_hot(token, vocab) for token in tokens], "one_hot(token, vocab)"),
        "bag_of_words": lambda: stack_tensors(
            [bow.bag_of_words(s, vocab) for s in sentences], "bag_of_words(text, vocab)"
        ),
    }


@probe
def dataset(ctx: Context) -> dict[str, Any]:
    count = 9 + ctx.seed % 4
    sentences, labels = _sentences(ctx, count)
    sentences[-1] = ""  # an empty review is still an item
    bow = ctx.student("bow_data")
    data = bow.BowDataset(sentences, labels, _probe_vocab(ctx, sentences))

    def items() -> list[Any]:
        pairs = [data[i] for i in range(count)]
        if not all(type(item) in (tuple, list) and len(item) == 2 for item in pairs):
            raise ProbeError("dataset[i] should be a pair (features, label)")
        return pairs

    return {
        "length": lambda: len(data),
        "length_of_one": lambda: len(bow.BowDataset(sentences[:1], labels[:1], {UNK: 0})),
        "first_features": lambda: items()[0][0],
        "first_label": lambda: items()[0][1],
        "features": lambda: stack_tensors([x for x, _ in items()], "dataset[i][0]"),
        "labels": lambda: stack_tensors([y for _, y in items()], "dataset[i][1]"),
    }


@probe
def datasets_split(ctx: Context) -> dict[str, Any]:
    bow = ctx.student("bow_data")
    sentences, labels = _sentences(ctx, 60)
    train_texts, test_texts = sentences[:40], sentences[40:]
    min_freq = 1 + ctx.seed % 2
    vocab, _, _ = bow.build_datasets(train_texts, labels[:40], test_texts, labels[40:], min_freq=min_freq)
    return {
        "vocab_of_build_datasets": _vocab_entries(vocab, "the vocabulary build_datasets returns"),
        "vocab_of_training_texts": _vocab_entries(bow.build_vocab(train_texts, min_freq=min_freq), "build_vocab"),
    }


def _student_classifier(ctx: Context) -> tuple[nn.Module, list[nn.Linear], torch.Tensor]:
    vocab_size = 30 + ctx.seed
    hidden1, hidden2 = ctx.random.choice([12, 16, 20]), ctx.random.choice([4, 6, 8])  # never the defaults
    model = ctx.student("bow_model").BowClassifier(vocab_size, hidden1=hidden1, hidden2=hidden2)
    expect_type(model, nn.Module, "BowClassifier(...)")
    layers = linear_layers(model, 3)
    seed_parameters(ctx, model)
    return model.to(ctx.device), layers, _counts(ctx, 5, vocab_size)


@probe
def model_forward(ctx: Context) -> dict[str, Any]:
    model, layers, features = _student_classifier(ctx)
    return {
        "logits": lambda: model(features),
        "logits_of_one": lambda: model(features[:1]),  # a batch of one is still (1,), not ()
        "layer_shapes": layer_shapes(layers),
    }


@probe
def model_backward(ctx: Context) -> dict[str, Any]:
    model, layers, features = _student_classifier(ctx)
    features.requires_grad_(True)
    logits = expect_tensor(model(features), "forward", shape=(len(features),))
    tensors = {"features": features}
    for number, layer in enumerate(layers, start=1):
        tensors[f"linear{number}_weight"] = layer.weight
        tensors[f"linear{number}_bias"] = layer.bias
    return backward_seeded(ctx, logits, tensors)


def _loader(features: torch.Tensor, labels: torch.Tensor, batch_size: int) -> DataLoader:
    return DataLoader(TensorDataset(features.cpu(), labels.cpu()), batch_size=batch_size, shuffle=False)


@probe
def train_epoch(ctx: Context) -> dict[str, Any]:
    vocab_size, rows = 12, 9  # batches of 4, 4 and 1: the last one is a batch of one
    model = _trusted_model(ctx, vocab_size, hidden=6, dropout=0.3)
    model.eval()  # train_epoch must switch to training mode itself
    features, labels = _counts(ctx, rows, vocab_size), ctx.randint(2, rows).float()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    recorder = StepRecorder(optimizer, model)
    mean_loss = ctx.student("bow_model").train_epoch(model, _loader(features, labels, 4), optimizer)
    return training_outputs(recorder, model, mean_loss)


@probe
def train_epochs(ctx: Context) -> dict[str, Any]:
    vocab_size, rows = 10, 32
    features = _counts(ctx, rows, vocab_size)
    labels = (features @ ctx.randn(vocab_size) > features.mean() * ctx.randn(1)).float()
    model = _trusted_model(ctx, vocab_size, hidden=8)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    loader = _loader(features, labels, 8)
    train = ctx.student("bow_model").train_epoch
    return {"epoch_losses": [train(model, loader, optimizer) for _ in range(4)]}


@probe
def predict(ctx: Context) -> dict[str, Any]:
    vocab_size = 15
    model = _trusted_model(ctx, vocab_size, hidden=32, dropout=0.5)
    model.train()  # predict must switch to evaluation mode itself
    predict = ctx.student("bow_model").predict
    features = _counts(ctx, 64, vocab_size)
    return {
        "predictions": lambda: predict(model, features),
        "prediction_of_one": lambda: predict(model, features[:1]),
    }


@probe
def heldout_predictions(ctx: Context) -> dict[str, Any]:
    """The whole pipeline on the real data: the student's datasets, model and loop; labels stay outside."""
    bow, bow_model = ctx.student("bow_data"), ctx.student("bow_model")
    texts, labels = TRAIN.get()
    heldout = HELDOUT_TEXTS.get()
    vocab, train_data, heldout_data = bow.build_datasets(texts, labels, heldout, [0] * len(heldout), min_freq=2)
    loader = DataLoader(train_data, batch_size=32, shuffle=True, generator=torch.Generator().manual_seed(ctx.seed))
    model = bow_model.BowClassifier(len(vocab)).to(ctx.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(2):
        bow_model.train_epoch(model, loader, optimizer)
    features = stack_tensors([heldout_data[i][0] for i in range(len(heldout))], "the held-out dataset")
    return {"predictions": bow_model.predict(model, features)}
