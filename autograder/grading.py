"""Grade submissions: prepare the files, run each test's probe on every seed in the sandbox, judge.

One :class:`Grader` keeps one warm worker for many submissions (a TA's folder, ``validate``, the demo).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from autograder.boundary import ProbeRequest, ProbeResult
from autograder.config import AccuracyTest, Assignment, Course, Device, TestSpec
from autograder.judge import SeedRun, judge_seed, judge_test
from autograder.kit import Kit
from autograder.mutant_outputs import MutantOutputs, load_mutant_outputs
from autograder.references import Key, load_references
from autograder.sandbox.client import Worker
from autograder.sandbox.limits import DEDICATED
from autograder.seal import seal_private_paths
from autograder.submission import Submission, SubmissionError, prepare
from autograder.tests_version import tests_version
from autograder.wire import Outputs

DEFAULT_SANDBOX_USER = DEDICATED  # a fresh uid per grader; or an account name


class GradingError(Exception):
    """Grading cannot start (e.g. CUDA asked for but absent)."""


@dataclass
class TestOutcome:
    test: TestSpec
    score: float
    feedback: str
    seconds: float
    mistake: str | None = None
    """The id of the known mistake (mutant) that the feedback names, if any."""

    @property
    def passed(self) -> bool:
        return self.score >= self.test.points


@dataclass
class GradeReport:
    assignment_id: str
    title: str
    device: str
    outcomes: list[TestOutcome]
    execution_time: float
    notes: list[str] = field(default_factory=list)
    tests_version: str = ""
    """The version of the tests that graded it (see ``autograder.tests_version``)."""

    @property
    def score(self) -> float:
        return sum(outcome.score for outcome in self.outcomes)

    @property
    def max_score(self) -> float:
        return sum(outcome.test.points for outcome in self.outcomes)

    def outcome(self, test_id: str) -> TestOutcome:
        return next(o for o in self.outcomes if o.test.id == test_id)


def sandbox_user() -> str | None:
    """Tests run as an unprivileged user whenever the grader is root (Gradescope, CI): by default a
    uid of their own, or the account named by AUTOGRADER_SANDBOX_USER."""
    return os.environ.get("AUTOGRADER_SANDBOX_USER", DEFAULT_SANDBOX_USER) if os.geteuid() == 0 else None


class Grader:
    """Grades submissions of the given assignments of one kit with one warm worker."""

    def __init__(self, kit: Kit, course: Course, assignment_ids: list[str], device: str = "auto") -> None:
        self.kit, self.course = kit, course
        self.assignments = {a: course.assignment(a) for a in assignment_ids}
        self.requested_device = device
        user = sandbox_user()
        if user:
            seal_private_paths(kit)
        preload = sorted({m for a in self.assignments.values() for m in a.preload})
        self.worker = Worker({a: kit.tests_dir(a) for a in self.assignments}, preload, user, kit.root)
        self.device: Device = "cpu"
        self._workspace = Path(tempfile.mkdtemp(prefix="autograder-"))
        os.chmod(self._workspace, 0o711)
        self._label_cache: dict[Path, np.ndarray] = {}
        self._mutant_outputs: dict[str, MutantOutputs] = {}

    def __enter__(self) -> Grader:
        self.worker.start()
        self.device = self._resolve_device()
        return self

    def __exit__(self, *exc: object) -> None:
        self.worker.close()
        shutil.rmtree(self._workspace, ignore_errors=True)

    def _resolve_device(self) -> Device:
        has_cuda = bool(self.worker.info.get("cuda"))
        if self.requested_device == "cuda" and not has_cuda:
            raise GradingError("--device cuda was asked for, but torch sees no CUDA GPU here")
        if self.requested_device == "auto":
            return "cuda" if has_cuda else "cpu"
        return self.requested_device  # type: ignore[return-value]

    def grade(
        self,
        assignment_id: str,
        source: Path,
        only: list[str] | None = None,
        public_only: bool = False,
    ) -> GradeReport:
        """Grade ``source``; ``public_only`` is the student's local check (visible tests, public seeds)."""
        started = time.monotonic()
        assignment = self.assignments[assignment_id]
        tests = self._select(assignment, only, public_only)
        keys = sorted({(t.probe, s) for t in tests for s in self._seeds(t, public_only)})
        references, manifest = load_references(self.kit, assignment_id, assignment, keys)
        version = tests_version(self.course, assignment_id, manifest)
        notes: list[str] = []
        if manifest.get("torch") != self.worker.info.get("torch"):
            notes.append(f"references were made with torch {manifest.get('torch')}, "
                         f"grading runs torch {self.worker.info.get('torch')}")
        try:
            submission = self.prepare(assignment_id, source)
            notes += submission.notes
        except SubmissionError as error:
            outcomes = [TestOutcome(test, 0.0, str(error), 0.0) for test in tests]
            return GradeReport(assignment_id, assignment.title, self.device, outcomes,
                               time.monotonic() - started, [str(error)], version)
        try:
            runs = self.run_probes(assignment_id, tests, submission, references, manifest, public_only)
        finally:
            shutil.rmtree(submission.folder, ignore_errors=True)
        outcomes = [self._judge(assignment_id, test, runs, public_only) for test in tests]
        elapsed = time.monotonic() - started
        return GradeReport(assignment_id, assignment.title, self.device, outcomes, elapsed, notes, version)

    def run_probes(
        self,
        assignment_id: str,
        tests: list[TestSpec],
        submission: Submission,
        references: dict[Key, Outputs],
        manifest: dict,
        public_only: bool,
    ) -> dict[Key, SeedRun]:
        """Run each (probe, seed) that the tests read, once. Seeds go in order, and a probe's next seed
        is skipped once every test reading it has scored zero: the weakest seed decides a test."""
        runs: dict[Key, SeedRun] = {}
        warm = manifest.get("warm_imports", {})
        for probe in dict.fromkeys(test.probe for test in tests):
            readers = [test for test in tests if test.probe == probe]
            seeds = sorted({s for t in readers for s in self._seeds(t, public_only)}, key=_public_first(readers))
            for seed in seeds:
                pending = [
                    t for t in readers if seed in self._seeds(t, public_only) and not self._lost(assignment_id, t, runs)
                ]
                if not pending:
                    continue
                test = max(pending, key=lambda t: self.course.limits(t).timeout_s)  # the most generous limits
                hidden_data = not public_only and all(t.visibility != "visible" for t in readers)
                result = self.run_probe(assignment_id, test, submission, seed, warm.get(probe, []), hidden_data)
                hidden = [t.hidden_seeds for t in readers if seed in t.hidden_seeds]
                hidden_index = hidden[0].index(seed) + 1 if hidden else None
                runs[(probe, seed)] = SeedRun(seed, hidden_index, result, references[(probe, seed)])
        return runs

    def _lost(self, assignment_id: str, test: TestSpec, runs: dict[Key, SeedRun]) -> bool:
        """Whether a seed already run scored zero on ``test`` (so more seeds cannot change its score)."""
        tolerance, labels = self.course.tolerance(test, self.device), self._labels(assignment_id, test)
        return any(
            judge_seed(test, run, tolerance, labels).fraction == 0
            for (probe, _), run in runs.items()
            if probe == test.probe
        )

    def run_probe(
        self,
        assignment_id: str,
        test: TestSpec,
        submission: Submission,
        seed: int,
        warm_imports: list[str],
        hidden_data: bool,
    ) -> ProbeResult:
        """One run in the sandbox; ``hidden_data`` lets it read held-out inputs (hidden tests only)."""
        limits = self.course.limits(test)
        return self.worker.run(ProbeRequest(
            assignment=assignment_id,
            probe=test.probe,
            seed=seed,
            device=self.device,
            modules={name: str(path) for name, path in submission.modules.items()},
            declared=self.assignments[assignment_id].module_names,
            timeout_s=limits.timeout_s,
            memory_mb=limits.memory_mb,
            file_size_mb=limits.file_size_mb,
            output_kb=limits.output_kb,
            warm_imports=warm_imports,
            hidden_data=hidden_data,
        ))

    def prepare(self, assignment_id: str, source: Path) -> Submission:
        return prepare(source, self.assignments[assignment_id].files, self._fresh_folder())

    def _fresh_folder(self) -> Path:
        parent = Path(tempfile.mkdtemp(dir=self._workspace))
        os.chmod(parent, 0o711)  # the sandbox user may reach the files, not list the workspace
        return parent / "submission"

    @staticmethod
    def _select(assignment: Assignment, only: list[str] | None, public_only: bool) -> list[TestSpec]:
        known = {test.id for test in assignment.tests}
        unknown = sorted(set(only or []) - known)
        if unknown:
            raise GradingError(f"no test {', '.join(unknown)} (tests: {', '.join(sorted(known))})")
        return [
            test
            for test in assignment.tests
            if (only is None or test.id in only) and (not public_only or test.visibility == "visible")
        ]

    @staticmethod
    def _seeds(test: TestSpec, public_only: bool) -> list[int]:
        return test.seeds if public_only else test.all_seeds

    def _judge(
        self, assignment_id: str, test: TestSpec, runs: dict[Key, SeedRun], public_only: bool
    ) -> TestOutcome:
        seed_runs = [runs[(test.probe, s)] for s in self._seeds(test, public_only) if (test.probe, s) in runs]
        tolerance = self.course.tolerance(test, self.device)
        known = self.mutant_outputs(assignment_id).known
        verdict = judge_test(test, seed_runs, tolerance, self._labels(assignment_id, test), known)
        seconds = sum(run.result.elapsed_s for run in seed_runs)
        return TestOutcome(test, round(test.points * verdict.fraction, 4), verdict.message, seconds, verdict.mistake)

    def mutant_outputs(self, assignment_id: str) -> MutantOutputs:
        """What the known mistakes of an assignment return (read once per grader), to name them in feedback."""
        if assignment_id not in self._mutant_outputs:
            assignment = self.assignments[assignment_id]
            self._mutant_outputs[assignment_id] = load_mutant_outputs(self.kit, assignment_id, assignment)
        return self._mutant_outputs[assignment_id]

    def _labels(self, assignment_id: str, test: TestSpec) -> np.ndarray | None:
        """The held-out labels an accuracy test needs (read once per grader), None for other tests."""
        if not isinstance(test, AccuracyTest):
            return None
        path = self.kit.labels_path(assignment_id, test.labels)
        if path not in self._label_cache:
            self._label_cache[path] = np.array([int(line) for line in path.read_text().split()], dtype=np.int64)
        return self._label_cache[path]


def _public_first(tests: list[TestSpec]) -> Callable[[int], tuple[int, int]]:
    """Sort key for seeds: public seeds first, then hidden ones, each in the order grading.yaml lists them."""
    order = {}
    for test in tests:
        for position, seed in enumerate(test.seeds):
            order.setdefault(seed, (0, position))
        for position, seed in enumerate(test.hidden_seeds):
            order.setdefault(seed, (1, position))
    return order.__getitem__


def grade_once(
    kit: Kit, course: Course, assignment_id: str, source: Path, device: str = "auto", **options: object
) -> GradeReport:
    """Start a worker, grade one submission, stop the worker."""
    with Grader(kit, course, [assignment_id], device) as grader:
        return grader.grade(assignment_id, source, **options)  # type: ignore[arg-type]
