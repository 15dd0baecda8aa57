"""What a regrade changed: each regraded submission's results before and after, side by side by test id
(a test's points or name may have changed), and diff.csv, one row per submission whose scores changed."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from autograder.batch import BatchError
from autograder.batch.outputs import WHO, who
from autograder.batch.store import Column, Entry, Index, Results, ResultTest, read_results


@dataclass(frozen=True)
class ChangedTest:
    """One test whose score changed; a side is None where the test was not graded."""

    id: str
    before: ResultTest | None
    after: ResultTest | None


@dataclass(frozen=True)
class Regraded:
    """One submission graded before and again."""

    entry: Entry
    before: Results | None
    """Its previous results (None when it had no complete one)."""
    after: Results
    tests: list[ChangedTest]
    """The tests whose score changed (none: the regrade left it as it was)."""

    @property
    def change(self) -> float | None:
        return None if self.before is None else self.after.score - self.before.score

    @property
    def students(self) -> str:
        """Who submitted it, in short: each student's name (or email, or sid), joined by "; "."""
        return "; ".join(person.name or person.email or person.sid for person in self.entry.students)


def compare(before: Path, before_index: Index, after: Path, after_index: Index) -> list[Regraded]:
    """Every submission of ``after_index``, with its results in the folder ``before`` and in ``after``."""
    regraded = []
    for entry in after_index.submissions:
        old = read_results(before, entry.id, before_index.tests)
        new = read_results(after, entry.id, after_index.tests)
        if new is None:  # cut short or unreadable: graded again by the next run
            raise BatchError(f"{entry.id} has no complete result in {after}: run the same command again")
        old_tests, new_tests = _by_id(old, before_index.tests), _by_id(new, after_index.tests)
        ids = [*new_tests, *(test_id for test_id in old_tests if test_id not in new_tests)]
        changed = [
            ChangedTest(test_id, old_tests.get(test_id), new_tests.get(test_id))
            for test_id in ids
            if _score(old_tests.get(test_id)) != _score(new_tests.get(test_id))
        ]
        regraded.append(Regraded(entry, old, new, changed))
    return regraded


def write_diff(path: Path, regraded: list[Regraded]) -> None:
    """diff.csv: who changed (WHO), the totals before and after, the change, and the tests that changed."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow([*WHO, "old_total", "new_total", "change", "tests_changed"])
        for item in regraded:
            if item.tests:
                old_total = "" if item.before is None else f"{item.before.score:g}"
                change = "" if item.change is None else f"{item.change:+g}"
                tests = " ".join(test.id for test in item.tests)
                writer.writerow([*who(item.entry), old_total, f"{item.after.score:g}", change, tests])


def _by_id(results: Results | None, columns: list[Column]) -> dict[str, ResultTest]:
    return {} if results is None else {c.id: test for c, test in zip(columns, results.tests, strict=True)}


def _score(test: ResultTest | None) -> float | None:
    return None if test is None else round(test.score, 4)
