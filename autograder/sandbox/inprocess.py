"""Run probes on a submission in this very process, with no isolation: the floor the benchmark
compares the sandbox against. Never used for grading.

``python -m autograder.sandbox.inprocess`` reads a JSON job on stdin, prints JSON timings: each pass
over all probes, and each probe's median.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

import torch

from autograder.probing.core import Context, evaluation_of, probes_of
from autograder.sandbox import importer
from autograder.sandbox.child import LAZY_OUTPUTS, deterministic_algorithms, make_deterministic
from autograder.sandbox.worker import import_probes


def main() -> None:
    job = json.load(sys.stdin)
    torch.set_num_threads(1)
    deterministic_algorithms()
    probes = probes_of(import_probes(job["assignment"], Path(job["tests"])))
    files = {name: Path(path) for name, path in job["modules"].items()}
    import_student = importer.install(files, list(files))
    for module in files:
        import_student(module)  # imported once, as a plain program would
    totals, each = [], {f"{probe}/{seed}": [] for probe, seed in job["runs_of"]}
    for _ in range(job["runs"]):
        for probe, seed in job["runs_of"]:
            make_deterministic(seed)
            started = time.perf_counter()
            context = Context(seed, torch.device("cpu"), import_student)
            outputs = probes[probe](context)
            computed = {name: value() if type(value) in LAZY_OUTPUTS else value for name, value in outputs.items()}
            evaluation = evaluation_of(probes[probe])
            if evaluation is not None:
                evaluation(context, computed)
            each[f"{probe}/{seed}"].append(time.perf_counter() - started)
        totals.append(sum(times[-1] for times in each.values()))
    per_probe = {key: statistics.median(times) for key, times in each.items()}
    json.dump({"median_s": statistics.median(totals), "runs": totals, "per_probe_s": per_probe}, sys.stdout)


if __name__ == "__main__":
    main()
