"""Length-prefixed frames between the judge and the worker (standard library only)."""

from __future__ import annotations

import json
import struct
from typing import Any, BinaryIO

MAX_FRAME_BYTES = 256 * 2**20


class ProtocolError(Exception):
    """The other side sent something that is not a frame, or went away."""


def write_frame(stream: BinaryIO, payload: bytes) -> None:
    stream.write(struct.pack("<Q", len(payload)) + payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> bytes:
    head = stream.read(8)
    if len(head) < 8:
        raise ProtocolError("the worker closed the connection")
    (length,) = struct.unpack("<Q", head)
    if length > MAX_FRAME_BYTES:
        raise ProtocolError(f"frame of {length} bytes is too large")
    payload = stream.read(length)
    if len(payload) < length:
        raise ProtocolError("the worker closed the connection mid-frame")
    return payload


def write_json(stream: BinaryIO, message: dict[str, Any]) -> None:
    write_frame(stream, json.dumps(message).encode())


def read_json(stream: BinaryIO) -> dict[str, Any]:
    message = json.loads(read_frame(stream))
    if not isinstance(message, dict):
        raise ProtocolError("expected a JSON object")
    return message
