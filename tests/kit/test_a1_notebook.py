"""The a1_bow notebook: its script regenerates it exactly, and it runs top to bottom on the solution."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
ASSIGNMENT_DIR = ROOT / "assignments" / "a1_bow"
NOTEBOOK = ASSIGNMENT_DIR / "a1_bow.ipynb"
SCRIPT = ASSIGNMENT_DIR / "make_notebook.py"
SOLUTION_DIR = ROOT / "solutions" / "a1_bow"

# The notebook's last training cell prints this line once, after the final epoch.
ACCURACY_LINE = re.compile(r"^validation accuracy: (\d+(?:\.\d+)?)$", re.MULTILINE)
MIN_ACCURACY = 0.70


def _build_notebook(output: Path) -> bytes:
    subprocess.run([sys.executable, str(SCRIPT), "--output", str(output)], check=True, cwd=output.parent, timeout=120)
    return output.read_bytes()


def test_script_regenerates_the_committed_notebook(tmp_path: Path) -> None:
    first = _build_notebook(tmp_path / "a1_bow.ipynb")
    assert first == NOTEBOOK.read_bytes(), (
        "a1_bow.ipynb differs from what make_notebook.py writes: run the script and commit the result"
    )
    assert _build_notebook(tmp_path / "again.ipynb") == first, "make_notebook.py is not deterministic"


def test_committed_notebook_is_clean() -> None:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code_cells)


def test_notebook_runs_on_the_solution(monkeypatch: pytest.MonkeyPatch) -> None:
    # The kernel process inherits this process's environment when it starts.
    monkeypatch.setenv("A1_BOW_CODE", str(SOLUTION_DIR))
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")  # no __pycache__ left in solutions/
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(ASSIGNMENT_DIR)}},
    )
    client.execute()  # raises CellExecutionError if any cell fails

    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    assert not [output for output in outputs if output.output_type == "error"]
    stdout = "".join(output.text for output in outputs if output.output_type == "stream" and output.name == "stdout")
    assert str(SOLUTION_DIR.resolve()) in stdout, "the notebook did not import the code from A1_BOW_CODE"
    accuracies = [float(value) for value in ACCURACY_LINE.findall(stdout)]
    assert accuracies, "no 'validation accuracy: ...' line in the notebook's output"
    assert accuracies[-1] >= MIN_ACCURACY
