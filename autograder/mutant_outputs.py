"""What each known mistake returns: the outputs of the mutants of ``tests/<id>/mutants.yaml``, with which
the judge names the mistake behind a failed test (:mod:`autograder.naming`).

Layout: ``tests/<id>/mutant_outputs/manifest.json`` and ``<mutant>/<probe>/seed-<n>.bin``, beside the
references, written by ``regen`` after them, the same bytes each time. A mutant is stored on the runs
that grading it on its ``must_fail`` tests makes (public seeds first, then hidden ones until it has
failed them all; the probes of held-out accuracy tests apart), with the outputs that are values: a run
that crashed or timed out, or an output that raised, is left out, since the feedback already shows that
error. The store is the judge's alone: the grading payload of Gradescope and Otter carries it (its fresh
mutants only, each with its description, since the payload has no mutants.yaml), the student release
does not, and the sandbox never sees ``tests/``. A mutant whose files (its edits or the solution) or
probes changed since is stale and named nowhere; a missing store names nothing; grading goes on either way.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from autograder.config import Assignment, ConfigError
from autograder.kit import Kit
from autograder.naming import KnownMistake
from autograder.references import (
    MANIFEST,
    Key,
    StaleReferences,
    combined_sha256,
    probes_digest,
    read_frame,
    reference_path,
    swap_in,
    write_frame,
)
from autograder.variants import Mutant, load_mutants, variant_sources
from autograder.wire import Outputs


class _Stored(BaseModel):
    model_config = ConfigDict(extra="forbid")
    probe: str
    seed: int
    sha256: str


class _StoredMutant(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: str
    must_fail: list[str]
    sources_sha256: str
    """Hash of the mutant's files as its edits make them: its outputs are stale once they differ."""
    outputs: list[_Stored]


class _Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    assignment: str
    probes_sha256: str
    mutants: dict[str, _StoredMutant]


@dataclass(frozen=True)
class MutantOutputs:
    """The known mistakes that feedback can name, and why any others cannot ("" when none is missing)."""

    known: list[KnownMistake]
    missing: str


def write_mutant_outputs(
    kit: Kit, assignment_id: str, assignment: Assignment, produce: Callable[[Mutant], dict[Key, Outputs]]
) -> Path:
    """Store what ``produce`` gives for every mutant, then swap the new folder in at once."""
    final = kit.mutant_outputs_dir(assignment_id)
    staging = final.with_name(final.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    mutants = {}
    for mutant in load_mutants(kit, assignment_id, assignment):
        stored = [
            _Stored(probe=key[0], seed=key[1], sha256=write_frame(staging / mutant.id / reference_path(key), outputs))
            for key, outputs in sorted(produce(mutant).items())
        ]
        mutants[mutant.id] = _StoredMutant(
            description=mutant.description,
            must_fail=mutant.must_fail,
            sources_sha256=_sources_digest(kit, assignment_id, assignment, mutant),
            outputs=stored,
        )
    manifest = _Manifest(assignment=assignment_id, probes_sha256=probes_digest(kit, assignment_id), mutants=mutants)
    (staging / MANIFEST).write_text(json.dumps(manifest.model_dump(), indent=2, sort_keys=True) + "\n")
    swap_in(staging, final)
    return final


def load_mutant_outputs(kit: Kit, assignment_id: str, assignment: Assignment) -> MutantOutputs:
    """The fresh outputs of every mutant; a mutant that has none, or stale ones, is left out and said."""
    regen = f"run `autograder regen {assignment_id}`"
    try:
        manifest = _read_manifest(kit.mutant_outputs_dir(assignment_id))
        expected = _expected(kit, assignment_id, assignment, manifest)
    except (OSError, ValueError, ConfigError):
        return MutantOutputs([], f"the outputs of the known mistakes are missing or unreadable: {regen}")
    if manifest.probes_sha256 != probes_digest(kit, assignment_id):
        return MutantOutputs([], f"the probes changed after the known mistakes' outputs were stored: {regen}")
    known, stale = [], []
    for mutant_id, description, must_fail, sources in expected:
        entry = manifest.mutants.get(mutant_id)
        fresh = entry is not None and sources in (None, entry.sources_sha256)
        outputs = _stored_outputs(kit, assignment_id, mutant_id, entry, regen) if fresh else None
        if outputs is None:
            stale.append(mutant_id)
        else:
            known.append(KnownMistake(mutant_id, description, frozenset(must_fail), outputs))
    missing = f"no fresh outputs of {', '.join(stale)}: {regen}" if stale else ""
    return MutantOutputs(known, missing)


def copy_fresh_mutant_outputs(kit: Kit, assignment_id: str, assignment: Assignment, destination: Path) -> None:
    """Copy the fresh part of the store to ``destination`` (a grading payload's tests/<id>/mutant_outputs),
    which then needs no mutants.yaml nor solution to be read; copy nothing where there is no store."""
    source = kit.mutant_outputs_dir(assignment_id)
    fresh = [mistake.id for mistake in load_mutant_outputs(kit, assignment_id, assignment).known]
    if not fresh:
        return
    manifest = _read_manifest(source)
    manifest.mutants = {mutant_id: manifest.mutants[mutant_id] for mutant_id in fresh}
    for mutant_id, entry in manifest.mutants.items():
        if entry.outputs:  # a mistake that raised on every run stored nothing
            shutil.copytree(source / mutant_id, destination / mutant_id)
    # mutants.yaml's order, which breaks ties between equal matches, is kept as the order of the keys
    (destination / MANIFEST).write_text(json.dumps(manifest.model_dump(), indent=2) + "\n")


def _read_manifest(folder: Path) -> _Manifest:
    return _Manifest.model_validate_json((folder / MANIFEST).read_text())


def _expected(
    kit: Kit, assignment_id: str, assignment: Assignment, manifest: _Manifest
) -> list[tuple[str, str, list[str], str | None]]:
    """Each mistake to name: its id, description, must_fail tests and the hash of its files. In the kit
    they come from mutants.yaml; in a grading payload, which has no mutants.yaml and holds only what was
    fresh when it was copied, from the store (no hash: None)."""
    if not kit.mutants_path(assignment_id).is_file():
        return [(mutant_id, entry.description, entry.must_fail, None) for mutant_id, entry in manifest.mutants.items()]
    expected = []
    for mutant in load_mutants(kit, assignment_id, assignment):
        try:
            sources = _sources_digest(kit, assignment_id, assignment, mutant)
        except ConfigError:  # an edit that no longer applies: nothing stored can be fresh
            sources = ""
        expected.append((mutant.id, mutant.description, mutant.must_fail, sources))
    return expected


def _stored_outputs(
    kit: Kit, assignment_id: str, mutant_id: str, entry: _StoredMutant, regen: str
) -> dict[Key, Outputs] | None:
    """A mutant's stored outputs, or None where a file is gone or altered."""
    folder = kit.mutant_outputs_dir(assignment_id) / mutant_id
    try:
        return {
            (item.probe, item.seed): read_frame(folder / reference_path((item.probe, item.seed)), item.sha256, regen)
            for item in entry.outputs
        }
    except (OSError, StaleReferences):
        return None


def _sources_digest(kit: Kit, assignment_id: str, assignment: Assignment, mutant: Mutant) -> str:
    sources = variant_sources(kit, assignment_id, assignment, mutant)
    return combined_sha256(name.encode() + b"\0" + text.encode() for name, text in sorted(sources.items()))
