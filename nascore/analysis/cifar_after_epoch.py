"""Scores after one epoch of training on real CIFAR-10 against NB201 accuracy.

Reads the ``*_after_1_epoch`` columns of ``data/nb201-cifar-ntk/cifar10.csv`` (LGA's
official protocol, naver-ai/demystifying-ntk ``ntk_nas_train/``: 1 epoch of SGD, lr
0.025, momentum 0.9, weight decay 3e-4, then the kernel of a held-out batch of 256;
NASWOT and DAS's terms on the same trained networks; README of the folder) and ranks
them against the NASLib table's CIFAR-10 validation accuracy, over the architectures
where each was computed (24 of the 200 planned in the shipped version).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: Score columns after one epoch, and the sign that makes "higher is better".
COLUMNS = {"lga_after_1_epoch": 1, "ntk_mean_after_1_epoch": 1, "ntk_frobenius_after_1_epoch": 1,
           "naswot_after_1_epoch": 1, "das_distinguishing_after_1_epoch": 1, "das_units_after_1_epoch": 1}


def trained_frame() -> pd.DataFrame:
    """NB201 CIFAR-10 table rows joined with the after-one-epoch columns (rows with none dropped)."""
    from .. import bench

    ntk = bench.load("nb201-cifar-ntk", dataset="cifar10")
    ntk = ntk[["arch"] + list(COLUMNS)]
    ntk = ntk[ntk[list(COLUMNS)].notna().any(axis=1)]
    zc = bench.load("nb201-zc", "cifar10")[["arch", "val_accuracy"]]
    return zc.merge(ntk, on="arch", how="inner").reset_index(drop=True)


def correlations(frame: pd.DataFrame, columns=None, *, method: str = "kendall", n_boot: int = 1000,
                 seed: int = 0) -> pd.DataFrame:
    """Rank correlation of each column with ``val_accuracy`` over the rows where that
    column is finite (``nascore.stats`` ranks NaN lowest, so they are dropped first),
    with a bootstrap interval; one row per column (``score``, ``value``, ``low``,
    ``high``, ``n``)."""
    from ..stats import rank_correlation

    columns = list(COLUMNS) if columns is None else list(columns)
    unknown = [c for c in columns if c not in frame]
    if unknown:
        raise ValueError(f"columns {unknown} not in the frame; available: {list(frame.columns)}")
    rows = []
    for column in columns:
        values = frame[column].to_numpy(float)
        keep = np.isfinite(values)
        r = rank_correlation(COLUMNS.get(column, 1) * values[keep], frame["val_accuracy"].to_numpy(float)[keep],
                             method, n_boot=n_boot, seed=seed)
        rows.append({"score": column, "method": method, "value": r.value, "low": r.low, "high": r.high,
                     "n": int(keep.sum())})
    return pd.DataFrame(rows)
