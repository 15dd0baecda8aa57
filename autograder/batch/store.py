"""The output folder of a batch: ``batch.json`` (the index: assignment, tests, submissions and their
students, the version of the tests, where the submissions are), ``results/<id>.json`` (Gradescope's
results of each submission, with the version of the tests that graded it), and the files made from them.

A result counts as graded only if it is complete and valid for the index's tests; anything else (a
missing, truncated or foreign file, or one graded with other tests) is graded again. A result graded by
another version of the same tests still counts: only ``regrade`` replaces it, keeping the old one.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from autograder.batch import BatchError
from autograder.config import TestSpec
from autograder.files import replace_file
from autograder.report import check_results_folder

INDEX = "batch.json"
RESULTS = "results"
GRADES = "grades.csv"
REPORT = "report.md"
PLOT = "scores.png"
CANVAS = "canvas.csv"


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Student(Record):
    """One submitter, as far as the folder tells (a Gradescope export does; a plain folder does not)."""

    name: str = ""
    email: str = ""
    sid: str = ""


class Column(Record):
    """One graded test: a column of grades.csv."""

    id: str
    name: str
    points: float

    @classmethod
    def of(cls, test: TestSpec) -> Column:
        return cls(id=test.id, name=test.name, points=test.points)


class Entry(Record):
    """One submission of the batch: its id (the name of its results file) and who submitted it."""

    id: str
    students: list[Student] = []


class Index(Record):
    """What a batch grades: ``batch.json``."""

    assignment: str
    tests: list[Column]
    submissions: list[Entry]
    version: str = ""
    """The version of the tests that ``tests`` come from (see ``autograder.tests_version``)."""
    source: str = ""
    """The folder of submissions (an absolute path), which ``regrade`` grades again."""
    only: list[str] | None = None
    """The tests asked for with ``--only`` (all when None), which ``regrade`` asks for again."""
    canvas: str = ""
    """The assignment's column in Canvas's gradebook, when the folder has a canvas.csv."""


class ResultTest(BaseModel):
    """The part of one test's entry in a results file that the batch reads."""

    name: str
    score: float
    max_score: float
    output: str = ""


class ResultsData(BaseModel):
    """Gradescope's ``extra_data`` of a results file: what the kit adds."""

    tests_version: str = ""


class Results(BaseModel):
    """The part of a Gradescope results file that the batch reads."""

    score: float
    tests: list[ResultTest]
    extra_data: ResultsData = Field(default_factory=ResultsData)


def results_path(out: Path, submission_id: str) -> Path:
    return out / RESULTS / f"{submission_id}.json"


def read_index(out: Path) -> Index | None:
    """The index of ``out``, or None if it holds none."""
    path = out / INDEX
    if not path.is_file():
        return None
    try:
        return Index.model_validate_json(path.read_bytes())
    except (ValidationError, OSError) as error:
        raise BatchError(f"{path} is not a batch index: {error}") from None


def open_folder(out: Path, index: Index) -> None:
    """Make ``out`` the folder of ``index``: refused if it holds another assignment's batch, or if other
    users could replace the results in it (the same rule as ``grade --results``)."""
    previous = read_index(out)
    if previous is not None and previous.assignment != index.assignment:
        raise BatchError(f"{out} holds grades of {previous.assignment}, not {index.assignment}: choose another --out")
    check_results_folder(results_path(out, "any"))
    (out / RESULTS).mkdir(parents=True, exist_ok=True)
    replace_file(out / INDEX, (index.model_dump_json(indent=2) + "\n").encode())


def read_results(out: Path, submission_id: str, tests: list[Column]) -> Results | None:
    """The results of one submission if they are complete and valid for ``tests``, else None."""
    try:
        results = Results.model_validate_json(results_path(out, submission_id).read_bytes())
    except (OSError, ValidationError):
        return None
    expected = [(test.name, test.points) for test in tests]
    if [(test.name, test.max_score) for test in results.tests] != expected:
        return None
    scores = [test.score for test in results.tests]
    if not all(0 <= test.score <= test.max_score for test in results.tests) or abs(sum(scores) - results.score) > 1e-3:
        return None
    return results
