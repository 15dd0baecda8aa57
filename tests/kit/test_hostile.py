"""Hostile submissions: copies of the solution or starter with an attack added. For each, the grader
finishes, the score is what an honest grader gives, and the reason is clear."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from kit_support import ASSIGNMENT, ROOT, TEST_MEMORY_MB, TEST_TIMEOUT_S, MakeSubmission

from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.report import write_results
from autograder.sandbox.limits import SandboxUser
from autograder.sandbox.worker import unreadable_by
from autograder.variants import Edit

FORWARD = "return self.layers(features).squeeze(-1)"
TOKENIZE = "return TOKEN_PATTERN.findall(text.lower())"


@dataclass(frozen=True)
class Attack:
    base: str
    edits: tuple[Edit, ...]
    tests: tuple[str, ...]
    reason: str  # a fragment of the feedback every listed test must show


def _append(file: str, code: str) -> Edit:
    return Edit(file=file, new="\n" + code)


def _forward_returns(code: str) -> Edit:
    return Edit(file="bow_model.py", old=FORWARD, new=code)


ATTACKS = {
    "exit 0 at import, printing a fake score": Attack(
        "solution",
        (_append("bow_data.py", "import os\nprint('All tests passed! Score: 25/25')\nos._exit(0)\n"),),
        ("tokenize", "vocab"),
        "ended the test process (exit status 0)",
    ),
    "sys.exit(0) at import": Attack(
        "solution", (_append("bow_model.py", "import sys\nsys.exit(0)\n"),), ("model_values",), "called sys.exit(0)"
    ),
    "infinite loop at import": Attack(
        "solution",
        (_append("bow_data.py", "while True:\n    pass\n"),),
        ("one_hot",),
        f"timed out after {TEST_TIMEOUT_S:g} s",
    ),
    "infinite loop inside a call": Attack(
        "solution",
        (Edit(file="bow_data.py", old=TOKENIZE, new="while True:\n        pass"),),
        ("tokenize",),
        f"timed out after {TEST_TIMEOUT_S:g} s",
    ),
    "patches torch.allclose, numpy.testing and torch.testing.assert_close": Attack(
        "solution",
        (
            Edit(file="bow_data.py", old="text.lower()", new="text"),  # a real mistake, hidden by the patches
            _append(
                "bow_data.py",
                "import numpy, numpy.testing, torch, torch.testing\n"
                "torch.allclose = lambda *a, **k: True\ntorch.equal = lambda *a, **k: True\n"
                "numpy.allclose = lambda *a, **k: True\n"
                "numpy.testing.assert_allclose = lambda *a, **k: None\n"
                "torch.testing.assert_close = lambda *a, **k: None\n",
            ),
        ),
        ("tokenize",),
        "expected",
    ),
    "returns an always-equal object": Attack(
        "solution",
        (
            _forward_returns(
                "class AlwaysEqual:\n            shape = (5,)\n            def __eq__(self, other):\n"
                "                return True\n        return AlwaysEqual()"
            ),
        ),
        ("model_shape", "model_values"),
        "that claims a shape but is not a tensor",
    ),
    "returns a lying torch.Tensor subclass": Attack(
        "solution",
        (
            _forward_returns(
                "class Lying(torch.Tensor):\n            def __eq__(self, other):\n                return True\n"
                "            def allclose(self, *args, **kwargs):\n                return True\n"
                "        return torch.zeros(len(features)).as_subclass(Lying)"
            ),
        ),
        ("model_values",),
        "a torch.Tensor subclass",
    ),
    "returns NaN": Attack(
        "solution", (_forward_returns("return torch.full((len(features),), float('nan'))"),), ("model_values",), "NaN"
    ),
    "returns a broadcastable shape-(1,) tensor": Attack(
        "solution",
        (_forward_returns("return self.layers(features).mean().reshape(1)"),),
        ("model_values",),
        "expected shape (5,), got (1,)",
    ),
    "allocates far more memory than allowed": Attack(
        "solution",
        (
            Edit(
                file="bow_data.py",
                old=TOKENIZE,
                new="blocks = [bytearray(2**20) for _ in range(4096)]\n    " + TOKENIZE,
            ),
        ),
        ("tokenize",),
        f"used more than {TEST_MEMORY_MB} MiB",
    ),
    "asks torch for a huge tensor": Attack(
        "solution",
        (Edit(file="bow_data.py", old=TOKENIZE, new="torch.ones(2**31)\n    " + TOKENIZE),),
        ("tokenize",),
        f"used more than {TEST_MEMORY_MB} MiB",
    ),
    "prints without end": Attack(
        "solution",
        (Edit(file="bow_data.py", old=TOKENIZE, new="print('x' * 2**25)\n    " + TOKENIZE),),
        ("tokenize",),
        "MiB allowed (printed or to files)",
    ),
    "kills itself with a real-time signal": Attack(
        "solution",
        (_append("bow_data.py", "import os\nos.kill(os.getpid(), 40)\n"),),
        ("tokenize",),
        "killed by signal 40",
    ),
    "forges a result frame with a huge message on every descriptor": Attack(
        "solution",
        (
            _append(
                "bow_data.py",
                "import os\nfrom autograder.wire import pack\n"
                "frame = pack({}, meta={'status': 'error', 'message': 'x' * 2_000_000})\n"
                "for fd in range(3, 64):\n    try:\n        os.write(fd, frame)\n    except OSError:\n        pass\n"
                "os._exit(0)\n",
            ),
        ),
        ("tokenize",),
        "more characters]",
    ),
    "keeps memory in orphaned processes": Attack(
        "solution",
        (
            _append(
                "bow_data.py",
                "import os, time\n"
                "for _ in range(3):\n"
                "    if os.fork() == 0:\n        os.setsid()\n"
                "        if os.fork() == 0:\n            hoard = bytearray(150 * 2**20)\n            time.sleep(30)\n"
                "        os._exit(0)\n"
                "time.sleep(2)\n",
            ),
        ),
        ("tokenize",),
        f"used more than {TEST_MEMORY_MB} MiB",
    ),
    "kills its parent, the worker": Attack(
        "solution",
        (_append("bow_data.py", "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n"),),
        ("tokenize",),
        "",
    ),
}


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_contained(name: str, grader: Grader, make_submission: MakeSubmission) -> None:
    attack = ATTACKS[name]
    report = grader.grade(ASSIGNMENT, make_submission(attack.base, *attack.edits), only=list(attack.tests))
    for outcome in report.outcomes:
        assert outcome.score == 0, f"{outcome.test.id} scored {outcome.score}: {outcome.feedback}"
        assert attack.reason in outcome.feedback
    honest = grader.grade(ASSIGNMENT, make_submission("solution"), only=["tokenize"])
    assert honest.score == honest.max_score, "the grader did not recover for the next submission"


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder both this test and the sandbox user can write (pytest's own tmp_path is private)."""
    path = Path(tempfile.mkdtemp(prefix="autograder-attack-"))
    os.chmod(path, 0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_forged_results_do_not_survive(grader: Grader, make_submission: MakeSubmission, shared_dir: Path) -> None:
    """The submission writes results.json at import, from atexit, and from a process that waits for the
    grader to finish; the file holds the honest result. (As root the test process does not even see
    the folder; graded as the same user it can write there, and the honest result still wins.)"""
    shared_dir.chmod(0o755)  # only the grader may write: write_results refuses a folder others can write
    results = shared_dir / "results.json"
    fake = json.dumps({"score": 1000, "tests": []})
    forger = (
        "import atexit, os, time\n"
        f"RESULTS, FAKE = {str(results)!r}, {fake!r}\n"
        "def forge():\n"
        "    try:\n        open(RESULTS, 'w').write(FAKE)\n    except OSError:\n        pass\n"
        "forge()\natexit.register(forge)\n"
        "if os.fork() == 0:\n    os.setsid()\n    time.sleep(1.0)\n    forge()\n    os._exit(0)\n"
    )
    report = grader.grade(
        ASSIGNMENT, make_submission("solution", _append("bow_data.py", forger)), only=["tokenize", "vocab"]
    )
    if os.geteuid() != 0:
        assert json.loads(results.read_text())["score"] == 1000, "the attack should have managed to write"
    write_results(results, report)
    time.sleep(1.5)
    written = json.loads(results.read_text())
    assert written["score"] == report.max_score == report.score
    assert [test["score"] for test in written["tests"]] == [o.test.points for o in report.outcomes]


def _printed(feedback: str) -> str:
    """What the student's code printed, as the feedback of a failing test shows it."""
    marker = "Your code printed:\n"
    assert marker in feedback, feedback
    return feedback.split(marker, 1)[1]


def test_background_processes_do_not_outlive_the_test(grader: Grader, make_submission: MakeSubmission) -> None:
    """A process in a new session and a double-forked daemon, each with a marker in its command line,
    are gone when the test ends."""
    marker = f"{os.getpid()}{time.monotonic_ns() % 10**6}.5"
    spawner = (
        "import os, subprocess, time\n"
        f"subprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "if os.fork() == 0:\n    os.setsid()\n"
        f"    if os.fork() == 0:\n        os.execv('/bin/sleep', ['sleep', '{marker}'])\n    os._exit(0)\n"
        "time.sleep(0.3)\n"
    )
    report = grader.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", spawner)), only=["tokenize"])
    assert report.score == report.max_score  # spawning is not wrong in itself; outliving the test is
    assert _processes_with(marker) == []


def _processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker.encode() in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user exists only when grading as root")
def test_sandbox_user_cannot_read_private_files(grader: Grader, make_submission: MakeSubmission) -> None:
    """As root, a test process finds none of the kit's private files: not the policy, the labels, the
    references, the solution, nor the git history they could be rebuilt from."""
    root = grader.kit.root
    secrets = [
        root / "grading.yaml",
        root / "tests" / ASSIGNMENT / "heldout" / "labels.txt",
        root / "tests" / ASSIGNMENT / "references" / "manifest.json",
        root / "solutions" / ASSIGNMENT / "bow_model.py",
        root / ".git" / "HEAD",
    ]
    spy = (
        "import json\n"
        "def verdict(path):\n"
        "    try:\n        open(path, 'rb').read()\n        return 'read'\n"
        "    except OSError as error:\n        return type(error).__name__\n"
        f"print('VERDICTS', json.dumps([verdict(p) for p in {[str(s) for s in secrets]!r}]))\n"
        "raise RuntimeError('spy done')\n"
    )
    report = grader.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", spy)), only=["tokenize"])
    printed = _printed(report.outcome("tokenize").feedback)
    verdicts = json.loads(printed.split("VERDICTS ", 1)[1].splitlines()[0])
    assert len(verdicts) == len(secrets) and "read" not in verdicts, verdicts


@pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user exists only when grading as root")
def test_unreadable_environment_is_named(shared_dir: Path) -> None:
    """Where no mount namespace can make the Python environment reachable, the grader's start-up check
    names the first path the sandbox user cannot read (and finds none in a readable folder)."""
    user = SandboxUser.dedicated()
    closed, opened = shared_dir / "closed", shared_dir / "opened"
    for folder, mode in ((closed, 0o700), (opened, 0o755)):
        folder.mkdir()
        (folder / "module.py").write_text("X = 1\n")
        os.chmod(folder, mode)
    assert unreadable_by(user, [opened, opened / "module.py"]) is None
    problem = unreadable_by(user, [opened, closed / "module.py"])
    assert problem is not None and "PermissionError" in problem and str(closed / "module.py") in problem, problem


def test_deep_folder_chain_costs_nothing(grader: Grader, make_submission: MakeSubmission) -> None:
    """A correct submission that leaves a folder chain 1,500 deep in its scratch space keeps its points,
    and the grader goes on."""
    chain = "import os\nfor _ in range(1500):\n    os.mkdir('d')\n    os.chdir('d')\nos.chdir(os.environ['HOME'])\n"
    report = grader.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", chain)), only=["tokenize"])
    assert report.score == report.max_score, report.outcomes[0].feedback
    honest = grader.grade(ASSIGNMENT, make_submission("solution"), only=["vocab"])
    assert honest.score == honest.max_score


def test_grader_environment_does_not_reach_student_code(
    kit: Kit, course: Course, make_submission: MakeSubmission, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token in the grader's environment is not in the test process's environment, so it cannot be
    printed into feedback."""
    monkeypatch.setenv("AUTOGRADER_TEST_TOKEN", "s3cret-token")
    spy = "import os\nprint(sorted(os.environ.items()))\nraise RuntimeError('spy done')\n"
    with Grader(kit, course, [ASSIGNMENT], device="cpu") as fresh:
        report = fresh.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", spy)), only=["tokenize"])
    printed = _printed(report.outcome("tokenize").feedback)
    assert "HOME" in printed and "s3cret-token" not in printed, printed


@pytest.mark.parametrize(
    "text",
    [
        repr("[bold red]boom[/] [link=x]unclosed ["),
        repr("\x1b[2J\x1b[8mhidden\x1b]0;title\x07 \x9b31m"),
        "'y' * 3_000_000",
    ],
    ids=["rich markup", "terminal escapes", "3 million characters"],
)
def test_student_text_is_capped_and_inert(text: str, tmp_path: Path, make_submission: MakeSubmission) -> None:
    """Markup, escape sequences and huge messages from student code (``text`` is the expression that
    makes them) reach neither the terminal nor results.json as such: the grade command exits 0 with
    its report, and every string is capped."""
    attack = _forward_returns(f"print({text})\n        raise ValueError({text})")
    submission = make_submission("solution", attack)
    results = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", str(submission), "--assignment", ASSIGNMENT,
         "--only", "model_values", "--results", str(results)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "total 0 / 2" in done.stdout and "\x1b" not in done.stdout and "\x9b" not in done.stdout
    assert results.stat().st_size < 100_000
    output = json.loads(results.read_text())["tests"][0]["output"]
    assert "\x1b" not in output and "ValueError" in output and len(output) < 40_000


@pytest.mark.skipif(os.geteuid() != 0, reason="private scratch file systems need root")
def test_scratch_space_is_private_capped_and_gone(grader: Grader, make_submission: MakeSubmission) -> None:
    """Files written to /tmp, /var/tmp and /dev/shm stay out of the machine's own folders and vanish
    with the test; more than the cap in /dev/shm fails with "no space", not with the machine's memory."""
    marker = f"autograder-marker-{os.getpid()}-{time.monotonic_ns()}"
    writer = (
        "import json, os\n"
        "verdicts = {}\n"
        "for folder in ('/tmp', '/var/tmp', '/dev/shm'):\n"
        "    try:\n"
        f"        open(os.path.join(folder, {marker!r}), 'w').write('x')\n"
        "        verdicts[folder] = 'written'\n"
        "    except OSError as error:\n"
        "        verdicts[folder] = type(error).__name__\n"
        "try:\n"
        "    for number in range(200):\n"  # 2 GB in files of 10 MiB, each under the file-size cap
        "        with open(f'/dev/shm/big{number}', 'wb') as big:\n            big.write(bytes(10 * 2**20))\n"
        "    verdicts['big'] = 'written'\n"
        "except OSError as error:\n"
        "    verdicts['big'] = os.strerror(error.errno)\n"
        "print('VERDICTS', json.dumps(verdicts))\n"
        "raise RuntimeError('writer done')\n"
    )
    report = grader.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", writer)), only=["tokenize"])
    verdicts = json.loads(_printed(report.outcome("tokenize").feedback).split("VERDICTS ", 1)[1].splitlines()[0])
    assert verdicts["/tmp"] == verdicts["/dev/shm"] == "written", verdicts  # private, but usable
    assert verdicts["big"] == "No space left on device", verdicts
    for folder in ("/tmp", "/var/tmp", "/dev/shm"):
        assert not (Path(folder) / marker).exists(), f"{folder}/{marker} outlived the test"


@pytest.mark.skipif(os.geteuid() != 0, reason="as the grader's own user, kill(-1) would reach the grader itself")
def test_signals_reach_nothing_outside_the_test(grader: Grader, make_submission: MakeSubmission) -> None:
    """kill(-1) signals every process its sender may signal: from a test process, that is none (the
    init of its PID namespace is root), so the worker, the judge and other tests are out of reach."""
    attack = _append("bow_data.py", "import os, signal\nos.kill(-1, signal.SIGSTOP)\n")
    report = grader.grade(ASSIGNMENT, make_submission("solution", attack), only=["tokenize"])
    assert report.score == 0 and "No such process" in report.outcome("tokenize").feedback
    honest = grader.grade(ASSIGNMENT, make_submission("solution"), only=["tokenize"])
    assert honest.score == honest.max_score


@pytest.mark.skipif(os.geteuid() != 0, reason="only a root grader keeps files from student code")
def test_visible_test_cannot_reach_heldout_inputs(grader: Grader, make_submission: MakeSubmission) -> None:
    """A visible test's printed output is public: its process finds the held-out texts neither in the
    memory it inherits from the worker nor on disk, however it looks."""
    heldout = (grader.kit.tests_dir(ASSIGNMENT) / "heldout" / "texts.txt").read_text(encoding="utf-8").splitlines()
    spy = (
        "import gc\n"
        "gc.unfreeze()  # the worker's objects, frozen out of the collector's sight, back in view\n"
        "for obj in gc.get_objects():\n"
        "    if type(obj).__name__ == 'DataFile' and 'heldout' in str(obj.path):\n"
        "        try:\n            print('LEAK', obj.get()[:20])\n"
        "        except Exception as error:\n            print('REFUSED', type(error).__name__)\n"
        "        try:\n            print('LEAK', open(obj.path).read()[:2000])\n"
        "        except OSError as error:\n            print('REFUSED', type(error).__name__)\n"
        "raise RuntimeError('spy done')\n"
    )
    report = grader.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", spy)), only=["tokenize"])
    printed = _printed(report.outcome("tokenize").feedback)
    assert "REFUSED ProbeError" in printed and "REFUSED FileNotFoundError" in printed, printed
    assert "LEAK" not in printed, printed
    assert not [text for text in heldout[:50] if text in printed], "held-out texts reached a visible test"


@pytest.mark.skipif(os.geteuid() != 0, reason="network namespaces need root")
def test_no_network_reaches_the_grader_or_beyond(grader: Grader, make_submission: MakeSubmission) -> None:
    """A server listening on the grader's loopback, on TCP and on an abstract unix socket: a test that
    reaches either would have the network; the tokenize test passes only if both connections fail."""
    import socket

    tcp = socket.create_server(("127.0.0.1", 0))
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    unix.bind("\0autograder-attack")
    unix.listen()
    reach = (
        "import socket\n"
        "def _reaches(family, address):\n"
        "    try:\n"
        "        socket.socket(family, socket.SOCK_STREAM).connect(address)\n"
        "        return True\n"
        "    except OSError:\n"
        "        return False\n"
        f"if _reaches(socket.AF_INET, ('127.0.0.1', {tcp.getsockname()[1]})) "
        "or _reaches(socket.AF_UNIX, '\\0autograder-attack'):\n"
        "    raise SystemExit('reached the network')\n"
    )
    try:
        report = grader.grade(ASSIGNMENT, make_submission("solution", _append("bow_data.py", reach)), only=["tokenize"])
    finally:
        tcp.close()
        unix.close()
    assert report.score == report.max_score, report.outcomes[0].feedback
