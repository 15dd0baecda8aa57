"""The Otter-Grader delivery, with the real ``otter`` tool: ``otter run`` on the autograder zip gives the same
per-test scores and total as the kit's own grading of the same notebook, and runs none of the student's
code in Otter's kernel; the student notebook's Otter tests run the kit's visible tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from kit_support import ASSIGNMENT

from autograder.config import Course, load_course
from autograder.grading import Grader, GradeReport
from autograder.kit import Kit
from autograder.release.notebook import submission_notebook
from autograder.release.otter import OTTER_TESTS, write_otter
from autograder.report import gradescope_results
from autograder.text import FEEDBACK_CHARS, clean
from autograder.variants import Edit, build, load_mutants, materialize

OTTER_RUN_TIMEOUT_S = 600
MUTANT = "labels_long"
IN_A_KERNEL = "import sys as _sys\nif 'ipykernel' in _sys.modules:\n    open({marker!r}, 'w').close()\n"
"""Appended to a module of each submission: it marks that the module was imported in a Jupyter kernel (Otter's
grading kernel); the sandbox's test processes import no ipykernel."""


@pytest.fixture(scope="module")
def policy(kit: Kit) -> Course:
    """The real grading policy: the one the zip's payload carries (not the suite's short limits)."""
    return load_course(kit)


