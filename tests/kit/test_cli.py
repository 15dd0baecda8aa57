"""The real command line, end to end: grade, check and validate as a TA, a student and Gradescope would."""

from __future__ import annotations

import json
import re
from pathlib import Path

from kit_support import ASSIGNMENT, ROOT, autograder

GRADESCOPE_TEST_KEYS = {"name", "number", "score", "max_score", "status", "visibility", "output"}
GRADESCOPE_VISIBILITY = {"visible", "hidden", "after_due_date", "after_published"}


def grade_to_results(submission: Path, results: Path) -> dict:
    completed = autograder("grade", str(submission), "--assignment", ASSIGNMENT, "--results", str(results))
    assert completed.returncode == 0, completed.stderr
    return json.loads(results.read_text())


def assert_gradescope_results(results: dict) -> None:
    assert isinstance(results["score"], float | int) and isinstance(results["execution_time"], float | int)
    numbers = [test["number"] for test in results["tests"]]
    assert len(set(numbers)) == len(numbers)
    for test in results["tests"]:
        assert set(test) == GRADESCOPE_TEST_KEYS
        assert test["status"] in {"passed", "failed"} and test["visibility"] in GRADESCOPE_VISIBILITY
        assert 0 <= test["score"] <= test["max_score"]
    assert abs(results["score"] - sum(test["score"] for test in results["tests"])) < 1e-6


def test_solution_gets_full_marks(tmp_path: Path) -> None:
    results = grade_to_results(ROOT / "solutions" / ASSIGNMENT, tmp_path / "results.json")
    assert_gradescope_results(results)
    assert results["score"] == sum(test["max_score"] for test in results["tests"]) > 0
    assert all(test["status"] == "passed" for test in results["tests"])


def test_starter_gets_zero(tmp_path: Path) -> None:
    results = grade_to_results(ROOT / "starter" / ASSIGNMENT, tmp_path / "results.json")
    assert_gradescope_results(results)
    assert results["score"] == 0
    assert all("NotImplementedError" in test["output"] for test in results["tests"])


def test_student_check_runs_visible_tests_on_public_inputs() -> None:
    completed = autograder("check", ASSIGNMENT, "--code", str(ROOT / "solutions" / ASSIGNMENT))
    assert completed.returncode == 0, completed.stderr
    assert "heldout_accuracy" not in completed.stdout  # graded after the due date only
    assert "hidden" not in completed.stdout
    assert "total 21 / 21" in completed.stdout


def test_validate_passes() -> None:
    completed = autograder("validate", ASSIGNMENT)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "validation passed" in completed.stdout
    assert "FAILED" not in completed.stdout
    named = re.search(r"the feedback names (\d+) of (\d+) mutants whose outputs are values", completed.stdout)
    assert named and named[1] == named[2] != "0", completed.stdout  # every one of them


def test_unknown_assignment_and_test_are_clear_errors() -> None:
    completed = autograder("grade", str(ROOT / "starter" / ASSIGNMENT), "--assignment", "a9_nope")
    assert completed.returncode == 2
    assert "no assignment 'a9_nope'" in completed.stderr
    completed = autograder("grade", str(ROOT / "starter" / ASSIGNMENT), "--assignment", ASSIGNMENT, "--only", "nope")
    assert completed.returncode == 2
    assert "no test nope" in completed.stderr


def test_bench_writes_its_figures_as_json(tmp_path: Path) -> None:
    figures_path = tmp_path / "bench.json"
    completed = autograder("bench", ASSIGNMENT, "--runs", "1", "--json", str(figures_path))
    assert completed.returncode == 0, completed.stderr
    figures = json.loads(figures_path.read_text())
    for key in ("grade_s", "floor_s", "overhead_ms_per_test", "peak_pss_mib"):
        assert (isinstance(figures[key], float | int) and figures[key] > 0) or key == "overhead_ms_per_test", figures
    assert figures["score"] == figures["max_score"] > 0


def test_results_in_a_folder_others_can_write_are_refused(tmp_path: Path) -> None:
    """A results.json that another user could replace after grading (a world-writable folder without
    the sticky bit) is refused before grading starts; a missing folder is created by the grader."""
    open_folder = tmp_path / "open"
    open_folder.mkdir()
    open_folder.chmod(0o777)
    completed = autograder("grade", str(ROOT / "starter" / ASSIGNMENT), "--assignment", ASSIGNMENT,
                           "--only", "tokenize", "--results", str(open_folder / "results.json"))
    assert completed.returncode == 2 and "refusing to write results" in completed.stderr, completed.stderr
    assert not (open_folder / "results.json").exists()
    fresh = tmp_path / "new" / "folder" / "results.json"
    completed = autograder("grade", str(ROOT / "starter" / ASSIGNMENT), "--assignment", ASSIGNMENT,
                           "--only", "tokenize", "--results", str(fresh))
    assert completed.returncode == 0 and json.loads(fresh.read_text())["score"] == 0
    assert fresh.parent.stat().st_mode & 0o022 == 0
