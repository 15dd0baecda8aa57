"""The files a batch ends with, rebuilt from its results every time: grades.csv (one row per graded
submission: id, students, total, one column per test), report.md, scores.png, and canvas.csv when the
folder has a Canvas column."""

from __future__ import annotations

import csv
from pathlib import Path

from rich.console import Console
from rich.text import Text

from autograder.batch.canvas import write_canvas
from autograder.batch.markdown import write_report
from autograder.batch.plot import write_plot
from autograder.batch.stats import Graded
from autograder.batch.store import CANVAS, GRADES, PLOT, REPORT, Entry, Index, read_results
from autograder.text import inert

WHO = ["id", "student", "email", "sid"]
"""The first columns of grades.csv and diff.csv: a submission and its students."""


def write_outputs(out: Path, index: Index) -> list[str]:
    """Write grades.csv, report.md, scores.png (and canvas.csv); return the ids that have no complete result."""
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
    if index.canvas:
        write_canvas(out / CANVAS, index, graded)
    return missing


def print_outcome(out: Path, index: Index, missing: list[str], console: Console) -> None:
    """Where the outputs are, and which submissions they still lack."""
    graded = len(index.submissions) - len(missing)
    files = [out / name for name in (GRADES, REPORT, PLOT, *([CANVAS] if index.canvas else []))]
    console.print(Text(f"{graded} of {len(index.submissions)} submissions in {', '.join(map(str, files))}"))
    if missing:
        console.print(Text(f"not graded yet: {', '.join(missing)}", style="yellow"))


def print_outdated(out: Path, index: Index, outdated: list[str], console: Console) -> None:
    """Which results an earlier version of the tests graded, and how to regrade them."""
    if outdated:
        console.print(
            Text(
                f"{len(outdated)} results were graded by an earlier version of the tests than {index.version}: "
                f"`autograder regrade {out} --assignment {index.assignment}` regrades them and keeps the old grades",
                style="yellow",
            )
        )


def write_grades(path: Path, index: Index, graded: list[Graded]) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*WHO, "total", *(test.id for test in index.tests)])
        for item in graded:
            scores = [item.results.score, *(test.score for test in item.results.tests)]
            writer.writerow([*who(item.entry), *(f"{score:g}" for score in scores)])


def who(entry: Entry) -> list[str]:
    """The cells of WHO for a submission (a group's students joined by "; "), safe in a spreadsheet."""
    people = entry.students
    text = [entry.id, *("; ".join(getattr(p, key) for p in people) for key in ("name", "email", "sid"))]
    return [inert(cell) for cell in text]
