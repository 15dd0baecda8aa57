"""``autograder grade-all --bench``: submissions per minute with 1 job and with N, each run from scratch
(worker start and outputs included) into a scratch folder; runs of each job count alternate, so a change
in the machine's load weighs on both alike. Measured, never asserted."""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autograder.batch import BatchError
from autograder.batch.collect import collect
from autograder.batch.run import BatchOptions, grade_all
from autograder.config import Course
from autograder.kit import Kit


def run_bench(
    kit: Kit, course: Course, options: BatchOptions, runs: int, console: Console, json_path: Path | None = None
) -> int:
    if runs < 1:
        raise BatchError(f"--runs must be at least 1, not {runs}")
    submissions = len(options.shard.pick(collect(options.submissions)))
    job_counts = sorted({1, options.jobs})
    load_before = os.getloadavg()
    walls: dict[int, list[float]] = {jobs: [] for jobs in job_counts}
    for _ in range(runs):
        for jobs in job_counts:
            with tempfile.TemporaryDirectory() as scratch:
                started = time.perf_counter()
                grade_all(kit, course, replace(options, jobs=jobs), Path(scratch), Console(quiet=True))
                walls[jobs].append(time.perf_counter() - started)
            console.print(f"{jobs} job(s), run {len(walls[jobs])} of {runs}: {walls[jobs][-1]:.1f} s")
    by_jobs = [
        {
            "jobs": jobs,
            "median_s": round(statistics.median(walls[jobs]), 2),
            "runs_s": [round(wall, 2) for wall in walls[jobs]],
            "per_minute": round(submissions / statistics.median(walls[jobs]) * 60, 1),
        }
        for jobs in job_counts
    ]
    figures = {
        "assignment": options.assignment_id,
        "submissions": submissions,
        "only": options.only,
        "runs": runs,
        "by_jobs": by_jobs,
        "load_average_before": [round(load, 2) for load in load_before],
        "load_average_after": [round(load, 2) for load in os.getloadavg()],
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
    }
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2) + "\n")
    table = Table(
        title=f"grade-all {options.assignment_id}: {submissions} submissions, median of {runs}", title_justify="left"
    )
    for heading in ("jobs", "seconds", "submissions per minute", "runs (s)"):
        table.add_column(heading, justify="right")
    for row in by_jobs:
        table.add_row(
            str(row["jobs"]),
            f"{row['median_s']:.1f}",
            f"{row['per_minute']:.1f}",
            ", ".join(f"{wall:.1f}" for wall in row["runs_s"]),
        )
    console.print(table)
    console.print(
        f"[dim]{figures['machine']}; load average {load_before[0]:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after (other work on the machine slows every figure)[/]"
    )
    return 0
