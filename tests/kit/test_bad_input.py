"""Bad input to the kit: a broken grading.yaml, and submissions that are missing, broken or not a zip.

A broken policy must stop the TA with a message naming the file, the assignment, the test and the
field; a broken submission must cost the tests it touches, with a reason, and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from autograder.config import ConfigError, Course, load_course
from autograder.grading import Grader, GradeReport
from autograder.kit import CONFIG_NAME, Kit
from autograder.report import write_results
from autograder.variants import Edit

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_bow"
DATA_TESTS = ["tokenize", "vocab", "one_hot", "bag_of_words", "dataset_length", "dataset_items", "no_test_leak"]
MODEL_TESTS = [
    "model_shape", "model_values", "model_gradients", "train_step_gradients",
    "train_parameters", "train_loss", "loss_decreases", "predict",
]
GRADESCOPE_TEST_KEYS = {"name", "number", "score", "max_score", "status", "visibility", "output"}
CLI_TIMEOUT_S = 120

Raw = dict[str, Any]


# ---------------------------------------------------------------- a broken grading.yaml


def _raw_policy() -> Raw:
    """The kit's grading.yaml, reduced to the assignment these tests break."""
    raw = yaml.safe_load((ROOT / CONFIG_NAME).read_text(encoding="utf-8"))
    raw["assignments"] = {ASSIGNMENT: raw["assignments"][ASSIGNMENT]}
    return raw


def _tests(raw: Raw) -> list[Raw]:
    return raw["assignments"][ASSIGNMENT]["tests"]


def _test(raw: Raw, test_id: str) -> Raw:
    return next(test for test in _tests(raw) if test["id"] == test_id)


def _accuracy_test(raw: Raw) -> Raw:
    return next(test for test in _tests(raw) if test["rule"] == "accuracy")


def _make_kit(root: Path, policy: str | bytes | None) -> Kit:
    """A copy of the kit's policy, probes and held-out labels under ``root``, with grading.yaml replaced."""
    tests_dir = root / "tests" / ASSIGNMENT
    (tests_dir / "heldout").mkdir(parents=True)
    shutil.copyfile(ROOT / "tests" / ASSIGNMENT / "probes.py", tests_dir / "probes.py")
    shutil.copyfile(ROOT / "tests" / ASSIGNMENT / "heldout" / "labels.txt", tests_dir / "heldout" / "labels.txt")
    if isinstance(policy, str):
        (root / CONFIG_NAME).write_text(policy, encoding="utf-8")
    elif isinstance(policy, bytes):
        (root / CONFIG_NAME).write_bytes(policy)
    return Kit(root)


def _edited(edit: Callable[[Raw], object]) -> str:
    raw = _raw_policy()
    edit(raw)
    return yaml.safe_dump(raw, sort_keys=False)


def _set_floor_to_threshold(raw: Raw) -> None:
    test = _accuracy_test(raw)
    test["floor"] = test["threshold"]


def _set_floor_above_threshold(raw: Raw) -> None:
    test = _accuracy_test(raw)
    test["floor"] = test["threshold"] + (1 - test["threshold"]) / 2


def _duplicate_second_id(raw: Raw) -> None:
    _tests(raw)[1]["id"] = _tests(raw)[0]["id"]


def _shadowing_file(raw: Raw) -> None:
    raw["assignments"][ASSIGNMENT]["files"] = [raw["assignments"][ASSIGNMENT]["files"][0], "torch.py"]


def _overlapping_seeds(raw: Raw) -> None:
    test = _test(raw, "vocab")
    test["hidden_seeds"] = [test.get("seeds", raw["assignments"][ASSIGNMENT]["seeds"])[0]]


def _overlapping_default_seeds(raw: Raw) -> None:
    assignment = raw["assignments"][ASSIGNMENT]
    assignment["hidden_seeds"] = [assignment["seeds"][0]]


