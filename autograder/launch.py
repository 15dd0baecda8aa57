"""The ``autograder`` command's entry point: start the sandbox worker first for the commands that grade,
then load and run the command line (so the worker's import of torch overlaps with loading the kit)."""

from __future__ import annotations

import sys

from autograder.sandbox.spawn import discard_spare, prestart

GRADING_COMMANDS = {"regen", "validate", "grade", "check", "demo", "bench", "grade-all"}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] and args[0] in GRADING_COMMANDS and "-h" not in args and "--help" not in args:
        prestart()
    try:
        from autograder.cli import main as run_command

        return run_command(args)
    finally:
        discard_spare()
