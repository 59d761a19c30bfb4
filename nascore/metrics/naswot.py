"""NASWOT and its first version: activation-code kernel (naswot) and Jacobian covariance (jacov).

Mellor, Turner, Storkey, Crowley, *Neural architecture search without training*
(ICML 2021; official code BayesWatch/nas-without-training). Version 1 of the same paper
(arXiv 2006.04647v1) scored networks by the correlation of their input Jacobians, the
``jacob_cov`` proxy of the zero-cost study.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .registry import SharedPass, register

#: Module types whose *input* is a pre-activation. The official code hooks every module
#: whose class name contains "ReLU"; the others are our extension to smooth activations
#: (code = 1[pre-activation > 0]), needed for Zhu et al.'s mixed space, together with
#: pre-activation markers (:func:`is_pre_activation_marker`).
_SMOOTH_ACTIVATIONS = (nn.Tanh, nn.Sigmoid, nn.SiLU, nn.GELU, nn.ELU, nn.Softplus, nn.Hardswish)
#: Which modules give codes: ``"name"`` every module whose class name contains "ReLU"
#: (BayesWatch's ``score_networks.py:119-123``; a container such as NAS-Bench-201's
#: ``ReLUConvBN`` is hooked too, so the units after it count twice), ``"relu"`` only
#: PyTorch's own ReLU modules (NASLib's ``nwot.py:42-46`` skips its own classes).
POINTS = ("name", "relu")


def is_pre_activation_marker(module: nn.Module) -> bool:
    """Whether ``module`` marks a layer's pre-activation: an identity carrying the layer's
    fan-in as ``fan_in`` (``None`` when unknown).

    A network that applies its activations functionally inserts such a marker before each
    one so that hooks can read the pre-activation; the activation codes (here) and the
    Fisher proxy (:func:`nascore.metrics.zero_cost.fisher_points`) read it.
    """
    return isinstance(module, nn.Identity) and hasattr(module, "fan_in")


def activation_points(net: nn.Module, points: str = "name") -> list[nn.Module]:
    """The modules whose input NASWOT binarises, in registration order (see :data:`POINTS`)."""
    if points not in POINTS:
        raise ValueError(f"unknown activation points {points!r}; allowed: {', '.join(POINTS)}")

    def is_relu(m):
        name = type(m).__name__
        if points == "relu":
            return "ReLU" in name and type(m).__module__.startswith("torch.nn")
        return "ReLU" in name

    return [m for m in net.modules()
            if is_relu(m) or isinstance(m, _SMOOTH_ACTIVATIONS) or is_pre_activation_marker(m)]


def agreement(codes: torch.Tensor):
    """``(K, N)`` for boolean codes ``(n, ...)``: ``K[i, j]`` = positions where rows ``i``, ``j`` agree.

    ``K = C C^T + (1 - C)(1 - C)^T = 2 C C^T - s 1^T - 1 s^T + N`` with ``s`` the row sums:
    one product instead of two. ``C C^T`` is computed in float32, which is exact here
    (every partial sum is an integer below 2^24) and several times faster than float64;
    the result is float64.
    """
    c = codes.flatten(1)
    units = c.shape[1]
    dtype = torch.float32 if units < 2 ** 24 else torch.float64
    c = c.to(dtype)
    ones = c.sum(1).to(torch.float64)
    agree = 2 * (c @ c.T).to(torch.float64) - ones[:, None] - ones[None, :] + units
    return agree, units


class ActivationRecorder:
    """Forward pre-hooks that add each activation's ``(K_l, N_l)`` to ``parts`` (a context manager).

    ``K_l[i, j]`` = units of that activation call on which inputs ``i`` and ``j`` agree;
    ``N_l`` = its number of units (:func:`agreement`). Codes are read *before* the module
    runs, so in-place ReLUs are seen before they overwrite their input; float64 results.
    """

    def __init__(self, net: nn.Module, points: str = "name"):
        self.points = activation_points(net, points)
        if not self.points:
            raise ValueError("the network has no activation modules (ReLU-like modules or pre-activation markers)")
        self.parts, self._handles = [], []

    def _pre_hook(self, module, args):
        self.parts.append(agreement(args[0].detach() > 0))

    def __enter__(self):
        self._handles = [m.register_forward_pre_hook(self._pre_hook) for m in self.points]
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        return False


def kernel_of(parts, n: int):
    """``(K_H, N_A)``: the per-activation parts summed (an ``n x n`` zero kernel if none)."""
    if not parts:
        return torch.zeros(n, n, dtype=torch.float64), 0
    kernel = torch.zeros_like(parts[0][0])
    for agree, _ in parts:
        kernel += agree
    return kernel, sum(units for _, units in parts)


def activation_kernel(net: nn.Module, inputs: torch.Tensor, *, per_layer: bool = False,
                      points: str = "name"):
    """Hamming-agreement kernel ``K_H`` of the activation codes, and the unit count ``N_A``.

    ``K_H[i, j] = <c_i, c_j> + <1 - c_i, 1 - c_j>`` = number of units on which samples
    ``i`` and ``j`` agree, where ``c_i in {0, 1}^{N_A}`` concatenates ``1[pre-activation > 0]``
    over every activation module (:class:`ActivationRecorder`). One forward pass in
    train mode, no gradients, float64 accumulation. With ``per_layer=True``, returns
    lists of ``(K_l, N_l)`` per activation call instead of their sums.
    """
    net.train()
    with ActivationRecorder(net, points) as recorder:
        with torch.no_grad():
            net(inputs)
    if per_layer:
        return recorder.parts
    return kernel_of(recorder.parts, inputs.shape[0])


def log_abs_det(matrix: torch.Tensor) -> float:
    """``log|det matrix|`` in float64; ``-inf`` when the matrix is singular."""
    sign, logabs = torch.linalg.slogdet(matrix.to(torch.float64))
    return -math.inf if float(sign) == 0 else float(logabs)


def naswot_of_parts(parts, n: int, *, points: str = "name") -> float:
    """``log|det K_H|`` from the per-activation parts of :class:`ActivationRecorder` for ``n``
    inputs (``points``: which modules gave the parts; the recorder used it)."""
    return log_abs_det(kernel_of(parts, n)[0])


@register("naswot", paper="Mellor et al., Neural architecture search without training, ICML 2021",
          equation="Eq. 2 (s = log|K_H|)", higher_is_better=True, needs_labels=False,
          allows_neg_inf=True, shared=SharedPass("activations", naswot_of_parts, ("points",)),
          description="Log-determinant of the Hamming-agreement kernel of binary activation codes.")
def naswot(net, inputs, targets=None, *, points: str = "name") -> float:
    """``log|det K_H|``, ``K_H[i, j] = N_A - d_H(c_i, c_j)`` (see :func:`activation_kernel`).

    Binary codes as in the official BayesWatch code (``score_networks.py:100-110``; not
    the zero-cost-nas fork's raw pre-activation products). ``points``: which modules give
    codes (:data:`POINTS`; default ``"name"``, the official code's rule; ``"relu"`` is
    NASLib's). Returns ``-inf``, the worst score, when ``K_H`` is singular: two inputs
    with identical codes (duplicated images), or no units. Paper's batch: 128
    (``score_networks.py:21``).
    """
    kernel, _ = activation_kernel(net, inputs, points=points)
    return log_abs_det(kernel)


def jacov_value(jacobian: torch.Tensor, *, k: float = 1e-5) -> float:
    """``-sum_i [ log(λ_i + k) + 1 / (λ_i + k) ]`` for ``λ`` = eigenvalues of the rows' correlation.

    ``jacobian``: ``(N, D)`` (one flattened input Jacobian per row). NaN when a row is
    constant (its correlation is undefined).
    """
    jac = jacobian.detach().reshape(jacobian.shape[0], -1).to(torch.float64).cpu().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(jac)
    corr = np.atleast_2d(corr)
    if not np.isfinite(corr).all():
        return math.nan
    eig = np.linalg.eigvalsh(corr)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(np.log(eig + k) + 1.0 / (eig + k)))


@register("jacov", paper="Mellor et al., Neural architecture search without training, arXiv 2006.04647v1; "
          "Abdelfattah et al., ICLR 2021 (jacob_cov)",
          equation="v1 Eq. 3 (-sum log(λ+k) + 1/(λ+k)); official jacob_cov.py",
          higher_is_better=True, needs_labels=False, shared=SharedPass("jacobian", jacov_value, ("k",)),
          description="Spread of the eigenvalues of the correlation matrix of input Jacobians.")
def jacov(net, inputs, targets=None, *, k: float = 1e-5) -> float:
    """``-sum_i [ log(λ_i + k) + 1 / (λ_i + k) ]``, λ = eigenvalues of ``corr(J)``, k = 1e-5.

    ``J[n]`` = gradient of the summed outputs of the whole batch with respect to input
    ``n``, flattened (official code: ``y.backward(ones)`` on one forward of the batch,
    ``jacob_cov.py:22-34``, train mode, so BatchNorm couples the samples). ``corr`` is
    the ``N x N`` Pearson correlation between rows (``np.corrcoef``); its eigenvalues come
    from ``eigvalsh`` in float64 (the official ``np.linalg.eig``, ``jacob_cov.py:36-40``,
    gives the same values for this symmetric matrix). Each term is minimised at λ = 1,
    so the score is highest when the Jacobians of different inputs are uncorrelated. A
    sample whose Jacobian is constant makes the correlation undefined and the metric
    non-finite (an error through ``score``).
    """
    net.train()
    x = inputs.detach().clone().requires_grad_(True)
    out = net(x)
    (grad,) = torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out), allow_unused=True)
    if grad is None:
        grad = torch.zeros_like(x)
    return jacov_value(grad, k=k)
