"""Figures of a batch made from its results: totals, each test's pass rate and most common failure, and
the score distribution (one binning, shared by report.md and scores.png)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from autograder.batch.store import Column, Entry, Index, Results
from autograder.text import clean

BINS = 20
"""Equal bins of the totals when the most points are too many for one bin per point."""
WHOLE_BINS_UP_TO = 40
"""Up to this many points (a whole number), one bin per point: [k, k+1), the last, [most, most + 1], holding
full marks alone."""
FAILURE_CHARS = 160


@dataclass(frozen=True)
class Graded:
    """A submission of the batch with its complete results."""

    entry: Entry
    results: Results


@dataclass(frozen=True)
class PerTest:
    column: Column
    passed: int
    mean_score: float
    failure: str
    """The most common first line of the feedback of those that failed ("" when none failed)."""
    failure_count: int


def max_total(index: Index) -> float:
    return sum(test.points for test in index.tests)


def totals(graded: list[Graded]) -> np.ndarray:
    return np.array([g.results.score for g in graded], dtype=np.float64)


def per_test(index: Index, graded: list[Graded]) -> list[PerTest]:
    figures = []
    for position, column in enumerate(index.tests):
        results = [g.results.tests[position] for g in graded]
        failures = Counter(_first_line(r.output) for r in results if r.score < r.max_score)
        failure, count = failures.most_common(1)[0] if failures else ("", 0)
        mean = float(np.mean([r.score for r in results])) if results else 0.0
        figures.append(PerTest(column, len(results) - sum(failures.values()), mean, failure, count))
    return figures


def histogram(index: Index, graded: list[Graded]) -> tuple[np.ndarray, np.ndarray]:
    """(counts, edges) of the totals, from 0 to the most points."""
    most = max_total(index)
    if most <= WHOLE_BINS_UP_TO and most == math.floor(most):
        edges = np.arange(0.0, most + 2)
    else:
        edges = np.linspace(0.0, most, BINS + 1)
    counts, _ = np.histogram(totals(graded), bins=edges)
    return counts, edges


def _first_line(feedback: str) -> str:
    line = next((line.strip() for line in feedback.splitlines() if line.strip()), "(no feedback)")
    return clean(line if len(line) <= FAILURE_CHARS else line[:FAILURE_CHARS] + "…")
