"""grading.yaml: the course's grading policy, validated on load.

Every error names the file, the assignment, the test and the field, so a TA can fix it at once.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from autograder.kit import Kit

Device = Literal["cpu", "cuda"]
Visibility = Literal["visible", "hidden", "after_due_date", "after_published"]
PROBE_DECORATOR = "probe"


class ConfigError(Exception):
    """grading.yaml (or a file it names) is wrong; the message says where and how."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(Strict):
    rtol: float = Field(ge=0)
    atol: float = Field(ge=0)


class Limits(Strict):
    timeout_s: float = Field(gt=0, le=3600)
    memory_mb: int = Field(gt=0)
    file_size_mb: int = Field(gt=0)
    output_kb: int = Field(gt=0)


class TestBase(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    probe: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    points: float = Field(ge=0)
    visibility: Visibility = "visible"
    seeds: list[int] = Field(min_length=1)  # default: the assignment's seeds
    hidden_seeds: list[int] = []  # default: the assignment's hidden_seeds
    timeout_s: float | None = Field(default=None, gt=0, le=3600)
    memory_mb: int | None = Field(default=None, gt=0)
    tolerance: dict[Device, Tolerance] = {}
    hint: str | None = Field(default=None, min_length=1)  # shown when the test fails, like a TA's remark

    @model_validator(mode="after")
    def _distinct_seeds(self) -> TestBase:
        every = self.seeds + self.hidden_seeds
        if len(set(every)) != len(every):
            raise ValueError("seeds and hidden_seeds must all be different")
        return self

    @property
    def all_seeds(self) -> list[int]:
        return self.seeds + self.hidden_seeds


class CompareTest(TestBase):
    outputs: list[str] | None = None  # default: every output of the probe
    dtype: Literal["family", "exact"] = "family"


class ShapeTest(CompareTest):
    rule: Literal["shape"]


class ValueTest(CompareTest):
    rule: Literal["value"]


class GradientTest(CompareTest):
    rule: Literal["gradient"]


class AccuracyTest(TestBase):
    rule: Literal["accuracy"]
    output: str
    labels: str  # a file of one integer label per line, relative to tests/<assignment>/ (may be a sibling's)
    threshold: float = Field(gt=0, le=1)
    floor: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _floor_below_threshold(self) -> AccuracyTest:
        if self.floor is not None and self.floor >= self.threshold:
            raise ValueError("floor must be below threshold")
        return self


class PropertyTest(TestBase):
    rule: Literal["property"]
    check: Literal["decreasing", "increasing", "equal"]
    outputs: list[str] = Field(min_length=1, max_length=2)
    anchor: list[str] = []  # outputs that must also equal the reference: ties the property to the solution

    @model_validator(mode="after")
    def _arity(self) -> PropertyTest:
        if len(self.outputs) != (2 if self.check == "equal" else 1):
            raise ValueError(f"check {self.check!r} takes {'two outputs' if self.check == 'equal' else 'one output'}")
        return self


TestSpec = Annotated[
    ShapeTest | ValueTest | GradientTest | AccuracyTest | PropertyTest, Field(discriminator="rule")
]


class Assignment(Strict):
    title: str
    files: list[str] = Field(min_length=1)
    preload: list[str] = []  # modules the warm worker imports for this assignment's code
    seeds: list[int] = Field(default=[0], min_length=1)  # public seeds of every test that gives none
    hidden_seeds: list[int] = []  # hidden seeds of every test that gives none
    tests: list[TestSpec] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _seed_defaults(cls, raw: Any) -> Any:
        """A test without ``seeds`` or ``hidden_seeds`` takes the assignment's."""
        if not isinstance(raw, dict) or not isinstance(raw.get("tests"), list):
            return raw
        defaults = {key: raw[key] for key in ("seeds", "hidden_seeds") if key in raw}
        defaults.setdefault("seeds", [0])
        tests = [{**defaults, **test} if isinstance(test, dict) else test for test in raw["tests"]]
        return {**raw, "tests": tests}

    @model_validator(mode="after")
    def _unique_ids(self) -> Assignment:
        ids = [test.id for test in self.tests]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate test ids: {', '.join(duplicates)}")
        return self

    def test(self, test_id: str) -> TestSpec:
        return next(test for test in self.tests if test.id == test_id)

    @property
    def module_names(self) -> list[str]:
        return [Path(name).stem for name in self.files]


class Course(Strict):
    version: Literal[1]
    defaults: Limits
    tolerances: dict[Device, Tolerance]
    assignments: dict[str, Assignment] = Field(min_length=1)

    def assignment(self, assignment_id: str) -> Assignment:
        if assignment_id not in self.assignments:
            known = ", ".join(sorted(self.assignments))
            raise ConfigError(f"no assignment {assignment_id!r} in grading.yaml (known: {known})")
        return self.assignments[assignment_id]

    def limits(self, test: TestBase) -> Limits:
        return self.defaults.model_copy(
            update={k: v for k, v in {"timeout_s": test.timeout_s, "memory_mb": test.memory_mb}.items() if v}
        )

    def tolerance(self, test: TestBase, device: Device) -> Tolerance:
        return test.tolerance.get(device, self.tolerances[device])


def load_course(kit: Kit) -> Course:
    """Read and validate grading.yaml, then check what it names exists (probes, files, labels)."""
    path = kit.config_path
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping at the top level")
    try:
        course = Course.model_validate(raw)
    except ValidationError as error:
        raise ConfigError(_describe(path, raw, error)) from None
    for assignment_id, assignment in course.assignments.items():
        _check_assignment(kit, assignment_id, assignment)
    return course


def _describe(path: Path, raw: dict[str, Any], error: ValidationError) -> str:
    """One line per problem: file, assignment, test (by id) and field."""
    lines = [f"{path}: {error.error_count()} problem(s)"]
    for problem in error.errors():
        loc = list(problem["loc"])
        where = []
        if loc[:1] == ["assignments"] and len(loc) > 1:
            assignment_id = loc[1]
            where.append(f"assignment {assignment_id!r}")
            if loc[2:3] == ["tests"] and len(loc) > 3 and isinstance(loc[3], int):
                tests = raw.get("assignments", {}).get(assignment_id, {}).get("tests", [])
                test = tests[loc[3]] if loc[3] < len(tests) else {}
                test_id = test.get("id") if isinstance(test, dict) else None
                where.append(f"test {test_id!r}" if test_id else f"test #{loc[3] + 1}")
                rest = [str(part) for part in loc[4:]]
                if rest and rest[0] in {"shape", "value", "gradient", "accuracy", "property"}:
                    rest = rest[1:]  # the rule tag pydantic adds for the union
            else:
                rest = [str(part) for part in loc[2:]]
        else:
            rest = [str(part) for part in loc]
        field = ".".join(rest) or "(entry)"
        lines.append(f"  {', '.join([*where, f'field {field!r}'])}: {problem['msg']}")
    return "\n".join(lines)


def _check_assignment(kit: Kit, assignment_id: str, assignment: Assignment) -> None:
    where = f"{kit.config_path}: assignment {assignment_id!r}"
    for name in assignment.files:
        stem = Path(name).stem
        if Path(name).name != name or not name.endswith(".py") or not stem.isidentifier():
            raise ConfigError(f"{where}, field 'files': {name!r} is not a plain module file name like model.py")
        if stem in sys.stdlib_module_names or importlib.util.find_spec(stem) is not None:
            raise ConfigError(f"{where}, field 'files': {name!r} would shadow the installed module {stem!r}")
    probes = probe_names(kit, assignment_id)
    for test in assignment.tests:
        if test.probe not in probes:
            raise ConfigError(
                f"{where}, test {test.id!r}, field 'probe': no probe {test.probe!r} in "
                f"{kit.probes_path(assignment_id)} (probes there: {', '.join(sorted(probes)) or 'none'})"
            )
        if isinstance(test, AccuracyTest):
            labels = kit.labels_path(assignment_id, test.labels)
            if not labels.is_relative_to(kit.root / "tests") or not labels.is_file():
                raise ConfigError(
                    f"{where}, test {test.id!r}, field 'labels': no file {test.labels!r} in tests/{assignment_id}"
                    " (a path relative to that folder, inside tests/)"
                )


def probe_names(kit: Kit, assignment_id: str) -> set[str]:
    """The functions decorated with ``@probe`` in the assignment's probes.py, read without importing it."""
    path = kit.probes_path(assignment_id)
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except OSError:
        raise ConfigError(f"{kit.config_path}: assignment {assignment_id!r}: missing {path}") from None
    except SyntaxError as error:
        raise ConfigError(f"{path}:{error.lineno}: {error.msg}") from None
    except ValueError as error:  # not UTF-8, or a NUL byte
        raise ConfigError(f"{path}: not a readable Python file ({error})") from None
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
        and any(isinstance(d, ast.Name) and d.id == PROBE_DECORATOR for d in node.decorator_list)
    }
