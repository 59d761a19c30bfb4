"""EigenNAS-style selection on a uniform sample of NAS-Bench-201, as the training-free papers
report selection (issue 26, item 4).

EigenNAS (Zhu et al. 2022) keeps, of ``N`` cells drawn uniformly from the space, the one
whose NTK has the largest smallest eigenvalue, and the papers of its kind (NASWOT,
TE-NAS) report that pick's 200-epoch test accuracy as mean ± std over repeated draws.
Here the draws come from the cells of ``data/nb201-cifar-ntk/zhu_uniform_cifar10.csv``
that form an unbroken prefix of the fixed random order (:func:`uniform_sample`): a
uniform sample of the 15,625. lambda_min is Zhu's kernel at batch 16 on CIFAR-10 images
only, and the same pick is reported on CIFAR-10, CIFAR-100 and ImageNet16-120, as HNAS's
official code measures M and kappa once on CIFAR-10 (shuyao95/HNAS
``nasbench/nasbench2_pred.py`` l.36). The reference numbers 93.46 / 71.42 / 45.54 come
from a public leaderboard (:mod:`nascore.papers`, a secondary source), whose ``N`` is not
stated there.

- :func:`uniform_sample`: the scored cells that form a uniform sample, with their λ_min;
- :func:`selection_table`: best-of-``N`` by the largest λ_min beside a random pick of the
  same ``N`` draws, per ``N`` and dataset (mean, std, 95 % interval of the mean);
- :func:`attempted`, :func:`verdict`: which ``N`` rest on enough cells, and the verdict rule.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..search.report import summarise
from ..search.selection import best_of_n
from .hnas_cifar import EIGENNAS_LEADERBOARD, EIGENNAS_TOLERANCE, ZHU_CPU_BATCH, uniform_positions

#: The draws EigenNAS reports (N = 100 and 1,000) and how often each is repeated.
NS = (100, 1000)
REPEATS = 500
#: No verdict rests on fewer scored cells than this (issue 26).
MIN_CELLS = 100
#: A draw of ``N`` needs a population of at least ``MIN_CELLS_PER_DRAW * N`` cells: with
#: fewer, repeated draws share most of their cells and the repeats say little.
MIN_CELLS_PER_DRAW = 2
#: The λ_min column (batch 16, the CPU batch) and the datasets the pick is reported on.
COLUMN = f"ntk_lambda_min_b{ZHU_CPU_BATCH}"
DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
METHODS = ("largest lambda_min", "random pick")


def uniform_sample(stats: pd.DataFrame, order) -> pd.DataFrame:
    """The rows of ``stats`` (``arch`` and :data:`COLUMN`) that form an unbroken prefix of the
    fixed random ``order`` (per shard, :func:`nascore.analysis.hnas_cifar.uniform_positions`),
    in that order: which cells are kept depends only on how far the job got, so they are
    a uniform sample. A NaN λ_min stays (the cell was scored; it ranks last)."""
    if "arch" not in stats or COLUMN not in stats:
        raise ValueError(f"stats needs columns 'arch' and {COLUMN!r}; has {list(stats.columns)}")
    keep = uniform_positions(list(order), set(stats.arch))
    return stats.set_index("arch").loc[keep, [COLUMN]].reset_index()


def attempted(n_cells: int, n: int) -> bool:
    """Whether best-of-``n`` rests on enough cells: at least :data:`MIN_CELLS` and at least
    :data:`MIN_CELLS_PER_DRAW` times ``n``.

    >>> attempted(200, 100), attempted(199, 100), attempted(99, 10)
    (True, False, False)
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1) or n_cells < 0:
        raise ValueError(f"need n >= 1 (an integer) and n_cells >= 0, got n={n!r}, n_cells={n_cells!r}")
    return n_cells >= MIN_CELLS and n_cells >= MIN_CELLS_PER_DRAW * n