@pytest.fixture(scope="module")
def otter_out(kit: Kit, policy: Course, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / ASSIGNMENT / "otter"
    write_otter(kit, policy, ASSIGNMENT, out)
    return out


@pytest.fixture(scope="module")
def real_grader(kit: Kit, policy: Course) -> Iterator[Grader]:
    with Grader(kit, policy, [ASSIGNMENT]) as warm:  # the device the plugin picks too
        yield warm


def as_notebook(kit: Kit, folder: Path, path: Path) -> Path:
    """The submission notebook with each ``%%writefile`` cell holding the file of ``folder``."""
    notebook = submission_notebook(kit, ASSIGNMENT)
    for cell in notebook.cells:
        first = cell.source.split("\n", 1)[0].split()
        if cell.cell_type == "code" and first[:1] == ["%%writefile"]:
            cell.source = f"%%writefile {first[1]}\n" + (folder / first[1]).read_text(encoding="utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def otter_run(zip_path: Path, submission: Path, results: Path) -> tuple[dict, str]:
    """``otter run``'s results.json and printed output."""
    results.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "otter", "run", "-a", str(zip_path), "-o", str(results), str(submission)],
        capture_output=True,
        text=True,
        timeout=OTTER_RUN_TIMEOUT_S,
        cwd=results,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads((results / "results.json").read_text(encoding="utf-8")), done.stdout


def submission_folder(kind: str, kit: Kit, policy: Course, tmp_path: Path) -> Path:
    """The solution, the starter or the mutant, each with the kernel marker appended to its first module."""
    assignment = policy.assignment(ASSIGNMENT)
    marker = Edit(file=assignment.files[0], new=IN_A_KERNEL.format(marker=str(tmp_path / "marker")))
    if kind == "mutant":
        mutant = next(m for m in load_mutants(kit, ASSIGNMENT, assignment) if m.id == MUTANT)
        marked = mutant.model_copy(update={"edits": [*mutant.edits, marker]})
        return build(kit, ASSIGNMENT, assignment, marked, tmp_path / "files")
    source = kit.solution_dir(ASSIGNMENT) if kind == "solution" else kit.starter_dir(ASSIGNMENT)
    return materialize(source, assignment.files, [marker], tmp_path / "files")


def words(text: str) -> str:
    return " ".join(text.split())


def assert_same_grades(otter: dict, printed: str, report: GradeReport) -> None:
    graded = [test for test in otter["tests"] if "score" in test]  # not Otter's "Public Tests" summary
    assert {t["name"]: (t["score"], t["max_score"]) for t in graded} == {
        o.test.name: (o.score, o.test.points) for o in report.outcomes
    }
    assert f"Total Score: {report.score:.3f} / {report.max_score:.3f}" in printed
    assert otter["output"] == gradescope_results(report)["output"]
    public = words(next(t["output"] for t in otter["tests"] if t["name"] == "Public Tests"))
    for outcome in report.outcomes:
        feedback = words(clean(outcome.feedback, FEEDBACK_CHARS))  # Otter indents it
        assert feedback in words(next(t["output"] for t in graded if t["name"] == outcome.test.name))
        if outcome.test.visibility == "visible":
            assert f"{words(outcome.test.name)} results:" in public and feedback in public
        else:
            assert f"{words(outcome.test.name)}: not a visible test" in public


@pytest.mark.parametrize("kind", ["solution", "starter", "mutant"])
def test_otter_run_scores_as_the_kit_grades(
    kind: str, kit: Kit, policy: Course, otter_out: Path, real_grader: Grader, tmp_path: Path
) -> None:
    notebook = as_notebook(kit, submission_folder(kind, kit, policy, tmp_path), tmp_path / "submitted.ipynb")
    otter, printed = otter_run(otter_out / "autograder.zip", notebook, tmp_path / "otter-results")
    report = real_grader.grade(ASSIGNMENT, notebook)
    assert_same_grades(otter, printed, report)
    expected = {"solution": report.max_score, "starter": 0}.get(kind)
    if expected is not None:
        assert report.score == expected
    else:
        assert 0 < report.score < report.max_score
    assert not (tmp_path / "marker").exists(), "the student's module ran in Otter's kernel"


def test_the_zip_holds_the_plugin_config_the_payload_and_no_otter_test(otter_out: Path) -> None:
    with zipfile.ZipFile(otter_out / "autograder.zip") as archive:
        names = archive.namelist()
        config = json.loads(archive.read("otter_config.json"))
    assert config["plugins"] == [{"autograder.otter_plugin.KitGrading": {"assignment": ASSIGNMENT, "payload": "kit"}}]
    assert [name for name in names if name.startswith("tests/")] == ["tests/"]
    assert f"kit/tests/{ASSIGNMENT}/references/manifest.json" in names and "kit/grading.yaml" in names
    assert not [name for name in names if "solutions/" in name or "mutants" in name]


def test_student_notebook_checks_every_visible_test(otter_out: Path, policy: Course) -> None:
    handout = Kit(otter_out / "student").handout_dir(ASSIGNMENT)
    visible = [t.id for t in policy.assignment(ASSIGNMENT).tests if t.visibility == "visible"]
    assert 0 < len(visible) < len(policy.assignment(ASSIGNMENT).tests)
    assert sorted(path.stem for path in (handout / OTTER_TESTS).glob("*.py")) == sorted(visible)
    cells = nbformat.read(handout / f"{ASSIGNMENT}.ipynb", as_version=4).cells
    assert [c.source for c in cells if c.source.startswith("grader.check(")] == [
        f'grader.check("{test}")' for test in visible
    ]
    assert (handout / "data").is_dir()


CHECK_SCRIPT = """import json, otter
grader = otter.Notebook(tests_dir="tests")
checked = {test: grader.check(test) for test in ("tokenize", "model_shape")}
print(json.dumps({test: [result.passed_all, result.summary()] for test, result in checked.items()}))
"""


def test_student_otter_tests_run_the_kit_visible_tests(
    kit: Kit, otter_out: Path, real_grader: Grader, tmp_path: Path
) -> None:
    """In the notebook's folder, with a right bow_data.py and the starter's bow_model.py: Otter's check passes
    tokenize and fails model_shape with the kit's feedback."""
    student = shutil.copytree(otter_out / "student", tmp_path / "student")
    handout = Kit(student).handout_dir(ASSIGNMENT)
    shutil.copy2(kit.solution_dir(ASSIGNMENT) / "bow_data.py", handout)
    shutil.copy2(kit.starter_dir(ASSIGNMENT) / "bow_model.py", handout)
    done = subprocess.run(
        [sys.executable, "-c", CHECK_SCRIPT], cwd=handout, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    checked = json.loads(done.stdout.strip().splitlines()[-1])
    kit_check = real_grader.grade(ASSIGNMENT, handout, only=["model_shape"], public_only=True)
    assert checked["tokenize"][0] is True
    assert checked["model_shape"][0] is False
    assert kit_check.outcome("model_shape").feedback.splitlines()[0] in checked["model_shape"][1]
