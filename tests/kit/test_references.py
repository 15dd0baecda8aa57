"""References: regenerating gives the committed bytes, and stale references are refused."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from kit_support import ASSIGNMENT, ROOT

from autograder.config import load_course
from autograder.grading import grade_once
from autograder.kit import Kit
from autograder.references import StaleReferences, load_references, needed_keys
from autograder.regen import regenerate

KIT_PARTS = ["grading.yaml", f"assignments/{ASSIGNMENT}/data", f"solutions/{ASSIGNMENT}", f"tests/{ASSIGNMENT}"]


@pytest.fixture
def kit_copy(tmp_path: Path) -> Kit:
    for part in KIT_PARTS:
        source, target = ROOT / part, tmp_path / part
        target.parent.mkdir(parents=True, exist_ok=True)
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target)
    return Kit(tmp_path)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_regen_reproduces_the_committed_references(kit_copy: Kit) -> None:
    committed = _files(kit_copy.references_dir(ASSIGNMENT))
    shutil.rmtree(kit_copy.references_dir(ASSIGNMENT))
    regenerate(kit_copy, load_course(kit_copy), [ASSIGNMENT])
    assert _files(kit_copy.references_dir(ASSIGNMENT)) == committed


def _load(kit: Kit) -> None:
    assignment = load_course(kit).assignment(ASSIGNMENT)
    load_references(kit, ASSIGNMENT, assignment, needed_keys(assignment))


def test_committed_references_are_fresh(kit_copy: Kit) -> None:
    _load(kit_copy)  # raises if stale


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda kit: _edit(kit.solution_dir(ASSIGNMENT) / "bow_model.py"), "the solution of a1_bow changed"),
        (lambda kit: _edit(kit.probes_path(ASSIGNMENT)), "the probes of a1_bow changed"),
        (lambda kit: _edit(kit.config_path, "hidden_seeds: [1, 2]", "hidden_seeds: [1, 7]"), "seed 7"),
        (lambda kit: (kit.references_dir(ASSIGNMENT) / "manifest.json").unlink(), "no references for a1_bow"),
        (lambda kit: _edit(kit.references_dir(ASSIGNMENT) / "vocab" / "seed-0.bin"), "does not match its manifest"),
    ],
    ids=["solution edited", "probes edited", "new seed", "no manifest", "reference tampered"],
)
def test_stale_references_are_refused(kit_copy: Kit, change: Callable[[Kit], object], message: str) -> None:
    change(kit_copy)
    with pytest.raises(StaleReferences, match=message) as refused:
        _load(kit_copy)
    assert "autograder regen a1_bow" in str(refused.value) or "manifest" in str(refused.value)


def test_grading_with_stale_references_is_refused(kit_copy: Kit) -> None:
    _edit(kit_copy.solution_dir(ASSIGNMENT) / "bow_model.py")
    with pytest.raises(StaleReferences, match="run `autograder regen a1_bow`"):
        grade_once(kit_copy, load_course(kit_copy), ASSIGNMENT, kit_copy.solution_dir(ASSIGNMENT), "cpu")


def _edit(path: Path, old: str | None = None, new: str = "") -> None:
    data = path.read_bytes()
    if old is None:
        path.write_bytes(data + b"\n# edited\n")
    else:
        assert data.count(old.encode()) >= 1
        path.write_bytes(data.replace(old.encode(), new.encode(), 1))
