"""``autograder grade-all``: grade every submission of a folder (or of one shard of it, or those ``regrade``
chooses) that has no complete result yet, with one :class:`~autograder.grading.Grader` (one warm worker)
per job, then rebuild the outputs. Jobs are threads: each waits on its own worker's sandbox, so the judge's
side stays light."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from queue import Empty, SimpleQueue

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, Task, TextColumn, TimeRemainingColumn
from rich.text import Text

from autograder.batch import BatchError
from autograder.batch.collect import Found, collect
from autograder.batch.outputs import write_outputs
from autograder.batch.shard import WHOLE, Shard
from autograder.batch.store import Column, Index, open_folder, read_index, read_results, results_path
from autograder.config import Course, TestSpec
from autograder.grading import Grader, GradeReport, TestOutcome
from autograder.kit import Kit
from autograder.report import write_results
from autograder.tests_version import current_version
from autograder.text import clean

RATE_WINDOW_S = 300  # the rate (and so the time left) is averaged over the last five minutes


@dataclass(frozen=True)
class BatchOptions:
    """One ``grade-all`` run."""

    assignment_id: str
    submissions: Path
    """The folder of submissions."""
    jobs: int = 1
    shard: Shard = WHOLE
    only: list[str] | None = None
    """Grade only these tests (all when None)."""
    device: str = "auto"
    canvas: str = ""
    """The Canvas column of canvas.csv ("": the one the folder already has, if any)."""
    chosen: list[str] | None = None
    """Grade only these submissions, by id (all of the shard when None): those ``regrade`` picks."""


@dataclass(frozen=True)
class BatchRun:
    """What one run did."""

    index: Index
    graded: list[str]
    """Ids graded by this run."""
    skipped: int
    """How many already had a complete result."""
    missing: list[str]
    """Ids that have no complete result after the run (none, unless a result could not be read back)."""
    outdated: list[str]
    """Ids whose result was graded by another version of the tests than ``index.version``."""


def grade_all(kit: Kit, course: Course, options: BatchOptions, out: Path, console: Console) -> BatchRun:
    """Grade into ``out`` what it holds no complete result of, then rebuild its outputs."""
    if options.jobs < 1:
        raise BatchError(f"--jobs must be at least 1, not {options.jobs}")
    assignment = course.assignment(options.assignment_id)
    tests = Grader._select(assignment, options.only, public_only=False)  # refuses unknown tests before any grading
    found = _pick(options)
    previous = read_index(out)
    index = Index(
        assignment=options.assignment_id,
        tests=[Column.of(t) for t in tests],
        submissions=[f.entry for f in found],
        version=current_version(kit, course, options.assignment_id),
        source=str(options.submissions),
        only=options.only,
        canvas=options.canvas or (previous.canvas if previous else ""),
    )
    if previous is not None:
        _refuse_other_tests(previous, index, out)
    open_folder(out, index)
    pending = [f for f in found if read_results(out, f.entry.id, index.tests) is None]
    if pending:
        _grade(kit, course, options, tests, pending, index.version, out, console)
    missing = write_outputs(out, index)
    outdated = [
        entry.id
        for entry in index.submissions
        if (results := read_results(out, entry.id, index.tests)) and results.extra_data.tests_version != index.version
    ]
    return BatchRun(index, [f.entry.id for f in pending], len(found) - len(pending), missing, outdated)


def _pick(options: BatchOptions) -> list[Found]:
    """The submissions of the folder to grade: the shard's, or those chosen."""
    found = options.shard.pick(collect(options.submissions))
    if options.chosen is None:
        return found
    absent = sorted(set(options.chosen) - {f.entry.id for f in found})
    if absent:
        raise BatchError(f"no submission {', '.join(absent)} in {options.submissions}")
    return [f for f in found if f.entry.id in options.chosen]


def _refuse_other_tests(previous: Index, index: Index, out: Path) -> None:
    """Grading into a folder whose tests changed would replace its results without keeping them."""
    changed = previous.version not in ("", index.version) and previous.tests != index.tests
    if previous.assignment == index.assignment and changed:
        raise BatchError(
            f"{out} holds grades from an earlier version of the tests of {index.assignment} ({previous.version}, "
            f"now {index.version}) with other tests or points: `autograder regrade {out} --assignment "
            f"{index.assignment}` regrades it and keeps the old grades; or choose another --out"
        )


def _grade(
    kit: Kit,
    course: Course,
    options: BatchOptions,
    tests: list[TestSpec],
    pending: list[Found],
    version: str,
    out: Path,
    console: Console,
) -> None:
    """Grade ``pending`` with ``options.jobs`` jobs, each with its own warm worker, sharing one queue."""
    queue: SimpleQueue[Found] = SimpleQueue()
    for found in pending:
        queue.put(found)
    stop, starting = threading.Event(), threading.Lock()
    with _progress(console) as progress:
        task = progress.add_task(f"grading {options.assignment_id}", total=len(pending))

        def job() -> None:
            with ExitStack() as stack:
                with starting:  # one worker starts at a time: two must not adopt the spare started at launch
                    grader = stack.enter_context(Grader(kit, course, [options.assignment_id], options.device))
                while not stop.is_set():
                    try:
                        found = queue.get_nowait()
                    except Empty:
                        return
                    report = _grade_one(grader, options, tests, version, found.path)
                    if stop.is_set():  # interrupted (Ctrl-C reaches the workers too): graded again next run
                        return
                    write_results(results_path(out, found.entry.id), report)
                    progress.advance(task)

        with ThreadPoolExecutor(max_workers=options.jobs) as pool:
            futures = [pool.submit(job) for _ in range(min(options.jobs, len(pending)))]
            try:
                for future in as_completed(futures):
                    future.result()  # a job that cannot grade at all (no worker) stops the batch
            finally:
                stop.set()


def _grade_one(grader: Grader, options: BatchOptions, tests: list[TestSpec], version: str, path: Path) -> GradeReport:
    """The report of one submission; one that cannot even be read scores zero with the reason."""
    try:
        return grader.grade(options.assignment_id, path, only=options.only)
    except OSError as error:  # e.g. an unreadable file in it: the submission's zero, not the batch's end
        message = clean(f"the submission could not be read: {error}")
        assignment = grader.assignments[options.assignment_id]
        outcomes = [TestOutcome(test, 0.0, message, 0.0) for test in tests]
        return GradeReport(options.assignment_id, assignment.title, grader.device, outcomes, 0.0, [message], version)


class RateColumn(ProgressColumn):
    """Submissions graded per minute."""

    def render(self, task: Task) -> Text:
        rate = f"{task.speed * 60:.1f}" if task.speed else "-"
        return Text(f"{rate}/min", style="progress.data.speed")


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=console,
        speed_estimate_period=RATE_WINDOW_S,
    )
