"""``autograder validate``: prove the tests of an assignment are right before students see them.

The references are fresh; the solution gets full marks, and so does every correct alternative (a right
answer written differently); the starter gets zero (and the grader survives it); every mutant loses
points on each test it declares.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.references import StaleReferences, load_references, needed_keys
from autograder.variants import build, load_alternatives, load_mutants


@dataclass
class Check:
    subject: str
    ok: bool
    detail: str


def validate(kit: Kit, course: Course, assignment_ids: list[str], device: str, console: Console) -> bool:
    """Run every check, print one table per assignment, and return whether all passed."""
    all_ok = True
    with Grader(kit, course, assignment_ids, device) as grader:
        for assignment_id in assignment_ids:
            checks = _checks(kit, course, grader, assignment_id)
            _print(console, assignment_id, checks)
            all_ok &= all(check.ok for check in checks)
    return all_ok


def _checks(kit: Kit, course: Course, grader: Grader, assignment_id: str) -> list[Check]:
    assignment = course.assignment(assignment_id)
    try:
        load_references(kit, assignment_id, assignment, needed_keys(assignment))
    except StaleReferences as error:
        return [Check("references", False, str(error))]
    checks = [Check("references", True, "fresh for the solution, the probes and every seed")]

    solution = grader.grade(assignment_id, kit.solution_dir(assignment_id))
    failed = [o for o in solution.outcomes if not o.passed]
    checks.append(Check(
        "solution", not failed,
        f"{solution.score:g}/{solution.max_score:g} in {solution.execution_time:.1f} s"
        + "".join(f"\n{o.test.id}: {o.feedback}" for o in failed),
    ))

    with tempfile.TemporaryDirectory() as scratch:
        for alternative in load_alternatives(kit, assignment_id, assignment):
            folder = build(kit, assignment_id, assignment, alternative, Path(scratch) / alternative.id)
            report = grader.grade(assignment_id, folder)
            lost = [o for o in report.outcomes if not o.passed]
            checks.append(Check(
                f"alternative {alternative.id}", not lost,
                f"{alternative.description}; {report.score:g}/{report.max_score:g}"
                + "".join(f"\n{o.test.id}: {o.feedback}" for o in lost),
            ))

    starter = grader.grade(assignment_id, kit.starter_dir(assignment_id))
    scored = [o.test.id for o in starter.outcomes if o.score > 0]
    checks.append(Check(
        "starter", not scored,
        f"{starter.score:g}/{starter.max_score:g}" + (f"; scores on {', '.join(scored)}" if scored else ""),
    ))

    with tempfile.TemporaryDirectory() as scratch:
        for mutant in load_mutants(kit, assignment_id, assignment):
            folder = build(kit, assignment_id, assignment, mutant, Path(scratch) / mutant.id)
            report = grader.grade(assignment_id, folder, only=mutant.must_fail)
            survived = [o.test.id for o in report.outcomes if o.passed]
            detail = f"{mutant.description}; " + (
                f"NOT caught by {', '.join(survived)}" if survived else f"caught by {', '.join(mutant.must_fail)}"
            )
            checks.append(Check(f"mutant {mutant.id}", not survived, detail))
    return checks


def _print(console: Console, assignment_id: str, checks: list[Check]) -> None:
    table = Table(title=f"validate {assignment_id}", title_justify="left")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold", max_width=100)
    for check in checks:
        table.add_row(check.subject, "[green]ok[/]" if check.ok else "[red]FAILED[/]", check.detail)
    console.print(table)
