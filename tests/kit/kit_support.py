"""Constants and types shared by the kit's tests and their fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT = "a1_bow"
TEST_TIMEOUT_S = 5.0  # attacks that hang should not slow the suite; the solution needs far less
TEST_MEMORY_MB = 300

MakeSubmission = Callable[..., Path]
