"""Lazy outputs that share one call of the student's code: each output is computed on its own (an error
costs only the outputs that read it), yet several outputs can read the same call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def once(function: Callable[[], T]) -> Callable[[], T]:
    """``function`` computed on first use only: several lazy outputs can read one call of the student's
    code (an exception is raised again for each of them)."""
    cache: dict[str, Any] = {}

    def cached() -> T:
        if "value" not in cache:
            try:
                cache["value"] = function()
            except Exception as error:  # noqa: BLE001 - kept for every output that reads it
                cache["error"] = error
                cache["value"] = None
        if "error" in cache:
            raise cache["error"]
        return cache["value"]

    return cached


def field(source: Callable[[], Any], key: Any) -> Callable[[], Any]:
    """A lazy output reading ``key`` of what ``source`` (a :func:`once`) returns."""
    return lambda: source()[key]
