"""Reference outputs: produced by running every probe on the solution, stored with a manifest.

Layout: ``tests/<id>/references/manifest.json`` and ``<probe>/seed-<n>.bin`` (wire frames). Files
carry no timestamps, so regenerating twice gives identical bytes. Grading with references older than
the solution or the probes is refused.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

import autograder.probes
from autograder.config import Assignment
from autograder.kit import Kit
from autograder.wire import Outputs, pack, unpack

MANIFEST = "manifest.json"
Key = tuple[str, int]  # (probe, seed)


class StaleReferences(Exception):
    """The references do not match the solution, the probes or grading.yaml."""


def needed_keys(assignment: Assignment, public_only: bool = False) -> list[Key]:
    seeds_of = (lambda t: t.seeds) if public_only else (lambda t: t.all_seeds)
    tests = [t for t in assignment.tests if t.visibility == "visible"] if public_only else assignment.tests
    return sorted({(test.probe, seed) for test in tests for seed in seeds_of(test)})


def _relative(key: Key) -> str:
    return f"{key[0]}/seed-{key[1]}.bin"


def _sha256(chunks: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def solution_digest(kit: Kit, assignment_id: str, assignment: Assignment) -> str | None:
    """Hash of the solution's declared files, or None where the solutions are not shipped."""
    folder = kit.solution_dir(assignment_id)
    if not folder.is_dir():
        return None
    return _sha256(name.encode() + (folder / name).read_bytes() for name in sorted(assignment.files))


def probes_digest(kit: Kit, assignment_id: str) -> str:
    """Hash of the assignment's probes and of the probe API they are written with."""
    sources = [kit.probes_path(assignment_id), Path(autograder.probes.__file__)]
    return _sha256(path.read_bytes() for path in sources)


def write_references(
    kit: Kit,
    assignment_id: str,
    assignment: Assignment,
    produce: Callable[[Key], Outputs],
    torch_version: str,
) -> Path:
    """Produce every needed (probe, seed) output, then swap the new folder in at once."""
    final = kit.references_dir(assignment_id)
    staging = final.with_name(final.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    entries = {}
    for key in needed_keys(assignment):
        frame = pack(produce(key))
        path = staging / _relative(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(frame)
        entries[_relative(key)] = hashlib.sha256(frame).hexdigest()
    manifest = {
        "assignment": assignment_id,
        "device": "cpu",
        "torch": torch_version,
        "numpy": np.__version__,
        "solution_sha256": solution_digest(kit, assignment_id, assignment),
        "probes_sha256": probes_digest(kit, assignment_id),
        "references": entries,
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    retired = final.with_name(final.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)
    return final


def load_references(
    kit: Kit, assignment_id: str, assignment: Assignment, keys: list[Key]
) -> tuple[dict[Key, Outputs], dict]:
    """Check the references are fresh for ``keys`` and load them; raise StaleReferences otherwise."""
    regen = f"run `autograder regen {assignment_id}`"
    folder = kit.references_dir(assignment_id)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise StaleReferences(f"no references for {assignment_id}: {regen}") from None
    if manifest.get("probes_sha256") != probes_digest(kit, assignment_id):
        raise StaleReferences(f"the probes of {assignment_id} changed after its references were made: {regen}")
    digest = solution_digest(kit, assignment_id, assignment)
    if digest is not None and manifest.get("solution_sha256") != digest:
        raise StaleReferences(f"the solution of {assignment_id} changed after its references were made: {regen}")
    loaded = {}
    for key in keys:
        relative = _relative(key)
        if relative not in manifest.get("references", {}):
            raise StaleReferences(f"no reference for probe {key[0]!r} seed {key[1]} of {assignment_id}: {regen}")
        frame = (folder / relative).read_bytes()
        if hashlib.sha256(frame).hexdigest() != manifest["references"][relative]:
            raise StaleReferences(f"{folder / relative} does not match its manifest: {regen}")
        loaded[key] = unpack(frame)[0]
    return loaded, manifest
