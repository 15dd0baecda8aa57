"""The notebook a student can submit: the assignment's notebook with one ``%%writefile <file>`` cell per
file the assignment declares, holding the starter code. Running the cell writes the file beside the
notebook, where the rest of the notebook imports it from; the grader reads the same cells with
nbformat (autograder/submission.py) and never runs the notebook."""

from __future__ import annotations

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.config import load_course
from autograder.kit import Kit
from autograder.notebook import OWN_FOLDER_CODE, build_notebook

YOUR_CODE = """## Your code

Each cell below is one file of your submission: its first line, `%%writefile <file>`, writes the rest
of the cell to that file when you run it, and the grader takes each file from its cell. Write your code
in these cells, run them, then run the notebook. Keep the first line of each cell as it is, and keep
one cell per file."""


def submission_notebook(kit: Kit, assignment_id: str) -> NotebookNode:
    files = load_course(kit).assignment(assignment_id).files
    notebook = build_notebook(kit, assignment_id, code_default=OWN_FOLDER_CODE)
    setup = next(i for i, cell in enumerate(notebook.cells) if cell.cell_type == "code")
    cells = [nbformat.v4.new_markdown_cell(YOUR_CODE, id="your-code")]
    for name in files:
        starter = (kit.starter_dir(assignment_id) / name).read_text(encoding="utf-8")
        cells.append(nbformat.v4.new_code_cell(f"%%writefile {name}\n{starter}", id=f"file-{name.replace('.', '-')}"))
    notebook.cells[setup + 1 : setup + 1] = cells
    nbformat.validate(notebook)
    return notebook
