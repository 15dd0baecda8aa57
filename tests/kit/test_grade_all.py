"""``autograder grade-all`` and ``autograder merge`` as a TA runs them, on a folder that mixes the solution
(as a folder, a zip and a notebook), the starter, known mistakes and hostile submissions: the CSV holds
what ``Grader.grade`` gives each, a second run grades only what is missing, two shards merged equal one
run, and a Gradescope export names its students. A few fast tests only (``--only``), one job."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
import yaml
from kit_support import ASSIGNMENT, autograder

from autograder.batch.collect import submission_id_of
from autograder.batch.shard import Shard, parse_shard
from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.variants import Edit, build, load_mutants, materialize

ONLY = ["tokenize", "vocab", "one_hot", "bag_of_words", "model_values"]
MUTANTS = ["no_lowercase", "vocab_ties_unordered"]  # each fails some of ONLY
FULL_MARKS = ["solution", "solution_zip", "notebook"]
ZERO = ["starter", "starter_zip", "exits_at_import", "syntax_error", "not_a_zip"]


def grade_all(folder: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    completed = autograder(
        "grade-all", folder, "--assignment", ASSIGNMENT, "--out", out, "--only", ",".join(ONLY), *options
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open(newline="", encoding="utf-8") as file:
        return {row["id"]: row for row in csv.DictReader(file)}


def modified(out: Path) -> dict[str, int]:
    return {path.name: path.stat().st_mtime_ns for path in (out / "results").iterdir()}


@pytest.fixture(scope="module")
def folder(kit: Kit, course: Course, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten submissions of every kind; ids: FULL_MARKS, ZERO and one per mutant."""
    assignment = course.assignment(ASSIGNMENT)
    solution, starter, files = kit.solution_dir(ASSIGNMENT), kit.starter_dir(ASSIGNMENT), assignment.files
    folder = tmp_path_factory.mktemp("submissions")
    materialize(solution, files, [], folder / "solution")
    shutil.make_archive(str(folder / "solution_zip"), "zip", root_dir=folder / "solution")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(f"%%writefile {name}\n{(solution / name).read_text()}") for name in files
    ]
    nbformat.write(notebook, folder / "notebook.ipynb")
    materialize(starter, files, [], folder / "starter")
    shutil.make_archive(str(folder / "starter_zip"), "zip", root_dir=folder / "starter")
    for mutant in load_mutants(kit, ASSIGNMENT, assignment):
        if mutant.id in MUTANTS:
            build(kit, ASSIGNMENT, assignment, mutant, folder / f"mutant_{mutant.id}")
    materialize(
        solution,
        files,
        [Edit(file=name, new="\nimport os\nos._exit(0)\n") for name in files],
        folder / "exits_at_import",
    )
    materialize(solution, files, [Edit(file=name, new="\ndef broken(:\n") for name in files], folder / "syntax_error")
    (folder / "not_a_zip.zip").write_bytes(b"PK but not a zip at all")
    return folder


