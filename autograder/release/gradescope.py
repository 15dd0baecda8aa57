"""Gradescope's autograder zip: ``setup.sh`` and ``run_autograder`` at its root, with the engine and the
grading payload of one assignment beside them.

Gradescope unpacks the zip to /autograder/source, runs ``setup.sh`` once as root to build its image
(Ubuntu 22.04, with the internet), then ``run_autograder`` for each submission, which it places in
/autograder/submission, and reads /autograder/results/results.json.
"""

from __future__ import annotations

import importlib.metadata
import re
import tempfile
import tomllib
import zipfile
from pathlib import Path

from autograder.config import Course
from autograder.kit import Kit
from autograder.release.payload import write_grading_payload
from autograder.release.student import ENGINE_PACKAGE

CPU_INDEX = "https://download.pytorch.org/whl/cpu"
GPU_INDEX = "https://download.pytorch.org/whl/cu128"

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, to build the autograder's image. It installs Python {python},
# PyTorch {torch} ({build} build) and the pinned requirements into /autograder/venv.
# AUTOGRADER_TORCH_INDEX overrides where torch comes from ("" = the default index, e.g. a mirror's).
set -euo pipefail
cd "$(dirname "$0")"
python=python{python}
if ! command -v "$python" >/dev/null || ! "$python" -m venv --help >/dev/null 2>&1; then
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q software-properties-common
    add-apt-repository -y ppa:deadsnakes/ppa
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$python" "$python-venv"
fi
venv="${{AUTOGRADER_VENV:-/autograder/venv}}"
"$python" -m venv "$venv"
"$venv/bin/pip" install -q --upgrade pip
index="${{AUTOGRADER_TORCH_INDEX-{index}}}"
"$venv/bin/pip" install -q "torch=={torch}" ${{index:+--index-url "$index"}}
"$venv/bin/pip" install -q -r requirements.txt
"$venv/bin/pip" install -q --no-deps .
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for each submission: grade /autograder/submission, write results.json.
cd "$(dirname "$0")"
venv="${{AUTOGRADER_VENV:-/autograder/venv}}"
results=/autograder/results/results.json
mkdir -p /autograder/results
"$venv/bin/autograder" grade /autograder/submission --assignment {assignment} --results "$results"
status=$?
if [ ! -s "$results" ]; then  # the grader itself failed: say so on Gradescope rather than show nothing
    printf '{{"score": 0, "output": "The autograder could not grade this submission (exit status %s). '\\
'Please tell your course staff.", "tests": []}}\\n' "$status" > "$results"
fi
"""


def pinned_requirements(kit: Kit) -> list[str]:
    """The kit's dependencies (torch apart), pinned to the versions installed where the zip is built."""
    project = tomllib.loads((kit.root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = [re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0] for requirement in project["dependencies"]]
    return [f"{name}=={importlib.metadata.version(name)}" for name in names if name != "torch"]


def torch_version() -> str:
    return importlib.metadata.version("torch").split("+")[0]


def write_gradescope_zip(kit: Kit, course: Course, assignment_id: str, path: Path, gpu: bool = False) -> None:
    with tempfile.TemporaryDirectory() as folder:
        payload = Path(folder)
        write_grading_payload(kit, course, assignment_id, payload)
        _write_zip(kit, assignment_id, path, payload, gpu)


def _write_zip(kit: Kit, assignment_id: str, path: Path, payload: Path, gpu: bool) -> None:
    scripts = {
        "setup.sh": SETUP.format(
            python="3.11", torch=torch_version(), build="CUDA" if gpu else "CPU", index=GPU_INDEX if gpu else CPU_INDEX
        ),
        "run_autograder": RUN.format(assignment=assignment_id),
        "requirements.txt": "\n".join(pinned_requirements(kit)) + "\n",
        "README.md": f"# Autograder of {assignment_id}\n\nBuilt by `autograder build {assignment_id}`.\n",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in scripts.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in {"setup.sh", "run_autograder"} else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
        archive.write(kit.root / "pyproject.toml", "pyproject.toml")
        for base, prefix in ((ENGINE_PACKAGE, "autograder"), (payload, "")):
            for file in sorted(p for p in base.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
                archive.write(file, f"{prefix}/{file.relative_to(base)}" if prefix else str(file.relative_to(base)))
