"""The NTK of the mixed nets as a power series in the data Gram matrix (unit-norm data).

For unit-norm inputs every layer sees inputs of one common variance, so each kernel of
:mod:`nascore.theory.kernels` is a function of the Gram entry ``G_ij = x_i . x_j`` alone,
and by Mehler's formula (see :mod:`nascore.theory.hermite`) a power series in it with
**non-negative** coefficients:

    Theta = sum_{t>=0} theta_t G^{(t)},        G^{(t)} = G * G * ... * G  (Hadamard power)

This module computes (i) the per-layer scalars of the diagonal recursion
(:func:`diagonal_recursion`: ``q_l``, ``mu_0``, centred energies, ``Theta(1)``, ...) and
(ii) lower estimates ``theta_hat_t <= theta_t`` of the coefficients
(:func:`ntk_series`): every truncation (Hermite order ``R``, degree ``T``) only drops
terms with non-negative coefficients. Both feed :mod:`nascore.theory.bounds`. The
construction is ours (Proposition 1 of the book's appendix); Murray et al. (ICLR 2023,
"Characterizing the spectrum of the NTK via a power series expansion") study the same
expansion for FC nets.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nascore.theory.hermite import activation_function, gaussian_mean, hermite_coefficient
from nascore.theory.kernels import check_architecture, check_scales, skip_paths


@dataclass(frozen=True)
class Diagonal:
    """Scalars of the diagonal recursion, one entry per hidden layer ``l = 1..L-1``.

    ``q[l-1]``: pre-activation variance; ``mu[l-1]``, ``dmu[l-1]``: Hermite coefficients
    ``mu_0..mu_R`` of ``sigma_l(sqrt(q_l) z)`` and of ``sigma_l'(sqrt(q_l) z)``;
    ``mean = mu_0``; ``centred = E sigma_l^2 - mu_0^2 = sum_{r>=1} mu_r^2``;
    ``deriv = E sigma_l'^2``; ``s[l]``: ``Sigma_l(x, x)`` (``s[0] = 1/d``);
    ``b[l-1]``: ``B_l(x, x)``; ``theta_diag = Theta(x, x)``; ``A``: skip paths.
    """

    q: np.ndarray
    mu: np.ndarray
    dmu: np.ndarray
    mean: np.ndarray
    centred: np.ndarray
    deriv: np.ndarray
    s: np.ndarray
    b: np.ndarray
    theta_diag: float
    A: np.ndarray
    weight_scale: float


def diagonal_recursion(arch, input_dim: int, *, weight_scale=1.0, residual_scale=1.0,
                       hermite_order: int = 64) -> Diagonal:
    """The recursion of :mod:`nascore.theory.kernels` on the diagonal ``x = y``, ``||x|| = 1``."""
    arch = check_architecture(arch)
    sw, alpha = check_scales(weight_scale, residual_scale)
    A = skip_paths(arch, alpha)
    n = len(arch.activations)
    s = [1.0 / input_dim]
    q, mu, dmu, mean, centred, deriv = [], [], [], [], [], []
    orders = np.arange(hermite_order + 1)
    for l, name in enumerate(arch.activations, start=1):
        q.append(sw ** 2 * s[-1])
        f, df = activation_function(name), activation_function(name, derivative=True)
        mu.append(hermite_coefficient(name, orders, scale=np.sqrt(q[-1])))
        dmu.append(hermite_coefficient(df, orders, scale=np.sqrt(q[-1])))
        mean.append(mu[-1][0])
        centred.append(float(gaussian_mean(lambda x: f(x) ** 2, q[-1])) - mean[-1] ** 2)
        deriv.append(float(gaussian_mean(lambda x: df(x) ** 2, q[-1])))
        s.append(sum(A[k, l - 1] * mean[k] for k in range(l)) ** 2
                 + sum(A[k, l - 1] ** 2 * centred[k] for k in range(l)))
    Q = np.zeros(n + 1)
    b = np.zeros(n + 1)
    Q[n] = 1.0
    for l in range(n, 0, -1):
        if l < n:
            Q[l] = sw ** 2 * deriv[l] * b[l + 1]
        b[l] = sum(A[l - 1, j - 1] ** 2 * Q[j] for j in range(l, n + 1))
    theta = s[n] + sum(sw ** 2 * s[l - 1] * deriv[l - 1] * b[l] for l in range(1, n + 1))
    return Diagonal(np.array(q), np.array(mu), np.array(dmu), np.array(mean), np.array(centred),
                    np.array(deriv), np.array(s), b[1:], float(theta), A, sw)


def _mul(a, b):
    return np.convolve(a, b)[: len(a)]


def _compose(weights, p):
    """``sum_r weights[r] p^r`` truncated to ``len(p)`` coefficients."""
    out = np.zeros_like(p)
    power = np.zeros_like(p)
    power[0] = 1.0
    for w in weights:
        out += w * power
        power = _mul(power, p)
    return out


def ntk_series(diag: Diagonal, degree: int = 128) -> np.ndarray:
    """Lower estimates ``theta_hat_0..theta_hat_T`` of the NTK's coefficients in ``G``.

    Same recursion as :mod:`nascore.theory.kernels`, with every kernel replaced by its
    coefficient vector: the dual activation becomes composition with
    ``sum_r mu_r^2 rho^r`` (Mehler), the entrywise product becomes truncated convolution.
    """
    n = len(diag.q)
    sw2 = diag.weight_scale ** 2
    A = diag.A
    e1 = np.zeros(degree + 1)
    e1[1] = 1.0
    sig = [e1 * diag.s[0]]
    centred, dsig = [], []
    for l in range(1, n + 1):
        p = sig[-1] / diag.s[l - 1]  # pre-activation correlation, as a series in G
        mu2 = diag.mu[l - 1] ** 2
        centred.append(_compose(np.concatenate([[0.0], mu2[1:]]), p))
        dsig.append(_compose(diag.dmu[l - 1] ** 2, p))
        cur = sum(A[k, l - 1] ** 2 * centred[k] for k in range(l))
        cur[0] += sum(A[k, l - 1] * diag.mean[k] for k in range(l)) ** 2
        sig.append(cur)
    Q = [None] * (n + 1)
    B = [None] * (n + 1)
    Q[n] = np.zeros(degree + 1)
    Q[n][0] = 1.0
    for l in range(n, 0, -1):
        if l < n:
            Q[l] = sw2 * _mul(dsig[l], B[l + 1])
        B[l] = sum(A[l - 1, j - 1] ** 2 * Q[j] for j in range(l, n + 1))
    theta = sig[n].copy()
    for l in range(1, n + 1):
        theta += sw2 * _mul(_mul(sig[l - 1], dsig[l - 1]), B[l])
    return np.maximum(theta, 0.0)  # round-off only; every term is >= 0
