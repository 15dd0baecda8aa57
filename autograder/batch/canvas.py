"""canvas.csv: the totals as Canvas's gradebook imports them (Grades > Import). Its columns are Canvas's
own, in Canvas's order: Student, ID, SIS User ID, SIS Login ID, Section, then one column for the
assignment; the second row, "Points Possible", gives the assignment's points. One row per student: each
member of a group submission gets its total. What a Gradescope export knows fills them: the name, the sid
as SIS User ID and the email as SIS Login ID; Canvas's own user ID and the section stay blank. A
submission with no known student gets a row named after its id, which Canvas asks you to match by hand."""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from autograder.batch.stats import Graded, max_total
from autograder.batch.store import Index, Student
from autograder.text import inert

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_ROW = "Points Possible"


def write_canvas(path: Path, index: Index, graded: list[Graded]) -> None:
    """Write canvas.csv with the column ``index.canvas``."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*IDENTITY, index.canvas])
        writer.writerow([POINTS_ROW, *[""] * (len(IDENTITY) - 1), f"{max_total(index):g}"])
        for item in graded:
            for person in item.entry.students or [Student(name=item.entry.id)]:
                identity = [inert(person.name), "", inert(person.sid), inert(person.email), ""]
                writer.writerow([*identity, f"{item.results.score:g}"])


def parse_column(text: str) -> str:
    """``--canvas``: the assignment's column as Canvas names it, e.g. ``Bag of words (4242)``."""
    if not text.strip() or not text.isprintable():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a column name: give the assignment's name in Canvas, with its id in parentheses "
            "(e.g. 'Bag of words (4242)') to fill an existing assignment"
        )
    return text.strip()
