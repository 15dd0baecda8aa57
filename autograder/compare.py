"""Compare one output of a submission with the reference, and say precisely how they differ.

numpy only. Arrays: exact shape (no broadcasting), dtype, finite, then values within rtol/atol in the
``torch.testing`` sense: |actual - expected| <= atol + rtol * |expected|. Plain data (lists, strings,
numbers) compares exactly, floats within the same tolerance. A difference is a :class:`Mismatch`, a
record the judge reads; its ``message`` is the sentence a student sees.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from autograder.text import short_repr
from autograder.wire import Array, Axis, Failed, Rejected, Value

MismatchKind = Literal["failed", "rejected", "type", "shape", "dtype", "nonfinite", "values", "data"]
RELATIVE_FLOOR = 1e-3  # relative errors count where |expected| is at least this share of its largest value


@dataclass(frozen=True)
class Mismatch:
    """How one output differs from the reference."""

    output: str
    """The output's name."""
    kind: MismatchKind
    message: str
    """One sentence a student can act on, with positions in the probe's own terms where it named them."""
    item: int | None = None
    """For a list output, the index of the first item that differs (the judge shows that input)."""
    detail: str = ""
    """A traceback for a "failed" output."""

FLOAT_DTYPES = {"torch.float16", "torch.bfloat16", "torch.float32", "torch.float64"}
INT_DTYPES = {"torch.uint8", "torch.int8", "torch.int16", "torch.int32", "torch.int64"}


def dtype_family(torch_dtype: str) -> str:
    if torch_dtype in FLOAT_DTYPES:
        return "floating"
    if torch_dtype in INT_DTYPES:
        return "integer"
    return "boolean" if torch_dtype == "torch.bool" else torch_dtype


def _describe(value: Value) -> str:
    if isinstance(value, Array):
        return f"a tensor of shape {tuple(value.values.shape)}"
    if isinstance(value, bool):
        return f"a bool ({value})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return "nothing" if value is None else type(value).__name__


def compare(
    name: str, expected: Value, actual: Value, rtol: float, atol: float, exact_dtype: bool, shape_only: bool = False
) -> Mismatch | None:
    """None when ``actual`` matches ``expected``; otherwise how it differs."""
    if isinstance(actual, Failed):
        return Mismatch(name, "failed", f"{name}: {actual.message}", detail=actual.traceback)
    if isinstance(actual, Rejected):
        return Mismatch(name, "rejected", f"{name}: your code returned {actual.reason}")
    if isinstance(expected, Array):
        if not isinstance(actual, Array):
            shape = tuple(expected.values.shape)
            return Mismatch(name, "type", f"{name}: expected a tensor of shape {shape}, got {_describe(actual)}")
        return _compare_arrays(name, expected, actual, rtol, atol, exact_dtype, shape_only)
    if isinstance(actual, Array):
        return Mismatch(name, "type", f"{name}: expected {_describe(expected)}, got {_describe(actual)}")
    problem = _compare_data(name, expected, actual, rtol, atol)
    if problem is None:
        return None
    message, item = problem
    return Mismatch(name, "data", message, item=item)


def _compare_arrays(
    name: str, expected: Array, actual: Array, rtol: float, atol: float, exact_dtype: bool, shape_only: bool
) -> Mismatch | None:
    want, got = expected.values, actual.values
    if want.shape != got.shape:
        return Mismatch(name, "shape", f"{name}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}")
    if exact_dtype and expected.torch_dtype != actual.torch_dtype:
        return Mismatch(name, "dtype", f"{name}: expected dtype {expected.torch_dtype}, got {actual.torch_dtype}")
    if dtype_family(expected.torch_dtype) != dtype_family(actual.torch_dtype):
        return Mismatch(name, "dtype", (
            f"{name}: expected a {dtype_family(expected.torch_dtype)} tensor ({expected.torch_dtype}), "
            f"got {actual.torch_dtype}"
        ))
    if shape_only:
        return None
    where = _Positions(expected.axes)
    if got.dtype.kind == "f":
        bad = ~np.isfinite(got)
        if bad.any():
            first = where(np.argwhere(bad)[0])
            message = f"{name}: {int(bad.sum())} value(s) are NaN or infinite, the first at {first}"
            return Mismatch(name, "nonfinite", message)
    if got.dtype.kind != "f" and want.dtype.kind != "f":
        mismatched = want != got
        if mismatched.any():
            first = tuple(np.argwhere(mismatched)[0])
            return Mismatch(name, "values", (
                f"{name}: {int(mismatched.sum())} of {want.size} values differ; "
                f"the first at {where(first)}: expected {want[first].item()}, got {got[first].item()}"
            ))
        return None
    return _compare_close(name, want.astype(np.float64), got.astype(np.float64), rtol, atol, where)


