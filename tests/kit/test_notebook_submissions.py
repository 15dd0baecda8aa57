"""A notebook is a submission like a folder or a zip: each file is the code cell that starts with
``%%writefile <file>``, read with json and never run. Same code, same score, however it is submitted."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest
from kit_support import ASSIGNMENT

from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.release.notebook import submission_notebook
from autograder.submission import SubmissionError, prepare

FAST = ["tokenize", "vocab", "one_hot", "bag_of_words", "model_values"]


def _notebook(kit: Kit, code: dict[str, str], path: Path) -> Path:
    """The release's submission notebook with the student's code written into its %%writefile cells."""
    notebook = submission_notebook(kit, ASSIGNMENT)
    for cell in notebook.cells:
        first = cell.source.split("\n", 1)[0]
        if cell.cell_type == "code" and first.startswith("%%writefile "):
            cell.source = f"{first}\n{code[first.split()[1]]}"
    nbformat.write(notebook, path)
    return path


def _scores(grader: Grader, source: Path) -> dict[str, float]:
    return {o.test.id: o.score for o in grader.grade(ASSIGNMENT, source, only=FAST).outcomes}


def test_files_zip_and_notebook_score_the_same(grader: Grader, kit: Kit, course: Course, tmp_path: Path) -> None:
    files = course.assignment(ASSIGNMENT).files
    solution = {name: (kit.solution_dir(ASSIGNMENT) / name).read_text() for name in files}
    solution["bow_model.py"] = solution["bow_model.py"].replace(".squeeze(-1)", ".squeeze(-1) * 2")  # one wrong part
    folder = tmp_path / "files"
    folder.mkdir()
    for name, text in solution.items():
        (folder / name).write_text(text)
    archive = tmp_path / "files.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for name, text in solution.items():
            zipped.writestr(f"hw/{name}", text)
    notebook = _notebook(kit, solution, tmp_path / "mine.ipynb")
    upload = tmp_path / "upload"  # Gradescope: a folder holding only the uploaded notebook
    upload.mkdir()
    (upload / "mine.ipynb").write_bytes(notebook.read_bytes())
    expected = _scores(grader, folder)
    assert expected["tokenize"] > 0 and expected["model_values"] == 0
    assert _scores(grader, archive) == _scores(grader, notebook) == _scores(grader, upload) == expected


def test_the_release_notebook_holds_the_starter(grader: Grader, kit: Kit, tmp_path: Path) -> None:
    path = tmp_path / "as_released.ipynb"
    nbformat.write(submission_notebook(kit, ASSIGNMENT), path)
    report = grader.grade(ASSIGNMENT, path, only=FAST)
    assert report.score == 0 and all("NotImplementedError" in o.feedback for o in report.outcomes)


def _raw_notebook(path: Path, *sources: str) -> Path:
    cells = [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": s} for s in sources
    ]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    return path


def test_a_missing_cell_costs_only_its_file(grader: Grader, kit: Kit, tmp_path: Path) -> None:
    data = (kit.solution_dir(ASSIGNMENT) / "bow_data.py").read_text()
    notebook = _raw_notebook(tmp_path / "half.ipynb", "import torch", f"%%writefile bow_data.py\n{data}")
    report = grader.grade(ASSIGNMENT, notebook, only=FAST)
    assert report.outcome("tokenize").passed and not report.outcome("model_values").passed
    assert any("bow_model.py" in note and "%%writefile" in note for note in report.notes), report.notes


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{ not json", "not a valid Jupyter notebook"),
        (json.dumps({"nbformat": 4}), "not a valid Jupyter notebook"),
        (json.dumps({"cells": [{"cell_type": "markdown", "source": "only words"}]}), "no code cell that starts with"),
        (
            json.dumps(
                {
                    "cells": [
                        {"cell_type": "code", "source": ["%%writefile bow_data.py\n", "x = 1\n"]},
                        {"cell_type": "code", "source": "%%writefile ./bow_data.py\nx = 2\n"},
                    ]
                }
            ),
            "code cells 1 and 2 both start with %%writefile bow_data.py",
        ),
        (json.dumps({"cells": [{"cell_type": "code", "source": 7}]}), "not a valid Jupyter notebook"),
    ],
    ids=["not-json", "no-cells", "no-code", "two-cells-one-file", "odd-source"],
)
def test_bad_notebooks_get_a_clear_error(content: str, message: str, course: Course, tmp_path: Path) -> None:
    path = tmp_path / "bad.ipynb"
    path.write_text(content)
    with pytest.raises(SubmissionError, match=message):
        prepare(path, course.assignment(ASSIGNMENT).files, tmp_path / "out")


def test_several_notebooks_and_no_files_is_an_error(course: Course, tmp_path: Path) -> None:
    for name in ("a.ipynb", "b.ipynb"):
        _raw_notebook(tmp_path / name, "%%writefile bow_data.py\nx = 1\n")
    with pytest.raises(SubmissionError, match=r"several notebooks \(a.ipynb, b.ipynb\)"):
        prepare(tmp_path, course.assignment(ASSIGNMENT).files, tmp_path / "out")


def test_only_the_cell_body_is_taken(course: Course, tmp_path: Path) -> None:
    notebook = _raw_notebook(
        tmp_path / "n.ipynb", "\n%%writefile -a bow_data.py  \nA = 1\n", "%%writefile other.py\nB = 2"
    )
    submission = prepare(notebook, course.assignment(ASSIGNMENT).files, tmp_path / "out")
    assert (submission.folder / "bow_data.py").read_text() == "A = 1\n"
    assert not (submission.folder / "other.py").exists()
