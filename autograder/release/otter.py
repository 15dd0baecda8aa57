"""The Otter-Grader delivery of one assignment, in ``<out>`` (``DIR/<id>/otter``):

- ``autograder.zip``, which ``otter run -a autograder.zip <notebook>`` grades: ``otter_config.json`` names the
  kit's plugin (:class:`autograder.otter_plugin.KitGrading`), ``kit/`` is the grading payload it grades with,
  and ``tests/`` is empty (Otter's own tests would run in the student's kernel; the kit's sandbox grades);
- ``student/``: a kit of the visible tests (the public cut) with ``assignments/<id>/`` holding the handout,
  the data, the notebook (one ``%%writefile`` cell per file, then one ``grader.check`` cell per visible
  test) and ``tests/<test>.py``, Otter tests that run the kit's visible test on the files beside them.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import zipfile
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.config import Course, TestSpec
from autograder.kit import Kit
from autograder.release.notebook import submission_notebook
from autograder.release.payload import write_grading_payload, write_public_tests

PLUGIN = "autograder.otter_plugin.KitGrading"
PAYLOAD = "kit"
OTTER_TESTS = "tests"
ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # fixed, so building twice gives the same bytes

CHECK_HEADING = """## Check your work

Each cell below runs one of the grader's visible tests, on public inputs, on the files that your cells under
"Your code" wrote in this folder: run those cells first. The grader runs the same tests with hidden inputs,
and more tests."""

OTTER_TEST = """{doc!r}

from otter.test_files import test_case

from autograder.otter_plugin import check_visible

OK_FORMAT = False
name = {id!r}
points = {points!r}


@test_case(points={points!r})
def kit_test() -> None:
    check_visible({assignment!r}, {id!r})
"""


def write_otter(kit: Kit, course: Course, assignment_id: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    write_autograder_zip(kit, course, assignment_id, out / "autograder.zip")
    write_student_folder(kit, course, assignment_id, out / "student")


def otter_config(assignment_id: str) -> dict[str, object]:
    return {"plugins": [{PLUGIN: {"assignment": assignment_id, "payload": PAYLOAD}}]}


def write_autograder_zip(kit: Kit, course: Course, assignment_id: str, path: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="otter-payload-") as temporary, zipfile.ZipFile(path, "w") as archive:
        payload = Path(temporary)
        write_grading_payload(kit, course, assignment_id, payload)
        _write_entry(archive, "otter_config.json", json.dumps(otter_config(assignment_id), indent=2) + "\n")
        _write_entry(archive, f"{OTTER_TESTS}/", "")
        for file in sorted(p for p in payload.rglob("*") if p.is_file()):
            _write_entry(archive, f"{PAYLOAD}/{file.relative_to(payload).as_posix()}", file.read_bytes())


def _write_entry(archive: zipfile.ZipFile, name: str, content: str | bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.external_attr = (0o40755 if name.endswith("/") else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, content)


def visible_tests(course: Course, assignment_id: str) -> list[TestSpec]:
    return [test for test in course.assignment(assignment_id).tests if test.visibility == "visible"]


def write_student_folder(kit: Kit, course: Course, assignment_id: str, destination: Path) -> None:
    """The public cut of the kit, so that the notebook's checks find their kit from the notebook's folder."""
    write_public_tests(kit, course, assignment_id, destination)
    release = Kit(destination)
    shutil.copy2(kit.handout_path(assignment_id), release.handout_path(assignment_id))
    tests = release.handout_dir(assignment_id) / OTTER_TESTS
    tests.mkdir(parents=True, exist_ok=True)
    for test in visible_tests(course, assignment_id):
        (tests / f"{test.id}.py").write_text(otter_test(assignment_id, test), encoding="utf-8")
    notebook = student_notebook(kit, course, assignment_id)
    release.notebook_path(assignment_id).write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")


def otter_test(assignment_id: str, test: TestSpec) -> str:
    doc = f"Otter test {test.id}: {test.name}. The kit's visible test, on public inputs."
    return OTTER_TEST.format(doc=doc, id=test.id, points=test.points, assignment=assignment_id)


def student_notebook(kit: Kit, course: Course, assignment_id: str) -> NotebookNode:
    """The submission notebook, then Otter's ``grader.check`` cells, one per visible test."""
    notebook = submission_notebook(kit, assignment_id)
    notebook.cells.append(nbformat.v4.new_markdown_cell(CHECK_HEADING, id="otter-heading"))
    setup = f'import otter\n\ngrader = otter.Notebook(tests_dir="{OTTER_TESTS}")'
    notebook.cells.append(nbformat.v4.new_code_cell(setup, id="otter-setup"))
    for test in visible_tests(course, assignment_id):
        notebook.cells.append(nbformat.v4.new_code_cell(f'grader.check("{test.id}")', id=f"otter-{test.id}"))
    nbformat.validate(notebook)
    return notebook
