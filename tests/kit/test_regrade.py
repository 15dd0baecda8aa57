"""``autograder regrade`` and canvas.csv as a TA meets them, on a Gradescope export (the solution as a
folder and as a notebook, the starter, two known mistakes) graded by ``grade-all``. Then a test of a copy
of the kit is fixed mid-semester (``vocab`` compared outputs it should not) and the folder is regraded:
the diff names exactly the submissions whose score changed, a dry run changes nothing, the old grades are
kept beside the new ones, and ``--only-students`` regrades those alone. Two fast tests only (``--only``)."""

from __future__ import annotations

import argparse
import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from subprocess import CompletedProcess

import nbformat
import pytest
import yaml
from kit_support import ASSIGNMENT, autograder, copy_kit, edit_entry

from autograder.batch.canvas import parse_column
from autograder.batch.diff import ChangedTest, Regraded
from autograder.batch.store import Column, Entry, Index, Results, ResultTest
from autograder.batch.summary import write_summary
from autograder.config import Course, load_course
from autograder.kit import Kit
from autograder.tests_version import current_version
from autograder.variants import build, load_mutants, materialize

ONLY = ["tokenize", "vocab"]
COLUMN = "Bag of words (4242)"
FIX = ("probe: vocab\n", "probe: vocab\n        outputs: [entries_of_nothing]\n")
"""The fix: ``vocab`` checks the vocabulary of the empty text alone, which both mistakes get right."""
STUDENTS = {
    "submission_1": [("Ada Lovelace", "ada@example.edu", "17"), ("Alan Turing", "alan@example.edu", "42")],
    "submission_2": [("Grace Hopper", "grace@example.edu", "23")],
    "submission_3": [("Barbara Liskov", "barbara@example.edu", "31")],
    "submission_4": [("=Edsger", "edsger@example.edu", "37")],  # a spreadsheet must show it, not run it
}
CHANGED = {"submission_3", "submission_4"}  # the two mistakes, which the fixed test no longer fails


