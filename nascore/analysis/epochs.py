"""Metrics measured along training, ranked against final accuracy.

- :func:`correlations_over_epochs`: rank correlation of each metric, measured after
  ``k`` epochs of training, with final accuracy (the DAS and LGA chapters' figure);
- :func:`direction`: +1/-1 orientation of a metric (every correlation reads "higher is
  better": metrics whose registry entry says lower is better are negated first), through
  the registry's one orientation rule :func:`nascore.metrics.direction`.
"""
from __future__ import annotations

import pandas as pd

from .. import stats


def direction(metric: str) -> int:
    """+1 if a higher ``metric`` means a better architecture, -1 if lower does.

    Registry metrics use their record (:func:`nascore.metrics.direction`); the DAS
    layer-wise term and the kernel distance (not registry metrics) count as higher-is-better.
    """
    from .. import metrics

    base = metric.split("@")[0]
    return metrics.direction(base) if base in metrics.available() else 1


def correlations_over_epochs(frame: pd.DataFrame, metrics, epochs, truth: str = "acc_final", *,
                             method: str = "kendall", n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Long table ``metric, epoch, value, low, high, n``: correlation of ``<metric>_e<epoch>``
    (direction-corrected, see :func:`direction`) with ``frame[truth]``."""
    rows = []
    for metric in metrics:
        for epoch in epochs:
            column = f"{metric}_e{epoch}"
            if column not in frame.columns:
                raise ValueError(f"column {column!r} not in the table")
            r = stats.rank_correlation(direction(metric) * frame[column].to_numpy(dtype=float),
                                       frame[truth].to_numpy(dtype=float), method,
                                       n_boot=n_boot, seed=seed)
            rows.append({"metric": metric, "epoch": int(epoch), "method": method, "value": r.value,
                         "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows)
