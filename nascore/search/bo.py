"""Bayesian optimisation over architecture encodings: GP surrogate, EI acquisition.

The standard GP-EI loop (Snoek, Larochelle & Adams, NeurIPS 2012; for architectures,
e.g. White et al.'s BANANAS/NASLib baselines use the same loop with other surrogates):

1. query ``n_init`` architectures drawn uniformly (without replacement);
2. fit a GP (:mod:`nascore.search.gp`) to the one-hot encodings
   (:meth:`TabularBenchmark.encode`) of the queried architectures and their accuracies;
3. draw a candidate pool of ``pool_size`` not-yet-queried architectures uniformly, and
   query the one with the largest expected improvement over the best accuracy so far
   (EIs within a relative 1e-9 tie; ties go to the larger posterior mean, then to the
   first in table order: :func:`nascore.search.picks.argbest`);
4. repeat 2-3 until the budget is spent.

The kernel is ``c * Matern52(one-hot distance / l) + white noise``: the white term
absorbs what an isotropic kernel cannot explain (tabular accuracies are noise-free, but
the model is misspecified). Optimising EI over a random pool rather than by a local
search is the simplest choice that works on finite spaces; with ``pool_size`` at least
the table size it is an exact argmax.
"""
from __future__ import annotations

import numpy as np

from .gp import expected_improvement, fit_gp, predict
from .picks import argbest


def bayesian_optimization(benchmark, recorder, rng, *, n_init=10, pool_size=1000, xi=0.0,
                          restarts=2):
    if not (isinstance(n_init, int) and n_init >= 1):
        raise ValueError(f"n_init must be an integer >= 1, got {n_init!r}")
    if not (isinstance(pool_size, int) and pool_size >= 1):
        raise ValueError(f"pool_size must be an integer >= 1, got {pool_size!r}")
    from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

    kernel = (ConstantKernel(1.0, (1e-2, 1e2)) * Matern(length_scale=2.0, length_scale_bounds=(0.1, 1e2), nu=2.5)
              + WhiteKernel(1e-2, (1e-6, 1.0)))
    for row in rng.permutation(len(benchmark))[:min(n_init, recorder.remaining)]:
        recorder.query(row, ei=np.nan)
    while recorder.remaining > 0:
        done = np.flatnonzero(recorder.queried)
        y = benchmark.accuracy[done]
        model = fit_gp(benchmark.encode(done), y, rng, kernel=kernel, restarts=restarts)
        free = recorder.unqueried()
        pool = free if len(free) <= pool_size else rng.choice(free, size=pool_size, replace=False)
        mean, std = predict(model, benchmark.encode(pool))
        ei = expected_improvement(mean, std, y.max(), xi)
        pick = argbest(ei, then=mean, order=pool)   # largest EI, then mean, then table order
        recorder.query(pool[pick], ei=float(ei[pick]))
    return ()
