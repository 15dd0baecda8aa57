"""Rebuild the held-out set of a6_transformer, byte for byte: 1000 sequences of the shipped data's
generator (assignments/a6_transformer/data/make_data.py) drawn with their own seed, 2, which the shipped
files do not use. texts.txt holds one sequence per line; labels.txt its label (1: ``a`` before ``b``).

    python make_heldout.py
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
GENERATOR = HERE.parents[2] / "assignments" / "a6_transformer" / "data" / "make_data.py"
SEED, ROWS = 2, 1000


def main() -> None:
    spec = importlib.util.spec_from_file_location("make_data", GENERATOR)
    make_data = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_data)
    rng = random.Random(SEED)
    rows = [make_data.make_row(rng) for _ in range(ROWS)]
    (HERE / "texts.txt").write_text("".join(" ".join(tokens) + "\n" for _, tokens in rows), encoding="utf-8")
    (HERE / "labels.txt").write_text("".join(f"{label}\n" for label, _ in rows), encoding="utf-8")


if __name__ == "__main__":
    main()
