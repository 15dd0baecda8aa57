"""``autograder regen``: rebuild the reference outputs by running every probe on the solution."""

from __future__ import annotations

from pathlib import Path

from autograder.boundary import ProbeResult
from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.references import Key, write_references
from autograder.submission import Submission
from autograder.wire import Failed, Rejected


class RegenError(Exception):
    """The solution does not run cleanly under a probe, so it cannot define the reference."""


def regenerate(kit: Kit, course: Course, assignment_ids: list[str]) -> list[Path]:
    """References are always made on the CPU; other devices are judged against them with their own
    tolerance profile."""
    written = []
    with Grader(kit, course, assignment_ids, device="cpu") as grader:
        for assignment_id in assignment_ids:
            solution = grader.prepare(assignment_id, kit.solution_dir(assignment_id))
            if solution.missing:
                raise RegenError(f"solutions/{assignment_id} lacks {', '.join(solution.missing)}")
            written.append(write_references(
                kit,
                assignment_id,
                course.assignment(assignment_id),
                lambda key, a=assignment_id, s=solution: _solution_outputs(grader, a, s, key),
                grader.worker.info["torch"],
            ))
    return written


def _solution_outputs(grader: Grader, assignment_id: str, solution: Submission, key: Key) -> ProbeResult:
    """The solution's run of one probe and seed, with no warm imports, so that the run reports every
    module it needs beyond the worker's own."""
    probe, seed = key
    tests = [t for t in grader.assignments[assignment_id].tests if t.probe == probe]
    test = max(tests, key=lambda t: grader.course.limits(t).timeout_s)  # the most generous limits
    result = grader.run_probe(assignment_id, test, solution, seed, warm_imports=[], hidden_data=True)
    unusable = {name: value for name, value in result.outputs.items() if isinstance(value, Failed | Rejected)}
    if not result.ok or unusable:
        message, trace = (result.message, result.traceback) if not result.ok else next(
            (f"{name}: {_reason(value)}", getattr(value, "traceback", "")) for name, value in unusable.items()
        )
        raise RegenError(f"the solution of {assignment_id} fails probe {probe!r} (seed {seed}): {message}\n{trace}")
    return result


def _reason(value: Failed | Rejected) -> str:
    return value.message if isinstance(value, Failed) else f"the grader refuses what it returned: {value.reason}"
