"""The ``autograder`` command: regen, validate, grade, check, notebook, demo, bench.

Every command acts on the kit found from the current folder upwards (the folder with grading.yaml).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from autograder.config import ConfigError, Course, load_course
from autograder.grading import Grader, GradingError, grade_once
from autograder.kit import Kit, KitNotFound, find_kit
from autograder.references import StaleReferences
from autograder.regen import RegenError, regenerate
from autograder.report import check_results_folder, print_report, write_results
from autograder.sandbox.client import WorkerError
from autograder.validate import validate

EXPECTED_ERRORS = (ConfigError, KitNotFound, StaleReferences, GradingError, RegenError, WorkerError)


def _ids(course: Course, given: list[str]) -> list[str]:
    for assignment_id in given:
        course.assignment(assignment_id)  # raises a clear error for an unknown id
    return given or sorted(course.assignments)


def cmd_regen(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    for folder in regenerate(kit, course, _ids(course, args.assignments)):
        console.print(f"wrote {folder.relative_to(kit.root)}")
    return 0


def cmd_validate(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    ok = validate(kit, course, _ids(course, args.assignments), args.device, console)
    console.print("[green]validation passed[/]" if ok else "[red]validation FAILED[/]")
    return 0 if ok else 1


def cmd_grade(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    only = args.only.split(",") if args.only else None
    if args.results:
        check_results_folder(args.results)  # before grading, not after
    report = grade_once(kit, course, args.assignment, args.submission.resolve(), args.device, only=only)
    if args.results:
        write_results(args.results, report)
    print_report(report, console)
    return 0


def cmd_check(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    """The student's local run: visible tests on public inputs, against their starter folder."""
    code = (args.code or kit.starter_dir(args.assignment)).resolve()
    with Grader(kit, course, [args.assignment], args.device) as grader:
        report = grader.grade(args.assignment, code, public_only=True)
    print_report(report, console)
    return 0


def cmd_notebook(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.notebook import write_notebook

    for assignment_id in _ids(course, args.assignments):
        console.print(f"wrote {write_notebook(kit, assignment_id).relative_to(kit.root)}")
    return 0


def cmd_demo(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.demo import run_demo

    return run_demo(kit, course, _ids(course, [args.assignment] if args.assignment else []), console)


def cmd_bench(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.bench import run_bench

    course.assignment(args.assignment)
    return run_bench(kit, course, args.assignment, args.runs, console, args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    device = {"choices": ["auto", "cpu", "cuda"], "default": "auto", "help": "where tests run (default: auto)"}

    regen = commands.add_parser("regen", help="rebuild reference outputs from the solutions")
    regen.add_argument("assignments", nargs="*", metavar="ID")
    regen.set_defaults(run=cmd_regen)

    check = commands.add_parser("validate", help="prove solution full marks, starter zero, mutants caught")
    check.add_argument("assignments", nargs="*", metavar="ID")
    check.add_argument("--device", **device)
    check.set_defaults(run=cmd_validate)

    grade = commands.add_parser("grade", help="grade one submission (a folder or a zip)")
    grade.add_argument("submission", type=Path)
    grade.add_argument("--assignment", required=True, metavar="ID")
    grade.add_argument("--results", type=Path, help="write Gradescope's results.json here")
    grade.add_argument("--only", metavar="TEST[,TEST...]", help="grade only these tests")
    grade.add_argument("--device", **device)
    grade.set_defaults(run=cmd_grade)

    student = commands.add_parser("check", help="run the visible tests on your own code")
    student.add_argument("assignment", metavar="ID")
    student.add_argument("--code", type=Path, help="folder with your files (default: starter/ID)")
    student.add_argument("--device", **device)
    student.set_defaults(run=cmd_check)

    notebook = commands.add_parser("notebook", help="build assignments/ID/ID.ipynb from its notebook.md")
    notebook.add_argument("assignments", nargs="*", metavar="ID")
    notebook.set_defaults(run=cmd_notebook)

    demo = commands.add_parser("demo", help="regenerate, validate and grade example submissions of every assignment")
    demo.add_argument("--assignment", metavar="ID", help="only this assignment")
    demo.set_defaults(run=cmd_demo)

    bench = commands.add_parser("bench", help="measure grading time, isolation overhead and memory")
    bench.add_argument("assignment", metavar="ID")
    bench.add_argument("--runs", type=int, default=5, help="repetitions for each median (default: 5)")
    bench.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to this JSON file")
    bench.set_defaults(run=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    console = Console()
    run: Callable[[Kit, Course, argparse.Namespace, Console], int] = args.run
    try:
        kit = find_kit()
        return run(kit, load_course(kit), args, console)
    except EXPECTED_ERRORS as error:
        print(f"autograder: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
