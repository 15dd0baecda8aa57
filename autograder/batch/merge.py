"""``autograder merge``: combine the output folders of the shards of one batch (the union of their
complete results) and rebuild grades.csv, report.md and scores.png from it."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.batch import BatchError
from autograder.batch.outputs import write_outputs
from autograder.batch.store import INDEX, Entry, Index, open_folder, read_index, read_results, results_path


def merge(folders: list[Path], out: Path) -> tuple[Index, list[str]]:
    """Merge ``folders`` into ``out``; return its index and the ids that no folder has a complete result of."""
    indexes = [_index_of(folder) for folder in folders]
    first = indexes[0]
    for folder, index in zip(folders, indexes, strict=True):
        if (index.assignment, index.tests) != (first.assignment, first.tests):
            raise BatchError(
                f"{folder} graded other tests than {folders[0]} ({index.assignment}: "
                f"{', '.join(t.id for t in index.tests)}): merge shards of one batch only"
            )
    entries: dict[str, Entry] = {}
    graded_in: dict[str, Path] = {}
    for folder, index in zip(folders, indexes, strict=True):
        for entry in index.submissions:
            entries.setdefault(entry.id, entry)
            if entry.id not in graded_in and read_results(folder, entry.id, first.tests) is not None:
                graded_in[entry.id] = folder
    merged = first.model_copy(update={"submissions": [entries[i] for i in sorted(entries)]})
    open_folder(out, merged)
    for submission_id, folder in graded_in.items():
        source, target = results_path(folder, submission_id), results_path(out, submission_id)
        if not target.exists() or not source.samefile(target):
            shutil.copyfile(source, target)
    return merged, write_outputs(out, merged)


def _index_of(folder: Path) -> Index:
    index = read_index(folder)
    if index is None:
        raise BatchError(f"{folder} has no {INDEX}: give the --out folders of `autograder grade-all`")
    return index
