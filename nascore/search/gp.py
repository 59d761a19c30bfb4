"""Gaussian-process surrogate and expected improvement, shared by ``bo`` and ``hnas``.

The surrogate is scikit-learn's exact ``GaussianProcessRegressor`` with a Matern-5/2
kernel whose hyper-parameters are fitted by maximising the marginal likelihood, the
same model class as BoTorch's default ``SingleTaskGP`` and the ``bayes_opt`` package
that HNAS's official code uses. That is enough here because the problems are tiny: at
most a few hundred observations (one per query) of an input of at most 30 dimensions,
so the exact O(n^3) GP costs milliseconds and needs none of GPyTorch's scalable
approximations. ``tests/test_search_bo.py`` checks that the fitted surrogate ranks
unseen architectures well and that GP-EI beats random search at equal budget.

Expected improvement (Jones, Schonlau & Welch 1998; as used for hyper-parameter and
architecture search by Bergstra et al. 2011 and Snoek, Larochelle & Adams 2012), for
maximisation with incumbent ``best`` and exploration margin ``xi``:

    EI(x) = (m(x) - best - xi) * Phi(z) + s(x) * phi(z),   z = (m(x) - best - xi) / s(x),

with ``m``, ``s`` the posterior mean and standard deviation (EI = 0 where ``s = 0``).
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy.stats import norm

from .picks import argbest, climb


#: Step levels, in natural log of the kernel's hyper-parameters, of the marginal-likelihood
#: search (:func:`_likelihood_search`): a decade, then halves down to a sixteenth of one.
LOG_STEPS = np.log(10.0) * np.array([1.0, 1 / 2, 1 / 4, 1 / 8, 1 / 16])


def fit_gp(x, y, rng: np.random.Generator, *, kernel=None, alpha=1e-6, restarts=2):
    """Fit an exact GP to ``(x, y)`` (targets normalised inside); returns the regressor.

    The kernel's hyper-parameters maximise the log marginal likelihood, searched by
    :func:`nascore.search.picks.climb` on :data:`LOG_STEPS` from the kernel's initial
    values and from ``restarts`` points drawn uniformly (in log space) within its bounds;
    the best of those searches wins (ties to the earliest start). scikit-learn's default,
    L-BFGS-B, stops where round-off in its stopping test lets it, so the fitted values (and
    every later pick of a search) differed between CPUs; this search moves only on a
    likelihood gain above a relative 1e-9, so the same data give the same fit anywhere.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import Matern

    if not (isinstance(restarts, (int, np.integer)) and restarts >= 0):
        raise ValueError(f"restarts must be an integer >= 0, got {restarts!r}")
    model = GaussianProcessRegressor(kernel=Matern(nu=2.5) if kernel is None else kernel,
                                     alpha=alpha, normalize_y=True, n_restarts_optimizer=0,
                                     optimizer=_likelihood_search(rng, int(restarts)))
    with warnings.catch_warnings():
        # Length scales hitting their bounds on a handful of points is expected, not an error.
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(np.asarray(x, float), np.asarray(y, float))
    return model


def _likelihood_search(rng, restarts):
    """scikit-learn ``optimizer`` callable: :func:`~nascore.search.picks.climb` on the log
    marginal likelihood from the initial hyper-parameters and ``restarts`` random ones."""

    def optimizer(obj_func, initial_theta, bounds):
        bounds = np.asarray(bounds, dtype=float)

        def likelihood(points):
            return np.array([-float(obj_func(p, eval_gradient=False)) for p in points])

        starts = [np.asarray(initial_theta, dtype=float),
                  *rng.uniform(bounds[:, 0], bounds[:, 1], size=(restarts, len(initial_theta)))]
        found = [climb(likelihood, start, bounds, LOG_STEPS) for start in starts]
        best = argbest([value for _, value in found])
        return found[best][0], -found[best][1]

    return optimizer


def expected_improvement(mean, std, best, xi=0.0):
    """EI for maximisation (formula in the module docstring), elementwise."""
    mean = np.asarray(mean, float)
    std = np.asarray(std, float)
    gain = mean - best - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std > 0, gain / std, 0.0)
    return np.where(std > 0, gain * norm.cdf(z) + std * norm.pdf(z), 0.0)


def predict(model, x):
    mean, std = model.predict(np.asarray(x, float), return_std=True)
    return mean, std
