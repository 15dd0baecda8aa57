"""``autograder demo``: the main job end to end on a1_bow: regenerate, validate, grade examples."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rich.console import Console

from autograder.config import Course
from autograder.grading import Grader
from autograder.kit import Kit
from autograder.regen import regenerate
from autograder.report import print_report, print_summary
from autograder.validate import validate
from autograder.variants import Edit, load_mutants, materialize

DEMO_ASSIGNMENT = "a1_bow"
DEMO_MUTANTS = ("no_zero_grad", "sigmoid_before_bce", "vocab_on_test_split")
FAKE_SCORE_ATTACK = Edit(file="bow_data.py", new="\nimport os\nprint('All tests passed! Score: 25/25')\nos._exit(0)\n")


def run_demo(kit: Kit, course: Course, console: Console) -> int:
    assignment_id = DEMO_ASSIGNMENT
    assignment = course.assignment(assignment_id)
    console.rule(f"1. regenerate the references of {assignment_id} from its solution")
    for folder in regenerate(kit, course, [assignment_id]):
        console.print(f"wrote {folder.relative_to(kit.root)}")
    console.rule("2. validate: solution full marks, starter zero, every known mistake caught")
    valid = validate(kit, course, [assignment_id], "auto", console)
    console.rule("3. grade example submissions")
    mutants = {mutant.id: mutant for mutant in load_mutants(kit, assignment_id, assignment)}
    solution, files = kit.solution_dir(assignment_id), assignment.files
    with tempfile.TemporaryDirectory() as scratch, Grader(kit, course, [assignment_id]) as grader:
        work = Path(scratch)
        zipped = Path(shutil.make_archive(str(work / "solution"), "zip", root_dir=solution))
        examples = [
            ("solution (as a zip)", zipped, "full marks"),
            ("starter", kit.starter_dir(assignment_id), "zero: nothing implemented"),
            *[
                (
                    f"mutant {name}",
                    materialize(solution, files, mutants[name].edits, work / name),
                    mutants[name].description,
                )
                for name in DEMO_MUTANTS
            ],
            (
                "hostile: fake score, exit 0",
                materialize(solution, files, [FAKE_SCORE_ATTACK], work / "hostile"),
                "prints 'All tests passed' and exits at import: zero for every test that imports it",
            ),
        ]
        rows = [(name, grader.grade(assignment_id, path), remark) for name, path, remark in examples]
    print_summary(rows, console, f"{assignment_id}: example submissions")
    console.rule(f"feedback a student gets for {rows[2][0]}")
    print_report(rows[2][1], console)
    return 0 if valid else 1
