"""What `autograder build` hands out: the student release leaks nothing and runs `autograder check` on a
fresh venv; Gradescope's zip is set up and run the way Gradescope does it, at /autograder, as root."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from kit_support import ASSIGNMENT, ASSIGNMENTS, ROOT

from autograder.config import load_course
from autograder.kit import Kit
from autograder.references import needed_keys, reference_path
from autograder.release.build import build
from autograder.release.gradescope import write_gradescope_zip
from autograder.release.payload import write_grading_payload
from autograder.release.student import write_student_release

KIT = Kit(ROOT)
COURSE = load_course(KIT)
GRADESCOPE = Path("/autograder")
MUTANT_OUTPUTS = tuple(f"{KIT.mutant_outputs_dir(a).relative_to(ROOT).as_posix()}/" for a in ASSIGNMENTS)
"""Where the known mistakes' outputs live: the judge's alone, in the grading payload and no student release."""


def _texts(folder: Path) -> dict[Path, str]:
    texts = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            texts[path] = re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            texts[path] = ""
    return texts


def _solution_bodies(assignment_id: str) -> list[tuple[str, str]]:
    """(function, its body with whitespace collapsed) of every function of the solution worth hiding."""
    bodies = []
    for name in COURSE.assignment(assignment_id).files:
        source = (KIT.solution_dir(assignment_id) / name).read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                statements = node.body[1:] if ast.get_docstring(node) else node.body
                body = " ".join(ast.get_source_segment(source, statement) or "" for statement in statements)
                body = re.sub(r"\s+", " ", body).strip()
                if len(body) >= 40:
                    bodies.append((f"{name}:{node.name}", body))
    return bodies


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def release(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    assignment_id = request.param
    folder = tmp_path_factory.mktemp(assignment_id) / "student"
    write_student_release(KIT, COURSE, assignment_id, folder)
    return assignment_id, folder


def test_release_holds_no_solution_code(release: tuple[str, Path]) -> None:
    """No body of a solution function anywhere, except where the visible tests' own code restates an
    architecture that the handout spells out (a known-good model that isolates the training-loop tests):
    test code ships with the release, as Otter-Grader ships its tests."""
    assignment_id, folder = release
    probes = folder / "tests" / assignment_id
    texts = {path: text for path, text in _texts(folder).items() if path.parent != probes}
    bodies = _solution_bodies(assignment_id)
    assert bodies, "the solution has functions to hide"
    leaked = [(function, path) for function, body in bodies for path, text in texts.items() if body in text]
    assert not leaked, leaked
    solution_files = {
        (KIT.solution_dir(assignment_id) / name).read_bytes() for name in COURSE.assignment(assignment_id).files
    }
    assert not [p for p in texts if p.read_bytes() in solution_files]


def test_release_holds_no_hidden_test_material(release: tuple[str, Path]) -> None:
    assignment_id, folder = release
    relative = [path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()]
    assert not [p for p in relative if p.startswith("solutions/") or "/heldout/" in p], relative
    assert not [p for p in relative if p.endswith(("mutants.yaml", "alternatives.yaml", "notebook.md"))]
    assert not [p for p in relative if p.startswith(MUTANT_OUTPUTS)]
    public = {reference_path(key) for key in needed_keys(COURSE.assignment(assignment_id), public_only=True)}
    references = {p.split("/references/", 1)[1] for p in relative if "/references/" in p}
    assert references == public | {"manifest.json"}
    manifest = json.loads((folder / "tests" / assignment_id / "references" / "manifest.json").read_text())
    assert set(manifest["references"]) == public
    held_out = [KIT.tests_dir(a) / "heldout" for a in ASSIGNMENTS]
    secrets = {p.read_bytes() for d in held_out if d.is_dir() for p in d.rglob("*") if p.is_file()}
    assert not [p for p in folder.rglob("*") if p.is_file() and p.read_bytes() in secrets]


def test_shipped_data_script_cannot_redraw_the_heldout_split(tmp_path: Path) -> None:
    """The attack: run a1_bow's shipped build_dataset.py on the public corpus to redraw the split and
    read off the held-out labels. The seed is not in the release, so the script stops before it reads
    anything and writes nothing; the kit's own copy, which holds the seed, can."""
    folder = tmp_path / "student"
    write_student_release(KIT, COURSE, "a1_bow", folder)
    seed_file = KIT.tests_dir("a1_bow") / "heldout" / "split_seed"
    seed = seed_file.read_text(encoding="utf-8").strip()
    assert seed.isdigit()
    assert not [path for path, text in _texts(folder).items() if seed in text]
    script = folder / "assignments" / "a1_bow" / "data" / "build_dataset.py"
    before = {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()}
    corpus = tmp_path / "corpus.csv.bz2"  # never read: the script stops first
    done = subprocess.run([sys.executable, script, "--source", corpus], cwd=folder, capture_output=True, text=True)
    assert done.returncode != 0 and "the split's seed is the course's secret" in done.stderr, done.stderr
    assert {path: path.read_bytes() for path in folder.rglob("*") if path.is_file()} == before
    kit_script = ROOT / "assignments" / "a1_bow" / "data" / "build_dataset.py"
    reads_seed = f"import runpy; print(runpy.run_path({str(kit_script)!r})['split_seed']())"
    assert subprocess.run([sys.executable, "-c", reads_seed], capture_output=True, text=True).stdout.strip() == seed


