"""The files a batch ends with, rebuilt from its results every time: grades.csv (one row per graded
submission: id, students, total, one column per test), report.md and scores.png."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console
from rich.text import Text

from autograder.batch.markdown import write_report
from autograder.batch.plot import write_plot
from autograder.batch.stats import Graded
from autograder.batch.store import GRADES, PLOT, REPORT, Index, read_results

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these


def write_outputs(out: Path, index: Index) -> list[str]:
    """Write grades.csv, report.md and scores.png; return the ids that have no complete result."""
    graded, missing = [], []
    for entry in index.submissions:
        results = read_results(out, entry.id, index.tests)
        if results is None:
            missing.append(entry.id)
        else:
            graded.append(Graded(entry, results))
    write_grades(out / GRADES, index, graded)
    write_report(out / REPORT, index, graded, missing)
    write_plot(out / PLOT, index, graded)
    return missing


def print_outcome(out: Path, index: Index, missing: list[str], console: Console) -> None:
    """Where the outputs are, and which submissions they still lack."""
    graded = len(index.submissions) - len(missing)
    console.print(
        Text(f"{graded} of {len(index.submissions)} submissions in {out / GRADES}, {out / REPORT}, {out / PLOT}")
    )
    if missing:
        console.print(Text(f"not graded yet: {', '.join(missing)}", style="yellow"))


def write_grades(path: Path, index: Index, graded: list[Graded]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "student", "email", "sid", "total", *(test.id for test in index.tests)])
        for item in graded:
            people = item.entry.students
            text = [item.entry.id, *("; ".join(getattr(p, key) for p in people) for key in ("name", "email", "sid"))]
            scores = [item.results.score, *(test.score for test in item.results.tests)]
            writer.writerow([*(_inert(cell) for cell in text), *(f"{score:g}" for score in scores)])


def _inert(cell: str) -> str:
    """``cell``, quoted so that a spreadsheet shows it instead of running it as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
