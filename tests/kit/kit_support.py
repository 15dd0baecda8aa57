"""Constants and types shared by the kit's tests and their fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENTS = sorted(yaml.safe_load((ROOT / "grading.yaml").read_text(encoding="utf-8"))["assignments"])
"""Every assignment of grading.yaml: the data-driven tests cover each, so a new one needs no test edit."""
ASSIGNMENT = "a1_bow"
"""The assignment the engine's own tests (attacks, bad input, the wire, the CLI) are written against."""
TEST_TIMEOUT_S = 5.0  # attacks that hang should not slow the suite; the solutions need far less
TEST_MEMORY_MB = 300

MakeSubmission = Callable[..., Path]
