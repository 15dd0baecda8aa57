"""The ``autograder`` command: build, check and grade the course's assignments.

Its commands: regen, validate, grade, grade-all, regrade, merge, similarity, check, notebook, demo, bench.
Every command acts on the kit found from the current folder upwards (the folder with grading.yaml).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from rich.console import Console

from autograder.batch import BatchError
from autograder.batch.canvas import parse_column
from autograder.batch.shard import WHOLE, parse_shard
from autograder.config import ConfigError, Course, load_course
from autograder.grading import Grader, GradingError, grade_once
from autograder.kit import Kit, KitNotFound, find_kit
from autograder.references import StaleReferences
from autograder.regen import RegenError, regenerate
from autograder.report import check_results_folder, print_report, write_results
from autograder.sandbox.client import WorkerError
from autograder.validate import validate

EXPECTED_ERRORS = (ConfigError, KitNotFound, StaleReferences, GradingError, RegenError, WorkerError, BatchError)


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
    only = args.only.split(",") if args.only else None
    if args.results:
        check_results_folder(args.results)
    with Grader(kit, course, [args.assignment], args.device) as grader:
        report = grader.grade(args.assignment, code, only=only, public_only=True)
    if args.results:
        write_results(args.results, report)
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


def cmd_build(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.release.build import build

    for assignment_id in _ids(course, args.assignments):
        target = build(kit, course, assignment_id, args.out.resolve(), gpu=args.gpu)
        console.print(f"wrote {target}/student, {target}/gradescope/autograder.zip and {target}/otter")
    return 0


def cmd_grade_all(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.batch.bench import run_bench
    from autograder.batch.outputs import print_outcome, print_outdated
    from autograder.batch.run import BatchOptions, grade_all

    if args.bench == (args.out is not None):
        raise BatchError("grade-all needs --out DIR, or --bench (which grades into scratch folders), not both")
    if (args.json or args.runs is not None) and not args.bench:
        raise BatchError("--runs and --json go with --bench")
    only = args.only.split(",") if args.only else None
    submissions = args.submissions.resolve()
    options = BatchOptions(args.assignment, submissions, args.jobs, args.shard, only, args.device, args.canvas or "")
    if args.bench:
        return run_bench(kit, course, options, 3 if args.runs is None else args.runs, console, args.json)
    try:
        run = grade_all(kit, course, options, args.out.resolve(), console)
    except KeyboardInterrupt:
        console.print("interrupted: what is graded is kept; the same command grades the rest")
        return 130
    console.print(f"graded {len(run.graded)}, {run.skipped} already graded")
    print_outcome(args.out, run.index, run.missing, console)
    print_outdated(args.out, run.index, run.outdated, console)
    return 0


def cmd_regrade(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.batch.regrade import RegradeOptions, print_regrade, regrade

    students = args.only_students.split(",") if args.only_students else None
    submissions = args.submissions.resolve() if args.submissions else None
    options = RegradeOptions(
        args.assignment, students, submissions, args.dry_run, args.jobs, args.device, args.canvas or ""
    )
    try:
        done = regrade(kit, course, options, args.out.resolve(), console)
    except KeyboardInterrupt:
        console.print("interrupted: what is regraded is kept; the same command regrades the rest")
        return 130
    print_regrade(done, console)
    return 0


def cmd_merge(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.batch.merge import merge
    from autograder.batch.outputs import print_outcome

    index, missing = merge([folder.resolve() for folder in args.folders], args.out.resolve())
    print_outcome(args.out, index, missing, console)
    return 0


def cmd_similarity(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.batch.similarity import compare, print_comparison

    files, starter = course.assignment(args.assignment).files, kit.starter_dir(args.assignment)
    comparison = compare(args.submissions.resolve(), starter, files, args.out.resolve(), args.top, args.threshold)
    print_comparison(comparison, args.out, args.top, args.threshold, console)
    return 0


def cmd_bench(kit: Kit, course: Course, args: argparse.Namespace, console: Console) -> int:
    from autograder.bench import run_bench

    course.assignment(args.assignment)
    return run_bench(kit, course, args.assignment, args.runs, console, args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    device = {"choices": ["auto", "cpu", "cuda"], "default": "auto", "help": "where tests run (default: auto)"}
    canvas = {
        "type": parse_column,
        "metavar": "COLUMN",
        "help": "also write canvas.csv for Canvas's gradebook, with this column: 'Assignment name (Canvas id)'",
    }

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
    student.add_argument("--only", metavar="TEST[,TEST...]", help="check only these tests")
    student.add_argument("--results", type=Path, help="also write the results, as Gradescope's results.json, here")
    student.add_argument("--device", **device)
    student.set_defaults(run=cmd_check)

    notebook = commands.add_parser("notebook", help="build assignments/ID/ID.ipynb from its notebook.md")
    notebook.add_argument("assignments", nargs="*", metavar="ID")
    notebook.set_defaults(run=cmd_notebook)

    demo = commands.add_parser("demo", help="regenerate, validate and grade example submissions of every assignment")
    demo.add_argument("--assignment", metavar="ID", help="only this assignment")
    demo.set_defaults(run=cmd_demo)

    release = commands.add_parser("build", help="write the student release, Gradescope's zip and the Otter assignment")
    release.add_argument("assignments", nargs="*", metavar="ID")
    release.add_argument("--out", type=Path, default=Path("dist"), help="output folder (default: dist/)")
    release.add_argument("--gpu", action="store_true", help="Gradescope image with a CUDA build of torch")
    release.set_defaults(run=cmd_build)

    batch = commands.add_parser("grade-all", help="grade a folder of submissions: grades.csv, report.md, scores.png")
    batch.add_argument(
        "submissions",
        type=Path,
        metavar="SUBMISSIONS",
        help="one submission per entry, or a Gradescope export (with submission_metadata.yml)",
    )
    batch.add_argument("--assignment", required=True, metavar="ID")
    batch.add_argument("--out", type=Path, metavar="DIR", help="output folder; what is graded there is kept")
    batch.add_argument("--jobs", type=int, default=1, help="submissions graded at once, each by its own worker")
    batch.add_argument(
        "--shard",
        type=parse_shard,
        default=WHOLE,
        metavar="K/N",
        help="grade every N-th submission (sorted by id) from the K-th, K from 0 (default: all)",
    )
    batch.add_argument("--only", metavar="TEST[,TEST...]", help="grade only these tests")
    batch.add_argument("--device", **device)
    batch.add_argument("--canvas", **canvas)
    batch.add_argument("--bench", action="store_true", help="measure submissions per minute with 1 job and --jobs")
    batch.add_argument("--runs", type=int, help="with --bench: runs of each job count, for the median (default: 3)")
    batch.add_argument("--json", type=Path, metavar="PATH", help="with --bench: also write the figures here")
    batch.set_defaults(run=cmd_grade_all)

    again = commands.add_parser(
        "regrade", help="regrade a grade-all folder with the current tests; keep the old grades, show the diff"
    )
    again.add_argument("out", type=Path, metavar="OUT", help="the --out folder of grade-all")
    again.add_argument("--assignment", required=True, metavar="ID")
    again.add_argument(
        "--only-students", metavar="NAME[,NAME...]", help="regrade only these: submission ids, student emails or sids"
    )
    again.add_argument(
        "--submissions", type=Path, metavar="DIR", help="the submissions, if moved (default: where grade-all read them)"
    )
    again.add_argument("--dry-run", action="store_true", help="write the diff, but leave the grades as they are")
    again.add_argument("--jobs", type=int, default=1, help="submissions graded at once, each by its own worker")
    again.add_argument("--device", **device)
    again.add_argument("--canvas", **canvas)
    again.set_defaults(run=cmd_regrade)

    merged = commands.add_parser("merge", help="combine the output folders of grade-all's shards")
    merged.add_argument("folders", nargs="+", type=Path, metavar="DIR")
    merged.add_argument("--out", type=Path, required=True, metavar="DIR")
    merged.set_defaults(run=cmd_merge)

    similar = commands.add_parser(
        "similarity", help="flag pairs of submissions with similar code, the starter's code excluded"
    )
    similar.add_argument("submissions", type=Path, metavar="SUBMISSIONS", help="a folder of submissions (as grade-all)")
    similar.add_argument("--assignment", required=True, metavar="ID")
    similar.add_argument("--out", type=Path, required=True, metavar="DIR", help="where the reports go")
    similar.add_argument("--top", type=int, default=50, metavar="N", help="pairs in similar_pairs.csv (default: 50)")
    similar.add_argument(
        "--threshold",
        type=float,
        default=0.33,
        metavar="SHARE",
        help="pairs in similarity.html: one shares more than this share of its code with the other (default: 0.33)",
    )
    similar.set_defaults(run=cmd_similarity)

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
