"""Name the known mistake behind a failed test. Trusted side, numpy only.

The known mistakes are the mutants of ``tests/<id>/mutants.yaml``; ``regen`` stores what each one returns
(:mod:`autograder.mutant_outputs`). When a test fails, the outputs it reads on the seed its feedback
explains are compared, with the test's tolerance, with what each mistake returned on the same probe and
seed; the feedback names the best match, so that a student reads which mistake their code makes, in
the words of the course staff.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from autograder.compare import compare, distance
from autograder.config import Tolerance
from autograder.references import Key
from autograder.wire import Array, Outputs, Value


@dataclass(frozen=True)
class KnownMistake:
    """One mutant as the judge knows it."""

    id: str
    description: str
    """The sentence of mutants.yaml that the feedback quotes."""
    must_fail: frozenset[str]
    """The tests it is known to fail."""
    outputs: dict[Key, Outputs]
    """Per (probe, seed), what it returned as values (an output that raised is left out)."""


def recognise(
    test_id: str, key: Key, outputs: Outputs, names: list[str], tolerance: Tolerance, known: Sequence[KnownMistake]
) -> KnownMistake | None:
    """The known mistake whose outputs ``names`` on ``key`` match ``outputs`` within ``tolerance``. Of
    several, one that is known to fail this test comes first, then one whose other outputs of the same
    run match too (two mistakes may agree on what this test reads), then the closest, then the first
    listed."""
    ranked = []
    for position, mistake in enumerate(known):
        theirs = mistake.outputs.get(key)
        gap = None if theirs is None else _gap(names, theirs, outputs, tolerance)
        if gap is not None:
            whole_run = _gap(sorted(set(theirs) & set(outputs)), theirs, outputs, tolerance) is not None
            ranked.append((test_id not in mistake.must_fail, not whole_run, gap, position))
    return known[min(ranked)[3]] if ranked else None


def _gap(names: list[str], theirs: Outputs, ours: Outputs, tolerance: Tolerance) -> float | None:
    """How far ``ours`` is from ``theirs`` on ``names``, in tolerances; None where one of them differs."""
    gaps = []
    for name in names:
        if name not in theirs or name not in ours:
            return None
        cleared = _overflow_cleared(theirs[name], ours[name])
        if cleared is None or compare(name, *cleared, tolerance.rtol, tolerance.atol, exact_dtype=False):
            return None
        gaps.append(distance(*cleared, tolerance.rtol, tolerance.atol))
    return max(gaps) if gaps else None


def _overflow_cleared(theirs: Value, ours: Value) -> tuple[Value, Value] | None:
    """Both values, with 0 in both arrays where they hold the same NaN or infinity; None where the
    mistake's array overflows elsewhere. A mistake that overflows is known by where it overflows (the
    grader's comparison refuses a submission's NaN and takes an expected infinity as a bound)."""
    if not (isinstance(theirs, Array) and isinstance(ours, Array)):
        return theirs, ours
    want, got = theirs.values, ours.values
    if want.shape != got.shape or want.dtype.kind != "f" or got.dtype.kind != "f":
        return theirs, ours
    overflow = ~np.isfinite(want)
    if not overflow.any():
        return theirs, ours
    if not np.array_equal(want[overflow], got[overflow], equal_nan=True):
        return None
    return (
        replace(theirs, values=np.where(overflow, want.dtype.type(0), want)),
        replace(ours, values=np.where(overflow, got.dtype.type(0), got)),
    )


def naming_sentence(mistake: KnownMistake) -> str:
    return f"Your outputs are exactly what we get from a known mistake: {mistake.description.rstrip('.')}."
