"""The sandbox-to-judge data format: exact round trips, deterministic bytes, and a reader that answers
anything malformed with WireError and nothing else."""

from __future__ import annotations

import json
import random
import struct
from typing import Any

import numpy as np
import pytest

from autograder.wire import MAGIC, Array, Rejected, WireError, pack, unpack

FUZZ_ROUNDS = 3000


def _array(values: Any, dtype: str, torch_dtype: str | None = None) -> Array:
    data = np.asarray(values, dtype=dtype)
    return Array(data, torch_dtype or f"torch.{dtype}")


ARRAYS = {
    "float32": _array(np.random.default_rng(0).standard_normal((2, 3)), "float32"),
    "float64": _array(np.random.default_rng(1).standard_normal((4,)), "float64"),
    "int64": _array([[1, -2, 3], [2**40, 0, -(2**62)]], "int64"),
    "bool": _array([[True, False], [False, True]], "bool"),
    "uint8": _array([0, 7, 255], "uint8"),
    "scalar_float32": _array(np.float32(2.5), "float32"),
    "scalar_int64": _array(np.int64(-7), "int64"),
    "empty": _array(np.zeros((0, 3)), "float32"),
    "bfloat16_as_float32": _array([1.5, -0.25], "float32", "torch.bfloat16"),
}

JSON_VALUES = {
    "int": 3,
    "float": -0.125,
    "string": "It's a GREAT film! — épopée",
    "flag": True,
    "none": None,
    "nested": [["it", "'s"], [], [1, 2.5, False, None]],
    "mapping": {"b": [1, 2], "a": {"c": "d"}},
}


def _valid_frame() -> bytes:
    return pack({**ARRAYS, **JSON_VALUES, "refused": Rejected("a torch.Tensor subclass")}, meta={"status": "ok"})


def _split(frame: bytes) -> tuple[dict[str, Any], bytes]:
    """The JSON header and the array bytes of a frame written by pack."""
    (length,) = struct.unpack("<I", frame[4:8])
    return json.loads(frame[8 : 8 + length]), frame[8 + length :]


def _join(header: Any, blob: bytes = b"") -> bytes:
    encoded = json.dumps(header).encode()
    return MAGIC + struct.pack("<I", len(encoded)) + encoded + blob


def _frame_of_text(header: str) -> bytes:
    encoded = header.encode()
    return MAGIC + struct.pack("<I", len(encoded)) + encoded


def _forged_array_entry(**changes: Any) -> bytes:
    """A frame of one float32 (2, 3) array whose header entry is changed as given."""
    header, blob = _split(pack({"x": _array(np.ones((2, 3)), "float32")}))
    header["outputs"]["x"].update(changes)
    return _join(header, blob)


@pytest.mark.parametrize("name", sorted(ARRAYS))
def test_array_round_trip(name: str) -> None:
    """Values, numpy dtype, shape (0-d stays 0-d) and torch dtype survive a round trip exactly."""
    sent = ARRAYS[name]
    outputs, _ = unpack(pack({name: sent}))
    got = outputs[name]
    assert isinstance(got, Array)
    assert got.values.shape == sent.values.shape
    assert got.values.dtype == sent.values.dtype
    assert got.torch_dtype == sent.torch_dtype
    assert np.array_equal(got.values, sent.values)
    assert got.values.flags.writeable, "the reader must hand out its own copy"


def test_non_contiguous_array_round_trip() -> None:
    """A transposed (non-contiguous) array travels with its logical layout."""
    base = np.arange(12, dtype=np.float32).reshape(3, 4)
    outputs, _ = unpack(pack({"t": Array(base.T, "torch.float32"), "s": Array(base[:, ::2], "torch.float32")}))
    assert np.array_equal(outputs["t"].values, base.T)
    assert np.array_equal(outputs["s"].values, base[:, ::2])


def test_json_values_round_trip() -> None:
    """Plain data comes back equal and with the same types (a bool stays a bool)."""
    outputs, _ = unpack(pack(JSON_VALUES))
    assert outputs == JSON_VALUES
    assert type(outputs["flag"]) is bool and type(outputs["int"]) is int


def test_rejected_and_meta_round_trip() -> None:
    """A Rejected output keeps its reason, and the metadata comes back as given."""
    outputs, meta = unpack(pack({"r": Rejected("an object that only claims a shape")}, meta={"status": "error"}))
    assert outputs == {"r": Rejected("an object that only claims a shape")}
    assert meta == {"status": "error"}


def test_mixed_frame_round_trip() -> None:
    """Arrays, plain data and rejections side by side in one frame all come back."""
    assert not set(ARRAYS) & set(JSON_VALUES)
    outputs, meta = unpack(_valid_frame())
    assert set(outputs) == {*ARRAYS, *JSON_VALUES, "refused"}
    for name, sent in ARRAYS.items():
        assert np.array_equal(outputs[name].values, sent.values) and outputs[name].values.shape == sent.values.shape
    assert outputs["refused"] == Rejected("a torch.Tensor subclass")
    assert meta == {"status": "ok"}


def test_pack_is_deterministic() -> None:
    """The same outputs give the same bytes, whatever the order of the names or mapping keys."""
    assert _valid_frame() == _valid_frame()
    forward = {"a": ARRAYS["int64"], "b": {"x": 1, "y": 2}}
    backward = {"b": {"y": 2, "x": 1}, "a": ARRAYS["int64"]}
    assert pack(forward) == pack(backward)


