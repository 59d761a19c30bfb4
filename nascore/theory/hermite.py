"""Normalised Hermite coefficients of activations and Gaussian expectations.

For an activation ``sigma`` with ``E[sigma(z)^2] < inf``, ``z ~ N(0, 1)``, the normalised
Hermite coefficients are

    mu_r(sigma) = E[sigma(z) He_r(z)] / sqrt(r!),        r = 0, 1, 2, ...

with ``He_r`` the probabilists' Hermite polynomials. They give the dual activation: for a
pair ``(u, v)`` of standard Gaussians with correlation ``rho``,

    E[sigma(u) sigma(v)] = sum_r mu_r(sigma)^2 rho^r                          (Mehler)

which is the expansion the minimum-eigenvalue bounds of Nguyen, Mondelli & Montufar
(ICML 2021) and Zhu, Liu, Chrysos & Cevher (NeurIPS 2022) are built on.

Numerics. Every activation of :mod:`nascore.spaces.mixed` (and its derivative) is smooth
except at 0, so every integral here is split at the kink and each piece is done by
Gauss-Legendre quadrature on a truncated half-line (the Gaussian tail beyond the cut is
below 1e-20). Gauss-Hermite quadrature on the whole line converges only algebraically for
kinked functions (about 1e-3 for ReLU with 200 nodes); the split rule reaches ~1e-14.
"""
from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from scipy import special

#: Most Hermite orders one call may ask for (the quadrature is checked up to here).
MAX_ORDER = 160
_LEAKY_SLOPE = 0.01  # torch.nn.functional.leaky_relu default, as in spaces.mixed


def _relu(x):
    return np.maximum(x, 0.0)


def _leaky(x):
    return np.where(x > 0, x, _LEAKY_SLOPE * x)


def _swish(x):
    return x * special.expit(x)


def _gelu(x):  # exact (erf) GELU, torch's default
    return x * special.ndtr(x)


def _elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def _d_swish(x):
    s = special.expit(x)
    return s + x * s * (1.0 - s)


def _d_sigmoid(x):
    s = special.expit(x)
    return s * (1.0 - s)


#: numpy twins of ``nascore.spaces.mixed.ACTIVATIONS``: name -> (sigma, sigma').
ACTIVATIONS = {
    "relu": (_relu, lambda x: (x > 0).astype(float)),
    "leaky_relu": (_leaky, lambda x: np.where(x > 0, 1.0, _LEAKY_SLOPE)),
    "tanh": (np.tanh, lambda x: 1.0 - np.tanh(x) ** 2),
    "sigmoid": (special.expit, _d_sigmoid),
    "swish": (_swish, _d_swish),
    "gelu": (_gelu, lambda x: special.ndtr(x) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)),
    "elu": (_elu, lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0)))),
}


def activation_function(activation, derivative: bool = False):
    """The numpy function for a named activation (or its derivative), or a callable as is."""
    if callable(activation):
        if derivative:
            raise ValueError("derivatives are only known for named activations; "
                             f"allowed: {', '.join(sorted(ACTIVATIONS))}")
        return _as_numpy(activation)
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; allowed: a callable or one of "
                         f"{', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[activation][1 if derivative else 0]


def _as_numpy(fn):
    """Wrap a callable so it maps float arrays to float arrays (torch functions welcome)."""
    def wrapped(x):
        try:
            out = fn(x)
        except TypeError:  # e.g. torch.tanh refuses numpy input
            out = None
        if out is None or not isinstance(out, np.ndarray):
            import torch

            if out is None or isinstance(out, torch.Tensor):
                out = fn(torch.as_tensor(x)).detach().cpu().numpy()
        return np.asarray(out, dtype=float)

    return wrapped


@lru_cache(maxsize=None)
def _legendre(n: int):
    x, w = np.polynomial.legendre.leggauss(n)
    x.flags.writeable = w.flags.writeable = False
    return x, w


@lru_cache(maxsize=None)
def _half_line_rule(n: int, cut: float):
    """Gauss-Legendre nodes/weights on [0, cut], times the standard normal density."""
    x, w = _legendre(n)
    z = 0.5 * cut * (x + 1.0)
    w = 0.5 * cut * w * np.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)
    return z, w


def gaussian_rule(n: int = 200, cut: float = 10.0):
    """Nodes and weights for ``E[f(z)]``, ``z ~ N(0, 1)``, split at 0 (both halves)."""
    z, w = _half_line_rule(int(n), float(cut))
    return np.concatenate([-z[::-1], z]), np.concatenate([w[::-1], w])


def _check_orders(r) -> np.ndarray:
    orders = np.asarray(r)
    if orders.dtype.kind not in "iu" and not (
        orders.dtype.kind == "f" and np.all(np.isfinite(orders)) and np.all(orders == np.round(orders))
    ):
        raise ValueError(f"Hermite order r must be a non-negative integer (or array of them), got {r!r}")
    orders = orders.astype(int)
    if orders.size and (orders.min() < 0 or orders.max() > MAX_ORDER):
        raise ValueError(f"Hermite order r must be in 0..{MAX_ORDER}, got {r!r}")
    return orders


