"""``autograder regen``: rebuild the reference outputs by running every probe on the solution, then store
what each known mistake (mutant) returns, for the feedback to name it."""

from __future__ import annotations

import tempfile
from pathlib import Path

from autograder.boundary import ProbeResult
from autograder.config import AccuracyTest, Course
from autograder.grading import Grader
from autograder.judge import CONTEXT_OUTPUT
from autograder.kit import Kit
from autograder.mutant_outputs import write_mutant_outputs
from autograder.references import Key, load_references, needed_keys, write_references
from autograder.submission import Submission
from autograder.variants import Mutant, build
from autograder.wire import Failed, Outputs, Rejected


class RegenError(Exception):
    """The solution does not run cleanly under a probe, so it cannot define the reference."""


def regenerate(kit: Kit, course: Course, assignment_ids: list[str]) -> list[Path]:
    """Each assignment's references, then what its known mistakes return, with a worker of its own:
    the imports that a solution's runs record must not depend on what another assignment's worker
    preloads (transformers, for one) or on which assignments are regenerated together. Known mistakes
    come after the references because their runs warm the worker's imports."""
    written = []
    for assignment_id in assignment_ids:
        with Grader(kit, course, [assignment_id], device="cpu") as grader:
            written += [_regen_references(grader, assignment_id), _regen_mutant_outputs(grader, assignment_id)]
    return written


def _regen_references(grader: Grader, assignment_id: str) -> Path:
    """References are always made on the CPU; other devices are judged against them with their own
    tolerance profile."""
    kit = grader.kit
    solution = grader.prepare(assignment_id, kit.solution_dir(assignment_id))
    if solution.missing:
        raise RegenError(f"solutions/{assignment_id} lacks {', '.join(solution.missing)}")
    return write_references(
        kit,
        assignment_id,
        grader.assignments[assignment_id],
        lambda key: _solution_outputs(grader, assignment_id, solution, key),
        grader.worker.info["torch"],
    )


def _regen_mutant_outputs(grader: Grader, assignment_id: str) -> Path:
    """What each known mistake returns, graded against the fresh references."""
    assignment = grader.assignments[assignment_id]
    references = load_references(grader.kit, assignment_id, assignment, needed_keys(assignment))
    return write_mutant_outputs(
        grader.kit, assignment_id, assignment, lambda mutant: _mutant_outputs(grader, assignment_id, references, mutant)
    )


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


def _mutant_outputs(
    grader: Grader, assignment_id: str, references: tuple[dict[Key, Outputs], dict], mutant: Mutant
) -> dict[Key, Outputs]:
    """The runs that grading a mutant on its must_fail tests makes, keeping the outputs that are values.
    The probes of held-out accuracy tests are left out: each trains for seconds, and the mistakes that
    fail them fail quicker tests too. The mutant's prepared copy lives in the grader's workspace, gone
    with the grader."""
    assignment = grader.assignments[assignment_id]
    held_out = {test.probe for test in assignment.tests if isinstance(test, AccuracyTest)}
    tests = [t for t in assignment.tests if t.id in mutant.must_fail and t.probe not in held_out]
    with tempfile.TemporaryDirectory() as scratch:
        submission = grader.prepare(assignment_id, build(grader.kit, assignment_id, assignment, mutant, Path(scratch)))
    runs = grader.run_probes(assignment_id, tests, submission, *references, public_only=False)
    stored = {}
    for key, run in runs.items():
        values = {
            name: value
            for name, value in run.result.outputs.items()
            if name != CONTEXT_OUTPUT and not isinstance(value, Failed | Rejected)
        }
        if run.result.ok and values:
            stored[key] = values
    return stored


def _reason(value: Failed | Rejected) -> str:
    return value.message if isinstance(value, Failed) else f"the grader refuses what it returned: {value.reason}"
