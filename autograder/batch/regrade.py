"""``autograder regrade``: grade the submissions of a ``grade-all`` folder again with the tests as they are
now (after a fix), show what changed, and replace the grades without losing the old ones.

- The new results go to ``OUT/regrade-<version>/``, a batch folder of its own (it resumes like any), with
  diff.csv and summary.md beside them.
- Then, unless it is a dry run, ``OUT`` as it was (index, results, outputs) is copied to
  ``OUT/regrade-<version>/previous/`` (once: a second run keeps the first copy), the new results replace
  the old ones in ``OUT``, and its outputs are rebuilt.

A dry run, then the same command without ``--dry-run``, grades once: the second run reuses the results.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.text import Text

from autograder.batch import BatchError
from autograder.batch.diff import Regraded, compare, write_diff
from autograder.batch.outputs import write_outputs
from autograder.batch.run import BatchOptions, grade_all
from autograder.batch.store import (
    CANVAS,
    GRADES,
    INDEX,
    PLOT,
    REPORT,
    RESULTS,
    Column,
    Entry,
    Index,
    open_folder,
    read_index,
    results_path,
)
from autograder.batch.summary import write_summary
from autograder.config import Course
from autograder.files import replace_file
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.tests_version import current_version

PREVIOUS = "previous"
DIFF = "diff.csv"
SUMMARY = "summary.md"
SNAPSHOT = [INDEX, RESULTS, GRADES, REPORT, PLOT, CANVAS]
"""What ``previous/`` keeps of the batch folder (what it has of these)."""
LISTED = 20
"""Changed submissions listed on the terminal; diff.csv lists all."""


@dataclass(frozen=True)
class RegradeOptions:
    """One ``regrade`` run."""

    assignment_id: str
    students: list[str] | None = None
    """Regrade only these submissions, named by submission id, student email or sid (all when None)."""
    submissions: Path | None = None
    """The folder of submissions (None: the one the batch recorded)."""
    dry_run: bool = False
    jobs: int = 1
    device: str = "auto"
    canvas: str = ""
    """The Canvas column of canvas.csv ("": the one the batch already has, if any)."""


@dataclass(frozen=True)
class Regrade:
    """What one run did."""

    folder: Path
    """``OUT/regrade-<version>``."""
    graded: int
    """How many were graded by this run (the others were graded by an earlier run into ``folder``)."""
    regraded: list[Regraded]
    applied: bool


def regrade(kit: Kit, course: Course, options: RegradeOptions, out: Path, console: Console) -> Regrade:
    old = read_index(out)
    if old is None:
        raise BatchError(f"{out} has no {INDEX}: give the --out folder of `autograder grade-all`")
    if old.assignment != options.assignment_id:
        raise BatchError(f"{out} holds grades of {old.assignment}, not {options.assignment_id}")
    source = options.submissions or (Path(old.source) if old.source else None)
    if source is None:
        raise BatchError(f"{out} does not say where its submissions are: give --submissions DIR")
    chosen = _choose(old, options.students, out)
    if not options.dry_run and len(chosen) < len(old.submissions):
        _refuse_partial_change(course, old)
    folder = out / f"regrade-{current_version(kit, course, old.assignment)}"
    batch = BatchOptions(
        old.assignment,
        source,
        options.jobs,
        only=old.only,
        device=options.device,
        canvas=options.canvas or old.canvas,
        chosen=[entry.id for entry in chosen],
    )
    run = grade_all(kit, course, batch, folder, console)
    kept = read_index(folder / PREVIOUS)  # what an earlier run of this regrade replaced
    baseline, before = (folder / PREVIOUS, kept) if kept is not None else (out, old)
    regraded = compare(baseline, before, folder, run.index)
    write_diff(folder / DIFF, regraded)
    write_summary(folder / SUMMARY, before, run.index, regraded, options.dry_run)
    if not options.dry_run:
        _apply(out, old, run.index, folder)
    return Regrade(folder, len(run.graded), regraded, not options.dry_run)


def _choose(index: Index, students: list[str] | None, out: Path) -> list[Entry]:
    """The submissions of the batch that ``students`` names (all when None)."""
    if students is None:
        return index.submissions
    wanted = {name.strip().casefold() for name in students if name.strip()}
    if not wanted:
        raise BatchError("--only-students names no one")
    names = {entry.id: _names(entry) for entry in index.submissions}
    unknown = sorted(wanted - set().union(*names.values()))
    if unknown:
        raise BatchError(f"--only-students: no submission, email or sid {', '.join(unknown)} in {out}")
    return [entry for entry in index.submissions if names[entry.id] & wanted]


def _names(entry: Entry) -> set[str]:
    """What ``--only-students`` may call a submission: its id, its students' emails and sids."""
    names = [entry.id, *(person.email for person in entry.students), *(person.sid for person in entry.students)]
    return {name.casefold() for name in names if name}


def _refuse_partial_change(course: Course, old: Index) -> None:
    """Regrading some submissions with other tests or points would leave the others' results unfit."""
    tests = Grader._select(course.assignment(old.assignment), old.only, public_only=False)
    if [Column.of(test) for test in tests] != old.tests:
        raise BatchError(
            "the tests or their points changed: regrading only some submissions would leave the others graded "
            "on tests that no longer exist; regrade all of them, or add --dry-run to see the diff only"
        )


def _apply(out: Path, old: Index, new: Index, folder: Path) -> None:
    """Keep ``out`` as it was in ``folder/previous`` (once), then put the new results in ``out``."""
    previous = folder / PREVIOUS
    if not (previous / INDEX).is_file():
        _snapshot(out, previous)
    for entry in new.submissions:
        replace_file(results_path(out, entry.id), results_path(folder, entry.id).read_bytes())
    index = old.model_copy(
        update={"tests": new.tests, "version": new.version, "source": new.source, "canvas": new.canvas}
    )
    open_folder(out, index)
    write_outputs(out, index)


def _snapshot(out: Path, previous: Path) -> None:
    """Copy what SNAPSHOT names of ``out`` to ``previous``, whole or not at all."""
    staging = previous.with_name(previous.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    for name in SNAPSHOT:
        source = out / name
        if source.is_dir():
            shutil.copytree(source, staging / name)
        elif source.is_file():
            shutil.copy2(source, staging / name)
    staging.rename(previous)


def print_regrade(done: Regrade, console: Console) -> None:
    """What changed, in short (the first LISTED), and where the diff and the grades are."""
    changed = [item for item in done.regraded if item.tests]
    reused = len(done.regraded) - done.graded
    graded = f"{done.graded} graded now, {reused} by an earlier run"
    console.print(Text(f"regraded {len(done.regraded)} ({graded}); {len(changed)} changed"))
    for item in changed[:LISTED]:
        old = "-" if item.before is None else f"{item.before.score:g}"
        who = f"{item.entry.id} ({item.students})" if item.students else item.entry.id
        tests = ", ".join(test.id for test in item.tests)
        console.print(Text(f"  {who}: {old} → {item.after.score:g} ({tests})"))
    if len(changed) > LISTED:
        console.print(Text(f"  and {len(changed) - LISTED} more"))
    console.print(Text(f"diff: {done.folder / DIFF}; old against new feedback: {done.folder / SUMMARY}"))
    if done.applied:
        out = done.folder.parent
        console.print(Text(f"the new grades are in {out / GRADES}; the previous ones in {done.folder / PREVIOUS}"))
    else:
        console.print(Text("dry run: the grades are as they were; run it again without --dry-run to replace them"))
