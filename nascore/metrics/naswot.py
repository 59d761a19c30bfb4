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

from .registry import register, reject_options

#: Module types whose *input* is a pre-activation. The official code hooks every module
#: whose class name contains "ReLU"; the others are our extension to smooth activations
#: (code = 1[pre-activation > 0]), needed for Zhu et al.'s mixed space.
_SMOOTH_ACTIVATIONS = (nn.Tanh, nn.Sigmoid, nn.SiLU, nn.GELU, nn.ELU, nn.Softplus, nn.Hardswish)


def activation_points(net: nn.Module) -> list[nn.Module]:
    """The modules whose input NASWOT binarises, in registration order."""
    from nascore.spaces.mixed import PreActivation

    return [m for m in net.modules()
            if "ReLU" in type(m).__name__ or isinstance(m, (PreActivation, _SMOOTH_ACTIVATIONS))]


def activation_kernel(net: nn.Module, inputs: torch.Tensor, *, per_layer: bool = False):
    """Hamming-agreement kernel ``K_H`` of the activation codes, and the unit count ``N_A``.

    ``K_H[i, j] = <c_i, c_j> + <1 - c_i, 1 - c_j>`` = number of units on which samples
    ``i`` and ``j`` agree, where ``c_i in {0, 1}^{N_A}`` concatenates ``1[pre-activation > 0]``
    over every activation module (read by a forward *pre*-hook, so in-place ReLUs are
    seen before they overwrite their input). One forward pass in train mode, no
    gradients, float64 accumulation. With ``per_layer=True``, returns lists of
    ``(K_l, N_l)`` per activation call instead of their sums.
    """
    net.train()
    points = activation_points(net)
    if not points:
        raise ValueError("the network has no activation modules (ReLU-like modules or PreActivation markers)")
    parts = []

    def pre_hook(module, args):
        codes = (args[0].detach() > 0).flatten(1).to(torch.float64)
        agree = codes @ codes.T + (1 - codes) @ (1 - codes).T
        parts.append((agree, codes.shape[1]))

    handles = [m.register_forward_pre_hook(pre_hook) for m in points]
    try:
        with torch.no_grad():
            net(inputs)
    finally:
        for h in handles:
            h.remove()
    if per_layer:
        return parts
    n = inputs.shape[0]
    kernel = torch.zeros(n, n, dtype=torch.float64, device=inputs.device)
    for agree, _ in parts:
        kernel += agree
    return kernel, sum(units for _, units in parts)


def log_abs_det(matrix: torch.Tensor) -> float:
    """``log|det matrix|`` in float64; ``-inf`` when the matrix is singular."""
    sign, logabs = torch.linalg.slogdet(matrix.to(torch.float64))
    return -math.inf if float(sign) == 0 else float(logabs)


@register("naswot", paper="Mellor et al., Neural architecture search without training, ICML 2021",
          equation="Eq. 2 (s = log|K_H|)", higher_is_better=True, needs_labels=False,
          allows_neg_inf=True,
          description="Log-determinant of the Hamming-agreement kernel of binary activation codes.")
def naswot(net, inputs, targets=None, **options) -> float:
    """``log|det K_H|``, ``K_H[i, j] = N_A - d_H(c_i, c_j)`` (see :func:`activation_kernel`).

    Binary codes as in the official BayesWatch code (not the zero-cost-nas fork's raw
    pre-activation products). Returns ``-inf``, the worst score, when ``K_H`` is
    singular: two inputs with identical codes (duplicated images), or no units.
    Paper's batch: 128.
    """
    reject_options("naswot", options)
    kernel, _ = activation_kernel(net, inputs)
    return log_abs_det(kernel)


@register("jacov", paper="Mellor et al., Neural architecture search without training, arXiv 2006.04647v1; "
          "Abdelfattah et al., ICLR 2021 (jacob_cov)",
          equation="v1 Eq. 3 (-sum log(λ+k) + 1/(λ+k)); official jacob_cov.py",
          higher_is_better=True, needs_labels=False,
          description="Spread of the eigenvalues of the correlation matrix of input Jacobians.")
def jacov(net, inputs, targets=None, *, k: float = 1e-5) -> float:
    """``-sum_i [ log(λ_i + k) + 1 / (λ_i + k) ]``, λ = eigenvalues of ``corr(J)``, k = 1e-5.

    ``J[n]`` = gradient of the summed outputs of the whole batch with respect to input
    ``n``, flattened (official code: ``y.backward(ones)`` on one forward of the batch,
    train mode, so BatchNorm couples the samples). ``corr`` is the ``N x N`` Pearson
    correlation between rows (``np.corrcoef``); its eigenvalues come from ``eigvalsh``
    in float64 (the official ``np.linalg.eig`` gives the same values for this symmetric
    matrix). Each term is minimised at λ = 1, so the score is highest when the Jacobians
    of different inputs are uncorrelated. A sample whose Jacobian is constant makes the
    correlation undefined and the metric non-finite (an error through ``score``).
    """
    net.train()
    x = inputs.detach().clone().requires_grad_(True)
    out = net(x)
    (grad,) = torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out), allow_unused=True)
    if grad is None:
        grad = torch.zeros_like(x)
    jac = grad.detach().reshape(x.shape[0], -1).to(torch.float64).numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(jac)
    corr = np.atleast_2d(corr)
    if not np.isfinite(corr).all():
        return math.nan
    eig = np.linalg.eigvalsh(corr)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(-np.sum(np.log(eig + k) + 1.0 / (eig + k)))
