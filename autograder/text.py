"""Text that came from a submission, made safe to show: capped in length and free of control
characters (no terminal escape sequence reaches a TA's terminal or a results file), and never a formula
in a spreadsheet."""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # every C0 and C1 control but tab and newline
TRUNCATED = "\n[... cut: {count} more characters]"
FIELD_CHARS = 4_000
"""The most kept of one string the sandbox sends (a message, a traceback, an output's error)."""
FEEDBACK_CHARS = 16_000
"""The most kept of one test's whole feedback."""
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run a cell starting with these


def clean(text: str, limit: int = FIELD_CHARS) -> str:
    """``text`` without control characters, cut to ``limit`` characters with a note of what was cut."""
    text = CONTROL.sub("\ufffd", str(text))
    if len(text) <= limit:
        return text
    return text[:limit] + TRUNCATED.format(count=len(text) - limit)


def short_repr(value: object, limit: int = 200) -> str:
    """``repr(value)``, cut to ``limit`` characters: a submission's data may be huge."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 5] + "[...]"


def inert(cell: str) -> str:
    """``cell``, quoted so that a spreadsheet shows it instead of running it as a formula."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
