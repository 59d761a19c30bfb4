"""Bounds on lambda_min of the infinite-width NTK, the SGD generalization bound, a score.

Zhu, Liu, Chrysos & Cevher (NeurIPS 2022, arXiv 2209.07238) bound ``lambda_min`` of the
NTK of mixed-activation FC and residual nets from below and above through the Hermite
coefficients ``mu_r(sigma_l)``, the depth, the skip pattern and ``lambda_min`` of the
Hadamard powers ``G^(r)`` of the data Gram ``G = X X^T`` (unit-norm rows), following
Nguyen, Mondelli & Montufar (ICML 2021). **We could not obtain the text of their theorems**
(constants, the admissible ``r``, width conditions), so nothing here carries their
constants. What we implement are bounds we derive and prove ourselves (the book's
appendix "Eigenvalue bounds"), for exactly the network of :mod:`nascore.spaces.mixed`:

* Proposition 2 (ours), ``method="layerwise"``, in the paper's shape: with
  ``lambda_r = lambda_min(G^(r))``, ``ell_0 = lambda_1 / d`` and for ``l = 1..L-1``

      eta_1 = sum_{r=1}^{R} mu_r(sigma_1; q_1)^2 lambda_r + (tail energy) lambda_{R+1}
      eta_l = (sum_{r>=1} mu_r(sigma_l; q_l)^2) ell_{l-1} / s_{l-1}                (l >= 2)
      ell_l = sum_{k<=l} A[k, l]^2 eta_k                 (skip paths raise the bound)
      lambda_min(Theta) >= ell_{L-1} + sigma_w^2 b_1 zeta_1 / d
                           + sum_{l=2}^{L-1} sigma_w^2 ell_{l-1} E[sigma_l'^2] b_l

  where ``zeta_1 = sum_r mu_r(sigma_1'; q_1)^2 lambda_{r+1}`` (+ tail) and ``q_l, s_l, b_l``
  are the scalars of :func:`nascore.theory.series.diagonal_recursion`.
* Proposition 3 (ours), ``method="series"``: ``lambda_min(Theta) >= sum_t theta_hat_t
  lambda_t`` with the power-series coefficients of :func:`~nascore.theory.series.ntk_series`
  (usually much tighter; same ingredients, composed exactly rather than layer by layer).
  ``method="series"`` returns the larger of this and Proposition 2: the series drops the
  mass beyond its truncation, which for kinked activations (slowly decaying ``mu_r``) can
  leave it below the layerwise bound.
* Proposition 4 (ours), the upper bound for both: for any pair ``i != j`` with
  ``G_ij > 0``, ``lambda_min(Theta) <= Theta(1) - sum_t theta_hat_t G_ij^t``
  (the Rayleigh quotient of ``e_i - e_j``), and ``<= Theta(1)`` always.

All hold for every width-limit NTK of the family (any activations, skips, ``sigma_w``,
``alpha``) and unit-norm data; the property test checks lower <= exact <= upper.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from nascore.theory.kernels import check_architecture, check_data
from nascore.theory.series import diagonal_recursion, ntk_series

METHODS = ("layerwise", "series")


@dataclass(frozen=True)
class LambdaMinBounds:
    """``lower <= lambda_min(Theta_inf) <= upper``; unpacks as ``(lower, upper)``.

    ``constants`` holds every quantity the bounds use (see :func:`lambda_min_bounds`).
    """

    lower: float
    upper: float
    method: str
    constants: dict = field(repr=False)

    def __iter__(self):
        return iter((self.lower, self.upper))


def hadamard_lambda_min(X, top: int) -> np.ndarray:
    """``[lambda_min(G^(1)), ..., lambda_min(G^(top))]`` for ``G = X X^T`` (non-decreasing)."""
    G = X @ X.T
    vals = np.array([np.linalg.eigvalsh(G ** t)[0] for t in range(1, top + 1)])
    # Schur: lambda_min(A * G) >= lambda_min(A) min_i G_ii = lambda_min(A), so the true
    # sequence is non-decreasing and >= 0; enforce it against round-off.
    return np.maximum.accumulate(np.maximum(vals, 0.0))


def lambda_min_bounds(arch, X, *, method: str = "layerwise", weight_scale: float = 1.0,
                      residual_scale: float = 1.0, hermite_order: int = 64,
                      degree: int = 128) -> LambdaMinBounds:
    """Lower and upper bounds on ``lambda_min`` of :func:`~nascore.theory.infinite_width_ntk`.

    ``X``: ``(N, d)`` with unit-norm rows, ``N >= 2``. ``method``: ``"layerwise"``
    (Proposition 2, ours) or ``"series"`` (Proposition 3, ours); the upper bound is
    Proposition 4 (ours) for both. ``hermite_order`` = ``R``, ``degree`` = ``T`` (where
    each truncates only non-negative terms, so any value gives a valid bound).

    ``constants``: ``q`` (pre-activation variances), ``mu_first`` (``mu_r(sigma_1; q_1)``),
    ``mean``, ``centred_energy``, ``derivative_energy``, ``diag`` (``s_l``), ``backward``
    (``b_l``), ``skip_paths`` (``A``), ``theta_diag`` (``Theta(1)``), ``hadamard`` (the
    ``lambda_r``), and per method ``eta``/``ell`` or ``series_coefficients``.
    """
    arch = check_architecture(arch)
    X = check_data(X, unit_norm=True)
    if X.shape[0] < 2:
        raise ValueError(f"need N >= 2 samples for a minimum eigenvalue bound, got N = {X.shape[0]}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    for name, value in (("hermite_order", hermite_order), ("degree", degree)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    diag = diagonal_recursion(arch, X.shape[1], weight_scale=weight_scale,
                              residual_scale=residual_scale, hermite_order=hermite_order)
    series = ntk_series(diag, degree)
    lam = hadamard_lambda_min(X, max(degree, hermite_order + 2))
    constants = {
        "q": diag.q, "mu_first": diag.mu[0], "mean": diag.mean, "centred_energy": diag.centred,
        "derivative_energy": diag.deriv, "diag": diag.s, "backward": diag.b,
        "skip_paths": diag.A, "theta_diag": diag.theta_diag, "hadamard": lam,
    }
    lower, eta, ell = _layerwise_lower(diag, lam, X.shape[1], hermite_order)
    constants.update(eta=eta, ell=ell, layerwise_lower=lower)
    if method == "series":
        # lambda_min(G^(0)) = lambda_min(1 1^T) = 0, so theta_0 drops out
        series_lower = float(series[1:] @ lam[:degree])
        constants.update(series_coefficients=series, series_lower=series_lower)
        lower = max(lower, series_lower)  # both are valid; keep the better
    upper = _pair_upper(series, diag.theta_diag, X @ X.T)
    return LambdaMinBounds(lower=lower, upper=upper, method=method, constants=constants)


def _layerwise_lower(diag, lam, d, R):
    """Proposition 2 (ours); returns (bound, eta_l, ell_l with ell_0 first)."""
    n = len(diag.q)
    A, sw2 = diag.A, diag.weight_scale ** 2
    mu2 = diag.mu[0][1:R + 1] ** 2                      # r = 1..R
    eta = np.zeros(n)
    eta[0] = mu2 @ lam[:R] + max(diag.centred[0] - mu2.sum(), 0.0) * lam[R]
    ell = np.zeros(n + 1)
    ell[0] = lam[0] / d
    for l in range(1, n + 1):
        if l >= 2:
            eta[l - 1] = diag.centred[l - 1] * ell[l - 1] / diag.s[l - 1]
        ell[l] = sum(A[k, l - 1] ** 2 * eta[k] for k in range(l))
    dmu2 = diag.dmu[0][: R + 1] ** 2                    # r = 0..R, paired with G^(r+1)
    zeta = dmu2 @ lam[: R + 1] + max(diag.deriv[0] - dmu2.sum(), 0.0) * lam[R + 1]
    lower = ell[n] + sw2 * diag.b[0] * zeta / d
    lower += sum(sw2 * ell[l - 1] * diag.deriv[l - 1] * diag.b[l - 1] for l in range(2, n + 1))
    return float(lower), eta, ell


def _pair_upper(series, theta_diag, G) -> float:
    """Proposition 4 (ours): Rayleigh quotient of (e_i - e_j)/sqrt(2), off-diagonal bounded below."""
    off = G[~np.eye(len(G), dtype=bool)]
    best = theta_diag
    positive = off[off > 0]
    if positive.size:
        g = min(float(positive.max()), 1.0)
        best = theta_diag - float(np.polynomial.polynomial.polyval(g, series))
    return float(max(best, 0.0))


def generalization_bound(lambda_min: float, n: int, *, depth: int = 1, delta: float = 0.05,
                         quadratic_form: float | None = None) -> float:
    """SGD generalization bound as a function of ``lambda_min`` (Cao & Gu 2019 shape).

    Cao & Gu (NeurIPS 2019, "Generalization bounds of stochastic gradient descent for wide
    and deep neural networks", Thm 3.3 / Cor. 3.10) bound the expected 0-1 error of the
    SGD output of a wide deep net by

        O~( L * sqrt(y^T Theta^{-1} y / n) ) + O( sqrt(log(1/delta) / n) ),

    and with labels in {-1, +1}, ``y^T Theta^{-1} y <= ||y||^2 / lambda_min = n / lambda_min``:
    a larger ``lambda_min`` gives a smaller bound. Zhu et al. (2022) plug their
    ``lambda_min`` bounds into a bound of this form (their generalization theorem; exact
    constants not confirmed by us). We return the expression with every hidden constant
    and log factor set to 1: ``depth * sqrt(Q / n) + sqrt(log(1/delta) / n)`` with
    ``Q = quadratic_form`` if given, else ``n / lambda_min``. Use it to compare
    architectures, not as a calibrated error.
    """
    if not (isinstance(n, (int, np.integer)) and n >= 1):
        raise ValueError(f"n must be a positive integer, got {n!r}")
    if not 0 < delta < 1:
        raise ValueError(f"delta must be in (0, 1), got {delta!r}")
    if not (isinstance(depth, (int, np.integer)) and depth >= 1):
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    if quadratic_form is None:
        if not lambda_min > 0:
            raise ValueError(f"lambda_min must be positive, got {lambda_min!r}")
        quadratic_form = n / lambda_min
    elif not quadratic_form >= 0:
        raise ValueError(f"quadratic_form must be non-negative, got {quadratic_form!r}")
    return float(depth * math.sqrt(quadratic_form / n) + math.sqrt(math.log(1.0 / delta) / n))


def theory_score(arch, X, *, method: str = "layerwise", **options) -> float:
    """Training-free score: the lower bound on ``lambda_min`` (higher is better).

    The ranking rule of Zhu et al.'s train-free search is "larger ``lambda_min`` (bound)
    is better" (their Sec. on the train-free algorithm); we score with our Proposition 2
    (default) or 3 lower bound, which needs no forward pass: only Hermite coefficients,
    the skip pattern and ``lambda_min`` of the data's Hadamard powers.
    """
    return lambda_min_bounds(arch, X, method=method, **options).lower


# ----------------------------------------------------------------------------- inputs of norm c
def check_input_norm(input_norm) -> float:
    """``input_norm`` as a float, or ValueError unless it is a positive finite number."""
    if not (isinstance(input_norm, (int, float, np.floating)) and np.isfinite(input_norm)
            and input_norm > 0):
        raise ValueError(f"input_norm must be a positive finite number, got {input_norm!r}")
    return float(input_norm)


def scaled_bounds(arch, U, *, input_norm: float = 1.0, method: str = "series", hadamard=None,
                  weight_scale: float = 1.0, residual_scale: float = 1.0, hermite_order: int = 64,
                  degree: int = 128) -> LambdaMinBounds:
    """Propositions 2/3 (lower) and 4 (upper), ours, for inputs ``x_i = input_norm * u_i``.

    ``U``: ``(N, d)`` unit-norm rows. Identical to
    :func:`~nascore.theory.lambda_min_bounds` with ``d`` replaced by ``d / input_norm^2``
    (:mod:`nascore.studies.zhu` explains the input scale); ``input_norm = 1`` gives exactly its result. ``hadamard``: the
    precomputed ``lambda_min(G^(t))``, ``t = 1..max(degree, hermite_order + 2)``
    (:func:`~nascore.theory.hadamard_lambda_min`), shared across architectures.
    """
    arch = check_architecture(arch)
    U = check_data(U, unit_norm=True)
    c = check_input_norm(input_norm)
    if U.shape[0] < 2:
        raise ValueError(f"need N >= 2 samples for a minimum eigenvalue bound, got N = {U.shape[0]}")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; allowed: {', '.join(METHODS)}")
    top = max(degree, hermite_order + 2)
    lam = hadamard_lambda_min(U, top) if hadamard is None else np.asarray(hadamard, float)
    if lam.shape != (top,):
        raise ValueError(f"hadamard must hold {top} values (t = 1..{top}), got shape {lam.shape}")
    d_eff = U.shape[1] / c ** 2
    diag = diagonal_recursion(arch, d_eff, weight_scale=weight_scale,
                              residual_scale=residual_scale, hermite_order=hermite_order)
    series = ntk_series(diag, degree)
    lower, eta, ell = _layerwise_lower(diag, lam, d_eff, hermite_order)
    constants = {"input_dim_effective": d_eff, "q": diag.q, "diag": diag.s, "backward": diag.b,
                 "skip_paths": diag.A, "theta_diag": diag.theta_diag, "hadamard": lam,
                 "eta": eta, "ell": ell, "layerwise_lower": lower, "series_coefficients": series}
    if method == "series":
        constants["series_lower"] = float(series[1:] @ lam[:degree])
        lower = max(lower, constants["series_lower"])
    upper = _pair_upper(series, diag.theta_diag, U @ U.T)
    return LambdaMinBounds(lower=lower, upper=upper, method=method, constants=constants)
