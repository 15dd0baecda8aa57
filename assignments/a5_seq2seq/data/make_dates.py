"""Generate the date-normalisation data of a5_seq2seq: dates written in many human formats, each paired
with its ISO form (``YYYY-MM-DD``).

Run from the root of the kit: ``python assignments/a5_seq2seq/data/make_dates.py``. It is seeded, so it
rewrites the same bytes every time: ``train.tsv`` and ``valid.tsv`` in this folder (a header line
``source<TAB>target``, then one pair a line) and the grader's held-out split in
``tests/a5_seq2seq/heldout/`` (``sources.txt``, one written date a line, and ``labels.txt``, the ISO
answer of each line as the integer ``YYYYMMDD``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

SEED = 20261124
SIZES = {"train": 12000, "valid": 1000, "heldout": 1000}
FIRST, LAST = dt.date(1950, 1, 1), dt.date(2049, 12, 31)  # two-digit years: 50-99 are 19xx, 00-49 are 20xx
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HERE = Path(__file__).resolve().parent
HELDOUT = HERE.parents[2] / "tests" / "a5_seq2seq" / "heldout"


def ordinal(day: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st, 22nd, 23rd, ..., 31st."""
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def month(d: dt.date) -> str:
    return MONTHS[d.month - 1]


FORMATS: list[Callable[[dt.date], str]] = [
    lambda d: f"{d:%m/%d/%y}",  # 03/03/98 (US order)
    lambda d: f"{d.month}/{d.day}/{d.year}",  # 3/3/1998 (US order)
    lambda d: f"{d:%d.%m.%Y}",  # 03.03.1998 (European order)
    lambda d: f"{month(d)} {d.day}, {d.year}",  # March 3, 1998
    lambda d: f"{d.day} {month(d)} {d.year}",  # 3 March 1998
    lambda d: f"{ordinal(d.day)} of {month(d)} {d.year}",  # 3rd of March 1998
    lambda d: f"{month(d)[:3]} {d.day} {d.year}",  # Mar 3 1998
    lambda d: f"{d.day} {month(d)[:3].lower()} {d:%y}",  # 3 mar 98
    lambda d: f"{WEEKDAYS[d.weekday()]}, {month(d)} {d.day}, {d.year}".lower(),  # tuesday, march 3, 1998
    lambda d: f"{month(d)} {ordinal(d.day)}, {d.year}".upper(),  # MARCH 3RD, 1998
    lambda d: f"{d:%Y%m%d}",  # 19980303
    lambda d: f"{d.year}/{d.month}/{d.day}",  # 1998/3/3
]


def generate(rng: random.Random, count: int, seen: set[str]) -> list[tuple[str, str]]:
    """``count`` pairs (written date, ISO date) whose written form is not in ``seen`` (which grows)."""
    span = (LAST - FIRST).days
    pairs: list[tuple[str, str]] = []
    while len(pairs) < count:
        date = FIRST + dt.timedelta(days=rng.randrange(span + 1))
        source = rng.choice(FORMATS)(date)
        if source not in seen:
            seen.add(source)
            pairs.append((source, date.isoformat()))
    return pairs


def write_lines(path: Path, lines: list[str]) -> None:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def main() -> None:
    rng, seen = random.Random(SEED), set[str]()
    splits = {name: generate(rng, size, seen) for name, size in SIZES.items()}
    for name in ("train", "valid"):
        write_lines(HERE / f"{name}.tsv", ["source\ttarget", *(f"{s}\t{t}" for s, t in splits[name])])
    HELDOUT.mkdir(parents=True, exist_ok=True)
    write_lines(HELDOUT / "sources.txt", [source for source, _ in splits["heldout"]])
    write_lines(HELDOUT / "labels.txt", [target.replace("-", "") for _, target in splits["heldout"]])
    print(", ".join(f"{name} {len(pairs)}" for name, pairs in splits.items()))


if __name__ == "__main__":
    main()
