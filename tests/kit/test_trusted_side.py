"""The judge's process never imports torch: it holds the policy, the references and the labels, and
trusts only what it imports (numpy, pydantic, yaml, rich). Checked in a fresh interpreter."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

from kit_support import ASSIGNMENTS, ROOT

SANDBOX_SIDE = {
    "autograder.probing",
    "autograder.sandbox.worker",
    "autograder.sandbox.child",
    "autograder.sandbox.inprocess",
    "autograder.sandbox.serialize",
    "autograder.sandbox.importer",
    "autograder.__main__",
}
"""What runs inside the sandbox's worker; everything else in the package is the judge's side, including
every module added later."""
GRADING_SIDE = sorted(
    module.name
    for module in pkgutil.walk_packages([str(ROOT / "autograder")], prefix="autograder.")
    if not any(module.name == side or module.name.startswith(side + ".") for side in SANDBOX_SIDE)
)


def test_grading_side_imports_no_torch() -> None:
    assert {"autograder.judge", "autograder.cli", "autograder.batch.run", "autograder.release.build"} <= set(
        GRADING_SIDE
    )
    code = (
        "import importlib, json, sys\n"
        f"for name in {GRADING_SIDE!r}:\n    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m == 'torch' or m.startswith('torch.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [], "the judge's process imported torch"


def test_the_sandbox_side_does_import_torch() -> None:
    """The check above can fail: importing a sandbox-side module does load torch."""
    code = "import sys, autograder.sandbox.worker\nprint('torch' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr


def test_engine_names_no_assignment() -> None:
    """Adding an assignment touches no engine file: no file of the engine names one."""
    named = [
        (path.relative_to(ROOT).as_posix(), assignment_id)
        for path in sorted((ROOT / "autograder").rglob("*.py"))
        for assignment_id in ASSIGNMENTS
        if assignment_id in path.read_text(encoding="utf-8")
    ]
    assert not named, named
