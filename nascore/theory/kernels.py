"""Infinite-width NNGP and NTK of Zhu et al.'s mixed-activation FC and residual nets.

The network is exactly :class:`nascore.spaces.mixed.MixedNet` (NTK parameterisation, no
biases, readout ``W_L f_{L-1} / sqrt(m)``, ``sigma_w`` = ``weight_scale``, ``alpha`` =
``residual_scale``). As the width ``m -> inf`` (Jacot et al. 2018; for skips, the same
argument layer by layer) every inner product ``<f_i(x), f_j(y)> / m`` converges. Write
``h_k = sigma_k(g_k)`` and unroll the skips: ``f_l = sum_{k<=l} A[k, l] h_k`` where
``A[k, l]`` sums ``alpha^(#hops)`` over the skip-only paths from layer ``k`` to ``l``
(``A[l, l] = 1``). With ``Lambda_l = sigma_w^2 Sigma_{l-1}`` the pre-activation covariance
of layer ``l`` and ``Sigma_0 = X X^T / d``:

    c_k(x)        = E[sigma_k(u)],                   u ~ N(0, Lambda_k(x, x))
    H~_k(x, y)    = E[sigma_k(u) sigma_k(v)] - c_k(x) c_k(y)
    Sigma_l       = (sum_k A[k,l] c_k)(sum_k A[k,l] c_k)^T + sum_k A[k,l]^2 H~_k     (NNGP)

(distinct layers meet only through their means: the rows of ``W_k`` are fresh). The
backward pass is the same with the roles reversed. ``dSigma_l = E[sigma_l'(u) sigma_l'(v)]``;
``Q_{L-1} = 1``, ``Q_j = sigma_w^2 dSigma_{j+1} * B_{j+1}`` and
``B_l = sum_{j>=l} A[l,j]^2 Q_j`` (the limit of ``<df/df_l(x), df/df_l(y)>``). The NTK is

    Theta = Sigma_{L-1} + sum_{l=1}^{L-1} sigma_w^2 Sigma_{l-1} * dSigma_l * B_l

(``*`` entrywise). Without skips this is Jacot et al.'s recursion. Dual activations are
computed by the split Gauss-Legendre rule of :mod:`nascore.theory.hermite`; the tests
check the ReLU case against the arc-cosine formula and the whole kernel against the
empirical NTK of a wide :class:`~nascore.spaces.mixed.MixedNet`.
"""
from __future__ import annotations

import math

import numpy as np

from nascore.spaces.mixed import Architecture
from nascore.theory.hermite import activation_function, gaussian_mean, gaussian_pair_expectation


#: Gauss-Legendre nodes per piece of the pair expectations behind the kernels (the default of
#: :func:`nascore.theory.hermite.gaussian_pair_expectation`).
QUADRATURE_NODES = 48

def check_architecture(arch) -> Architecture:
    if not isinstance(arch, Architecture):
        raise ValueError(f"arch must be a nascore.spaces.mixed.Architecture, got {type(arch).__name__}")
    return arch


def check_data(X, *, unit_norm: bool = False) -> np.ndarray:
    """``X`` as a float64 ``(N, d)`` array; ``ValueError`` naming what is wrong."""
    try:
        import torch

        if isinstance(X, torch.Tensor):
            X = X.detach().cpu().numpy()
    except ImportError:  # pragma: no cover
        pass
    X = np.asarray(X)
    if X.dtype.kind not in "fiu":
        raise ValueError(f"X must hold real numbers, got dtype {X.dtype}")
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (N, d) with N, d >= 1, got shape {X.shape}")
    X = X.astype(float)
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite (found nan or inf)")
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise ValueError("X has a zero row; the kernels need non-zero inputs")
    if unit_norm and np.max(np.abs(norms - 1.0)) > 1e-6:
        raise ValueError(f"the bounds assume unit-norm rows (||x||_2 = 1); got norms in "
                         f"[{norms.min():.4g}, {norms.max():.4g}] - divide each row by its norm")
    return X


def check_scales(weight_scale, residual_scale) -> tuple[float, float]:
    for name, value in (("weight_scale", weight_scale), ("residual_scale", residual_scale)):
        if not (isinstance(value, (int, float, np.floating)) and math.isfinite(value)):
            raise ValueError(f"{name} must be a finite number, got {value!r}")
    if weight_scale <= 0:
        raise ValueError(f"weight_scale must be positive, got {weight_scale!r}")
    return float(weight_scale), float(residual_scale)


