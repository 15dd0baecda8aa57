"""Grade a folder of submissions (``autograder grade-all``) and combine shards of it (``autograder merge``).

- ``collect.py``: the submissions of a folder, and the students of a Gradescope export
- ``shard.py``: which submissions one shard of a batch grades (``--shard K/N``)
- ``store.py``: the output folder: its index, its results, which of them are complete
- ``run.py``: grade what is not graded yet, with one warm worker per job and a progress bar
- ``outputs.py``: grades.csv, and the rebuilding of every output from the results
- ``stats.py``: figures made from the results (totals, pass rates, most common failures, distribution)
- ``markdown.py``: report.md, from those figures
- ``plot.py``: scores.png, a histogram of the totals
- ``merge.py``: combine the output folders of shards
- ``bench.py``: submissions per minute with 1 and N jobs
"""


class BatchError(Exception):
    """A batch cannot run or merge (no such folder, two submissions with one id, shards that differ)."""