@pytest.fixture(scope="module")
def full(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the whole folder."""
    out = tmp_path_factory.mktemp("full")
    grade_all(folder, out, "--jobs", "1")
    return out


def test_csv_holds_what_grade_gives_each_submission(folder: Path, full: Path, grader: Grader) -> None:
    table = rows(full)
    assert sorted(table) == sorted(submission_id_of(path) for path in folder.iterdir())  # hostile ones included
    for path in folder.iterdir():
        report = grader.grade(ASSIGNMENT, path, only=ONLY)
        row = table[submission_id_of(path)]
        assert float(row["total"]) == pytest.approx(report.score), path.name
        assert {test: float(row[test]) for test in ONLY} == {o.test.id: pytest.approx(o.score) for o in report.outcomes}
    full_marks = sum(report.outcome(test).test.points for test in ONLY)
    assert all(float(table[name]["total"]) == full_marks for name in FULL_MARKS)
    assert all(float(table[name]["total"]) == 0 for name in ZERO)
    assert all(0 < float(table[f"mutant_{name}"]["total"]) < full_marks for name in MUTANTS)


def test_what_cannot_be_read_scores_zero_with_the_reason(full: Path) -> None:
    results = json.loads((full / "results" / "not_a_zip.json").read_text())
    assert results["score"] == 0
    assert all("not a valid zip" in test["output"] for test in results["tests"])
    exits = json.loads((full / "results" / "exits_at_import.json").read_text())
    assert all("exit status 0" in test["output"] for test in exits["tests"])


def test_report_gives_pass_rates_common_failures_and_distribution(full: Path, course: Course) -> None:
    table, report = rows(full), (full / "report.md").read_text()
    points = {test.id: test.points for test in course.assignment(ASSIGNMENT).tests}
    for test in ONLY:
        passed = sum(float(row[test]) == points[test] for row in table.values())
        assert f"| {test} | {points[test]:g} | {passed} / {len(table)} |" in report
    # the starter twice (folder and zip): its message is the most common failure, not merely the first
    assert "| NotImplementedError: tokenize (2×) |" in report
    assert f"| {sum(points[t] for t in ONLY):g} (full marks) | {len(FULL_MARKS)} |" in report
    assert (full / "scores.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_lists_a_test_failed_by_work_right_everywhere_else(full: Path, tmp_path: Path) -> None:
    """The real results flag no test; the same results with one test failed by every submission that passes
    all the others (what a wrong reference does) flag that test alone."""
    assert "\nNone.\n" in (full / "report.md").read_text().split("## Unusual tests")[1].split("##")[0]
    broken = tmp_path / "broken"
    shutil.copytree(full, broken)
    position = [test["id"] for test in json.loads((broken / "batch.json").read_text())["tests"]].index("bag_of_words")
    for name in FULL_MARKS:
        path = broken / "results" / f"{name}.json"
        results = json.loads(path.read_text())
        results["score"] -= results["tests"][position]["score"]
        results["tests"][position].update(score=0, output="counts differ from the reference")
        path.write_text(json.dumps(results))
    completed = autograder("merge", broken, "--out", tmp_path / "merged")
    assert completed.returncode == 0, completed.stderr
    unusual = (tmp_path / "merged" / "report.md").read_text().split("## Unusual tests")[1].split("##")[0]
    flagged = [line for line in unusual.splitlines() if line.startswith("| ") and not line.startswith("| test ")]
    assert flagged == [f"| bag_of_words | {len(FULL_MARKS)} | {len(FULL_MARKS)} | counts differ from the reference |"]


def test_second_run_grades_only_what_is_missing_or_broken(folder: Path, full: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(full, out)
    before = modified(out)
    assert "graded 0, 10 already graded" in grade_all(folder, out).stdout
    assert modified(out) == before
    (out / "results" / "starter.json").unlink()
    (out / "results" / "solution.json").write_text('{"score": 7, "tests": [')  # cut short by a crash
    assert "graded 2, 8 already graded" in grade_all(folder, out).stdout
    after = modified(out)
    assert {name for name in after if after[name] != before[name]} == {"starter.json", "solution.json"}
    assert (out / "grades.csv").read_text() == (full / "grades.csv").read_text()


def test_two_shards_merged_equal_one_run(folder: Path, full: Path, tmp_path: Path) -> None:
    shards = [tmp_path / "shard0", tmp_path / "shard1"]
    grade_all(folder, shards[0], "--shard", "0/2", "--jobs", "2")
    grade_all(folder, shards[1], "--shard", "1/2")
    graded = [set(rows(shard)) for shard in shards]
    assert not graded[0] & graded[1] and len(graded[0]) == len(graded[1]) == 5
    completed = autograder("merge", *shards, "--out", tmp_path / "merged")
    assert completed.returncode == 0, completed.stderr
    for name in ("grades.csv", "report.md"):
        assert (tmp_path / "merged" / name).read_text() == (full / name).read_text()


def test_merge_refuses_folders_graded_on_other_tests(full: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(full, other)
    index = json.loads((other / "batch.json").read_text())
    index["tests"] = index["tests"][1:]
    (other / "batch.json").write_text(json.dumps(index))
    completed = autograder("merge", full, other, "--out", tmp_path / "merged")
    assert completed.returncode == 2
    assert "graded other tests" in completed.stderr


def test_gradescope_export_names_the_students(kit: Kit, tmp_path: Path) -> None:
    export = tmp_path / "export"
    materialize(kit.solution_dir(ASSIGNMENT), ["bow_data.py"], [], export / "submission_1001")
    materialize(kit.starter_dir(ASSIGNMENT), ["bow_data.py"], [], export / "submission_1002")
    materialize(kit.starter_dir(ASSIGNMENT), ["bow_data.py"], [], export / "submission_1003")  # not in the metadata
    metadata = {
        "submission_1001": {
            ":submitters": [
                {":name": "Ada Lovelace", ":email": "ada@example.edu", ":sid": 17},
                {":name": "Alan Turing", ":email": "alan@example.edu", ":sid": "42"},
            ],
            ":created_at": "2024-03-01 10:00:00 -0800",
            ":score": 1.0,
        },
        "submission_1002": {":submitters": [{":name": '=HYPERLINK("x")'}]},  # no email, no sid
        "submission_9999": {":submitters": [{":name": "Nobody"}]},  # no such folder
    }
    (export / "submission_metadata.yml").write_text(yaml.safe_dump(metadata))
    completed = autograder(
        "grade-all", export, "--assignment", ASSIGNMENT, "--out", tmp_path / "out", "--only", "tokenize"
    )
    assert completed.returncode == 0, completed.stderr
    table = rows(tmp_path / "out")
    assert sorted(table) == ["submission_1001", "submission_1002", "submission_1003"]
    assert table["submission_1001"]["student"] == "Ada Lovelace; Alan Turing"
    assert table["submission_1001"]["email"] == "ada@example.edu; alan@example.edu"
    assert table["submission_1001"]["sid"] == "17; 42"
    assert table["submission_1002"]["student"] == '\'=HYPERLINK("x")'  # shown by a spreadsheet, not run
    assert table["submission_1003"]["student"] == ""
    assert [table[name]["total"] for name in sorted(table)] == ["1", "0", "0"]


def test_shard_is_k_of_n_counted_from_zero() -> None:
    assert parse_shard("1/3").pick(list(range(8))) == [1, 4, 7]
    assert [Shard(k, 3).pick(list(range(8))) for k in range(3)] == [[0, 3, 6], [1, 4, 7], [2, 5]]
    for wrong in ("3/3", "1/0", "-1/2", "1", "a/b"):
        with pytest.raises(argparse.ArgumentTypeError):
            parse_shard(wrong)
