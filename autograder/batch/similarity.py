"""``autograder similarity``: how much code each pair of submissions shares, measured by copydetect
(fingerprints of the tokenized code, in which every name is the same token, so renaming changes nothing),
with the starter's code excluded as boilerplate. Writes copydetect's HTML report (the shared code
highlighted side by side, escaped) and a CSV of the most similar pairs. It flags pairs for a person to
read; it decides nothing."""

from __future__ import annotations

import csv
import itertools
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.batch import BatchError
from autograder.batch.outputs import WHO, who
from autograder.batch.sources import Skipped, Source, joined, write_sources
from autograder.batch.store import Entry

if TYPE_CHECKING:
    from copydetect import CopyDetector

HTML = "similarity.html"
PAIRS = "similar_pairs.csv"
PRINTED = 10
"""Pairs shown in the terminal."""
VERDICT = (
    "These figures flag pairs to read side by side; they decide nothing. Shared code can be honest (the "
    "handout's hints, a common tutorial, a function that can only be written one way): read both "
    "submissions before concluding anything."
)


@dataclass(frozen=True)
class Pair:
    """Two submissions (``a`` first by id) and the code they share."""

    a: Entry
    b: Entry
    a_in_b: float
    """The share of a's code (its tokens outside the starter's code) also found in b."""
    b_in_a: float
    shared_tokens: int
    """Tokens of a's code also found in b."""

    def rank(self) -> tuple[float, float, int, str, str]:
        """Most similar first: the larger share, then the smaller, then the size of what is shared."""
        larger, smaller = max(self.a_in_b, self.b_in_a), min(self.a_in_b, self.b_in_a)
        return (-larger, -smaller, -self.shared_tokens, self.a.id, self.b.id)


@dataclass(frozen=True)
class Comparison:
    pairs: list[Pair]
    """Every pair that shares code, most similar first."""
    compared: int
    skipped: list[Skipped]


def compare(submissions: Path, starter: Path, files: list[str], out: Path, top: int, threshold: float) -> Comparison:
    """Compare the code of every submission of ``submissions`` with every other, the code of the
    ``starter`` folder excluded; write ``out/similarity.html`` (pairs above ``threshold``) and
    ``out/similar_pairs.csv`` (the ``top`` pairs)."""
    from copydetect import CopyDetector  # loaded only for this command: it brings pyplot and pygments

    if top < 1:
        raise BatchError(f"--top must be at least 1, not {top}")
    if not 0 <= threshold <= 1:
        raise BatchError(f"--threshold is a share of a submission's code, from 0 to 1, not {threshold}")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="similarity-") as folder:
        scratch = Path(folder)
        sources, skipped = write_sources(submissions, files, scratch)
        if len(sources) < 2:
            raise BatchError(f"{submissions} holds {len(sources)} submission(s) with code: at least 2 are needed")
        (scratch / "starter").mkdir()
        (scratch / "starter" / "starter.py").write_text(joined(starter, files), encoding="utf-8")
        detector = CopyDetector(
            test_dirs=[str(scratch / "code")],
            boilerplate_dirs=[str(scratch / "starter")],
            extensions=["py"],
            display_t=threshold,
            autoopen=False,
            silent=True,
            out_file=str(out / HTML),
        )
        detector.run()
        pairs = _pairs(detector, sources)
        report = detector.generate_html_report(output_mode="return")
        (out / HTML).write_text(report.replace(f"{scratch}{os.sep}", ""), encoding="utf-8")  # names code/<id>.py
    write_pairs(out / PAIRS, pairs[:top])
    return Comparison(pairs, len(sources), skipped)


def _pairs(detector: CopyDetector, sources: list[Source]) -> list[Pair]:
    """The pairs of ``sources`` that share code, from the detector's matrices (rows and columns in its own
    order of files)."""
    row = {path: number for number, path in enumerate(detector.test_files)}
    column = {path: number for number, path in enumerate(detector.ref_files)}
    pairs = []
    for a, b in itertools.combinations(sorted(sources, key=lambda source: source.entry.id), 2):
        a_in_b, b_in_a = (float(share) for share in detector.similarity_matrix[row[str(a.path)], column[str(b.path)]])
        shared = round(a_in_b * detector.file_data[str(a.path)].token_coverage)
        if shared > 0:
            pairs.append(Pair(a.entry, b.entry, a_in_b, b_in_a, shared))
    return sorted(pairs, key=Pair.rank)


def write_pairs(path: Path, pairs: list[Pair]) -> None:
    """similar_pairs.csv: each submission of a pair with its students, both shares and the shared tokens."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        header = [f"{name}_{side}" for side in "ab" for name in WHO]
        writer.writerow([*header, "similarity_a_to_b", "similarity_b_to_a", "shared_tokens"])
        for pair in pairs:
            shares = (f"{pair.a_in_b:.3f}", f"{pair.b_in_a:.3f}")
            writer.writerow([*who(pair.a), *who(pair.b), *shares, pair.shared_tokens])


def print_comparison(comparison: Comparison, out: Path, top: int, threshold: float, console: Console) -> None:
    """What was compared, what was not and why, the most similar pairs, where the reports are, and that
    they decide nothing."""
    console.print(Text(f"compared {comparison.compared} submissions"))
    for skipped in comparison.skipped:
        console.print(Text(f"skipped {skipped.entry.id}: {skipped.reason}", style="yellow"))
    table = Table(title="most similar pairs (share of each one's code found in the other)", title_justify="left")
    for heading, justify in (("a", "left"), ("b", "left"), ("a in b", "right"), ("b in a", "right")):
        table.add_column(heading, justify=justify)
    for pair in comparison.pairs[:PRINTED]:
        table.add_row(Text(pair.a.id), Text(pair.b.id), f"{pair.a_in_b:.0%}", f"{pair.b_in_a:.0%}")
    console.print(table if comparison.pairs else Text("no two submissions share code outside the starter"))
    shown = sum(max(pair.a_in_b, pair.b_in_a) > threshold for pair in comparison.pairs)  # as copydetect counts
    console.print(
        Text(
            f"{out / PAIRS}: the {min(top, len(comparison.pairs))} most similar pairs; {out / HTML}: "
            f"the {shown} pairs above {threshold:.0%}, with the shared code highlighted"
        )
    )
    console.print(Text(VERDICT, style="bold"))
