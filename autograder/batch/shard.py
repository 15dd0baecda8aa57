"""``--shard K/N``: shard K (counted from 0, like a Slurm array from 0 or a Kubernetes Indexed Job) of N
grades every N-th submission of the folder, sorted by id, starting with the K-th; N shards cover it once."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    index: int
    """K, from 0 to ``count - 1``."""
    count: int
    """N, how many shards the batch is split into."""

    def pick(self, items: list[T]) -> list[T]:
        """This shard's share of ``items`` (already in their stable order)."""
        return items[self.index :: self.count]


WHOLE = Shard(0, 1)


def parse_shard(text: str) -> Shard:
    """``"K/N"`` as a Shard; an argparse error names what is wrong."""
    index, slash, count = text.partition("/")
    if not slash or not index.strip().isdigit() or not count.strip().isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not K/N (e.g. 0/4: the first of four shards)")
    shard = Shard(int(index), int(count))
    if shard.count < 1 or shard.index >= shard.count:
        raise argparse.ArgumentTypeError(f"{text!r}: N must be at least 1, and K from 0 to N-1")
    return shard