def hermite_coefficient(activation, r, *, scale: float = 1.0):
    """Normalised Hermite coefficient ``mu_r`` of ``z -> activation(scale * z)``.

    ``mu_r = E[sigma(scale z) He_r(z)] / sqrt(r!)``, ``z ~ N(0, 1)`` (Zhu et al. 2022,
    Sec. 3; Nguyen et al. 2021, Sec. 2). ``activation``: a name from
    :data:`nascore.spaces.mixed.ACTIVATIONS` or a numpy-vectorised callable. ``r``: an
    integer or an array of integers in ``0..MAX_ORDER`` (the result has its shape).
    ``scale`` is the standard deviation of the pre-activation; layer ``l`` of a deep net
    sees ``scale = sqrt(q_l)``.

    Closed forms the tests check (ReLU): ``mu_0 = 1/sqrt(2 pi)``, ``mu_1 = 1/2`` and, for
    even ``r >= 2``, ``mu_r = (-1)^(r/2 - 1) (r - 3)!! / sqrt(2 pi r!)``; odd ``r >= 3``: 0.

    >>> round(float(hermite_coefficient("relu", 1)), 12)
    0.5
    """
    orders = _check_orders(r)
    if not (isinstance(scale, (int, float, np.floating)) and math.isfinite(scale) and scale > 0):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}")
    fn = activation_function(activation)
    table = _coefficient_table(fn, int(orders.max()) if orders.size else 0, float(scale))
    out = table[orders]
    return float(out) if np.ndim(out) == 0 else out


def _coefficient_table(fn, top: int, scale: float) -> np.ndarray:
    """``mu_0 .. mu_top`` at once via the Hermite-function recurrence."""
    # Normalised Hermite functions psi_r = h_r(z) exp(-z^2/4) stay O(1) for all z, so the
    # three-term recurrence cannot overflow; the remaining exp(-z^2/4) goes into the weight.
    cut = math.sqrt(4.0 * top + 2.0) + 10.0
    x, w = _legendre(240 + 4 * top)
    half = 0.5 * cut * (x + 1.0)
    z = np.concatenate([-half[::-1], half])
    w = np.concatenate([w[::-1], w]) * 0.5 * cut * np.exp(-0.25 * z * z) / math.sqrt(2 * math.pi)
    values = fn(scale * z) * w
    if not np.all(np.isfinite(values)):
        raise ValueError("the activation returned non-finite values on the quadrature grid")
    table = np.empty(top + 1)
    prev, cur = np.zeros_like(z), np.exp(-0.25 * z * z)
    table[0] = values @ cur
    for k in range(1, top + 1):
        prev, cur = cur, (z * cur - math.sqrt(k - 1) * prev) / math.sqrt(k)
        table[k] = values @ cur
    return table


def gaussian_mean(fn, var) -> np.ndarray:
    """``E[fn(sqrt(var) z)]`` for each entry of ``var`` (split rule, see module doc)."""
    z, w = gaussian_rule()
    var = np.asarray(var, dtype=float)
    return fn(np.sqrt(var)[..., None] * z) @ w


def gaussian_pair_expectation(f, g, var_u, var_v, cov, *, n: int = 48, cut: float = 9.0):
    """``E[f(u) g(v)]`` for ``(u, v) ~ N(0, [[var_u, cov], [cov, var_v]])``, elementwise.

    ``u = sqrt(var_u) z1``, ``v = sqrt(var_v) (rho z1 + s z2)`` with ``s = sqrt(1 - rho^2)``;
    the outer integral over ``z1`` is split at 0 (the kink of ``f``) and, for every outer
    node, the inner one over ``z2`` at ``-rho z1 / s`` (the kink of ``g``), so both pieces
    are smooth and Gauss-Legendre converges geometrically, even for step functions.
    """
    var_u, var_v, cov = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (var_u, var_v, cov)))
    shape = var_u.shape
    a, b, c = var_u.ravel(), var_v.ravel(), cov.ravel()
    su, sv = np.sqrt(a), np.sqrt(b)
    rho = np.clip(c / np.maximum(su * sv, 1e-300), -1.0, 1.0)
    s = np.sqrt(np.maximum(1.0 - rho * rho, 0.0))
    z1, w1 = gaussian_rule(n, cut)                                   # (2n,)
    x, wx = _legendre(n)
    kink = np.clip(-rho[:, None] * z1 / np.maximum(s[:, None], 1e-300), -cut, cut)  # (P, 2n)
    # inner nodes on [-cut, kink] and [kink, cut]
    lo_len, hi_len = kink + cut, cut - kink
    z2 = np.concatenate([-cut + 0.5 * lo_len[..., None] * (x + 1.0),
                         kink[..., None] + 0.5 * hi_len[..., None] * (x + 1.0)], axis=-1)  # (P,2n,2n)
    w2 = np.concatenate([0.5 * lo_len[..., None] * wx, 0.5 * hi_len[..., None] * wx], axis=-1)
    w2 = w2 * np.exp(-0.5 * z2 * z2) / math.sqrt(2 * math.pi)
    inner = (g(sv[:, None, None] * (rho[:, None, None] * z1[None, :, None] + s[:, None, None] * z2))
             * w2).sum(-1)                                           # (P, 2n)
    outer = f(su[:, None] * z1[None, :])
    return ((outer * inner) @ w1).reshape(shape)
