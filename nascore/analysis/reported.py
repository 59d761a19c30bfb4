"""Our searches beside the papers' NB201 numbers, on the papers' measure.

The HNAS and Zhu (EigenNAS) chapters compare a search or selection with what a paper
reports: the 200-epoch test accuracy of the picked cell (:mod:`nascore.search.report`)
beside the number in :mod:`nascore.papers`, which says where it comes from and whether that
source is secondary. Both chapters' notebooks import them from here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import papers
from ..search.report import pick_accuracy_table


def beside_paper(results, key: str, *, datasets=papers.DATASETS, **options) -> pd.DataFrame:
    """One row per dataset: the picks' 200-epoch test accuracy over the searches in
    ``results`` (``n_seeds``, ``mean``, ``std``, 95 % ``low``/``high``; ``options`` go to
    :func:`nascore.search.report_test_accuracy`) beside the paper's ``paper_mean`` and
    ``paper_std`` for method ``key`` of :data:`nascore.papers.NB201_TEST_ACCURACY`, the
    difference ``ours_minus_paper``, whether the paper's mean lies in our interval
    (``paper_in_interval``; NaN with one search), and the paper's ``source`` and
    ``secondary`` flag.
    """
    entry = papers.reported(key)
    ours = pick_accuracy_table(results, datasets, **options).reset_index()
    ours.insert(0, "method", entry.method)
    paper = [entry.values[d] for d in ours.dataset]
    ours["paper_mean"] = [mean for mean, _ in paper]
    ours["paper_std"] = [np.nan if std is None else std for _, std in paper]
    ours["ours_minus_paper"] = ours["mean"] - ours["paper_mean"]
    inside = (ours["low"] <= ours["paper_mean"]) & (ours["paper_mean"] <= ours["high"])
    ours["paper_in_interval"] = inside.astype(object).where(ours["low"].notna(), np.nan)
    ours["secondary"] = entry.secondary
    ours["source"] = entry.source
    return ours


def beside_papers(results_by_key: dict, **options) -> pd.DataFrame:
    """:func:`beside_paper` for several methods (``{paper key: results}``), one table."""
    if not results_by_key:
        raise ValueError("results_by_key must map at least one paper key to search results")
    return pd.concat([beside_paper(r, k, **options) for k, r in results_by_key.items()], ignore_index=True)
