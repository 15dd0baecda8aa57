"""References: regenerating gives the committed bytes (every assignment), stale references are refused,
and an edit stales only the references of the assignments whose probes it concerns."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from kit_support import ASSIGNMENT, ASSIGNMENTS, copy_kit, edit_entry

from autograder.config import load_course
from autograder.grading import grade_once
from autograder.kit import Kit
from autograder.references import StaleReferences, load_references, needed_keys, probes_digest, toolbox_modules
from autograder.regen import RegenError, regenerate
from autograder.tests_version import current_version


@pytest.fixture
def kit_copy(tmp_path: Path) -> Kit:
    return copy_kit(tmp_path)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_regen_reproduces_the_committed_references(kit_copy: Kit, assignment_id: str) -> None:
    """The references, and what the known mistakes return, byte for byte."""
    folders = [kit_copy.references_dir(assignment_id), kit_copy.mutant_outputs_dir(assignment_id)]
    committed = [_files(folder) for folder in folders]
    for folder in folders:
        shutil.rmtree(folder)
    regenerate(kit_copy, load_course(kit_copy), [assignment_id])
    assert [_files(folder) for folder in folders] == committed


def test_regen_of_several_assignments_writes_what_each_alone_writes(kit_copy: Kit) -> None:
    """One of them preloads transformers, which imports much: the modules another one's solution
    imports must still be recorded as they are when it is regenerated alone, and the version of the
    tests stays the same."""
    together = ["a0_basics", "a2_embeddings"]
    course = load_course(kit_copy)
    assert any(course.assignment(a).preload for a in together)
    folders = [f(a) for a in together for f in (kit_copy.references_dir, kit_copy.mutant_outputs_dir)]
    committed = [_files(folder) for folder in folders]
    versions = [current_version(kit_copy, course, a) for a in together]
    regenerate(kit_copy, course, together)
    assert [_files(folder) for folder in folders] == committed
    assert [current_version(kit_copy, course, a) for a in together] == versions


def test_helper_edit_stales_only_its_assignment(kit_copy: Kit) -> None:
    """A helper beside one assignment's probes changes that assignment's probe digest, no other's."""
    before = {a: probes_digest(kit_copy, a) for a in ASSIGNMENTS}
    (kit_copy.tests_dir(ASSIGNMENT) / "extra_helper.py").write_text("HELP = 1\n", encoding="utf-8")
    after = {a: probes_digest(kit_copy, a) for a in ASSIGNMENTS}
    assert [a for a in ASSIGNMENTS if before[a] != after[a]] == [ASSIGNMENT]


def test_toolbox_digest_covers_only_the_modules_used(tmp_path: Path) -> None:
    """Probes that import only the probe contract depend on core.py alone; importing the optimizer
    recorder adds optim.py (and what it imports), never the whole toolbox."""
    probes = tmp_path / "probes.py"
    probes.write_text("from autograder.probing.core import Context, probe\n", encoding="utf-8")
    assert [path.name for path in toolbox_modules([probes])] == ["core.py"]
    probes.write_text("from autograder.probing import optim\nfrom autograder.probing.core import probe\n")
    used = [path.name for path in toolbox_modules([probes])]
    assert used == ["__init__.py", "core.py", "optim.py", "params.py"]  # optim.py imports params.py


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
        (lambda kit: edit_entry(kit, "hidden_seeds: [1, 2]", "hidden_seeds: [1, 7]"), "seed 7"),
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


def test_regen_refuses_a_solution_output_the_grader_would_refuse(kit_copy: Kit) -> None:
    """A reference must be gradable: a solution that returns what the sandbox refuses (here a tensor
    subclass) stops regen with the reason, instead of a reference no submission can match."""
    _edit(kit_copy.solution_dir(ASSIGNMENT) / "bow_model.py",
          "return (model(features.to(device)) > 0).long()",
          "return nn.Parameter((model(features.to(device)) > 0).long(), requires_grad=False)")
    with pytest.raises(RegenError, match=r"refuses what it returned: a torch\.Tensor subclass"):
        regenerate(kit_copy, load_course(kit_copy), [ASSIGNMENT])
