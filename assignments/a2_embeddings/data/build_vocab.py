"""Rebuild vocab.txt, the WordPiece vocabulary of the tiny BERT of a2_embeddings, and the held-out questions.

vocab.txt is learned by the ``tokenizers`` package's WordPiece trainer from the training reviews of
a1_bow (assignments/a1_bow/data/train.tsv), lowercased, with BERT's pre-tokenizer. The held-out questions
(tests/a2_embeddings/heldout/) ask, for a word of one of a1_bow's held-out reviews, which of two words
was its real context (within two words of it): the other is drawn from the training counts to the power
0.75. Both outputs are byte-identical on every run: see PROVENANCE.md.

    python assignments/a2_embeddings/data/build_vocab.py
"""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
TRAIN = ROOT / "assignments" / "a1_bow" / "data" / "train.tsv"
HELDOUT_TEXTS = ROOT / "tests" / "a1_bow" / "heldout" / "texts.txt"
HELDOUT = ROOT / "tests" / "a2_embeddings" / "heldout"
SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
VOCAB_SIZE = 1000
TOKEN_PATTERN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")  # a1_bow's tokenizer
MIN_COUNT, WINDOW, QUESTIONS, SEED = 3, 2, 2000, 20261124


def training_texts() -> list[str]:
    """The review texts of train.tsv (header, then ``label<TAB>text``)."""
    return [line.split("\t", 1)[1] for line in TRAIN.read_text(encoding="utf-8").splitlines()[1:]]


def build_vocab_file(texts: list[str]) -> None:
    """Train a lowercasing WordPiece tokenizer and write its vocabulary, one token per line, by id."""
    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(vocab_size=VOCAB_SIZE, special_tokens=SPECIAL_TOKENS, show_progress=False)
    tokenizer.train_from_iterator(texts, trainer)
    learned = sorted(set(tokenizer.get_vocab()) - set(SPECIAL_TOKENS))  # the trainer's ids vary from run to run
    lines = SPECIAL_TOKENS + learned
    (HERE / "vocab.txt").write_text("".join(f"{token}\n" for token in lines), encoding="utf-8")


def build_heldout_pairs(texts: list[str]) -> None:
    """Two-choice questions on held-out reviews, over words seen MIN_COUNT times in training: a center word,
    its real context (within WINDOW words) and a noise word drawn from the counts to the power 0.75, in a
    random order; the label is the position of the real context."""
    counts = Counter(token for text in texts for token in TOKEN_PATTERN.findall(text.lower()))
    words = sorted(w for w, c in counts.items() if c >= MIN_COUNT)
    noise = [counts[w] ** 0.75 for w in words]
    known = set(words)
    real = []
    for text in HELDOUT_TEXTS.read_text(encoding="utf-8").splitlines():
        tokens = [t for t in TOKEN_PATTERN.findall(text.lower()) if t in known]
        for i, center in enumerate(tokens):
            real += [(center, tokens[j]) for j in range(max(0, i - WINDOW), min(len(tokens), i + WINDOW + 1)) if j != i]
    rng = random.Random(SEED)
    rows = []
    for center, context in rng.sample(real, QUESTIONS):
        fake = rng.choices(words, weights=noise)[0]
        label = rng.randrange(2)
        rows.append((center, *((context, fake) if label == 0 else (fake, context)), label))
    HELDOUT.mkdir(parents=True, exist_ok=True)
    (HELDOUT / "questions.tsv").write_text("".join(f"{w}\t{a}\t{b}\n" for w, a, b, _ in rows), encoding="utf-8")
    (HELDOUT / "labels.txt").write_text("".join(f"{row[-1]}\n" for row in rows), encoding="utf-8")


if __name__ == "__main__":
    reviews = training_texts()
    build_vocab_file(reviews)
    build_heldout_pairs(reviews)
    print(f"vocab.txt {VOCAB_SIZE} tokens, held-out questions {QUESTIONS}")
