"""Grade a folder of submissions (``autograder grade-all``), combine shards of it (``autograder merge``), and
regrade it after a fix of the tests (``autograder regrade``); flag pairs of its submissions with similar code
(``autograder similarity``).

- ``collect.py``: the submissions of a folder, and the students of a Gradescope export
- ``shard.py``: which submissions one shard of a batch grades (``--shard K/N``)
- ``store.py``: the output folder: its index, its results, which of them are complete
- ``run.py``: grade what is not graded yet, with one warm worker per job and a progress bar
- ``outputs.py``: grades.csv, and the rebuilding of every output from the results
- ``stats.py``: figures made from the results (totals, pass rates, most common failures, unusual tests,
  distribution)
- ``markdown.py``: report.md, from those figures
- ``plot.py``: scores.png, a histogram of the totals
- ``canvas.py``: canvas.csv, the totals as Canvas's gradebook imports them
- ``merge.py``: combine the output folders of shards
- ``regrade.py``: grade a batch again with the current tests, keeping the old results
- ``diff.py``: what a regrade changed, and diff.csv
- ``summary.py``: summary.md of a regrade, old against new feedback
- ``bench.py``: submissions per minute with 1 and N jobs
- ``sources.py``: the code of each submission, as grading reads it, one file per submission
- ``similarity.py``: pairwise similarity of that code (copydetect), similarity.html and similar_pairs.csv
"""


class BatchError(Exception):
    """A batch cannot run or merge (no such folder, two submissions with one id, shards that differ)."""
