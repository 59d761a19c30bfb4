"""Rank correlations with bootstrap confidence intervals, and top-k agreement.

Non-finite scores (NaN, +-inf) are *kept* and ranked as the worst architectures
(``-inf`` where higher is better), never dropped: dropping the networks a metric
cannot score would inflate its correlation.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

METHODS = ("spearman", "kendall", "pearson")


@dataclass(frozen=True)
class Correlation:
    """A correlation with its percentile-bootstrap interval (``low``, ``high``)."""

    method: str
    value: float
    low: float
    high: float
    n: int
    n_boot: int
    level: float

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}]"


def _clean(scores, truth):
    scores = np.asarray(scores, dtype=float).copy()
    truth = np.asarray(truth, dtype=float)
    if scores.shape != truth.shape or scores.ndim != 1:
        raise ValueError(f"scores and truth must be 1-D of equal length, got shapes {scores.shape} and {truth.shape}")
    if len(scores) < 3:
        raise ValueError(f"need at least 3 pairs for a correlation, got {len(scores)}")
    if not np.all(np.isfinite(truth)):
        raise ValueError("truth (accuracies) contains NaN or inf; remove those rows first")
    finite = np.isfinite(scores)
    if not finite.any():
        raise ValueError("every score is non-finite: nothing to correlate")
    # NaN and -inf rank below every finite score; +inf above (a score that overflowed upwards).
    low = scores[finite].min() - 1.0
    scores[np.isnan(scores) | np.isneginf(scores)] = low
    scores[np.isposinf(scores)] = scores[finite].max() + 1.0
    return scores, truth


def _spearman_rows(a, b):
    ra = sps.rankdata(a, axis=-1)
    rb = sps.rankdata(b, axis=-1)
    ra -= ra.mean(axis=-1, keepdims=True)
    rb -= rb.mean(axis=-1, keepdims=True)
    denom = np.sqrt((ra * ra).sum(-1) * (rb * rb).sum(-1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ra * rb).sum(-1) / denom


def _statistic(method, a, b):
    if method == "spearman":
        return float(_spearman_rows(a, b))
    if method == "kendall":
        return float(sps.kendalltau(a, b).statistic)  # tau-b: handles ties
    return float(np.corrcoef(a, b)[0, 1])


def rank_correlation(scores, truth, method: str = "spearman", *, n_boot: int = 1000,
                     level: float = 0.95, seed: int = 0) -> Correlation:
    """Correlation of ``scores`` with ``truth`` and a percentile bootstrap interval.

    ``method``: ``"spearman"`` (rho), ``"kendall"`` (tau-b) or ``"pearson"``. Pairs are
    resampled with replacement ``n_boot`` times (``n_boot=0`` gives no interval: NaN).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if n_boot < 0:
        raise ValueError(f"n_boot must be >= 0, got {n_boot!r}")
    a, b = _clean(scores, truth)
    value = _statistic(method, a, b)
    if n_boot == 0:
        return Correlation(method, value, float("nan"), float("nan"), len(a), 0, level)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(a), size=(n_boot, len(a)))
    if method == "spearman":
        boot = _spearman_rows(a[idx], b[idx])
    else:
        boot = np.array([_statistic(method, a[i], b[i]) for i in idx])
    boot = boot[np.isfinite(boot)]
    tail = (1 - level) / 2
    low, high = np.quantile(boot, [tail, 1 - tail]) if len(boot) else (np.nan, np.nan)
    return Correlation(method, value, float(low), float(high), len(a), n_boot, level)


def spearman(scores, truth, **options) -> Correlation:
    return rank_correlation(scores, truth, "spearman", **options)


def kendall(scores, truth, **options) -> Correlation:
    return rank_correlation(scores, truth, "kendall", **options)


def top_k_overlap(scores, truth, k: int) -> float:
    """Fraction of the true top-``k`` architectures that the score also ranks in its top-``k``."""
    a, b = _clean(scores, truth)
    if not 1 <= k <= len(a):
        raise ValueError(f"k must be between 1 and {len(a)}, got {k!r}")
    top_score = set(np.argsort(-a, kind="stable")[:k])
    top_truth = set(np.argsort(-b, kind="stable")[:k])
    return len(top_score & top_truth) / k


def mean_ci(values, *, level: float = 0.95, n_boot: int = 2000, seed: int = 0):
    """Mean of ``values`` and a percentile-bootstrap interval: ``(mean, low, high)``.

    The interval holds the central ``level`` of the means of ``n_boot`` resamples drawn
    with replacement (its ends are the ``(1 - level)/2`` and ``(1 + level)/2`` quantiles).
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1 or len(values) == 0:
        raise ValueError(f"values must be a non-empty 1-D array, got shape {values.shape}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    if not (isinstance(n_boot, (int, np.integer)) and not isinstance(n_boot, bool) and n_boot >= 1):
        raise ValueError(f"n_boot must be a positive integer, got {n_boot!r}")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)
    tail = (1 - level) / 2
    low, high = np.quantile(means, [tail, 1 - tail])
    return float(values.mean()), float(low), float(high)


def correlation_table(frame, columns, truth: str, *, method: str = "spearman", n_boot: int = 1000,
                      level: float = 0.95, seed: int = 0, sign: dict | None = None):
    """One row per score column: its correlation with ``frame[truth]`` and interval.

    ``sign`` maps a column to -1 where lower scores mean better architectures, so that
    every reported correlation reads "higher is better".
    """
    import pandas as pd

    missing = [c for c in list(columns) + [truth] if c not in frame.columns]
    if missing:
        raise ValueError(f"columns {missing} not in the frame; available: {', '.join(map(str, frame.columns))}")
    rows = []
    for column in columns:
        factor = (sign or {}).get(column, 1)
        r = rank_correlation(factor * frame[column].to_numpy(dtype=float), frame[truth].to_numpy(dtype=float),
                             method, n_boot=n_boot, level=level, seed=seed)
        rows.append({"score": column, "method": method, "value": r.value, "low": r.low, "high": r.high,
                     "n": r.n})
    return pd.DataFrame(rows)