def _compare_close(
    name: str, want: np.ndarray, got: np.ndarray, rtol: float, atol: float, where: _Positions
) -> Mismatch | None:
    error = np.abs(got - want)
    mismatched = error > atol + rtol * np.abs(want)
    if not mismatched.any():
        return None
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    message = (
        f"{name}: {int(mismatched.sum())} of {want.size} values differ beyond rtol={rtol:g}, atol={atol:g}; "
        f"largest absolute error {error[worst]:.4g} at {where(worst)} "
        f"(expected {want[worst]:.6g}, got {got[worst]:.6g})"
    )
    magnitude = np.abs(want)
    significant = magnitude >= RELATIVE_FLOOR * magnitude.max() if magnitude.size else magnitude
    significant &= magnitude > 0
    if significant.any():
        relative = np.where(significant, error / np.where(significant, magnitude, 1.0), 0.0)
        worst_relative = np.unravel_index(int(np.argmax(relative)), relative.shape)
        message += f"; largest relative error {relative[worst_relative]:.4g} at {where(worst_relative)}"
    return Mismatch(name, "values", message)


class _Positions:
    """Writes an array position in the probe's terms: "step 2, layers.0.bias[3]" where the probe named
    its axes, "index (1, 82)" where it did not."""

    def __init__(self, axes: tuple[Axis, ...] | None) -> None:
        self.axes = axes

    def __call__(self, index: Any) -> str:
        position = tuple(int(i) for i in index)
        if self.axes is None or len(self.axes) != len(position):
            return f"index {position}"
        return ", ".join(_axis_position(axis, i) for axis, i in zip(self.axes, position, strict=True))


def _axis_position(axis: Axis, index: int) -> str:
    if isinstance(axis, str):
        return f"{axis} {index + 1}"
    for label, shape in axis:
        size = math.prod(shape)
        if index < size:
            inner = np.unravel_index(index, shape) if shape else ()
            return label + (f"[{', '.join(str(int(i)) for i in inner)}]" if shape else "")
        index -= size
    return f"position {index}"


def _compare_data(path: str, expected: Any, actual: Any, rtol: float, atol: float) -> tuple[str, int | None] | None:
    """The first difference in plain data, and the top-level list item it is in (if any)."""
    if isinstance(expected, list) and isinstance(actual, list):
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            problem = _data_difference(f"{path}[{index}]", want, got, rtol, atol)
            if problem:
                return problem, index
    message = _data_difference(path, expected, actual, rtol, atol)
    return None if message is None else (message, None)


def _data_difference(path: str, expected: Any, actual: Any, rtol: float, atol: float) -> str | None:
    if isinstance(expected, bool) or isinstance(actual, bool):
        same = type(expected) is type(actual) and expected == actual
        return None if same else f"{path}: expected {short_repr(expected)}, got {short_repr(actual)}"
    if isinstance(expected, float) or (isinstance(expected, int) and isinstance(actual, float)):
        if not isinstance(actual, int | float):
            return f"{path}: expected a number, got {_describe(actual)}"
        if not math.isfinite(actual):
            return f"{path}: expected {expected:.6g}, got {actual}"
        if abs(actual - expected) > atol + rtol * abs(expected):
            return f"{path}: expected {expected:.6g}, got {actual:.6g} (rtol={rtol:g}, atol={atol:g})"
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return f"{path}: expected a list of {len(expected)} items, got {_describe(actual)}"
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            problem = _data_difference(f"{path}[{index}]", want, got, rtol, atol)
            if problem:
                return problem
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}"
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or sorted(actual) != sorted(expected):
            return f"{path}: expected keys {sorted(expected)}, got {_describe(actual)}"
        for key in expected:
            problem = _data_difference(f"{path}[{key!r}]", expected[key], actual[key], rtol, atol)
            if problem:
                return problem
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: expected {short_repr(expected)}, got {short_repr(actual)}"
    return None


def distance(expected: Value, actual: Value, rtol: float, atol: float) -> float:
    """How far ``actual`` is from ``expected`` in units of the tolerance: the largest
    |actual - expected| / (atol + rtol * |expected|) over their numbers, 0 where they are equal. Meant for
    outputs that :func:`compare` found to match, to tell which of several matches is the closest."""
    if isinstance(expected, Array) and isinstance(actual, Array):
        return _in_tolerances(expected.values, actual.values, rtol, atol)
    if isinstance(expected, list) and isinstance(actual, list):
        return max((distance(e, a, rtol, atol) for e, a in zip(expected, actual, strict=False)), default=0.0)
    if isinstance(expected, dict) and isinstance(actual, dict):
        return max((distance(expected[k], actual[k], rtol, atol) for k in expected if k in actual), default=0.0)
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return _in_tolerances(expected, actual, rtol, atol)
    return 0.0


def _in_tolerances(expected: np.ndarray | float, actual: np.ndarray | float, rtol: float, atol: float) -> float:
    """The largest error in units of its bound (an infinity on both sides counts as equal)."""
    want, got = np.asarray(expected, dtype=np.float64), np.asarray(actual, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        error = np.nan_to_num(np.abs(got - want), nan=0.0)
    bound = atol + rtol * np.abs(want)
    ratio = np.divide(error, bound, out=np.where(error > 0, np.inf, 0.0), where=bound > 0)
    return float(np.max(ratio, initial=0.0))