def selection_table(sample: pd.DataFrame, tests: dict, *, ns=NS, repeats: int = REPEATS, seed: int = 0,
                    n_boot: int = 1000) -> pd.DataFrame:
    """Best-of-``N`` selection on ``sample`` (:func:`uniform_sample`), one row per ``N``,
    method and dataset of ``tests`` (dataset -> Series of 200-epoch test accuracy by arch).

    Each repeat draws ``N`` cells without replacement (:func:`nascore.search.selection.best_of_n`,
    ties by ``arch``); ``largest lambda_min`` keeps the largest λ_min; ``random pick`` keeps
    one of the ``N`` drawn at random, that is a uniform cell of the population, drawn
    independently per repeat. Columns: ``n_cells``, ``N``, ``repeats``,
    ``method``, ``dataset``, ``status`` ("run", or "not attempted" where
    :func:`attempted` says the population is too small), ``mean``, ``std`` (ddof 1),
    ``low``/``high`` (95 % bootstrap interval of the mean over repeats) and ``paper``
    (the leaderboard's EigenNAS number, secondary)."""
    if not (isinstance(repeats, (int, np.integer)) and repeats >= 1):
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    sample = sample.sort_values("arch", ignore_index=True)
    keys, n_cells = sample.arch.to_numpy(), len(sample)
    rows = []
    for n in ns:
        run = attempted(n_cells, int(n))
        for method in METHODS:
            picks = None
            if run and method == "random pick":  # one of the N drawn at random: a uniform cell of the population
                picks = np.random.default_rng([seed, int(n)]).integers(n_cells, size=int(repeats))
            elif run:
                picks = best_of_n(sample[COLUMN].to_numpy(float), int(n), int(repeats), seed=seed, keys=keys)
            for dataset, test in tests.items():
                row = {"n_cells": n_cells, "N": int(n), "repeats": int(repeats), "method": method, "dataset": dataset,
                       "status": "run" if run else "not attempted", "mean": np.nan, "std": np.nan, "low": np.nan,
                       "high": np.nan, "paper": EIGENNAS_LEADERBOARD[dataset]}
                if run:
                    accuracy = test.loc[keys[picks]].to_numpy(float)
                    summary = summarise(accuracy, n_boot=n_boot, seed=seed)
                    row.update(mean=summary["mean"], std=summary["std"], low=summary["low"], high=summary["high"])
                rows.append(row)
    return pd.DataFrame(rows)


def verdict(table: pd.DataFrame) -> tuple[str, int | None]:
    """The verdict of "best-of-N by the largest λ_min reaches EigenNAS's reported test
    accuracy", and the ``N`` it rests on: the largest ``N`` of ``table``
    (:func:`selection_table`) that was run.

    On that ``N``: "reproduced" if on every dataset the mean pick is at least the paper's
    number minus :data:`nascore.analysis.hnas_cifar.EIGENNAS_TOLERANCE` (0.5 points);
    "partly" if not, but on every dataset the λ_min pick beats the random pick of the same
    draws (its interval's lower end strictly above the random pick's upper end); "not
    reproduced" otherwise; ``("not attempted", None)`` if no ``N`` was run.

    >>> row = {"N": 100, "status": "run", "dataset": "cifar10", "paper": 93.46}
    >>> t = pd.DataFrame([{**row, "method": "largest lambda_min", "mean": 92.96, "low": 92.9},
    ...                   {**row, "method": "random pick", "mean": 80.0, "high": 85.0}])
    >>> verdict(t), verdict(t.assign(mean=[92.95, 80.0]))
    (('reproduced', 100), ('partly', 100))
    """
    run = table[table.status == "run"]
    if run.empty:
        return "not attempted", None
    n = int(run.N.max())
    ours = run[(run.N == n) & (run.method == "largest lambda_min")].set_index("dataset")
    random = run[(run.N == n) & (run.method == "random pick")].set_index("dataset")
    if ((ours["paper"] - ours["mean"]) <= EIGENNAS_TOLERANCE + 1e-9).all():
        return "reproduced", n
    beats = all(ours.at[d, "low"] > random.at[d, "high"] for d in ours.index)
    return ("partly" if beats else "not reproduced"), n


def load_sample() -> pd.DataFrame:
    """:func:`uniform_sample` of the shipped table ``nb201-cifar-ntk-zhu-uniform`` over the
    fixed random order of ``--archs all`` (:func:`nascore.bench.cifar_scores.select_archs`)."""
    from .. import bench
    from ..bench.cifar_scores import select_archs

    return uniform_sample(bench.load("nb201-cifar-ntk-zhu-uniform", dataset="cifar10"), select_archs("full"))


def reported_accuracies(datasets=DATASETS) -> dict:
    """NB201's 200-epoch test accuracy by arch, per dataset (the measure the papers report)."""
    from ..bench.nb201_test import nb201_accuracies

    return {d: nb201_accuracies(d).set_index("arch").test_accuracy for d in datasets}
