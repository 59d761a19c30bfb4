"""Many seeds of one search, summarised: best-so-far curves and accuracy at fixed budgets."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..stats import mean_ci
from .run import run


def run_many(algorithm: str, benchmark, budget: int, seeds, *, report=None,
             **options) -> pd.DataFrame:
    """Best-so-far accuracy curves of ``algorithm`` over ``seeds``.

    ``report`` as in :meth:`SearchResult.best_so_far` (e.g. ``"test_accuracy"``).
    One row per seed (index ``seed``), one column per number of queries ``1..budget``.
    A run stopped early by ``budget_seconds`` is padded with NaN.
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    rows = {}
    for seed in seeds:
        curve = run(algorithm, benchmark, budget=budget, seed=seed, **options).best_so_far(report)
        rows[seed] = np.pad(curve, (0, budget - len(curve)), constant_values=np.nan)
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=range(1, budget + 1))
    frame.index.name = "seed"
    frame.columns.name = "queries"
    return frame


def summary_at(curves: pd.DataFrame, budgets, *, level: float = 0.95, n_boot: int = 2000,
               seed: int = 0) -> pd.DataFrame:
    """Mean best accuracy after each of ``budgets`` queries, with a percentile-bootstrap
    interval over seeds (:func:`nascore.stats.mean_ci`); one row per budget."""
    rows = []
    for budget in budgets:
        if budget not in curves.columns:
            raise ValueError(f"budget {budget!r} not in the curves; they cover 1..{curves.columns.max()}")
        values = curves[budget].dropna().to_numpy()
        mean, low, high = mean_ci(values, level=level, n_boot=n_boot, seed=seed)
        rows.append({"queries": budget, "mean": mean, "low": low, "high": high,
                     "std": float(values.std(ddof=1)) if len(values) > 1 else np.nan,
                     "n_seeds": len(values)})
    return pd.DataFrame(rows).set_index("queries")