def test_release_policy_is_visible_tests_on_public_seeds(release: tuple[str, Path]) -> None:
    assignment_id, folder = release
    released = load_course(Kit(folder))
    assert list(released.assignments) == [assignment_id]
    tests = released.assignment(assignment_id).tests
    visible = [t.id for t in COURSE.assignment(assignment_id).tests if t.visibility == "visible"]
    assert [t.id for t in tests] == visible
    assert all(t.hidden_seeds == [] and t.visibility == "visible" for t in tests)


def _venv(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    return folder / "bin"


@pytest.mark.skipif(os.environ.get("AUTOGRADER_SKIP_INSTALLS") == "1", reason="installs switched off")
def test_check_runs_inside_the_release_on_a_fresh_venv(tmp_path: Path) -> None:
    """A student's first steps, as the release's README gives them: a venv, `pip install -e .`, then
    `autograder check`: full marks for the solution's files, zero for the starter."""
    folder = tmp_path / "student"
    write_student_release(KIT, COURSE, ASSIGNMENT, folder)
    bin_dir = _venv(tmp_path / "venv")
    subprocess.run([bin_dir / "pip", "install", "-q", "torch==2.13.0", "-e", str(folder)], check=True)
    solution = tmp_path / "mine"
    shutil.copytree(KIT.solution_dir(ASSIGNMENT), solution)
    visible = sum(t.points for t in COURSE.assignment(ASSIGNMENT).tests if t.visibility == "visible")
    for code, expected in ((solution, visible), (folder / "starter" / ASSIGNMENT, 0)):
        run = subprocess.run(
            [bin_dir / "autograder", "check", ASSIGNMENT, "--code", str(code)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert run.returncode == 0, run.stderr
        assert re.search(rf"total {expected:g} / {visible:g}\b", run.stdout), run.stdout[-2000:]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_gradescope_zip_layout(assignment_id: str, tmp_path: Path) -> None:
    path = tmp_path / "autograder.zip"
    write_gradescope_zip(KIT, COURSE, assignment_id, path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert {"setup.sh", "run_autograder", "requirements.txt", "pyproject.toml", "grading.yaml"} <= set(names)
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert not [n for n in names if n.startswith("solutions/") or n.endswith(("mutants.yaml", "alternatives.yaml"))]
    assert f"tests/{assignment_id}/mutant_outputs/manifest.json" in names
    payload = tmp_path / "payload"
    write_grading_payload(KIT, COURSE, assignment_id, payload)
    assert load_course(Kit(payload)).assignment(assignment_id).tests == COURSE.assignment(assignment_id).tests


HOSTILE = textwrap.dedent("""
    import json, os, signal
    for path in ("/autograder/results/results.json", "/autograder/source/grading.yaml"):
        try:
            with open(path, "w") as handle:
                json.dump({"score": 1000, "tests": []}, handle)
        except OSError:
            pass
    os.kill(os.getppid(), signal.SIGKILL)
""")


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope runs the autograder as root")
@pytest.mark.skipif(GRADESCOPE.exists(), reason="/autograder exists: not a machine to try Gradescope's layout on")
@pytest.mark.skipif(os.environ.get("AUTOGRADER_SKIP_INSTALLS") == "1", reason="installs switched off")
def test_gradescope_autograder_runs_as_gradescope_runs_it(tmp_path: Path) -> None:
    """Unpack to /autograder/source, run setup.sh for real (torch from the default index where PyTorch's
    own is unreachable), then run_autograder on the solution, the starter and a hostile submission."""
    archive = tmp_path / "autograder.zip"
    write_gradescope_zip(KIT, COURSE, ASSIGNMENT, archive)
    try:
        source = GRADESCOPE / "source"
        with zipfile.ZipFile(archive) as unpacked:
            unpacked.extractall(source)
        for script in ("setup.sh", "run_autograder"):
            (source / script).chmod(0o755)
        env = {**os.environ, "AUTOGRADER_TORCH_INDEX": ""}
        env.pop("VIRTUAL_ENV", None)
        subprocess.run(["bash", source / "setup.sh"], check=True, env=env, timeout=1200)
        total = sum(t.points for t in COURSE.assignment(ASSIGNMENT).tests)
        hostile = {name: HOSTILE for name in COURSE.assignment(ASSIGNMENT).files}
        cases = [
            ({n: (KIT.solution_dir(ASSIGNMENT) / n).read_text() for n in hostile}, total),
            ({n: (KIT.starter_dir(ASSIGNMENT) / n).read_text() for n in hostile}, 0),
            (hostile, 0),
        ]
        for files, expected in cases:
            shutil.rmtree(GRADESCOPE / "submission", ignore_errors=True)
            shutil.rmtree(GRADESCOPE / "results", ignore_errors=True)
            (GRADESCOPE / "submission").mkdir(parents=True)
            (GRADESCOPE / "results").mkdir()
            for name, text in files.items():
                (GRADESCOPE / "submission" / name).write_text(text)
            subprocess.run([source / "run_autograder"], env=env, timeout=900, check=False)
            results = json.loads((GRADESCOPE / "results" / "results.json").read_text())
            scores = sum(test["score"] for test in results["tests"])
            assert scores == pytest.approx(expected), results
            assert {t["max_score"] for t in results["tests"]} and sum(t["max_score"] for t in results["tests"]) == total
        assert "score" not in (source / "grading.yaml").read_text()[:20]
    finally:
        shutil.rmtree(GRADESCOPE, ignore_errors=True)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_build_writes_the_three_outputs(assignment_id: str, tmp_path: Path) -> None:
    """`autograder build ID` for every assignment: the release, Gradescope's zip and the Otter assignment,
    replacing an earlier build of the same assignment."""
    stale = tmp_path / assignment_id / "student" / "left-over.txt"
    stale.parent.mkdir(parents=True)
    stale.write_text("from an earlier build")
    target = build(KIT, COURSE, assignment_id, tmp_path)
    assert target == tmp_path / assignment_id and not stale.exists()
    assert (target / "student" / "starter" / assignment_id).is_dir()
    assert (target / "student" / "assignments" / assignment_id / f"{assignment_id}.ipynb").is_file()
    assert zipfile.is_zipfile(target / "gradescope" / "autograder.zip")
    assert zipfile.is_zipfile(target / "otter" / "autograder.zip")
    assert list((target / "otter" / "student").rglob(f"{assignment_id}.ipynb"))