def table(path: Path, key: str = "id") -> dict[str, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return {row[key]: row for row in csv.DictReader(file)}


def files(folder: Path) -> dict[str, bytes]:
    """Every file of a batch folder but the regrade folders, by relative path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.relative_to(folder).parts[0].startswith("regrade-")
    }


def succeeded(completed: CompletedProcess[str]) -> CompletedProcess[str]:
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


@pytest.fixture(scope="module")
def export(kit: Kit, course: Course, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Gradescope export: submission_1 to _4 (solution, starter, two mistakes) and a notebook nobody is named for."""
    assignment = course.assignment(ASSIGNMENT)
    folder = tmp_path_factory.mktemp("export")
    materialize(kit.solution_dir(ASSIGNMENT), assignment.files, [], folder / "submission_1")
    materialize(kit.starter_dir(ASSIGNMENT), assignment.files, [], folder / "submission_2")
    mutants = {mutant.id: mutant for mutant in load_mutants(kit, ASSIGNMENT, assignment)}
    build(kit, ASSIGNMENT, assignment, mutants["no_lowercase"], folder / "submission_3")
    build(kit, ASSIGNMENT, assignment, mutants["vocab_ties_unordered"], folder / "submission_4")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(f"%%writefile {name}\n{(kit.solution_dir(ASSIGNMENT) / name).read_text()}")
        for name in assignment.files
    ]
    nbformat.write(notebook, folder / "notebook.ipynb")
    metadata = {
        folder_name: {":submitters": [{":name": n, ":email": e, ":sid": s} for n, e, s in people]}
        for folder_name, people in STUDENTS.items()
    }
    (folder / "submission_metadata.yml").write_text(yaml.safe_dump(metadata), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def graded(export: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``grade-all`` of the export with the kit as it is, with canvas.csv; tests copy it before changing it."""
    out = tmp_path_factory.mktemp("graded") / "a1_bow"
    succeeded(
        autograder(
            "grade-all", export, "--assignment", ASSIGNMENT, "--out", out, "--only", ",".join(ONLY), "--canvas", COLUMN
        )
    )
    return out


@pytest.fixture(scope="module")
def fixed_kit(tmp_path_factory: pytest.TempPathFactory) -> Kit:
    fixed = copy_kit(tmp_path_factory.mktemp("fixed-kit"))
    edit_entry(fixed, *FIX)
    return fixed


@dataclass(frozen=True)
class Regrade:
    out: Path
    folder: Path
    """out/regrade-<version>."""
    dry_run: CompletedProcess[str]
    after_dry_run: dict[str, bytes]
    """The batch folder after the dry run, regrade folders left out."""
    dry_run_diff: dict[str, dict[str, str]]
    applied: CompletedProcess[str]


@pytest.fixture(scope="module")
def regraded(graded: Path, fixed_kit: Kit, tmp_path_factory: pytest.TempPathFactory) -> Regrade:
    """The fixed kit regrades a copy of ``graded``: first a dry run, then for real."""
    out = tmp_path_factory.mktemp("regraded") / "a1_bow"
    shutil.copytree(graded, out)
    dry_run = succeeded(autograder("regrade", out, "--assignment", ASSIGNMENT, "--dry-run", cwd=fixed_kit.root))
    folder = out / f"regrade-{current_version(fixed_kit, load_course(fixed_kit), ASSIGNMENT)}"
    after_dry_run, dry_run_diff = files(out), table(folder / "diff.csv")
    applied = succeeded(autograder("regrade", out, "--assignment", ASSIGNMENT, cwd=fixed_kit.root))
    return Regrade(out, folder, dry_run, after_dry_run, dry_run_diff, applied)


def test_results_record_the_version_of_their_tests(graded: Path, kit: Kit, fixed_kit: Kit) -> None:
    real, fixed = load_course(kit), load_course(fixed_kit)
    version = current_version(kit, real, ASSIGNMENT)
    assert json.loads((graded / "batch.json").read_text())["version"] == version
    for path in (graded / "results").iterdir():
        assert json.loads(path.read_text())["extra_data"] == {"tests_version": version}, path.name
    assert current_version(fixed_kit, fixed, ASSIGNMENT) != version  # the fix is a new version of a1_bow...
    others = [assignment for assignment in real.assignments if assignment != ASSIGNMENT]
    assert all(current_version(kit, real, a) == current_version(fixed_kit, fixed, a) for a in others)  # ...alone


def test_dry_run_writes_the_diff_and_leaves_the_grades(regraded: Regrade, graded: Path) -> None:
    assert regraded.after_dry_run == files(graded)
    assert set(regraded.dry_run_diff) == CHANGED
    assert "dry run" in regraded.dry_run.stdout
    assert "5 graded now" in regraded.dry_run.stdout


def test_regrade_names_exactly_who_changed_and_why(regraded: Regrade, graded: Path) -> None:
    before, after = table(graded / "grades.csv"), table(regraded.out / "grades.csv")
    assert sorted(before) == sorted(after) == ["notebook", *STUDENTS]
    moved = {name for name in after if after[name] != before[name]}
    diff = table(regraded.folder / "diff.csv")
    assert set(diff) == moved == CHANGED
    for name, row in diff.items():
        assert (row["old_total"], row["new_total"]) == (before[name]["total"], after[name]["total"])
        assert float(row["change"]) == float(after[name]["total"]) - float(before[name]["total"]) > 0
        assert row["tests_changed"] == "vocab"
    assert diff["submission_4"]["student"] == "'=Edsger"
    summary = (regraded.folder / "summary.md").read_text(encoding="utf-8")
    old_feedback = json.loads((graded / "results" / "submission_4.json").read_text())["tests"][1]["output"]
    assert old_feedback.splitlines()[0] in summary.splitlines()  # why: the feedback it had before
    assert "**vocab**" in summary and "0 of 2 → 2 of 2" in summary


def test_regrade_keeps_the_old_grades_beside_the_new(regraded: Regrade, graded: Path, fixed_kit: Kit) -> None:
    assert "0 graded now" in regraded.applied.stdout  # the dry run's results are reused
    previous = regraded.folder / "previous"
    assert files(previous) == files(graded)
    version = current_version(fixed_kit, load_course(fixed_kit), ASSIGNMENT)
    assert json.loads((regraded.out / "batch.json").read_text())["version"] == version
    for path in (regraded.out / "results").iterdir():
        assert json.loads(path.read_text())["extra_data"]["tests_version"] == version
    canvas = list(csv.reader((regraded.out / "canvas.csv").open(encoding="utf-8")))
    totals = {row[0]: row[5] for row in canvas[2:]}
    assert totals["'=Edsger"] == table(regraded.out / "grades.csv")["submission_4"]["total"] == "3"


def test_only_students_regrades_those_alone(graded: Path, fixed_kit: Kit, tmp_path: Path) -> None:
    out = tmp_path / "a1_bow"
    shutil.copytree(graded, out)
    succeeded(
        autograder(
            "regrade", out, "--assignment", ASSIGNMENT, "--only-students", "submission_4,GRACE@example.edu",
            cwd=fixed_kit.root,
        )
    )
    folder = next(out.glob("regrade-*"))
    assert sorted(path.stem for path in (folder / "results").iterdir()) == ["submission_2", "submission_4"]
    assert set(table(folder / "diff.csv")) == {"submission_4"}
    now, before = files(out), files(graded)
    assert {name for name in before if now[name] != before[name]} >= {"results/submission_4.json", "grades.csv"}
    assert now["results/submission_3.json"] == before["results/submission_3.json"]  # it would change: not listed


def test_grade_all_keeps_results_of_an_earlier_version(
    graded: Path, export: Path, fixed_kit: Kit, tmp_path: Path
) -> None:
    """Only ``regrade`` replaces grades: ``grade-all`` with fixed tests grades what is new, and says what is old."""
    out = tmp_path / "a1_bow"
    shutil.copytree(graded, out)
    completed = succeeded(
        autograder("grade-all", export, "--assignment", ASSIGNMENT, "--out", out, "--only", ",".join(ONLY),
                   cwd=fixed_kit.root)
    )
    assert "graded 0, 5 already graded" in completed.stdout
    assert "5 results were graded by an earlier version" in completed.stdout
    assert files(out)["results/submission_4.json"] == files(graded)["results/submission_4.json"]


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["grade-all", "{export}", "--out", "{out}", "--only", ",".join(ONLY)], "`autograder regrade"),
        (["regrade", "{out}", "--only-students", "submission_1"], "regrade all of them"),
        (["regrade", "{out}", "--only-students", "nobody@example.edu"], "no submission, email or sid nobody"),
        (["regrade", "{out}", "--submissions", "{empty}", "--dry-run"], "no submission notebook, submission_1"),
    ],
    ids=["grade-all after points changed", "some students after points changed", "unknown student", "moved"],
)
def test_refused_before_any_grading(
    command: list[str], message: str, graded: Path, export: Path, tmp_path: Path
) -> None:
    kit = copy_kit(tmp_path / "kit")
    edit_entry(kit, "points: 2", "points: 3")  # vocab's
    out, empty = tmp_path / "a1_bow", tmp_path / "empty"
    shutil.copytree(graded, out)
    empty.mkdir()
    arguments = [part.format(export=export, out=out, empty=empty) for part in command]
    completed = autograder(*arguments, "--assignment", ASSIGNMENT, cwd=kit.root)
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert message in completed.stderr
    assert files(out) == files(graded)


def test_canvas_csv_is_what_canvas_imports(graded: Path) -> None:
    rows = list(csv.reader((graded / "canvas.csv").open(newline="", encoding="utf-8")))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", COLUMN]
    assert rows[1] == ["Points Possible", "", "", "", "", "3"]  # tokenize 1 + vocab 2
    totals = {name: row["total"] for name, row in table(graded / "grades.csv").items()}
    expected = [
        [name if not name.startswith("=") else f"'{name}", "", sid, email, "", totals[submission]]
        for submission, people in STUDENTS.items()
        for name, email, sid in people
    ]
    assert sorted(rows[2:]) == sorted([*expected, ["notebook", "", "", "", "", totals["notebook"]]])
    assert totals["submission_1"] == "3" and totals["submission_2"] == "0"


@pytest.mark.parametrize("column", ["", "   ", "Bag\nof words (1)"])
def test_canvas_column_must_be_one_line(column: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match="not a column name"):
        parse_column(column)
    assert parse_column(" Bag of words (4242) ") == "Bag of words (4242)"


def test_summary_shows_feedback_as_it_is_and_nothing_more(tmp_path: Path) -> None:
    """Feedback comes from submissions: in summary.md it sits in a code block whose fence it cannot close."""
    hostile = "```\n# Not a heading\n<script>alert(1)</script> [a link](http://example.com)\n````"
    column = Column(id="vocab", name="vocab <b>bold</b>", points=2)
    entry = Entry(id="submission_9")
    index = Index(assignment=ASSIGNMENT, tests=[column], submissions=[entry], version="new")
    before = Results(score=0, tests=[ResultTest(name=column.name, score=0, max_score=2, output=hostile)])
    after = Results(score=2, tests=[ResultTest(name=column.name, score=2, max_score=2, output="passed")])
    item = Regraded(entry, before, after, [ChangedTest("vocab", before.tests[0], after.tests[0])])
    write_summary(tmp_path / "summary.md", index, index, [item], dry_run=True)
    lines = (tmp_path / "summary.md").read_text(encoding="utf-8").splitlines()
    block = ["`````", *hostile.splitlines(), "`````"]  # longer than the longest run of backquotes inside
    assert any(lines[at : at + len(block)] == block for at in range(len(lines)))
    assert "**vocab** (vocab \\<b\\>bold\\</b\\>): 0 of 2 → 2 of 2" in lines


def test_merge_keeps_the_canvas_column(graded: Path, tmp_path: Path) -> None:
    succeeded(autograder("merge", graded, "--out", tmp_path / "merged"))
    assert (tmp_path / "merged" / "canvas.csv").read_bytes() == (graded / "canvas.csv").read_bytes()
