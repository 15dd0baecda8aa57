"""Constants, types and helpers shared by the kit's tests and their fixtures."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import yaml

from autograder.kit import Kit

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(yaml.safe_load((ROOT / "grading.yaml").read_text(encoding="utf-8"))["assignments"])
"""Every assignment of grading.yaml: the data-driven tests cover each, so a new one needs no test edit."""
ASSIGNMENT = "a1_bow"
"""The assignment the engine's own tests (attacks, bad input, the wire, the CLI) are written against."""
TEST_TIMEOUT_S = 5.0  # attacks that hang should not slow the suite; the solutions need far less
TEST_MEMORY_MB = 300
KIT_PARTS = ["grading.yaml", "assignments", "solutions", "tests"]
"""What a copy of the kit holds (its own tests, tests/kit, left out)."""

MakeSubmission = Callable[..., Path]


def autograder(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """The real command line, run in ``cwd`` (the kit, or a copy of it)."""
    command = [sys.executable, "-m", "autograder", *map(str, args)]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)


def copy_kit(target: Path) -> Kit:
    """A copy of the kit in ``target``, for a test to edit."""
    target.mkdir(parents=True, exist_ok=True)
    for part in KIT_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__", "kit"))
        else:
            shutil.copyfile(source, target / part)
    return Kit(target)


def edit_entry(kit: Kit, old: str, new: str) -> None:
    """Replace the first `old` inside ASSIGNMENT's own entry of grading.yaml (other entries come first)."""
    text = kit.config_path.read_text(encoding="utf-8")
    start = text.index(f"\n  {ASSIGNMENT}:\n")
    at = text.index(old, start)
    kit.config_path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
