"""HNAS: hybrid training-free + Bayesian-optimisation search (Shu, Dai, Wu & Low,
"Unifying and Boosting Gradient-Based Training-Free NAS", NeurIPS 2022).

The training-free objective (official code, ``nasbench/nasbench2_search.py``; spec
details §5.2), **minimised** over architectures:

    F(A; C, mu) = mu * | M(A)^2 - C^2 | + kappa(A) / (M(A) + 1e-6)

with ``M`` a gradient-based training-free metric (the NTK trace norm by default;
grad_norm, SNIP or GraSP also fit the paper's unification), ``kappa`` the condition
number of the NTK at initialisation, ``C`` a target value of the metric and ``mu`` a
weight. The first term keeps ``M^2`` near a data-dependent level (the complexity term
of the paper's generalisation bound), the second rewards fast, well-conditioned
training. ``C`` and ``mu`` are unknown, so HNAS tunes them with Bayesian optimisation
against queried accuracies, as the official code does for NAS-Bench-201 (details §5.3):

- BO variables ``t in [0, 1]`` with ``C = t * scale`` (``scale = 5e3``) and
  ``c = log10 mu in [-4, 0]``; GP surrogate (Matern-5/2, fitted by marginal likelihood,
  as in the ``bayes_opt`` package), expected-improvement acquisition maximised over
  ``(t, c)`` by dense random sampling followed by local polishing (``bayes_opt`` uses
  L-BFGS-B with finite differences, whose result moves with round-off; here a coordinate
  search with tolerant comparisons, :func:`nascore.search.picks.climb`);
- the first ``min(int(0.25 * iterations), 10)`` evaluations are probes on the grid
  ``t = linspace(0, 1, n)`` with ``c = -2``;
- each evaluation (probe or BO step) adds ``n_sample = 2000`` architectures drawn
  uniformly (with replacement, then de-duplicated) to a candidate pool that persists
  across steps and never holds an already-queried architecture, picks the pool member
  minimising ``F`` under the current ``(C, mu)``, queries its accuracy and feeds that
  accuracy to BO as the value of ``(t, c)``.

One evaluation is one query, so the budget is the number of BO iterations (20 in the
paper). ``M`` and ``kappa`` are read as stored in the benchmark's score columns; an
NTK condition number that is NaN counts as ``1e5`` (the official code's convention),
and an architecture whose ``M`` is not finite is never preferred.
"""
from __future__ import annotations

import numpy as np

from .gp import expected_improvement, fit_gp, predict
from .picks import argbest, climb

EPSILON = 1e-6
#: HNAS reads a singular kernel's (NaN) condition number as this value (official code).
KAPPA_NAN = 1e5


def hnas_objective(metric, kappa, target, mu):
    """``mu * |metric^2 - target^2| + kappa / (metric + 1e-6)`` (lower is better)."""
    metric = np.asarray(metric, float)
    return mu * np.abs(metric**2 - target**2) + np.asarray(kappa, float) / (metric + EPSILON)


def hnas(benchmark, recorder, rng, *, metric="ntk_trace", kappa="ntk_condition", scale=5e3,
         log_mu_bounds=(-4.0, 0.0), n_sample=2000, init_fraction=0.25, max_init=10, xi=0.0,
         n_warmup=10000, n_starts=5, restarts=5, kappa_nan=KAPPA_NAN):
    m_values = benchmark.score(metric)
    k_values = benchmark.score(kappa)
    k_values = np.where(np.isnan(k_values), kappa_nan, k_values)
    low, high = map(float, log_mu_bounds)
    if not (scale > 0 and low < high and isinstance(n_sample, int) and n_sample >= 1):
        raise ValueError(f"need scale > 0, log_mu_bounds (low, high) with low < high and an integer "
                         f"n_sample >= 1; got scale={scale!r}, log_mu_bounds={log_mu_bounds!r}, "
                         f"n_sample={n_sample!r}")
    bounds = np.array([[0.0, 1.0], [low, high]])
    n_init = min(int(recorder.budget * init_fraction), max_init)
    probes = [(t, -2.0) for t in np.linspace(0.0, 1.0, n_init)]
    in_pool = np.zeros(len(benchmark), dtype=bool)
    x_seen, y_seen = [], []

    while recorder.remaining > 0:
        if probes:
            t, c = probes.pop(0)
        elif not y_seen:   # no data yet (budget < 4): a random point, as bayes_opt does
            t, c = rng.uniform(bounds[:, 0], bounds[:, 1])
        else:
            t, c = _next_point(x_seen, y_seen, bounds, rng, xi, n_warmup, n_starts, restarts)
        # Grow the pool with fresh uniform draws; drop everything already queried.
        in_pool[rng.integers(0, len(benchmark), size=n_sample)] = True
        in_pool &= ~recorder.queried
        if not in_pool.any():
            in_pool = ~recorder.queried
        pool = np.flatnonzero(in_pool)
        recorder.scored(len(pool))
        target, mu = t * scale, 10.0**c
        values = hnas_objective(m_values[pool], k_values[pool], target, mu)
        values = np.where(np.isfinite(values) & np.isfinite(m_values[pool]), values, np.inf)
        best = argbest(values, higher=False)   # ties: the first in table order
        pick = pool[best]
        in_pool[pick] = False
        accuracy = recorder.query(pick, t=float(t), log10_mu=float(c), target=float(target),
                                  mu=float(mu), objective=float(values[best]), pool_size=len(pool))
        x_seen.append((float(t), float(c)))
        y_seen.append(accuracy)
    return (metric, kappa)


#: Step levels of the acquisition's local search, as fractions of each variable's range.
EI_STEPS = (1 / 16, 1 / 64, 1 / 256, 1 / 1024)


def _next_point(x_seen, y_seen, bounds, rng, xi, n_warmup, n_starts, restarts):
    """The ``(t, c)`` maximising EI under a GP fitted to the evaluations so far: the best
    of ``n_warmup`` uniform points, polished (with ``n_starts`` further uniform starts) by
    :func:`~nascore.search.picks.climb`; ties go to the earlier candidate."""
    model = fit_gp(np.array(x_seen), np.array(y_seen), rng, restarts=restarts)
    best = max(y_seen)

    def ei(points):
        mean, std = predict(model, np.atleast_2d(points))
        return expected_improvement(mean, std, best, xi)

    warm = rng.uniform(bounds[:, 0], bounds[:, 1], size=(n_warmup, 2))
    starts = [warm[argbest(ei(warm))], *rng.uniform(bounds[:, 0], bounds[:, 1], size=(n_starts, 2))]
    steps = [fraction * (bounds[:, 1] - bounds[:, 0]) for fraction in EI_STEPS]
    found = [climb(ei, start, bounds, steps) for start in starts]
    x_best = found[argbest([value for _, value in found])][0]
    return float(x_best[0]), float(x_best[1])
