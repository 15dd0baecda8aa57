"""Otter-Grader's side of the kit: the plugin that ``otter run`` loads to grade with the kit's sandbox, and the
visible check that the student notebook's Otter tests call.

Otter runs a submission in a Jupyter kernel and its tests in that same kernel, which the kit cannot trust.
So the plugin hands Otter a notebook with no cell of the student's, grades the submission file itself with
the kit's :class:`~autograder.grading.Grader` (one sandboxed process per test), and puts the kit's scores and
feedback in Otter's results: Otter's results.json and total equal ``autograder grade``'s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
from otter.plugins import AbstractOtterPlugin
from otter.test_files import GradingResults
from otter.test_files.abstract_test import TestCase, TestCaseResult
from otter.test_files.exception_test import ExceptionTestFile

from autograder.config import load_course
from autograder.grading import Grader, TestOutcome
from autograder.kit import Kit, find_kit
from autograder.report import gradescope_results
from autograder.text import FEEDBACK_CHARS, FIELD_CHARS, clean


class KitGrading(AbstractOtterPlugin):
    """Plugin config: ``assignment`` (the id) and ``payload`` (the kit folder inside the autograder zip)."""

    def before_execution(self, submission: nbformat.NotebookNode | str) -> nbformat.NotebookNode:
        """An empty notebook in place of the student's, so nothing of theirs runs in Otter's kernel."""
        notebook = nbformat.v4.new_notebook()
        notebook.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
        return notebook

    def after_grading(self, results: GradingResults) -> None:
        """Replace Otter's results (none: its kernel ran no test) with the kit's, one test file per kit test."""
        submission = Path(self.submission_path)
        kit = Kit(submission.parents[1] / "source" / self.plugin_config["payload"])
        assignment_id = self.plugin_config["assignment"]
        with Grader(kit, load_course(kit), [assignment_id]) as grader:
            report = grader.grade(assignment_id, submission)
        results.clear_results()
        for outcome in report.outcomes:
            results.results[outcome.test.name] = KitTestFile.of(outcome)
        results.set_output(gradescope_results(report)["output"])  # the summary `autograder grade` writes


class KitTestFile(ExceptionTestFile):
    """A kit test's result in Otter's results. A test that is not visible shows nothing of itself in Otter's
    "Public Tests" summary (Otter would call it passed there, having no public case to fail)."""

    def summary(self, public_only: bool = False) -> str:
        if public_only and not self.all_public:
            return f"{self.name}: not a visible test"
        return super().summary(public_only)

    @classmethod
    def of(cls, outcome: TestOutcome) -> KitTestFile:
        """The test file holding the kit's score, points and feedback: Otter shows a passed case's success
        message and a failed case's result."""
        test, feedback = outcome.test, clean(outcome.feedback, FEEDBACK_CHARS)
        hidden = test.visibility != "visible"
        case = TestCase(test.id, None, hidden, test.points, feedback if outcome.passed else None, None)
        graded = cls(test.name, test.id, [case], all_or_nothing=False)
        graded.test_case_results = [TestCaseResult(case, feedback, outcome.passed)]
        graded.update_score(outcome.score)
        return graded


def check_visible(assignment_id: str, test_id: str) -> None:
    """Run the kit's visible test ``test_id`` (``autograder check``, public inputs) on the files in the current
    folder, with the kit found from there upwards; raise AssertionError with the kit's feedback unless it earns
    full marks. The check runs in a process of its own, away from the notebook's imports of those files."""
    kit, code = find_kit(), Path.cwd()
    with tempfile.TemporaryDirectory(prefix="autograder-check-") as folder:
        path = Path(folder) / "results.json"
        command = ["check", assignment_id, "--code", str(code), "--only", test_id, "--results", str(path)]
        done = subprocess.run(
            [sys.executable, "-m", "autograder", *command], cwd=kit.root, capture_output=True, text=True
        )
        if not path.is_file():
            raise AssertionError(f"the kit could not run the check:\n{clean(done.stderr[-FIELD_CHARS:])}")
        results = json.loads(path.read_text(encoding="utf-8"))
    (test,) = results["tests"]
    if test["status"] != "passed":
        raise AssertionError(f"{test['score']:g} / {test['max_score']:g}: {test['output']}\n{results['output']}")