def skip_paths(arch: Architecture, residual_scale: float = 1.0) -> np.ndarray:
    """``A`` with ``A[k-1, l-1]`` = sum over skip-only paths k -> l of ``alpha^(#hops)``.

    ``f_l = sum_k A[k-1, l-1] sigma_k(g_k)`` (1-based layers as in the paper).

    >>> float(skip_paths(Architecture(("relu",) * 3, ((1, 2), (2, 3))), 0.5)[0, 2])
    0.25
    """
    check_architecture(arch)
    n = len(arch.activations)
    A = np.eye(n)
    for j in range(1, n + 1):  # column i < j is final before column j reads it
        for i, jj in arch.skips:
            if jj == j:
                A[:, j - 1] += residual_scale * A[:, i - 1]
    return A


def infinite_width_kernels(arch, X, *, weight_scale: float = 1.0, residual_scale: float = 1.0,
                           quadrature_nodes: int = QUADRATURE_NODES):
    """``(ntk, nngp)``: the limiting NTK ``Theta`` and output NNGP ``Sigma_{L-1}`` (N x N).

    See the module docstring for the recursion. ``X``: ``(N, d)``, any non-zero rows.
    ``quadrature_nodes``: Gauss-Legendre nodes per piece of each pair expectation
    (:func:`nascore.theory.hermite.gaussian_pair_expectation`); the entries converge
    geometrically in it, and the difference between ``n`` and ``2 n`` nodes estimates the
    error of ``n`` (tests/test_theory.py).
    """
    if isinstance(quadrature_nodes, bool) or not isinstance(quadrature_nodes, int) or quadrature_nodes < 2:
        raise ValueError(f"quadrature_nodes must be an integer >= 2, got {quadrature_nodes!r}")
    arch = check_architecture(arch)
    X = check_data(X)
    sw, alpha = check_scales(weight_scale, residual_scale)
    A = skip_paths(arch, alpha)
    n_hidden = len(arch.activations)
    iu = np.triu_indices(X.shape[0])

    def pair(f, g, cov):  # symmetric N x N from the upper triangle only
        diag = np.diag(cov)
        vals = gaussian_pair_expectation(f, g, diag[iu[0]], diag[iu[1]], cov[iu], n=quadrature_nodes)
        out = np.zeros_like(cov)
        out[iu] = vals
        return out + np.triu(out, 1).T

    sigmas = [X @ X.T / X.shape[1]]  # Sigma_0
    means, centred, dsig = [], [], []
    for l in range(1, n_hidden + 1):
        f = activation_function(arch.activations[l - 1])
        df = activation_function(arch.activations[l - 1], derivative=True)
        lam = sw ** 2 * sigmas[-1]
        c = gaussian_mean(f, np.diag(lam))
        means.append(c)
        centred.append(pair(f, f, lam) - np.outer(c, c))
        dsig.append(pair(df, df, lam))
        mean_l = sum(A[k, l - 1] * means[k] for k in range(l))
        sigmas.append(np.outer(mean_l, mean_l) + sum(A[k, l - 1] ** 2 * centred[k] for k in range(l)))

    Q = [None] * (n_hidden + 1)  # 1-based
    B = [None] * (n_hidden + 1)
    Q[n_hidden] = np.ones_like(sigmas[0])
    for l in range(n_hidden, 0, -1):
        if l < n_hidden:
            Q[l] = sw ** 2 * dsig[l] * B[l + 1]
        B[l] = sum(A[l - 1, j - 1] ** 2 * Q[j] for j in range(l, n_hidden + 1))
    ntk = sigmas[-1] + sum(sw ** 2 * sigmas[l - 1] * dsig[l - 1] * B[l] for l in range(1, n_hidden + 1))
    return ntk, sigmas[-1]


def infinite_width_ntk(arch, X, *, weight_scale: float = 1.0, residual_scale: float = 1.0,
                       quadrature_nodes: int = QUADRATURE_NODES) -> np.ndarray:
    """The limiting NTK ``Theta`` (N x N) of ``arch.build(d, m, 1, ...)`` as ``m -> inf``.

    Matches ``nascore.ntk.empirical_ntk(net, X)`` (= ``J J^T`` for the scalar-output net) in
    the limit; see :func:`infinite_width_kernels` and the module docstring.
    """
    return infinite_width_kernels(arch, X, weight_scale=weight_scale, residual_scale=residual_scale,
                                  quadrature_nodes=quadrature_nodes)[0]


def infinite_width_lambda_min(arch, X, **scales) -> float:
    """``lambda_min`` of :func:`infinite_width_ntk` (float64 ``eigvalsh``)."""
    return float(np.linalg.eigvalsh(infinite_width_ntk(arch, X, **scales))[0])
