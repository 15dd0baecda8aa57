"""``autograder demo``: the main job end to end, for every assignment (or one): regenerate the references,
validate the tests, and grade example submissions (the solution as a zip, the starter, known mistakes,
a hostile submission), with one table of scores and the feedback a student gets for one mistake."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from rich.console import Console

from autograder.config import Course
from autograder.grading import Grader, GradeReport
from autograder.kit import Kit
from autograder.regen import regenerate
from autograder.report import print_report, print_summary
from autograder.validate import validate
from autograder.variants import Edit, build, load_mutants, materialize

MUTANTS_SHOWN = 3
FAKE_SCORE_ATTACK = "\nimport os\nprint('All tests passed! Score: 100/100')\nos._exit(0)\n"


def run_demo(kit: Kit, course: Course, assignment_ids: list[str], console: Console) -> int:
    console.rule("1. regenerate the references from the solutions")
    for folder in regenerate(kit, course, assignment_ids):
        console.print(f"wrote {folder.relative_to(kit.root)}")
    console.rule("2. validate: solutions and correct alternatives full marks, starters zero, known mistakes caught")
    valid = validate(kit, course, assignment_ids, "auto", console)
    console.rule("3. grade example submissions")
    rows: list[tuple[str, GradeReport, str]] = []
    with tempfile.TemporaryDirectory() as scratch, Grader(kit, course, assignment_ids) as grader:
        for assignment_id in assignment_ids:
            examples = _examples(kit, course, assignment_id, Path(scratch) / assignment_id)
            rows += [(f"{assignment_id}: {name}", grader.grade(assignment_id, path), remark)
                     for name, path, remark in examples]
    print_summary(rows, console, "example submissions")
    shown = next((row for row in rows if "mutant" in row[0]), None)
    if shown:
        console.rule(f"feedback a student gets for {shown[0]}")
        print_report(shown[1], console)
    return 0 if valid else 1


def _examples(kit: Kit, course: Course, assignment_id: str, work: Path) -> list[tuple[str, Path, str]]:
    """(name, submission, what to expect) for one assignment."""
    assignment = course.assignment(assignment_id)
    solution, files = kit.solution_dir(assignment_id), assignment.files
    work.mkdir(parents=True)
    zipped = Path(shutil.make_archive(str(work / "solution"), "zip", root_dir=solution))
    mutants = load_mutants(kit, assignment_id, assignment)[:MUTANTS_SHOWN]
    attack = [Edit(file=name, new=FAKE_SCORE_ATTACK) for name in files]
    return [
        ("solution (as a zip)", zipped, "full marks"),
        ("starter", kit.starter_dir(assignment_id), "zero: nothing implemented"),
        *[(f"mutant {m.id}", build(kit, assignment_id, assignment, m, work / m.id), m.description) for m in mutants],
        (
            "hostile: fake score, exit 0",
            materialize(solution, files, attack, work / "hostile"),
            "prints 'All tests passed' and exits at import: zero for every test",
        ),
    ]
