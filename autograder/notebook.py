"""Build each assignment's notebook from its Markdown source, ``assignments/<id>/notebook.md``.

The source is the notebook as a reader sees it: every fenced block opened with ```python is a code
cell, the text between code blocks is a markdown cell, and a line holding only ``+++`` splits two
markdown cells. The builder puts one setup cell before the first code cell, the same for every
assignment: it reads the student's code folder from ``AUTOGRADER_CODE`` (default: the assignment's
starter), puts it on ``sys.path`` and names the notebook's folder ``ASSIGNMENT_DIR``. Cell ids are
fixed and outputs empty, so building twice gives the same bytes.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

from autograder.config import ConfigError
from autograder.kit import Kit

CODE_ENV = "AUTOGRADER_CODE"
FENCE = re.compile(r"^```python[ \t]*$")
SPLIT = "+++"

SETUP = '''import os
import sys
from pathlib import Path

# The folder of this notebook, and your code: {code_default_words}, unless the environment variable
# {env} names another folder (the grader's tests of this notebook use the solution).
ASSIGNMENT_DIR = Path.cwd().resolve()
CODE_DIR = Path(os.environ.get("{env}") or {code_default}).resolve()
if str(CODE_DIR) not in sys.path:
    sys.path.insert(0, str(CODE_DIR))
print("code from:", CODE_DIR)'''


def parse_cells(text: str, source: Path) -> list[tuple[str, str]]:
    """(kind, source) of every cell of a notebook written as Markdown, in order."""
    cells: list[tuple[str, str]] = []
    lines: list[str] = []
    in_code = False

    def close(kind: str) -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            cells.append((kind, body))
        lines.clear()

    for number, line in enumerate(text.splitlines(), start=1):
        if not in_code and FENCE.match(line):
            close("markdown")
            in_code, opened = True, number
        elif in_code and line.strip() == "```":
            close("code")
            in_code = False
        elif not in_code and line.strip() == SPLIT:
            close("markdown")
        else:
            lines.append(line)
    if in_code:
        raise ConfigError(f"{source}:{opened}: a ```python block is never closed")
    close("markdown")
    return cells


STARTER_CODE = ("starter/{assignment}", 'ASSIGNMENT_DIR / "../../starter/{assignment}"')
OWN_FOLDER_CODE = ("the files that the cells under \"Your code\" write here", "ASSIGNMENT_DIR")


def build_notebook(kit: Kit, assignment_id: str, code_default: tuple[str, str] = STARTER_CODE) -> NotebookNode:
    """The notebook of ``assignment_id``; ``code_default`` is where its code comes from when
    AUTOGRADER_CODE is not set: (words for the reader, a Python expression)."""
    source = kit.notebook_source(assignment_id)
    try:
        text = source.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{source}: cannot read the notebook's source: {error.strerror}") from None
    cells = parse_cells(text, source)
    first_code = next((i for i, (kind, _) in enumerate(cells) if kind == "code"), len(cells))
    words, expression = (part.format(assignment=assignment_id) for part in code_default)
    setup = SETUP.format(code_default_words=words, code_default=expression, env=CODE_ENV)
    cells.insert(first_code, ("code", setup))
    notebook = nbformat.v4.new_notebook()
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for number, (kind, body) in enumerate(cells):
        make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
        notebook.cells.append(make(body, id=f"cell-{number:02d}"))
    nbformat.validate(notebook)
    return notebook


def notebook_text(kit: Kit, assignment_id: str) -> str:
    """The .ipynb file's exact text."""
    return nbformat.writes(build_notebook(kit, assignment_id)) + "\n"


def write_notebook(kit: Kit, assignment_id: str) -> Path:
    path = kit.notebook_path(assignment_id)
    path.write_text(notebook_text(kit, assignment_id), encoding="utf-8")
    return path
