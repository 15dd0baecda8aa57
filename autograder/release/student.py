"""The student release: the handout, the notebook, the public data, the starter files, and what
`autograder check` needs to run the visible tests on public seeds (the engine and the public tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.config import Course
from autograder.kit import Kit
from autograder.release.payload import IGNORED, copy_tree, write_public_tests

ENGINE_PACKAGE = Path(__file__).resolve().parents[1]

QUICK_START = """# {title} ({assignment})

Everything for this assignment is in this folder:

- `assignments/{assignment}/README.md`: the handout (start here);
- `assignments/{assignment}/{assignment}.ipynb`: the notebook, which runs your code;
- `starter/{assignment}/`: the files you write ({files});
- the grader's visible tests, which you can run yourself.

Set up once, in this folder:

```bash
python3 -m venv .venv && . .venv/bin/activate && pip install -e .
```

Check your code with the visible tests (the same checks the grader makes, on public inputs; the grader
adds hidden inputs and held-out data):

```bash
autograder check {assignment} --code starter/{assignment}
```

Submit your files ({files}), a zip of them, or a notebook in which each file is one code cell starting
with `%%writefile <file>`.
"""


def write_student_release(kit: Kit, course: Course, assignment_id: str, destination: Path) -> None:
    assignment = course.assignment(assignment_id)
    write_public_tests(kit, course, assignment_id, destination)
    shutil.copytree(ENGINE_PACKAGE, destination / "autograder", ignore=IGNORED, dirs_exist_ok=True)
    shutil.copy2(kit.root / "pyproject.toml", destination / "pyproject.toml")
    handout = destination / "assignments" / assignment_id
    copy_tree(kit.handout_dir(assignment_id), handout)
    (handout / kit.notebook_source(assignment_id).name).unlink(missing_ok=True)  # the .ipynb is built from it
    starter = destination / "starter" / assignment_id
    starter.mkdir(parents=True, exist_ok=True)
    for name in assignment.files:
        shutil.copy2(kit.starter_dir(assignment_id) / name, starter / name)
    files = ", ".join(f"`{name}`" for name in assignment.files)
    text = QUICK_START.format(title=assignment.title, assignment=assignment_id, files=files)
    (destination / "README.md").write_text(text, encoding="utf-8")
