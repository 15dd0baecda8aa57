"""``autograder bench``: what grading one assignment costs, measured, never asserted.

Figures: grading the solution with all tests (median of several runs, warm worker), the same probes'
compute in one process with no isolation (the floor), their ratio, the isolation overhead per test
process (each probe timed as a test process and in that one process: the median over probes of the
difference, since a long training probe runs cold in a fresh process but warm in a loop), a fresh
interpreter importing torch (what each test would pay without the warm worker), and
the peak memory of all grading processes together (PSS: shared pages counted once).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.references import MANIFEST, needed_keys
from autograder.sandbox import limits
from autograder.sandbox.spawn import WORKER_ENV


class MemorySampler(threading.Thread):
    """Samples the PSS of this process and all its descendants every few milliseconds."""

    def __init__(self, interval_s: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval_s, self.peak_bytes, self._done = interval_s, 0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            pids = [os.getpid(), *limits.descendants(os.getpid())]
            self.peak_bytes = max(self.peak_bytes, limits.smaps_rollup_bytes(pids, ("Pss:",)))
            self._done.wait(self.interval_s)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak_bytes


def run_bench(
    kit: Kit, course: Course, assignment_id: str, runs: int, console: Console, json_path: Path | None = None
) -> int:
    assignment = course.assignment(assignment_id)
    solution = kit.solution_dir(assignment_id)
    probe_runs = needed_keys(assignment)  # each (probe, seed) runs once per grading

    sampler = MemorySampler()
    sampler.start()
    started = time.perf_counter()
    with Grader(kit, course, [assignment_id], device="cpu") as grader:
        startup_s = time.perf_counter() - started
        grade_times, report = [], None
        for _ in range(runs):
            report = grader.grade(assignment_id, solution)
            grade_times.append(report.execution_time)
        sandboxed = _sandboxed_probe_times(kit, grader, assignment_id, probe_runs, runs)
    peak_bytes = sampler.stop()

    floor, in_process = _in_process_floor(kit, assignment_id, solution, assignment.files, probe_runs, runs)
    grade_s = statistics.median(grade_times)
    import_s = statistics.median(_fresh_torch_import() for _ in range(runs))
    overhead_ms = statistics.median(sandboxed[key] - in_process[key] for key in sandboxed) * 1000
    figures = {
        "assignment": assignment_id,
        "runs": runs,
        "test_processes": len(probe_runs),
        "grade_s": round(grade_s, 3),
        "grade_runs_s": [round(t, 3) for t in grade_times],
        "floor_s": round(floor, 3),
        "overhead_ms_per_test": round(overhead_ms, 1),
        "torch_import_s": round(import_s, 3),
        "worker_start_s": round(startup_s, 3),
        "peak_pss_mib": round(peak_bytes / 2**20, 1),
        "score": report.score,
        "max_score": report.max_score,
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "torch": grader.worker.info.get("torch"),
    }
    if json_path is not None:
        json_path.write_text(json.dumps(figures, indent=2) + "\n")

    title = f"bench {assignment_id}: {len(probe_runs)} test processes per grading"
    table = Table(title=title, title_justify="left")
    table.add_column("what")
    table.add_column("figure", justify="right")
    rows = [
        (f"grade the solution, all tests (median of {runs})", f"{grade_s:.2f} s"),
        (f"  score {report.score:g}/{report.max_score:g}; runs", ", ".join(f"{t:.2f}" for t in grade_times)),
        (f"same probes in one process, no isolation (median of {runs})", f"{floor:.2f} s"),
        ("ratio sandboxed / floor", f"{grade_s / floor:.2f}x"),
        ("isolation overhead per test process (median over probes)", f"{overhead_ms:.0f} ms"),
        (f"fresh interpreter importing torch (median of {runs})", f"{import_s:.2f} s"),
        ("warm worker start (import, warm-up), once per grading", f"{startup_s:.2f} s"),
        ("peak memory of all grading processes together (PSS)", f"{peak_bytes / 2**20:.0f} MiB"),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(
        f"[dim]{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {grader.worker.info.get('torch')}[/]"
    )
    return 0


def _sandboxed_probe_times(
    kit: Kit, grader: Grader, assignment_id: str, probe_runs: list[tuple[str, int]], runs: int
) -> dict[str, float]:
    """Each probe's median time as a test process (fork, confinement, run, result, clean-up), timed
    from the judge's side, with the warm imports grading gives it."""
    assignment = grader.assignments[assignment_id]
    readers = {(t.probe, seed): t for t in assignment.tests for seed in t.all_seeds}
    warm = json.loads((kit.references_dir(assignment_id) / MANIFEST).read_text()).get("warm_imports", {})
    submission = grader.prepare(assignment_id, kit.solution_dir(assignment_id))
    times: dict[str, list[float]] = {f"{probe}/{seed}": [] for probe, seed in probe_runs}
    for _ in range(runs):
        for probe, seed in probe_runs:
            started = time.perf_counter()
            grader.run_probe(assignment_id, readers[(probe, seed)], submission, seed, warm.get(probe, []), True)
            times[f"{probe}/{seed}"].append(time.perf_counter() - started)
    shutil.rmtree(submission.folder, ignore_errors=True)
    return {key: statistics.median(values) for key, values in times.items()}


def _in_process_floor(
    kit: Kit, assignment_id: str, solution: Path, files: list[str], probe_runs: list[tuple[str, int]], runs: int
) -> tuple[float, dict[str, float]]:
    """The median pass over all probes in one process, and each probe's median there."""
    job = {
        "assignment": assignment_id,
        "tests": str(kit.tests_dir(assignment_id)),
        "modules": {Path(name).stem: str(solution / name) for name in files},
        "runs_of": probe_runs,
        "runs": runs,
    }
    completed = subprocess.run(
        [sys.executable, "-m", "autograder.sandbox.inprocess"],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **WORKER_ENV},
    )
    timings = json.loads(completed.stdout)
    return float(timings["median_s"]), {key: float(value) for key, value in timings["per_probe_s"].items()}


def _fresh_torch_import() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import torch"], check=True)
    return time.perf_counter() - started