# Each case: the new grading.yaml (text, bytes, or None for no file) and what the error must say.
# "{path}" stands for the path of grading.yaml, "{accuracy}" for the id of the accuracy test.
BROKEN_POLICIES: list[Any] = [
    pytest.param(
        lambda: _edited(lambda raw: _test(raw, "vocab").update(pointz=1)),
        ["{path}", "assignment 'a1_bow'", "test 'vocab'", "field 'pointz'"],
        id="unknown-key",
    ),
    pytest.param(
        lambda: _edited(lambda raw: _test(raw, "vocab").update(probe="no_such_probe")),
        ["{path}", "assignment 'a1_bow'", "test 'vocab'", "field 'probe'", "no probe 'no_such_probe'", "probes.py"],
        id="missing-probe",
    ),
    pytest.param(
        lambda: _edited(lambda raw: _test(raw, "vocab").update(points=-1)),
        ["{path}", "assignment 'a1_bow'", "test 'vocab'", "field 'points'", "greater than or equal to 0"],
        id="negative-points",
    ),
    pytest.param(
        lambda: _edited(lambda raw: _test(raw, "vocab").update(visibility="sometimes")),
        ["{path}", "assignment 'a1_bow'", "test 'vocab'", "field 'visibility'", "after_due_date"],
        id="bad-visibility",
    ),
    pytest.param(
        lambda: _edited(_set_floor_to_threshold),
        ["{path}", "assignment 'a1_bow'", "test '{accuracy}'", "floor must be below threshold"],
        id="floor-equals-threshold",
    ),
    pytest.param(
        lambda: _edited(_set_floor_above_threshold),
        ["{path}", "assignment 'a1_bow'", "test '{accuracy}'", "floor must be below threshold"],
        id="floor-above-threshold",
    ),
    pytest.param(
        lambda: _edited(_duplicate_second_id),
        ["{path}", "assignment 'a1_bow'", "duplicate test ids: tokenize"],
        id="duplicate-ids",
    ),
    pytest.param(
        lambda: _edited(_overlapping_seeds),
        ["{path}", "assignment 'a1_bow'", "test 'vocab'", "seeds and hidden_seeds must all be different"],
        id="overlapping-seeds",
    ),
    pytest.param(
        lambda: _edited(_overlapping_default_seeds),
        ["{path}", "assignment 'a1_bow'", "seeds and hidden_seeds must all be different"],
        id="overlapping-default-seeds",
    ),
    pytest.param(
        lambda: _edited(_shadowing_file),
        ["{path}", "assignment 'a1_bow'", "field 'files'", "'torch.py' would shadow the installed module 'torch'"],
        id="shadowing-file",
    ),
    pytest.param(
        lambda: _edited(lambda raw: _accuracy_test(raw).update(labels="heldout/no_such_labels.txt")),
        ["{path}", "assignment 'a1_bow'", "test '{accuracy}'", "field 'labels'", "heldout/no_such_labels.txt"],
        id="missing-labels",
    ),
    pytest.param(lambda: "assignments: [unclosed\n  : {\n", ["{path}", "not valid YAML"], id="not-yaml"),
    pytest.param(lambda: "", ["{path}", "expected a mapping at the top level"], id="empty-file"),
    pytest.param(lambda: "- just\n- a list\n", ["{path}", "expected a mapping at the top level"], id="a-list"),
    pytest.param(lambda: None, ["{path}", "cannot read"], id="missing-file"),
    pytest.param(
        lambda: b"version: 1\ntitle: caf\xe9\n",
        ["{path}", "not UTF-8 text"],
        id="not-utf8",
    ),
]


def test_copied_kit_loads(tmp_path: Path) -> None:
    """The unbroken copy loads, so every failure below comes from its one edit."""
    course = load_course(_make_kit(tmp_path, _edited(lambda raw: None)))
    assert ASSIGNMENT in course.assignments


@pytest.mark.parametrize(("policy", "fragments"), BROKEN_POLICIES)
def test_broken_policy_names_where(
    tmp_path: Path, policy: Callable[[], str | bytes | None], fragments: list[str]
) -> None:
    """Each broken grading.yaml raises ConfigError naming the file, assignment, test and field."""
    kit = _make_kit(tmp_path, policy())
    accuracy_id = _accuracy_test(_raw_policy())["id"]
    with pytest.raises(ConfigError) as caught:
        load_course(kit)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment.format(path=kit.config_path, accuracy=accuracy_id) in message, message


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", "autograder", *args],
        cwd=cwd, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, env=env,
    )


