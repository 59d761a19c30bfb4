"""Analyses of a table of proxy scores against trained accuracy (the DAS and LGA chapters).

- :func:`correlations_over_epochs`: rank correlation of each metric, measured after
  ``k`` epochs of training, with final accuracy (Mok et al.'s central figure: how the
  NTK metrics' correlation changes as training grows).
- :func:`das_weight_scan`: the family of DAS combination rules ``D + w log N_A`` scanned
  over ``w`` (``w = N`` is NASWOT; Liu et al., arXiv 2212.12132).
- :func:`improvement_ratio`: a correlation divided by NASWOT's, the statistic DAS reports
  as "1.04x-1.56x".
- :func:`equal_cost_search`: pick the best of as many candidates as a budget (in
  training epochs) affords, by a proxy that costs ``c`` epochs per candidate, and report
  the true accuracy of the pick: proxy-guided search against random search at equal cost.

Every correlation reads "higher is better": metrics whose registry entry says lower is
better (the condition number) are negated first.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import stats


def direction(metric: str) -> int:
    """+1 if a higher ``metric`` means a better architecture, -1 if lower does.

    Registry metrics use their record; the DAS layer-wise term and the kernel distance
    (not registry metrics) count as higher-is-better.
    """
    from . import metrics

    base = metric.split("@")[0]
    return 1 if base not in metrics.available() or metrics.info(base).higher_is_better else -1


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


def das_weight_scan(units, distinguishing, truth, weights, batch_size: int, *,
                    method: str = "kendall", n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Correlation with ``truth`` of ``D + w log N_A`` for each ``w`` in ``weights``.

    ``units`` = ``N log N_A`` and ``distinguishing`` = ``D = log|K_H / N_A|`` per
    architecture (:func:`nascore.metrics_over_training.das_family`).
    """
    from .metrics_over_training import das_family

    rows = []
    for w in weights:
        r = stats.rank_correlation(das_family(units, distinguishing, w, batch_size), truth, method,
                                   n_boot=n_boot, seed=seed)
        rows.append({"weight": float(w), "method": method, "value": r.value, "low": r.low,
                     "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def improvement_ratio(value: float, baseline: float) -> float:
    """``value / baseline``: DAS's "improvement over WOT" for correlations of one sign.

    >>> improvement_ratio(0.6, 0.5)
    1.2
    """
    if baseline <= 0:
        raise ValueError(f"the baseline correlation must be positive for a ratio, got {baseline}")
    return float(value) / float(baseline)


def equal_cost_search(scores, truth, *, cost_per_candidate: float, budget: float,
                      final_cost: float = 0.0, runs: int = 200, seed: int = 0) -> np.ndarray:
    """True accuracy of the architecture a budgeted search picks, one value per run.

    Each run draws ``m = floor((budget - final_cost) / cost_per_candidate)`` distinct
    candidates at random (at most all of them, at least one), scores each at
    ``cost_per_candidate`` epochs, keeps the highest ``scores`` and returns its
    ``truth``; ``final_cost`` is what the pick still costs (training it to the end).
    Random search is the case ``scores`` = observed final accuracy,
    ``cost_per_candidate`` = full training and ``final_cost = 0``.

    >>> equal_cost_search([1, 2, 3], [10, 20, 30], cost_per_candidate=1, budget=3, runs=2).tolist()
    [30.0, 30.0]
    """
    scores = np.asarray(scores, dtype=float)
    truth = np.asarray(truth, dtype=float)
    if scores.shape != truth.shape or scores.ndim != 1:
        raise ValueError("scores and truth must be 1-D arrays of equal length")
    if cost_per_candidate <= 0 or budget <= 0:
        raise ValueError("cost_per_candidate and budget must be positive")
    ranked = np.where(np.isfinite(scores), scores, -np.inf)
    m = int(np.clip((budget - final_cost) // cost_per_candidate, 1, len(scores)))
    rng = np.random.default_rng(seed)
    picks = np.empty(runs)
    for r in range(runs):
        idx = rng.choice(len(scores), m, replace=False)
        picks[r] = truth[idx[np.argmax(ranked[idx])]]
    return picks


def search_curves(methods: dict, truth, budgets, *, runs: int = 200, seed: int = 0) -> pd.DataFrame:
    """:func:`equal_cost_search` over ``budgets`` for several methods.

    ``methods``: name -> ``(scores, cost_per_candidate, final_cost)``. Returns a long
    table ``method, budget, mean, low, high`` (bootstrap interval of the mean over runs).
    """
    rows = []
    for name, (scores, cost, final) in methods.items():
        for budget in budgets:
            if budget < final + cost:
                continue
            picks = equal_cost_search(scores, truth, cost_per_candidate=cost, budget=budget,
                                      final_cost=final, runs=runs, seed=seed)
            mean, low, high = stats.mean_ci(picks, n_boot=500, seed=seed)
            rows.append({"method": name, "budget": float(budget), "mean": mean, "low": low, "high": high})
    return pd.DataFrame(rows)


def das_weight_cv(units, distinguishing, truth, weights, batch_size: int, *, folds: int = 2,
                  method: str = "kendall", seed: int = 0) -> pd.DataFrame:
    """Choose the DAS weight on some architectures, judge it on the others.

    The architectures are split at random into ``folds`` parts; for each part, the weight
    with the best correlation on the *other* parts is chosen and its correlation on the
    held-out part is reported next to NASWOT's (``w = N``) on the same part, so the
    ratio is not inflated by choosing the weight on the data it is judged on. Returns one
    row per fold: ``weight, das, naswot, ratio``.
    """
    from .metrics_over_training import das_family

    units, distinguishing = np.asarray(units, float), np.asarray(distinguishing, float)
    truth = np.asarray(truth, float)
    parts = np.array_split(np.random.default_rng(seed).permutation(len(truth)), folds)
    rows = []
    for k, held in enumerate(parts):
        fit = np.setdiff1d(np.arange(len(truth)), held)
        scan = das_weight_scan(units[fit], distinguishing[fit], truth[fit], weights, batch_size,
                               method=method, n_boot=0)
        w = float(scan.loc[scan.value.idxmax(), "weight"])
        das = stats.rank_correlation(das_family(units[held], distinguishing[held], w, batch_size),
                                     truth[held], method, n_boot=0).value
        wot = stats.rank_correlation(units[held] + distinguishing[held], truth[held], method, n_boot=0).value
        rows.append({"fold": k, "weight": w, "das": das, "naswot": wot,
                     "ratio": das / wot if wot > 0 else float("nan")})
    return pd.DataFrame(rows)


def mixed_activation_scores(frame: pd.DataFrame, *, batch_size: int = 64, seed: int = 0) -> pd.DataFrame:
    """NASWOT and the DAS terms at init for the architectures of the mixed-activation table.

    ``frame``: rows of :func:`nascore.bench.ground_truth.load_mixed` (columns ``arch``,
    ``width``). Each network is built as the table's trainer built it (flat MNIST-5k
    inputs, weights from ``seed``) and scored on ``batch_size`` training images. Codes
    of smooth activations are ``1[pre-activation > 0]``, NASWOT's definition extended
    (see :mod:`nascore.metrics.naswot`).
    """
    from . import data
    from .metrics_over_training import activation_summary
    from .spaces import mixed

    ds = data.load("mnist5k")
    x, _ = ds.batch(batch_size, seed=seed)
    x = x.flatten(1)
    width = int(frame["width"].iloc[0]) if "width" in frame.columns else 128
    rows = []
    for arch in frame["arch"].unique():
        net = mixed.from_key(arch).build(x.shape[1], width, ds.num_classes, seed=seed)
        rows.append({"arch": arch, **activation_summary(net, x)})
    return pd.DataFrame(rows)


def guard_degenerate_lga(frame: pd.DataFrame, *, tol: float = 1e-9) -> pd.DataFrame:
    """A copy of ``frame`` in which every ``lga_e<k>`` equal to 1 (within ``tol``) becomes ``-inf``.

    Why: when a network's output does not depend on its input (a cell whose every path
    is cut by ``none`` edges), the only parameter moving the true-class logit differently
    for different samples is the classifier bias of that class, so the true-class-logit
    NTK is ``Θ_ij = a + b·1[y_i = y_j]`` and LGA = 1 exactly, the best possible score for
    the worst possible network. Such kernels are ranked last. The raw values are kept as
    ``lga_raw_e<k>``.
    """
    out = frame.copy()
    for column in [c for c in frame.columns if c.startswith("lga_e")]:
        raw = out[column].to_numpy(dtype=float)
        out["lga_raw_" + column[len("lga_"):]] = raw
        out[column] = np.where(raw >= 1 - tol, -np.inf, raw)
    return out
