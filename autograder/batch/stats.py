"""Figures of a batch made from its results: totals, each test's pass rate and most common failure, the
tests with an unusual failure rate, and the score distribution (one binning, shared by report.md and
scores.png)."""

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
STRONG_SHARE = 0.9
"""A submission is strong for a test when it passes at least this share of the other tests."""
UNUSUAL_SHARE = 0.5
"""A test is unusual when at least this share of its strong submissions fail it..."""
MIN_STRONG = 3
"""...and at least this many are strong (fewer say nothing)."""


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


@dataclass(frozen=True)
class Unusual:
    """A test that most submissions that pass (nearly) every other test fail: likely a bad test."""

    column: Column
    failed: int
    """Strong submissions that failed it."""
    strong: int
    failure: str
    """The most common first line of their feedback."""


def unusual_tests(index: Index, graded: list[Graded]) -> list[Unusual]:
    """The tests failed by at least UNUSUAL_SHARE of their strong submissions (when MIN_STRONG are): work
    that is right everywhere else seldom fails one test alone, so the test may be wrong."""
    if len(index.tests) < 2:
        return []
    rows = [[test.score >= test.max_score for test in g.results.tests] for g in graded]
    passed = np.array(rows, dtype=bool).reshape(len(graded), len(index.tests))  # (submissions, tests)
    others_passed = passed.sum(axis=1, keepdims=True) - passed
    strong = others_passed >= STRONG_SHARE * (len(index.tests) - 1)
    flagged = []
    for position, column in enumerate(index.tests):
        count, failed = int(strong[:, position].sum()), np.flatnonzero(strong[:, position] & ~passed[:, position])
        if count >= MIN_STRONG and len(failed) >= UNUSUAL_SHARE * count:
            failures = Counter(_first_line(graded[row].results.tests[position].output) for row in failed)
            flagged.append(Unusual(column, len(failed), count, failures.most_common(1)[0][0]))
    return flagged


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
