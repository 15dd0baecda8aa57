"""scores.png: a histogram of the totals, drawn with matplotlib's Agg canvas (no display, no pyplot state
shared between threads)."""

from __future__ import annotations

from pathlib import Path

from autograder.batch.stats import Graded, histogram, max_total
from autograder.batch.store import Index


def write_plot(path: Path, index: Index, graded: list[Graded]) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # loaded only when a batch ends
    from matplotlib.figure import Figure

    counts, edges = histogram(index, graded)
    figure = Figure(figsize=(6.4, 3.6))
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    axes.stairs(counts, edges, fill=True, edgecolor="white")
    axes.set_xlabel(f"total (out of {max_total(index):g})")
    axes.set_ylabel("submissions")
    axes.set_title(f"{index.assignment}: {len(graded)} submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
