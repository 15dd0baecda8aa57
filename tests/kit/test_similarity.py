"""``autograder similarity`` as a TA runs it, on a folder of real submissions: known mistakes as folders, a
copy of one with its variables renamed (as a zip), a notebook holding the same code as another
submission, the starter twice, and submissions that cannot be read. Nothing is graded: a run takes a few
seconds."""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import nbformat
import pytest
import yaml
from kit_support import ASSIGNMENT, autograder

from autograder.config import Course
from autograder.kit import Kit
from autograder.variants import build, load_mutants, materialize

RENAMES = {
    "bow_data.py": {"counts": "frequency", "kept": "retained", "vector": "encoded", "indices": "positions"},
    "bow_model.py": {"total_loss": "running_loss", "total_examples": "seen", "loss_fn": "criterion"},
}
SCRIPT = "</code><script>alert('bob')</script>"
NOTEBOOK_ONLY = "print('trying things out')"
COPIES = [("alice", "bob"), ("carol", "dave")]
"""bob renamed alice's variables; carol's notebook holds dave's code."""


def similarity(folder: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    completed = autograder("similarity", folder, "--assignment", ASSIGNMENT, "--out", out, *options)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return completed


def pairs(out: Path) -> dict[tuple[str, str], dict[str, str]]:
    with (out / "similar_pairs.csv").open(newline="", encoding="utf-8") as file:
        return {(row["id_a"], row["id_b"]): row for row in csv.DictReader(file)}


def shares(row: dict[str, str]) -> tuple[float, float]:
    return float(row["similarity_a_to_b"]), float(row["similarity_b_to_a"])


@pytest.fixture(scope="module")
def folder(kit: Kit, course: Course, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assignment = course.assignment(ASSIGNMENT)
    mutants = {mutant.id: mutant for mutant in load_mutants(kit, ASSIGNMENT, assignment)}
    folder = tmp_path_factory.mktemp("submissions")
    alice = build(kit, ASSIGNMENT, assignment, mutants["no_lowercase"], folder / "alice")
    dave = build(kit, ASSIGNMENT, assignment, mutants["sum_reduction"], folder / "dave")

    bob = tmp_path_factory.mktemp("bob") / "bob"  # zipped inside a folder of its own, as students do
    bob.mkdir()
    for name in assignment.files:
        text = (alice / name).read_text()
        for old, new in RENAMES[name].items():
            assert re.search(rf"\b{old}\b", text), f"{old} is not in {name} any more: rename another variable"
            text = re.sub(rf"\b{old}\b", new, text)
        (bob / name).write_text(f"{text}\n# {SCRIPT}\n")
    shutil.make_archive(str(folder / "bob"), "zip", root_dir=bob.parent, base_dir="bob")

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# My bag-of-words classifier"),
        *(nbformat.v4.new_code_cell(f"%%writefile {name}\n{(dave / name).read_text()}") for name in assignment.files),
        nbformat.v4.new_code_cell(NOTEBOOK_ONLY),
    ]
    nbformat.write(notebook, folder / "carol.ipynb")

    starter = materialize(kit.starter_dir(ASSIGNMENT), assignment.files, [], folder / "starter")
    shutil.make_archive(str(folder / "starter_zip"), "zip", root_dir=starter)
    with zipfile.ZipFile(folder / "hostile.zip", "w") as archive:  # the files, but only outside the zip
        archive.writestr("../bow_data.py", (alice / "bow_data.py").read_text())
        archive.writestr("/bow_model.py", (alice / "bow_model.py").read_text())
    (folder / "not_a_zip.zip").write_bytes(b"PK but not a zip at all")
    students = {
        "alice": {":submitters": [{":name": '=HYPERLINK("https://example.com")', ":email": "alice@example.edu"}]},
        "bob.zip": {":submitters": [{":name": "Bob Ross", ":email": "bob@example.edu", ":sid": 7}]},
    }
    (folder / "submission_metadata.yml").write_text(yaml.safe_dump(students))
    return folder


@pytest.fixture(scope="module")
def run(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """One run on the folder: its output folder and what it printed."""
    out = tmp_path_factory.mktemp("similarity")
    return out, similarity(folder, out).stdout


def test_copies_are_the_most_similar_pairs_renamed_variables_and_all(run: tuple[Path, str]) -> None:
    out, _ = run
    rows = list(pairs(out).items())
    assert sorted(pair for pair, _ in rows[:2]) == COPIES
    assert all(shares(row) == (1.0, 1.0) for _, row in rows[:2])
    assert all(min(shares(row)) < 1 for _, row in rows[2:])  # different mistakes: similar, not copies
    assert len(rows) == 6  # every pair of alice, bob, carol and dave


def test_the_starter_is_boilerplate(run: tuple[Path, str]) -> None:
    """The starter, twice, shares nothing with anyone: without the starter excluded, its two copies would
    be identical and share its skeleton with everyone."""
    out, printed = run
    assert "compared 6 submissions" in printed
    assert not [pair for pair in pairs(out) if {"starter", "starter_zip"} & set(pair)]


def test_a_notebook_is_compared_by_its_code(run: tuple[Path, str]) -> None:
    out, _ = run
    assert shares(pairs(out)[("carol", "dave")]) == (1.0, 1.0)
    report = (out / "similarity.html").read_text()
    assert "code/carol.py" in report
    assert "trying things out" not in report and "cell_type" not in report


def test_unreadable_and_hostile_submissions_are_skipped_with_the_reason(run: tuple[Path, str]) -> None:
    out, printed = run
    assert "skipped hostile: none of bow_data.py, bow_model.py in it" in printed
    assert "skipped not_a_zip: not_a_zip.zip is not a valid zip file" in printed
    assert not [pair for pair in pairs(out) if {"hostile", "not_a_zip"} & set(pair)]


def test_students_are_named_and_no_cell_is_a_formula(run: tuple[Path, str]) -> None:
    row = pairs(run[0])[("alice", "bob")]
    assert row["student_a"] == '\'=HYPERLINK("https://example.com")'
    assert (row["student_b"], row["email_b"], row["sid_b"]) == ("Bob Ross", "bob@example.edu", "7")
    assert int(row["shared_tokens"]) > 500


def test_the_html_report_escapes_the_code(run: tuple[Path, str]) -> None:
    report = (run[0] / "similarity.html").read_text()
    assert "code/bob.py" in report
    assert "&lt;script&gt;alert(" in report and "<script>alert(" not in report


def test_it_flags_and_never_decides(run: tuple[Path, str]) -> None:
    assert "they decide nothing" in " ".join(run[1].split())


def test_top_limits_the_pairs_listed(folder: Path, run: tuple[Path, str], tmp_path: Path) -> None:
    similarity(folder, tmp_path, "--top", "1")
    assert list(pairs(tmp_path)) == list(pairs(run[0]))[:1]
