"""Extract short English-French sentence pairs from the French translation catalogs (``.po`` files) of
Django's source distribution, for the notebook's translation demo.

Run from the root of the kit, with the distribution downloaded once (see PROVENANCE.md):
``python assignments/a5_seq2seq/data/build_pairs.py --source <dir>/django-5.2.19.tar.gz``. It rewrites
``en_fr.tsv`` in this folder byte for byte: a header line ``english<TAB>french``, then one pair a line.
"""

from __future__ import annotations

import argparse
import ast
import re
import tarfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOG = re.compile(r"^django-[\d.]+/django/(?:[\w/]+/)?locale/fr/LC_MESSAGES/django\.po$")
PLACEHOLDER = re.compile(r"%|\{|\}|<|>|&|\\|\n|\t")
MAX_WORDS = 6


def entries(text: str) -> list[dict[str, str]]:
    """Every entry of a ``.po`` file as ``{keyword: text}`` (``msgid``, ``msgstr``, ``msgctxt``, ``flags``...),
    with continued strings joined and escapes decoded."""
    found: list[dict[str, str]] = []
    entry: dict[str, str] = {}
    keyword = ""
    for line in [*text.splitlines(), ""]:
        line = line.strip()
        if not line:
            if entry:
                found.append(entry)
            entry, keyword = {}, ""
        elif line.startswith("#,"):
            entry["flags"] = line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[keyword] += ast.literal_eval(line)
        else:
            keyword, _, rest = line.partition(" ")
            entry[keyword] = ast.literal_eval(rest)
    return found


def usable(entry: dict[str, str]) -> bool:
    """A translated, not fuzzy, singular message without context, of at most MAX_WORDS words, with a letter and
    without placeholders or markup."""
    english, french = entry.get("msgid", ""), entry.get("msgstr", "")
    if not english or not french or "fuzzy" in entry.get("flags", "") or "msgid_plural" in entry:
        return False
    if "msgctxt" in entry or not re.search(r"[A-Za-z]", english):  # a context marks an abbreviation or a sense
        return False
    if PLACEHOLDER.search(english + french):
        return False
    return len(english.split()) <= MAX_WORDS and len(french.split()) <= MAX_WORDS


def pairs_from(source: Path) -> list[tuple[str, str]]:
    """The distinct (English, French) pairs of every French catalog of Django itself (not its tests), sorted."""
    pairs: set[tuple[str, str]] = set()
    with tarfile.open(source) as archive:
        for member in archive.getmembers():
            if CATALOG.match(member.name):
                text = archive.extractfile(member).read().decode("utf-8")
                pairs |= {(e["msgid"].strip(), e["msgstr"].strip()) for e in entries(text) if usable(e)}
    return sorted(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, required=True, help="django-5.2.19.tar.gz from PyPI")
    pairs = pairs_from(parser.parse_args().source)
    lines = ["english\tfrench", *(f"{english}\t{french}" for english, french in pairs)]
    (HERE / "en_fr.tsv").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    print(f"{len(pairs)} pairs")


if __name__ == "__main__":
    main()
