"""report.md: how the batch went, for the course staff: totals, each test's pass rate and its most
common failure, the tests with an unusual failure rate, and the score distribution. Feedback comes from
submissions: it is cleaned and escaped so that it cannot break the tables or add links and HTML."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from autograder.batch.stats import (
    MIN_STRONG,
    STRONG_SHARE,
    UNUSUAL_SHARE,
    Graded,
    histogram,
    max_total,
    per_test,
    totals,
    unusual_tests,
)
from autograder.batch.store import Index

ESCAPED = str.maketrans({char: f"\\{char}" for char in "\\|<>[]`"})


def write_report(path: Path, index: Index, graded: list[Graded], missing: list[str]) -> None:
    lines = [
        f"# Grades of {index.assignment}",
        "",
        *_totals(index, graded),
        "",
        "![Histogram of the totals](scores.png)",
    ]
    lines += ["", "## Tests", "", *_tests(index, graded)]
    lines += ["", "## Unusual tests", "", *_unusual(index, graded)]
    lines += ["", "## Score distribution", "", *_distribution(index, graded)]
    if missing:
        lines += [
            "",
            "## Not graded yet",
            "",
            f"{len(missing)} submissions have no complete result; run "
            "`autograder grade-all` again (or their shard, then `autograder merge`):",
            "",
            ", ".join(f"`{name}`" for name in missing),
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _totals(index: Index, graded: list[Graded]) -> list[str]:
    scores, most = totals(graded), max_total(index)
    summary = f"{len(graded)} submissions graded on {len(index.tests)} tests ({most:g} points)."
    if not len(scores):
        return [summary]
    full, zero = int((scores >= most).sum()), int((scores == 0).sum())
    return [
        summary,
        f"Totals: mean {scores.mean():.2f}, median {np.median(scores):g}, lowest {scores.min():g}, "
        f"highest {scores.max():g}; {full} with full marks, {zero} with zero.",
    ]


def _tests(index: Index, graded: list[Graded]) -> list[str]:
    rows = [
        "| test | points | passed | pass rate | mean score | most common failure |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for figures in per_test(index, graded):
        rate = f"{figures.passed / len(graded):.0%}" if graded else "-"
        failure = f"{_escaped(figures.failure)} ({figures.failure_count}×)" if figures.failure else "-"
        rows.append(
            f"| {figures.column.id} | {figures.column.points:g} | {figures.passed} / {len(graded)} | {rate} "
            f"| {figures.mean_score:.2f} | {failure} |"
        )
    return rows


def _unusual(index: Index, graded: list[Graded]) -> list[str]:
    rule = (
        f"A test is listed when at least {UNUSUAL_SHARE:.0%} of the submissions that pass at least "
        f"{STRONG_SHARE:.0%} of the other tests fail it (and at least {MIN_STRONG} such submissions exist). "
        "Work that is right everywhere else seldom fails one test alone: check the test (its reference, "
        "its tolerance, its time limit) before the students' code."
    )
    flagged = unusual_tests(index, graded)
    if not flagged:
        return [rule, "", "None."]
    rows = [
        rule,
        "",
        f"| test | failed by | of those passing {STRONG_SHARE:.0%} of the others | their most common failure |",
        "|---|---:|---:|---|",
    ]
    for test in flagged:
        rows.append(f"| {test.column.id} | {test.failed} | {test.strong} | {_escaped(test.failure)} |")
    return rows


def _distribution(index: Index, graded: list[Graded]) -> list[str]:
    counts, edges = histogram(index, graded)
    most = max_total(index)
    rows = ["| total | submissions |", "|---|---:|"]
    for number, count in enumerate(counts):
        low, high = edges[number], edges[number + 1]
        if high > most:  # one bin per point: the last holds full marks alone
            label = f"{most:g} (full marks)"
        else:
            label = f"[{low:.4g}, {high:.4g}{']' if number == len(counts) - 1 else ')'}"
        rows.append(f"| {label} | {count} |")
    return rows


def _escaped(text: str) -> str:
    return text.translate(ESCAPED)
