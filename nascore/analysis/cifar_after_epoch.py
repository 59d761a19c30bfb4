"""Scores after one epoch of training on real CIFAR-10 against NB201 accuracy.

Reads the ``*_after_1_epoch`` columns of ``data/nb201-cifar-ntk/cifar10.csv`` (LGA's
official protocol, naver-ai/demystifying-ntk ``ntk_nas_train/``: 1 epoch of SGD, lr
0.025, momentum 0.9, weight decay 3e-4, then the kernel of a held-out batch of 256;
NASWOT and DAS's terms on the same trained networks; README of the folder) and ranks
them against the LGA code's ground truth, NB201's 200-epoch CIFAR-10 test accuracy
(``data/nasbench201-test/``), over the architectures where each was computed (24 of the
200 planned in the shipped version). NASLib's validation accuracy is the labelled option
``truth="val_accuracy"``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Score columns after one epoch, and the sign that makes "higher is better".
#: The accuracies a score may be ranked against: the default (LGA's official ground truth) first.
TRUTHS = ("test_accuracy", "val_accuracy")
COLUMNS = {"lga_after_1_epoch": 1, "ntk_mean_after_1_epoch": 1, "ntk_frobenius_after_1_epoch": 1,
           "naswot_after_1_epoch": 1, "das_distinguishing_after_1_epoch": 1, "das_units_after_1_epoch": 1}


def trained_frame() -> pd.DataFrame:
    """NB201 CIFAR-10 rows with the after-one-epoch columns (rows with none dropped), joined with
    both accuracies of :data:`TRUTHS` (200-epoch test accuracy from ``bench.load("nb201")``,
    NASLib's validation accuracy)."""
    from .. import bench

    ntk = bench.load("nb201-cifar-ntk", dataset="cifar10")
    ntk = ntk[["arch"] + list(COLUMNS)]
    ntk = ntk[ntk[list(COLUMNS)].notna().any(axis=1)]
    truth = bench.load("nb201", dataset="cifar10")[["arch", *TRUTHS]]
    return truth.merge(ntk, on="arch", how="inner").reset_index(drop=True)


def correlations(frame: pd.DataFrame, columns=None, *, method: str = "kendall", n_boot: int = 1000,
                 seed: int = 0, truth: str = "test_accuracy") -> pd.DataFrame:
    """Rank correlation of each column with ``truth`` (one of :data:`TRUTHS`; default the
    200-epoch test accuracy) over the rows where that column is finite (``nascore.stats``
    ranks NaN lowest, so they are dropped first), with a bootstrap interval; one row per
    column (``score``, ``method``, ``truth``, ``value``, ``low``, ``high``, ``n``)."""
    from ..stats import rank_correlation

    if truth not in TRUTHS:
        raise ValueError(f"truth={truth!r} is not known; allowed: {', '.join(TRUTHS)}")
    if truth not in frame:
        raise ValueError(f"the frame has no {truth} column; has {list(frame.columns)}")
    columns = list(COLUMNS) if columns is None else list(columns)
    unknown = [c for c in columns if c not in frame]
    if unknown:
        raise ValueError(f"columns {unknown} not in the frame; available: {list(frame.columns)}")
    rows = []
    for column in columns:
        values = frame[column].to_numpy(float)
        keep = np.isfinite(values)
        r = rank_correlation(COLUMNS.get(column, 1) * values[keep], frame[truth].to_numpy(float)[keep],
                             method, n_boot=n_boot, seed=seed)
        rows.append({"score": column, "method": method, "truth": truth, "value": r.value, "low": r.low, "high": r.high,
                     "n": int(keep.sum())})
    return pd.DataFrame(rows)
