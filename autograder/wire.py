"""The data format between sandbox and judge, also used to store references: JSON plus raw array bytes.

Never pickle: a frame is ``MAGIC``, a 4-byte header length, a JSON header, then the array bytes. The
reader checks every field before it trusts it, so a forged or truncated frame is an error, not a crash.
Only numpy is needed here, so the judge never imports torch.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

MAGIC = b"AGW1"
ALLOWED_DTYPES = frozenset({"bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"})
MAX_HEADER_BYTES = 16 * 2**20
MAX_DIMENSIONS = 32


class WireError(Exception):
    """A frame that is not what the format promises."""


Axis = str | list[tuple[str, list[int]]]  # a name, or the named blocks that a flattened axis concatenates


@dataclass(frozen=True)
class Array:
    """A tensor as data: its values, the torch dtype it had (bfloat16 travels as float32), and optional
    names of its axes, so that feedback can say "step 2, layers.0.bias[3]" instead of "index (1, 82)"."""

    values: np.ndarray
    torch_dtype: str
    axes: tuple[Axis, ...] | None = None


@dataclass(frozen=True)
class Rejected:
    """An output the sandbox refused to serialise, with the reason (e.g. "a torch.Tensor subclass")."""

    reason: str


@dataclass(frozen=True)
class Failed:
    """An output the probe could not compute, because the student's code raised while computing it; the
    probe's other outputs still count."""

    message: str
    traceback: str = ""


Value = Array | Rejected | Failed | Any  # anything else is plain JSON data
Outputs = dict[str, Value]


def pack(outputs: Outputs, meta: dict[str, Any] | None = None) -> bytes:
    """Serialise outputs (and optional metadata) deterministically."""
    header: dict[str, Any] = {"meta": meta or {}, "outputs": {}}
    blobs: list[bytes] = []
    offset = 0
    for name in sorted(outputs):
        value = outputs[name]
        if isinstance(value, Array):
            data = np.asarray(value.values)
            data = data if data.flags.c_contiguous else data.copy(order="C")  # keeps 0-d arrays 0-d
            if data.dtype.name not in ALLOWED_DTYPES:
                raise WireError(f"{name}: dtype {data.dtype} cannot travel")
            raw = data.tobytes()
            header["outputs"][name] = {
                "kind": "array",
                "dtype": data.dtype.name,
                "torch_dtype": value.torch_dtype,
                "shape": list(data.shape),
                "offset": offset,
                "nbytes": len(raw),
            }
            if value.axes is not None:
                header["outputs"][name]["axes"] = list(value.axes)
            blobs.append(raw)
            offset += len(raw)
        elif isinstance(value, Rejected):
            header["outputs"][name] = {"kind": "rejected", "reason": value.reason}
        elif isinstance(value, Failed):
            header["outputs"][name] = {"kind": "failed", "message": value.message, "traceback": value.traceback}
        else:
            header["outputs"][name] = {"kind": "json", "value": value}
    encoded = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    return MAGIC + struct.pack("<I", len(encoded)) + encoded + b"".join(blobs)


def unpack(frame: bytes) -> tuple[Outputs, dict[str, Any]]:
    """Read a frame written by :func:`pack`; raise :class:`WireError`, and nothing else, on anything
    malformed: a test process can forge any bytes it likes."""
    try:
        return _unpack(frame)
    except WireError:
        raise
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError) as error:
        raise WireError(f"malformed frame ({type(error).__name__})") from None


def _unpack(frame: bytes) -> tuple[Outputs, dict[str, Any]]:
    if len(frame) < 8 or frame[:4] != MAGIC:
        raise WireError("not a result frame")
    (length,) = struct.unpack("<I", frame[4:8])
    if length > MAX_HEADER_BYTES or 8 + length > len(frame):
        raise WireError("truncated header")
    try:
        header = json.loads(frame[8 : 8 + length])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise WireError(f"header is not JSON: {error}") from None
    if not isinstance(header, dict) or not isinstance(header.get("outputs"), dict):
        raise WireError("header has no outputs")
    blob = memoryview(frame)[8 + length :]
    outputs = {str(name): _read_value(name, entry, blob) for name, entry in header["outputs"].items()}
    meta = header.get("meta") if isinstance(header.get("meta"), dict) else {}
    return outputs, meta


def _read_value(name: str, entry: Any, blob: memoryview) -> Value:
    if not isinstance(entry, dict):
        raise WireError(f"{name}: malformed entry")
    kind = entry.get("kind")
    if kind == "json":
        return entry.get("value")
    if kind == "rejected":
        return Rejected(str(entry.get("reason", "rejected")))
    if kind == "failed":
        return Failed(str(entry.get("message", "failed")), str(entry.get("traceback", "")))
    if kind != "array":
        raise WireError(f"{name}: unknown kind {kind!r}")
    dtype, shape = entry.get("dtype"), entry.get("shape")
    offset, nbytes = entry.get("offset"), entry.get("nbytes")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(f"{name}: dtype {dtype!r} not allowed")
    if not isinstance(shape, list) or len(shape) > MAX_DIMENSIONS or not all(type(n) is int and n >= 0 for n in shape):
        raise WireError(f"{name}: bad shape {shape!r}")
    if type(offset) is not int or type(nbytes) is not int or offset < 0:
        raise WireError(f"{name}: bad offsets")
    if nbytes != math.prod(shape) * np.dtype(dtype).itemsize or offset + nbytes > len(blob):
        raise WireError(f"{name}: size does not match shape")
    values = np.frombuffer(blob[offset : offset + nbytes], dtype=dtype).reshape(shape).copy()
    return Array(values, str(entry.get("torch_dtype", dtype)), _read_axes(name, entry.get("axes"), shape))


def _read_axes(name: str, axes: Any, shape: list[int]) -> tuple[Axis, ...] | None:
    """Axis names as the probe gave them, or None; a malformed entry is an error, not a crash later."""
    if axes is None:
        return None
    if not isinstance(axes, list) or len(axes) != len(shape):
        raise WireError(f"{name}: axes do not match the shape")
    checked: list[Axis] = []
    for axis, size in zip(axes, shape, strict=True):
        if isinstance(axis, str):
            checked.append(axis)
            continue
        if not isinstance(axis, list) or not all(
            isinstance(b, list) and len(b) == 2 and isinstance(b[0], str) and isinstance(b[1], list)
            and all(type(n) is int and n >= 0 for n in b[1]) for b in axis
        ) or sum(math.prod(b[1]) for b in axis) != size:
            raise WireError(f"{name}: malformed axis blocks")
        checked.append([(label, list(block_shape)) for label, block_shape in axis])
    return tuple(checked)