def test_cli_reports_broken_policy(tmp_path: Path) -> None:
    """`autograder validate` in a kit with a broken grading.yaml exits 2 with a one-line error."""
    _make_kit(tmp_path, _edited(lambda raw: _test(raw, "vocab").update(points=-1)))
    done = _cli("validate", ASSIGNMENT, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("autograder: error:"), done.stderr
    assert "field 'points'" in done.stderr and "test 'vocab'" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_outside_a_kit(tmp_path: Path) -> None:
    """Any command in a folder with no grading.yaml at or above it exits 2 and says so."""
    if any((folder / CONFIG_NAME).exists() for folder in (tmp_path, *tmp_path.parents)):
        pytest.skip(f"a {CONFIG_NAME} exists above {tmp_path}")
    done = _cli("validate", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("autograder: error:"), done.stderr
    assert f"no {CONFIG_NAME}" in done.stderr


def test_cli_unknown_assignment() -> None:
    """An assignment id that grading.yaml does not define is an error that lists the known ones."""
    done = _cli("validate", "no_such_assignment", cwd=ROOT)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("autograder: error:"), done.stderr
    assert "no assignment 'no_such_assignment'" in done.stderr and ASSIGNMENT in done.stderr


# ---------------------------------------------------------------- bad submissions


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    """A zip holding exactly ``entries`` under the given names (no normalisation of the names)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in entries.items():
            archive.writestr(zipfile.ZipInfo(name), content)
    return path


def _solution_file(name: str) -> bytes:
    return (ROOT / "solutions" / ASSIGNMENT / name).read_bytes()


def test_missing_model_file(grader: Grader, tmp_path: Path) -> None:
    """Without bow_model.py the data tests still pass and every model test explains what is missing."""
    folder = tmp_path / "submission"
    folder.mkdir()
    (folder / "bow_data.py").write_bytes(_solution_file("bow_data.py"))
    report = grader.grade(ASSIGNMENT, folder, only=DATA_TESTS + MODEL_TESTS)
    for test_id in DATA_TESTS:
        assert report.outcome(test_id).passed, (test_id, report.outcome(test_id).feedback)
    for test_id in MODEL_TESTS:
        outcome = report.outcome(test_id)
        assert outcome.score == 0, test_id
        assert "your submission has no bow_model.py" in outcome.feedback, (test_id, outcome.feedback)
    assert any("missing" in note and "bow_model.py" in note for note in report.notes), report.notes


def test_syntax_error_costs_only_its_file(grader: Grader, make_submission: Callable[..., Path]) -> None:
    """A SyntaxError in bow_model.py fails the model tests with its line; the data tests pass."""
    source = make_submission("solution", Edit(file="bow_model.py", new="\ndef broken(:\n    pass\n"))
    report = grader.grade(ASSIGNMENT, source, only=DATA_TESTS + MODEL_TESTS)
    for test_id in DATA_TESTS:
        assert report.outcome(test_id).passed, (test_id, report.outcome(test_id).feedback)
    for test_id in MODEL_TESTS:
        outcome = report.outcome(test_id)
        assert outcome.score == 0, test_id
        assert "SyntaxError in bow_model.py, line" in outcome.feedback, (test_id, outcome.feedback)


@pytest.fixture(scope="module")
def empty_zip_report(grader: Grader, tmp_path_factory: pytest.TempPathFactory) -> GradeReport:
    """The report for an empty zip, over every test (no test runs, so this is fast)."""
    path = tmp_path_factory.mktemp("empty") / "submission.zip"
    zipfile.ZipFile(path, "w").close()
    return grader.grade(ASSIGNMENT, path)


def test_empty_zip(empty_zip_report: GradeReport, course: Course) -> None:
    """An empty zip scores 0 on every test, each saying the zip holds no files."""
    report = empty_zip_report
    assert [o.test.id for o in report.outcomes] == [t.id for t in course.assignment(ASSIGNMENT).tests]
    for outcome in report.outcomes:
        assert outcome.score == 0, outcome.test.id
        assert "contains no files" in outcome.feedback, outcome.feedback
    assert report.score == 0 and report.max_score > 0


def test_results_json_for_empty_zip(empty_zip_report: GradeReport, tmp_path: Path) -> None:
    """results.json is valid JSON with score 0 and one Gradescope entry per test."""
    path = tmp_path / "out" / "results.json"
    write_results(path, empty_zip_report)
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["score"] == 0
    assert len(results["tests"]) == len(empty_zip_report.outcomes)
    for entry, outcome in zip(results["tests"], empty_zip_report.outcomes, strict=True):
        assert set(entry) == GRADESCOPE_TEST_KEYS, entry
        assert entry["name"] == outcome.test.name
        assert entry["score"] == 0 and entry["max_score"] == outcome.test.points
        assert entry["status"] == "failed"
        assert entry["visibility"] == outcome.test.visibility
        assert "contains no files" in entry["output"]
    assert [entry["number"] for entry in results["tests"]] == [str(i) for i in range(1, len(results["tests"]) + 1)]
    assert not [p.name for p in path.parent.iterdir() if p.name != "results.json"], "temporary file left behind"


def test_not_a_zip(grader: Grader, tmp_path: Path) -> None:
    """A file named .zip that is not one fails every test with "not a valid zip file"."""
    path = tmp_path / "submission.zip"
    path.write_text("this is not a zip archive\n", encoding="utf-8")
    report = grader.grade(ASSIGNMENT, path, only=["tokenize", "model_shape"])
    for outcome in report.outcomes:
        assert outcome.score == 0
        assert "submission.zip is not a valid zip file" in outcome.feedback, outcome.feedback


def test_nonexistent_path(grader: Grader, tmp_path: Path) -> None:
    """A path that does not exist fails every test with "no such file or folder" and the path."""
    path = tmp_path / "nothing-here"
    report = grader.grade(ASSIGNMENT, path, only=["tokenize", "model_shape"])
    for outcome in report.outcomes:
        assert outcome.score == 0
        assert "no such file or folder" in outcome.feedback and str(path) in outcome.feedback, outcome.feedback


def test_zip_with_subfolder(grader: Grader, tmp_path: Path) -> None:
    """Files inside a subfolder of the zip are found, graded, and the notes say where they came from."""
    path = _zip(tmp_path / "submission.zip", {
        "hw1/code/bow_data.py": _solution_file("bow_data.py"),
        "hw1/code/bow_model.py": _solution_file("bow_model.py"),
        "hw1/code/old/bow_model.py": b"raise SystemExit('the deeper copy must not be taken')\n",
        "__MACOSX/bow_model.py": b"raise SystemExit('resource forks must not be taken')\n",
    })
    report = grader.grade(ASSIGNMENT, path, only=["tokenize", "model_values"])
    for outcome in report.outcomes:
        assert outcome.passed, (outcome.test.id, outcome.feedback)
    assert "bow_data.py was taken from hw1/code/" in report.notes, report.notes
    assert "bow_model.py was taken from hw1/code/" in report.notes, report.notes


@pytest.mark.parametrize("unsafe_name", ["../bow_model.py", "code/../../bow_model.py", "/bow_model.py"])
def test_zip_path_traversal_is_ignored(grader: Grader, tmp_path: Path, unsafe_name: str) -> None:
    """A zip entry that climbs out of the archive (or is absolute) is ignored: the file counts as missing."""
    path = _zip(tmp_path / "submission.zip", {
        "bow_data.py": _solution_file("bow_data.py"),
        unsafe_name: _solution_file("bow_model.py"),
    })
    assert unsafe_name in zipfile.ZipFile(path).namelist()  # the name really is unsafe inside the zip
    report = grader.grade(ASSIGNMENT, path, only=["tokenize", "model_shape"])
    assert report.outcome("tokenize").passed, report.outcome("tokenize").feedback
    model = report.outcome("model_shape")
    assert model.score == 0
    assert "your submission has no bow_model.py" in model.feedback, model.feedback
    assert any("missing" in note and "bow_model.py" in note for note in report.notes), report.notes
