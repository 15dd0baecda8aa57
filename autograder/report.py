"""Reports: Gradescope's results.json, and readable tables for the terminal."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from autograder.files import replace_file
from autograder.grading import GradeReport, GradingError
from autograder.text import clean

MAX_LISTED_FAILURES = 4


def gradescope_results(report: GradeReport) -> dict[str, Any]:
    """The results.json that Gradescope's autograder specification asks for."""
    return {
        "score": round(report.score, 4),
        "execution_time": round(report.execution_time, 2),
        "output": _summary(report),
        "stdout_visibility": "hidden",
        "extra_data": {"tests_version": report.tests_version},
        "tests": [
            {
                "name": outcome.test.name,
                "number": f"{number}",
                "score": outcome.score,
                "max_score": outcome.test.points,
                "status": "passed" if outcome.passed else "failed",
                "visibility": outcome.test.visibility,
                "output": outcome.feedback,
            }
            for number, outcome in enumerate(report.outcomes, start=1)
        ],
    }


def _summary(report: GradeReport) -> str:
    lines = [f"{report.title}: {report.score:g} / {report.max_score:g} (graded on {report.device})"]
    return "\n".join(lines + [clean(note) for note in report.notes])


def write_results(path: Path, report: GradeReport) -> None:
    """Write results.json atomically: a reader sees the old file or the whole new one, never a forgery
    planted under a temporary name. Its folder is made by the grader if missing, and refused if other
    users may replace files in it (writable by them, without the sticky bit)."""
    check_results_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    replace_file(path, (json.dumps(gradescope_results(report), indent=2) + "\n").encode())


def check_results_folder(path: Path) -> None:
    """Raise GradingError if ``path``'s nearest existing folder lets other users replace its files."""
    folder = next(parent for parent in (path.parent, *path.parent.parents) if parent.exists())
    mode = folder.stat().st_mode
    if mode & (stat.S_IWGRP | stat.S_IWOTH) and not mode & stat.S_ISVTX:
        raise GradingError(f"refusing to write results in {folder}: other users may write there; choose a folder "
                           "only the grader can write")


def print_report(report: GradeReport, console: Console, full_feedback: bool = True) -> None:
    table = Table(title=f"{report.assignment_id}: {report.title}", title_justify="left", expand=False)
    table.add_column("#", justify="right")
    table.add_column("test")
    table.add_column("score", justify="right")
    table.add_column("feedback", overflow="fold", max_width=90)
    for number, outcome in enumerate(report.outcomes, start=1):
        style = "green" if outcome.passed else ("yellow" if outcome.score > 0 else "red")
        feedback = outcome.feedback if full_feedback else outcome.feedback.splitlines()[0]
        score = Text(f"{outcome.score:g}/{outcome.test.points:g}", style=style)
        table.add_row(str(number), outcome.test.id, score, Text(clean(feedback)))  # Text: no markup
    console.print(table)
    for note in report.notes:
        console.print(Text("note: ", style="dim") + Text(clean(note)))
    console.print(
        f"[bold]total {report.score:g} / {report.max_score:g}[/]  ({report.execution_time:.1f} s on {report.device})"
    )


def print_summary(rows: list[tuple[str, GradeReport, str]], console: Console, title: str) -> None:
    """One line per graded submission: name, score, and a remark (e.g. the expected outcome)."""
    table = Table(title=title, title_justify="left")
    table.add_column("submission")
    table.add_column("score", justify="right")
    table.add_column("seconds", justify="right")
    table.add_column("tests failed", overflow="fold", max_width=60)
    table.add_column("remark", overflow="fold", max_width=50)
    for name, report, remark in rows:
        failed_ids = [o.test.id for o in report.outcomes if not o.passed]
        failed = (
            ", ".join(failed_ids)
            if len(failed_ids) <= MAX_LISTED_FAILURES
            else f"{len(failed_ids)} of {len(report.outcomes)}"
        )
        failed = failed or "-"
        table.add_row(Text(name), f"{report.score:g} / {report.max_score:g}", f"{report.execution_time:.1f}", failed,
                      Text(remark))
    console.print(table)
