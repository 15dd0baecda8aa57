"""Rebuild the synthetic "which comes first?" data of a6_transformer, byte for byte.

Each line is ``label<TAB>tokens``: a sequence of 4 to 24 lowercase letters with exactly one ``a`` and
one ``b`` among fillers ``c`` to ``r``, labelled 1 when the ``a`` comes before the ``b``, else 0. Only
positions tell the classes apart: both classes hold the same letters, so a model without positional
information cannot beat chance.

    python make_data.py OUTPUT_FOLDER

writes the shipped files, train.tsv (4000 rows, seed 0) and valid.tsv (1000 rows, seed 1), into
OUTPUT_FOLDER.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FILLERS = "cdefghijklmnopqr"
SHORTEST, LONGEST = 4, 24
SPLITS = {"train": (0, 4000), "valid": (1, 1000)}


def make_row(rng: random.Random) -> tuple[int, list[str]]:
    """One labelled sequence: random fillers, with ``a`` and ``b`` at two distinct random positions."""
    length = rng.randint(SHORTEST, LONGEST)
    tokens = [rng.choice(FILLERS) for _ in range(length)]
    first, second = rng.sample(range(length), 2)
    tokens[first], tokens[second] = "a", "b"
    return int(first < second), tokens


def write_split(path: Path, seed: int, rows: int) -> None:
    """``rows`` lines ``label<TAB>tokens`` drawn with ``random.Random(seed)``, after a header line."""
    rng = random.Random(seed)
    lines = ["label\ttokens"]
    for _ in range(rows):
        label, tokens = make_row(rng)
        lines.append(f"{label}\t{' '.join(tokens)}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    args = parser.parse_args()
    for name, (seed, rows) in SPLITS.items():
        write_split(args.folder / f"{name}.tsv", seed, rows)


if __name__ == "__main__":
    main()
