"""The LGA chapter (``notebooks/70_lga.ipynb``): NTK metrics during training, and search at equal cost.

Mok et al. (CVPR 2022) argue that metrics of the *initial* NTK rank modern networks poorly
and that label-gradient alignment (LGA) after a few epochs ranks them well. This module:

- :func:`guard_degenerate_lga`: ranks last the networks whose LGA is 1 only because their
  output ignores the input;
- :func:`equal_cost_search` / :func:`search_curves`: pick the best of as many candidates as
  a budget (in training epochs) affords, by a proxy that costs ``c`` epochs per candidate,
  and report the true accuracy of the pick (proxy-guided against random search at equal cost).

The correlation helpers come from the DAS study (:func:`nascore.studies.das.direction`,
:func:`nascore.studies.das.correlations_over_epochs`) and the trained conv table from
:mod:`nascore.studies.ground_truth_conv`; their names are imported here for the notebook.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..search.picks import argbest
from .das import correlations_over_epochs, direction  # noqa: F401
from .cifar_after_epoch import correlations as cifar_correlations, trained_frame as cifar_trained_frame  # noqa: F401
from .cifar_ntk_init import batch_study, init_correlations, init_frame  # noqa: F401  (at-init metrics, real CIFAR)
from .ground_truth_conv import CONV_PROTOCOL, conv_table, mean_over_seeds  # noqa: F401


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
        picks[r] = truth[idx[argbest(ranked[idx])]]   # ties (1e-9): first drawn
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
