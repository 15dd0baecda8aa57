"""Every assignment's notebook: built by the one builder from its notebook.md, committed exactly as built,
and run top to bottom on the solution, reading the code folder from AUTOGRADER_CODE."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from kit_support import ASSIGNMENTS, ROOT
from nbclient import NotebookClient

from autograder.config import ConfigError
from autograder.kit import Kit
from autograder.notebook import CODE_ENV, notebook_text, parse_cells

KIT = Kit(ROOT)
CELL_TIMEOUT_S = 300


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_committed_notebook_is_what_the_builder_writes(assignment_id: str) -> None:
    path = KIT.notebook_path(assignment_id)
    assert path.read_text(encoding="utf-8") == notebook_text(KIT, assignment_id), (
        f"{path.name} differs from its notebook.md: run `autograder notebook {assignment_id}` and commit the result"
    )
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and all(cell.outputs == [] and cell.execution_count is None for cell in code)


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_notebook_runs_on_the_solution(assignment_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    solution = KIT.solution_dir(assignment_id).resolve()
    monkeypatch.setenv(CODE_ENV, str(solution))  # the kernel inherits this process's environment
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # no __pycache__ left in solutions/
    notebook = nbformat.read(KIT.notebook_path(assignment_id), as_version=4)
    client = NotebookClient(
        notebook, timeout=CELL_TIMEOUT_S, kernel_name="python3",
        resources={"metadata": {"path": str(KIT.handout_dir(assignment_id))}},
    )
    client.execute()  # raises CellExecutionError if any cell fails
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    printed = "".join(o.text for o in outputs if o.output_type == "stream" and o.name == "stdout")
    assert f"code from: {solution}" in printed, f"the notebook did not take its code from {CODE_ENV}"


def test_markdown_source_cells() -> None:
    """Fenced python blocks are code cells, text between them markdown, and +++ splits markdown cells."""
    text = "# Title\n\nIntro.\n\n+++\n\nMore.\n\n```python\nx = 1\n```\n\nAfter.\n"
    assert parse_cells(text, Path("n.md")) == [
        ("markdown", "# Title\n\nIntro."), ("markdown", "More."), ("code", "x = 1"), ("markdown", "After.")
    ]
    with pytest.raises(ConfigError, match=re.escape("n.md:3: a ```python block is never closed")):
        parse_cells("Text\n\n```python\nx = 1\n", Path("n.md"))
