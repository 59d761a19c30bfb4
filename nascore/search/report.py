"""Searches reported as the papers report them: the pick's 200-epoch test accuracy.

A search chooses by what its queries return (a table's validation accuracy; HNAS's official
search: the 12-epoch ``cifar10-valid`` validation accuracy) and the NAS-Bench-201 papers
then report the 200-epoch test accuracy of the cell it returns, as mean ± std over
repeated searches, on CIFAR-10, CIFAR-100 and ImageNet16-120 (HNAS reports one search on
all three: ``shuyao95/HNAS``, ``nasbench/nasbench2_search.py``). The test accuracy comes
from ``data/nasbench201-test`` (NATS-Bench, ``hp="200"``) and is looked up here, after the
searches have ended, from the architecture each one returns: no algorithm can reach it.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats import mean_ci
from .result import SearchResult

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")


def _results(results) -> list[SearchResult]:
    results = [results] if isinstance(results, SearchResult) else list(results)
    if not results or not all(isinstance(r, SearchResult) for r in results):
        raise ValueError("results must be a SearchResult or a non-empty list of them")
    return results


def picks(results) -> list[str]:
    """The architecture each search returns: its best queried accuracy, the first
    queried on ties (:attr:`SearchResult.best_arch`)."""
    return [str(r.best_arch) for r in _results(results)]


def pick_test_accuracies(results, dataset: str) -> np.ndarray:
    """The 200-epoch test accuracy (percent) on ``dataset`` of each search's pick.

    Raises ``ValueError`` if a pick is not a NAS-Bench-201 cell (a search on another space).
    """
    from ..bench import join_accuracies

    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; the 200-epoch test accuracies cover {', '.join(DATASETS)}")
    chosen = pd.DataFrame({"arch": picks(results)})
    return join_accuracies(chosen, dataset)["test_accuracy"].to_numpy(float)


def report_test_accuracy(results, dataset: str, *, level: float = 0.95, n_boot: int = 2000,
                         seed: int = 0) -> dict:
    """The picks' 200-epoch test accuracy on ``dataset`` over repeated searches.

    Returns ``dataset``, ``n_seeds``, ``mean``, ``std`` (sample standard deviation, ddof
    = 1, the spread the papers' "mean ± std" quotes), and ``low``, ``high``: the central
    ``level`` percentile-bootstrap interval of the mean (:func:`nascore.stats.mean_ci`,
    the interval every search summary of this package uses). With one search, ``std``,
    ``low`` and ``high`` are NaN: one value has no spread.
    """
    values = pick_test_accuracies(results, dataset)
    return {"dataset": dataset, **summarise(values, level=level, n_boot=n_boot, seed=seed)}


def summarise(values, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0) -> dict:
    """The papers' "mean ± std" of repeated picks' accuracies and our interval of the mean:
    ``n_seeds``, ``mean``, ``std`` (ddof = 1), ``low``, ``high`` (:func:`nascore.stats.mean_ci`);
    with one value, ``std``, ``low`` and ``high`` are NaN.

    >>> summarise([1.0, 3.0], n_boot=50)["std"] == 2 ** 0.5
    True
    """
    values = np.asarray(values, dtype=float)
    row = {"n_seeds": len(values), "mean": float(values.mean()), "std": np.nan, "low": np.nan, "high": np.nan}
    if len(values) > 1:
        _, low, high = mean_ci(values, level=level, n_boot=n_boot, seed=seed)
        row.update(std=float(values.std(ddof=1)), low=low, high=high)
    return row


def pick_accuracy_table(results, datasets=DATASETS, **options) -> pd.DataFrame:
    """:func:`report_test_accuracy` on each of ``datasets``, one row each (index ``dataset``):
    the same picks, reported on every dataset, as HNAS reports its CIFAR-10 search."""
    rows = [report_test_accuracy(results, d, **options) for d in datasets]
    return pd.DataFrame(rows).set_index("dataset")
