"""Reference outputs: produced by running every probe on the solution, stored with a manifest.

Layout: ``tests/<id>/references/manifest.json`` and ``<probe>/seed-<n>.bin`` (wire frames). Files
carry no timestamps, so regenerating twice gives identical bytes. Grading with references older than
the solution or the probes is refused.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

import autograder
from autograder.boundary import ProbeResult
from autograder.config import Assignment
from autograder.kit import Kit
from autograder.wire import Outputs, pack, unpack

TOOLBOX = "autograder.probing"

MANIFEST = "manifest.json"
Key = tuple[str, int]  # (probe, seed)


class StaleReferences(Exception):
    """The references do not match the solution, the probes or grading.yaml."""


def needed_keys(assignment: Assignment, public_only: bool = False) -> list[Key]:
    seeds_of = (lambda t: t.seeds) if public_only else (lambda t: t.all_seeds)
    tests = [t for t in assignment.tests if t.visibility == "visible"] if public_only else assignment.tests
    return sorted({(test.probe, seed) for test in tests for seed in seeds_of(test)})


def reference_path(key: Key) -> str:
    return f"{key[0]}/seed-{key[1]}.bin"


def combined_sha256(chunks: Iterable[bytes]) -> str:
    """One hash of several byte strings, each hashed apart so that their boundaries count."""
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(hashlib.sha256(chunk).digest())
    return digest.hexdigest()


def solution_digest(kit: Kit, assignment_id: str, assignment: Assignment) -> str | None:
    """Hash of the solution's declared files, or None where the solutions are not shipped."""
    folder = kit.solution_dir(assignment_id)
    if not folder.is_dir():
        return None
    return combined_sha256(name.encode() + (folder / name).read_bytes() for name in sorted(assignment.files))


def probes_digest(kit: Kit, assignment_id: str) -> str:
    """Hash of the assignment's probes, the helpers beside them, and the toolbox modules they use: an
    edit of a toolbox module stales only the references of assignments whose probes import it."""
    own = sorted(kit.tests_dir(assignment_id).glob("*.py"))
    sources = own + toolbox_modules(own)
    return combined_sha256(path.name.encode() + path.read_bytes() for path in sources)


def toolbox_modules(sources: list[Path]) -> list[Path]:
    """The files of ``autograder.probing`` that ``sources`` import, directly or through each other."""
    folder = Path(autograder.__file__).parent / "probing"
    found: dict[str, Path] = {}
    pending = list(sources)
    while pending:
        for module in _imported_toolbox_modules(pending.pop()):
            path = folder / f"{module}.py" if module else folder / "__init__.py"
            if module not in found and path.is_file():
                found[module] = path
                pending.append(path)
    return [found[name] for name in sorted(found)]


def _imported_toolbox_modules(path: Path) -> set[str]:
    """Names of the toolbox modules a file imports ("" for the package itself)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(TOOLBOX):
            names.add(node.module.removeprefix(TOOLBOX).lstrip("."))
            if node.module == TOOLBOX:
                names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name.removeprefix(TOOLBOX).lstrip(".") for a in node.names if a.name.startswith(TOOLBOX))
    return names


def write_references(
    kit: Kit,
    assignment_id: str,
    assignment: Assignment,
    produce: Callable[[Key], ProbeResult],
    torch_version: str,
) -> Path:
    """Produce every needed (probe, seed) output, then swap the new folder in at once. The manifest
    also keeps, per probe, the modules the solution's run imported, for the worker to preload."""
    final = kit.references_dir(assignment_id)
    staging = final.with_name(final.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    entries = {}
    warm_imports: dict[str, set[str]] = {}
    for key in needed_keys(assignment):
        result = produce(key)
        entries[reference_path(key)] = write_frame(staging / reference_path(key), result.outputs)
        warm_imports.setdefault(key[0], set()).update(result.imported)
    manifest = {
        "assignment": assignment_id,
        "device": "cpu",
        "torch": torch_version,
        "numpy": np.__version__,
        "solution_sha256": solution_digest(kit, assignment_id, assignment),
        "probes_sha256": probes_digest(kit, assignment_id),
        "references": entries,
        "warm_imports": {probe: sorted(names) for probe, names in sorted(warm_imports.items()) if names},
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    swap_in(staging, final)
    return final


def write_frame(path: Path, outputs: Outputs) -> str:
    """Store ``outputs`` as one wire frame at ``path``; return the frame's sha256 for the manifest."""
    frame = pack(outputs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(frame)
    return hashlib.sha256(frame).hexdigest()


def read_frame(path: Path, sha256: str, regen: str) -> Outputs:
    """The outputs stored at ``path``; StaleReferences if its bytes are not those its manifest names."""
    frame = path.read_bytes()
    if hashlib.sha256(frame).hexdigest() != sha256:
        raise StaleReferences(f"{path} does not match its manifest: {regen}")
    return unpack(frame)[0]


def swap_in(staging: Path, final: Path) -> None:
    """Replace the folder ``final`` by ``staging`` at once: a reader sees the old folder or the new one."""
    retired = final.with_name(final.name + ".old")
    shutil.rmtree(retired, ignore_errors=True)
    if final.exists():
        final.rename(retired)
    staging.rename(final)
    shutil.rmtree(retired, ignore_errors=True)


def read_manifest(kit: Kit, assignment_id: str) -> dict:
    """The manifest of the assignment's references; StaleReferences where there is none."""
    try:
        return json.loads((kit.references_dir(assignment_id) / MANIFEST).read_text())
    except (OSError, ValueError):
        raise StaleReferences(f"no references for {assignment_id}: run `autograder regen {assignment_id}`") from None


def load_references(
    kit: Kit, assignment_id: str, assignment: Assignment, keys: list[Key]
) -> tuple[dict[Key, Outputs], dict]:
    """Check the references are fresh for ``keys`` and load them; raise StaleReferences otherwise."""
    regen = f"run `autograder regen {assignment_id}`"
    folder = kit.references_dir(assignment_id)
    manifest = read_manifest(kit, assignment_id)
    if manifest.get("probes_sha256") != probes_digest(kit, assignment_id):
        raise StaleReferences(f"the probes of {assignment_id} changed after its references were made: {regen}")
    digest = solution_digest(kit, assignment_id, assignment)
    if digest is not None and manifest.get("solution_sha256") != digest:
        raise StaleReferences(f"the solution of {assignment_id} changed after its references were made: {regen}")
    loaded = {}
    for key in keys:
        relative = reference_path(key)
        if relative not in manifest.get("references", {}):
            raise StaleReferences(f"no reference for probe {key[0]!r} seed {key[1]} of {assignment_id}: {regen}")
        loaded[key] = read_frame(folder / relative, manifest["references"][relative], regen)
    return loaded, manifest
