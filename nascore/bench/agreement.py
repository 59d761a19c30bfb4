"""How much a trained ground truth agrees with itself: the noise ceiling of rank correlations.

Any score's rank correlation with a ground truth is capped by how well two training
seeds of that ground truth agree with each other; these helpers measure that, and
:func:`mean_over_seeds` averages a table's seeds into one row per architecture.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats


def by_seed(frame: pd.DataFrame, column: str, *, key: str = "arch") -> pd.DataFrame:
    """``column`` with one row per architecture and one column per seed (complete rows only)."""
    for name in (key, "seed", column):
        if name not in frame.columns:
            raise ValueError(f"column {name!r} not in the table; available: {', '.join(frame.columns)}")
    return frame.pivot_table(index=key, columns="seed", values=column, aggfunc="mean").dropna()


def seed_agreement_table(frame: pd.DataFrame, columns, *, method: str = "kendall", n_boot: int = 1000,
                         seed: int = 0, key: str = "arch") -> pd.DataFrame:
    """Rank agreement between the first two seeds for each accuracy column, with intervals."""
    rows = []
    for column in columns:
        wide = by_seed(frame, column, key=key)
        if wide.shape[1] < 2:
            raise ValueError(f"need two seeds to measure agreement, the table has {wide.shape[1]}")
        a, b = wide.columns[:2]
        r = stats.rank_correlation(wide[a].to_numpy(), wide[b].to_numpy(), method, n_boot=n_boot, seed=seed)
        rows.append({"column": column, "method": method, "value": r.value, "low": r.low, "high": r.high,
                     "n": r.n})
    return pd.DataFrame(rows)


def seed_agreement(frame: pd.DataFrame, column: str = "acc_final") -> float:
    """Mean Kendall tau between every pair of seeds' rankings of the architectures."""
    from scipy.stats import kendalltau

    wide = by_seed(frame, column)
    seeds = list(wide.columns)
    taus = [kendalltau(wide[a], wide[b]).statistic
            for i, a in enumerate(seeds) for b in seeds[i + 1:]]
    return float(np.mean(taus)) if taus else float("nan")


def mean_over_seeds(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per architecture: the mean over seeds of every numeric column.

    Metrics are averaged as values (``-inf`` stays ``-inf``), as TE-NAS averages
    repeated measurements; ``seeds`` counts the rows averaged.
    """
    numeric = frame.drop(columns=["seed"]).select_dtypes("number").columns
    out = frame.groupby("arch", sort=False)[list(numeric)].mean()
    out["seeds"] = frame.groupby("arch", sort=False).size()
    return out.reset_index()
