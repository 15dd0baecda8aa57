"""summary.md of a regrade, for the course staff: how many changed and in which direction, then each
changed submission with, for each test that changed, its score and its feedback before and after. The
feedback comes from submissions: it is cleaned and capped, and shown in code blocks that it cannot close;
what goes in the tables is escaped like report.md's."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from autograder.batch.diff import Regraded
from autograder.batch.markdown import ESCAPED
from autograder.batch.stats import max_total
from autograder.batch.store import Index, ResultTest
from autograder.text import clean

FEEDBACK_CHARS = 600
BACKQUOTES = re.compile(r"`+")


def write_summary(path: Path, before: Index, after: Index, regraded: list[Regraded], dry_run: bool) -> None:
    changed = [item for item in regraded if item.tests]
    lines = [f"# Regrade of {after.assignment} with version {after.version} of its tests", ""]
    lines += _overview(before, after, regraded, dry_run)
    if changed:
        lines += ["", "## Changed submissions", "", *_table(changed), "", "## Why", ""]
        names = {test.id: test.name for test in [*before.tests, *after.tests]}
        for item in changed:
            lines += _why(item, names)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _overview(before: Index, after: Index, regraded: list[Regraded], dry_run: bool) -> list[str]:
    changes = [item.change or 0.0 for item in regraded if item.tests]
    versions = Counter(item.before.extra_data.tests_version or "unrecorded" for item in regraded if item.before)
    previous = ", ".join(f"{version} ({count})" for version, count in versions.most_common()) or "none"
    return [
        f"{len(regraded)} submissions regraded (previous results by version {previous}); "
        f"points: {max_total(before):g} before, {max_total(after):g} now.",
        f"{len(changes)} changed: {sum(c > 0 for c in changes)} up, {sum(c < 0 for c in changes)} down, "
        f"{sum(c == 0 for c in changes)} with the same total or none before.",
        "",
        "Dry run: the batch's grades are as they were; the same command without `--dry-run` replaces them "
        "(and reuses what is graded here)."
        if dry_run
        else "Applied: the batch's grades.csv and results hold the new grades; the previous ones are in `previous/`.",
    ]


def _table(changed: list[Regraded]) -> list[str]:
    rows = ["| submission | students | before | after | change | tests |", "|---|---|---:|---:|---:|---|"]
    for item in changed:
        old = "-" if item.before is None else f"{item.before.score:g}"
        change = "-" if item.change is None else f"{item.change:+g}"
        rows.append(
            f"| {_escaped(item.entry.id)} | {_escaped(item.students)} | {old} | {item.after.score:g} | {change} "
            f"| {', '.join(test.id for test in item.tests)} |"
        )
    return rows


def _why(item: Regraded, names: dict[str, str]) -> list[str]:
    old = "-" if item.before is None else f"{item.before.score:g}"
    heading = f"### {_escaped(item.entry.id)}"
    if item.students:
        heading += f" ({_escaped(item.students)})"
    lines = [f"{heading}: {old} → {item.after.score:g}", ""]
    for test in item.tests:
        lines += [f"**{test.id}** ({_escaped(names[test.id])}): {_score(test.before)} → {_score(test.after)}", ""]
        if test.before is not None and test.after is not None and test.before.output == test.after.output:
            lines += ["Feedback unchanged:", "", *_block(test.after), ""]
            continue
        lines += ["Before:", "", *_block(test.before), "", "Now:", "", *_block(test.after), ""]
    return lines


def _score(test: ResultTest | None) -> str:
    return "not graded" if test is None else f"{test.score:g} of {test.max_score:g}"


def _block(test: ResultTest | None) -> list[str]:
    """The feedback of one test, cleaned and capped, as a code block: shown as it is, never as Markdown. Its
    fence is longer than any run of backquotes in it, so that nothing in it can close the block."""
    text = "(not graded)" if test is None else clean(test.output, FEEDBACK_CHARS).strip() or "(no feedback)"
    fence = "`" * max(3, 1 + max((len(run) for run in BACKQUOTES.findall(text)), default=0))
    return [fence, *text.splitlines(), fence]


def _escaped(text: str) -> str:
    return text.translate(ESCAPED)
