"""Compare one output of a submission with the reference, and say precisely how they differ.

numpy only. Arrays: exact shape (no broadcasting), dtype, finite, then values within rtol/atol in the
``torch.testing`` sense: |actual - expected| <= atol + rtol * |expected|. Plain data (lists, strings,
numbers) compares exactly, floats within the same tolerance.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograder.wire import Array, Rejected, Value

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
) -> str | None:
    """None when ``actual`` matches ``expected``; otherwise one message a student can act on."""
    if isinstance(actual, Rejected):
        return f"{name}: your code returned {actual.reason}"
    if isinstance(expected, Array):
        if not isinstance(actual, Array):
            return f"{name}: expected a tensor of shape {tuple(expected.values.shape)}, got {_describe(actual)}"
        return _compare_arrays(name, expected, actual, rtol, atol, exact_dtype, shape_only)
    if isinstance(actual, Array):
        return f"{name}: expected {_describe(expected)}, got {_describe(actual)}"
    return _compare_data(name, expected, actual, rtol, atol)


def _compare_arrays(
    name: str, expected: Array, actual: Array, rtol: float, atol: float, exact_dtype: bool, shape_only: bool
) -> str | None:
    want, got = expected.values, actual.values
    if want.shape != got.shape:
        return f"{name}: expected shape {tuple(want.shape)}, got {tuple(got.shape)}"
    if exact_dtype and expected.torch_dtype != actual.torch_dtype:
        return f"{name}: expected dtype {expected.torch_dtype}, got {actual.torch_dtype}"
    if dtype_family(expected.torch_dtype) != dtype_family(actual.torch_dtype):
        return (
            f"{name}: expected a {dtype_family(expected.torch_dtype)} tensor ({expected.torch_dtype}), "
            f"got {actual.torch_dtype}"
        )
    if shape_only:
        return None
    if got.dtype.kind == "f":
        bad = ~np.isfinite(got)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0])
            return f"{name}: {int(bad.sum())} value(s) are NaN or infinite, the first at index {where}"
    if got.dtype.kind != "f" and want.dtype.kind != "f":
        mismatched = want != got
        if mismatched.any():
            where = tuple(int(i) for i in np.argwhere(mismatched)[0])
            return (
                f"{name}: {int(mismatched.sum())} of {want.size} values differ; "
                f"the first at index {where}: expected {want[where].item()}, got {got[where].item()}"
            )
        return None
    return _compare_close(name, want.astype(np.float64), got.astype(np.float64), rtol, atol)


def _compare_close(name: str, want: np.ndarray, got: np.ndarray, rtol: float, atol: float) -> str | None:
    error = np.abs(got - want)
    allowed = atol + rtol * np.abs(want)
    mismatched = error > allowed
    if not mismatched.any():
        return None
    worst = np.unravel_index(int(np.argmax(error)), error.shape)
    relative = error / np.maximum(np.abs(want), np.finfo(np.float64).tiny)
    worst_relative = np.unravel_index(int(np.argmax(relative)), relative.shape)
    return (
        f"{name}: {int(mismatched.sum())} of {want.size} values differ beyond rtol={rtol:g}, atol={atol:g}; "
        f"largest absolute error {error[worst]:.4g} at index {tuple(int(i) for i in worst)} "
        f"(expected {want[worst]:.6g}, got {got[worst]:.6g}); "
        f"largest relative error {relative[worst_relative]:.4g} at index {tuple(int(i) for i in worst_relative)}"
    )


def _compare_data(path: str, expected: Any, actual: Any, rtol: float, atol: float) -> str | None:
    if isinstance(expected, bool) or isinstance(actual, bool):
        same = type(expected) is type(actual) and expected == actual
        return None if same else f"{path}: expected {expected!r}, got {actual!r}"
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
            problem = _compare_data(f"{path}[{index}]", want, got, rtol, atol)
            if problem:
                return problem
        if len(expected) != len(actual):
            return f"{path}: expected {len(expected)} items, got {len(actual)}"
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or sorted(actual) != sorted(expected):
            return f"{path}: expected keys {sorted(expected)}, got {_describe(actual)}"
        for key in expected:
            problem = _compare_data(f"{path}[{key!r}]", expected[key], actual[key], rtol, atol)
            if problem:
                return problem
        return None
    if type(expected) is not type(actual) or expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None
