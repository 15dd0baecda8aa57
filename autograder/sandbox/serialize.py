"""Turn a probe's outputs into wire data inside the test process, refusing anything that is not data.

The exact type is checked (``type(x) is torch.Tensor``), never ``isinstance``, which an object can fool
through ``__class__``. Tensor methods are captured when the worker starts, before any student code, so
patching ``torch.Tensor.numpy`` at import changes nothing here.
"""

from __future__ import annotations

from typing import Any

import torch

from autograder.probing.core import Named
from autograder.wire import Array, Rejected, Value

_DETACH = torch.Tensor.detach
_TO = torch.Tensor.to
_NUMPY = torch.Tensor.numpy
_CONTIGUOUS = torch.Tensor.contiguous
_TRAVELS_AS = {torch.bfloat16: torch.float32}
_SCALARS = (bool, int, float, str, type(None))
MAX_JSON_ITEMS = 100_000


def to_wire_value(value: Any) -> Value:
    kind = type(value)
    if kind is Named:
        converted = to_wire_value(value.tensor)
        if isinstance(converted, Array) and len(value.axes) == converted.values.ndim:
            return Array(converted.values, converted.torch_dtype, tuple(value.axes))
        return converted
    if kind is torch.Tensor:
        return _tensor(value)
    if isinstance(kind, type) and issubclass(kind, torch.Tensor):
        return Rejected(f"a torch.Tensor subclass ({_name(kind)}); return a plain torch.Tensor")
    if kind in _SCALARS or kind in (list, tuple, dict):
        budget = [MAX_JSON_ITEMS]
        try:
            return _json(value, budget)
        except _NotData as refusal:
            return Rejected(str(refusal))
    return Rejected(_describe(kind))


class _NotData(Exception):
    pass


def _tensor(tensor: torch.Tensor) -> Value:
    if tensor.is_complex() or tensor.layout != torch.strided:
        return Rejected(f"a {tensor.dtype} {tensor.layout} tensor; return a dense real tensor")
    data = _DETACH(tensor)
    data = _TO(data, device="cpu", dtype=_TRAVELS_AS.get(data.dtype, data.dtype))
    try:
        array = _NUMPY(_CONTIGUOUS(data))
    except TypeError:
        return Rejected(f"a tensor of dtype {tensor.dtype}, which cannot be graded")
    return Array(array.copy(), str(tensor.dtype))


def _json(value: Any, budget: list[int]) -> Any:
    budget[0] -= 1
    if budget[0] < 0:
        raise _NotData("a structure too large to grade")
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind in (list, tuple):
        return [_json(item, budget) for item in value]
    if kind is dict:
        if not all(type(key) is str for key in value):
            raise _NotData("a dict whose keys are not all strings")
        return {key: _json(item, budget) for key, item in value.items()}
    if kind is torch.Tensor and value.dim() == 0:
        raise _NotData("a tensor inside a list; the probe expected plain numbers")
    raise _NotData(f"a list or dict containing {_describe(kind)}")


def _describe(kind: type) -> str:
    claims = " that claims a shape but is not a tensor" if _has_attribute(kind, "shape") else ""
    return f"an object of type {_name(kind)}{claims}"


def _has_attribute(kind: type, attribute: str) -> bool:
    try:
        return any(attribute in vars(base) for base in kind.__mro__)
    except Exception:  # noqa: BLE001 - a hostile metaclass may raise anything
        return False


def _name(kind: type) -> str:
    try:
        return f"{kind.__module__}.{kind.__qualname__}"
    except Exception:  # noqa: BLE001
        return "<unnamed type>"