def test_pack_refuses_dtypes_that_cannot_travel() -> None:
    """pack raises WireError for a dtype outside the allowed set instead of writing it."""
    with pytest.raises(WireError, match="cannot travel"):
        pack({"c": Array(np.zeros(2, dtype=np.complex64), "torch.complex64")})


MALFORMED = [
    pytest.param(b"", "not a result frame", id="empty"),
    pytest.param(b"AGW", "not a result frame", id="shorter-than-prefix"),
    pytest.param(b"XXXX" + _valid_frame()[4:], "not a result frame", id="wrong-magic"),
    pytest.param(_valid_frame()[:40], "truncated header", id="truncated-header"),
    pytest.param(MAGIC + struct.pack("<I", 2**32 - 1) + b"{}", "truncated header", id="huge-header-length"),
    pytest.param(MAGIC + struct.pack("<I", 4) + b"\xff\xfe{}", "header is not JSON", id="header-not-utf8"),
    pytest.param(MAGIC + struct.pack("<I", 9) + b"{outputs:", "header is not JSON", id="header-not-json"),
    pytest.param(_join([1, 2, 3]), "header has no outputs", id="header-a-list"),
    pytest.param(_join({"outputs": []}), "header has no outputs", id="outputs-a-list"),
    pytest.param(_join({"outputs": {"x": 5}}), "malformed entry", id="entry-not-a-mapping"),
    pytest.param(_join({"outputs": {"x": {"kind": "pickle"}}}), "unknown kind", id="unknown-kind"),
    pytest.param(_forged_array_entry(dtype="object"), "not allowed", id="dtype-object"),
    pytest.param(_forged_array_entry(dtype="complex128"), "not allowed", id="dtype-complex"),
    pytest.param(_forged_array_entry(dtype=None), "not allowed", id="dtype-missing"),
    pytest.param(_forged_array_entry(shape=[-2, -3]), "bad shape", id="negative-dimension"),
    pytest.param(_forged_array_entry(shape=[2.0, 3]), "bad shape", id="float-dimension"),
    pytest.param(_forged_array_entry(shape=[True, 6]), "bad shape", id="bool-dimension"),
    pytest.param(_forged_array_entry(shape="2,3"), "bad shape", id="shape-a-string"),
    pytest.param(_forged_array_entry(offset=-4), "bad offsets", id="negative-offset"),
    pytest.param(_forged_array_entry(offset="0"), "bad offsets", id="offset-a-string"),
    pytest.param(_forged_array_entry(nbytes=20.0), "bad offsets", id="nbytes-a-float"),
    pytest.param(_forged_array_entry(nbytes=20), "size does not match shape", id="nbytes-too-small"),
    pytest.param(_forged_array_entry(nbytes=28), "size does not match shape", id="nbytes-too-large"),
    pytest.param(_forged_array_entry(shape=[3, 3], nbytes=36), "size does not match shape", id="past-the-end"),
    pytest.param(_forged_array_entry(offset=4), "size does not match shape", id="offset-past-the-end"),
]


@pytest.mark.parametrize(("frame", "message"), MALFORMED)
def test_unpack_rejects_malformed_frames(frame: bytes, message: str) -> None:
    """Each malformed frame raises WireError with a message saying what is wrong."""
    with pytest.raises(WireError, match=message):
        unpack(frame)


@pytest.mark.parametrize(
    "frame",
    [
        pytest.param(_forged_array_entry(shape=[0, 10**30], nbytes=0), id="zero-size-huge-dimension"),
        pytest.param(_forged_array_entry(shape=[0] * 70, nbytes=0), id="more-than-64-dimensions"),
        pytest.param(_frame_of_text('{"outputs": {}, "meta": {"n": ' + "9" * 5000 + "}}"), id="5000-digit-integer"),
        pytest.param(MAGIC + struct.pack("<I", 100_000) + b"[" * 100_000, id="deeply-nested-json"),
    ],
)
def test_unpack_rejects_hostile_headers(frame: bytes) -> None:
    """Headers that are well-formed JSON-ish but hostile must still end in WireError."""
    with pytest.raises(WireError):
        unpack(frame)


def _mutate(frame: bytes, rng: random.Random) -> bytes:
    data = bytearray(frame)
    action = rng.randrange(5)
    if action == 0:  # flip some bits
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif action == 1:  # replace a byte
        data[rng.randrange(len(data))] = rng.randrange(256)
    elif action == 2:  # truncate
        del data[rng.randrange(len(data)) :]
    elif action == 3:  # drop a byte
        del data[rng.randrange(len(data))]
    else:  # insert a byte
        data.insert(rng.randrange(len(data) + 1), rng.randrange(256))
    return bytes(data)


def test_fuzzed_frames_fail_only_with_wire_error() -> None:
    """Randomly damaged frames either decode or raise WireError; no other exception escapes."""
    rng = random.Random(0)
    frame = _valid_frame()
    rejected = 0
    for round_number in range(FUZZ_ROUNDS):
        damaged = _mutate(frame, rng)
        try:
            unpack(damaged)
        except WireError:
            rejected += 1
        except Exception as error:  # noqa: BLE001 - any other exception is the failure under test
            pytest.fail(f"round {round_number}: {type(error).__name__}: {error} for frame {damaged[:120]!r}...")
    assert rejected > FUZZ_ROUNDS // 4, f"only {rejected} of {FUZZ_ROUNDS} damaged frames were rejected"
