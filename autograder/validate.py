"""``autograder validate``: prove the tests of an assignment are right before students see them.

The references are fresh; the solution gets full marks, and so does every correct alternative (a right
answer written differently); the starter gets zero (and the grader survives it); every mutant loses
points on each test it declares. It also reports which mutants the feedback names (the goal: each one
whose outputs are values, named by at least one test it fails) and whether their stored outputs are fresh.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.table import Table

from autograder.config import Course, TestSpec
from autograder.grading import Grader, GradeReport
from autograder.judge import read_outputs
from autograder.kit import Kit
from autograder.mutant_outputs import MutantOutputs
from autograder.naming import KnownMistake
from autograder.references import Key, StaleReferences, load_references, needed_keys
from autograder.variants import Mutant, build, load_alternatives, load_mutants
from autograder.wire import Outputs


@dataclass
class Check:
    subject: str
    ok: bool
    detail: str


@dataclass
class Naming:
    """Whether grading a mutant names it in the feedback."""

    status: Literal["named", "not named", "raises", "not stored"]
    detail: str


def validate(kit: Kit, course: Course, assignment_ids: list[str], device: str, console: Console) -> bool:
    """Run every check, print one table per assignment, and return whether all passed."""
    all_ok = True
    with Grader(kit, course, assignment_ids, device) as grader:
        for assignment_id in assignment_ids:
            checks, namings = _checks(kit, course, grader, assignment_id)
            _print(console, assignment_id, checks)
            if namings:
                console.print(_named_summary(assignment_id, namings), soft_wrap=True, markup=False)
            all_ok &= all(check.ok for check in checks)
    return all_ok


def _checks(kit: Kit, course: Course, grader: Grader, assignment_id: str) -> tuple[list[Check], dict[str, Naming]]:
    """The checks of one assignment, and whether the feedback names each mutant."""
    assignment = course.assignment(assignment_id)
    try:
        references, _ = load_references(kit, assignment_id, assignment, needed_keys(assignment))
    except StaleReferences as error:
        return [Check("references", False, str(error))], {}
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

    stored = grader.mutant_outputs(assignment_id)
    checks.append(Check("known mistakes' outputs", not stored.missing, stored.missing or "fresh for every mutant"))
    namings = {}
    with tempfile.TemporaryDirectory() as scratch:
        for mutant in load_mutants(kit, assignment_id, assignment):
            folder = build(kit, assignment_id, assignment, mutant, Path(scratch) / mutant.id)
            report = grader.grade(assignment_id, folder, only=mutant.must_fail)
            survived = [o.test.id for o in report.outcomes if o.passed]
            detail = f"{mutant.description}; " + (
                f"NOT caught by {', '.join(survived)}" if survived else f"caught by {', '.join(mutant.must_fail)}"
            )
            namings[mutant.id] = naming(mutant, report, stored, references)
            checks.append(Check(f"mutant {mutant.id}", not survived, f"{detail}; {namings[mutant.id].detail}"))
    return checks, namings


def naming(mutant: Mutant, report: GradeReport, stored: MutantOutputs, references: dict[Key, Outputs]) -> Naming:
    """Which tests name the mutant in the feedback of ``report`` (its grading on its must_fail tests), or
    why none does."""
    naming_tests = [o.test.id for o in report.outcomes if o.mistake == mutant.id]
    if naming_tests:
        return Naming("named", f"named by {', '.join(naming_tests)}")
    known = next((k for k in stored.known if k.id == mutant.id), None)
    if known is None:
        return Naming("not stored", "not named: no fresh outputs stored (see the known mistakes' outputs)")
    if not _returns_values(known, [o.test for o in report.outcomes], references):
        return Naming("raises", "not named: it raises where it fails, and the feedback shows that error")
    others = sorted({o.mistake for o in report.outcomes if o.mistake})
    return Naming("not named", "not named" + (f": its outputs match {', '.join(others)}" if others else ""))


def _returns_values(known: KnownMistake, tests: list[TestSpec], references: dict[Key, Outputs]) -> bool:
    """Whether, on some run, the mutant returned values for all that one of these tests reads."""
    return any(
        key[0] == test.probe and set(read_outputs(test, references[key])) <= set(outputs)
        for test in tests
        for key, outputs in known.outputs.items()
    )


def _named_summary(assignment_id: str, namings: dict[str, Naming]) -> str:
    """How many mutants the feedback names, of those whose outputs are values."""
    values = {mutant: n for mutant, n in namings.items() if n.status != "raises"}
    unnamed = [mutant for mutant, n in values.items() if n.status != "named"]
    line = f"{assignment_id}: the feedback names {len(values) - len(unnamed)} of {len(values)} mutants"
    line += " whose outputs are values" + (f" (not named: {', '.join(unnamed)})" if unnamed else "")
    raising = len(namings) - len(values)
    return line + (f"; {raising} more raise where they fail, and the feedback shows the error" if raising else "")


def _print(console: Console, assignment_id: str, checks: list[Check]) -> None:
    table = Table(title=f"validate {assignment_id}", title_justify="left")
    table.add_column("check")
    table.add_column("result")
    table.add_column("detail", overflow="fold", max_width=100)
    for check in checks:
        table.add_row(check.subject, "[green]ok[/]" if check.ok else "[red]FAILED[/]", check.detail)
    console.print(table)
