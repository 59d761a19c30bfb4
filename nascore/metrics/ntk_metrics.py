"""Metrics of the empirical NTK at initialisation, and label-gradient alignment.

Every metric here builds one kernel ``Θ = J Jᵀ`` (``N x N``, float64) with
:func:`nascore.ntk.empirical_ntk` under an explicit output convention (option
``output``): ``"sum"`` (summed logits, TE-NAS), ``"target"`` (true-class logit, HNAS's
code; needs labels) or ``"full"`` (all logits, an ``NK x NK`` kernel). How BatchNorm is
treated is :mod:`nascore.ntk`'s documented choice (default: train mode, batch
statistics, as TE-NAS). The kernel runs over *every* trainable parameter (convolution,
linear and BatchNorm); HNAS's code (``autograd_hacks``) sees only Conv2d/Linear ones, so
on networks with affine BatchNorm our ``ntk_trace`` is slightly larger than theirs.
"""
from __future__ import annotations

import math

import torch

from .registry import register


def _labels_if_target(default):
    return lambda options: options.get("output", default) == "target"


def kernel(net, inputs, targets, output: str) -> torch.Tensor:
    """The empirical NTK of ``net`` on the batch under the ``output`` convention."""
    from nascore import ntk

    if output == "target" and targets is None:
        raise ValueError("output='target' (true-class logit) needs labels: pass targets")
    return ntk.empirical_ntk(net, inputs, output=output, targets=targets if output == "target" else None)


@register("ntk_trace", paper="Shu et al., Unifying and boosting gradient-based training-free NAS (HNAS), NeurIPS 2022",
          equation="M_trace = sqrt(||Θ||_tr / m) (Sec. 3); official ntk_trace.py",
          higher_is_better=True, needs_labels=True, ntk_output="target",
          options={"output": "target"}, labels_rule=_labels_if_target("target"),
          description="Square root of the NTK trace per sample.")
def ntk_trace(net, inputs, targets=None, *, output: str = "target") -> float:
    """``sqrt(tr Θ / N) = sqrt( (1/N) sum_i ||∇_θ f(x_i)||² )``.

    HNAS's code takes ``f(x_i)`` = the logit of the true class (``output="target"``);
    the trace of a ``"full"`` kernel is divided by ``N`` too, not ``NK``.
    """
    from nascore import ntk

    theta = kernel(net, inputs, targets, output)
    return math.sqrt(float(ntk.trace(theta)) / inputs.shape[0])


@register("ntk_lambda_min", paper="Zhu et al., Generalization properties of NAS under activation and skip "
          "connection search, NeurIPS 2022", equation="λ_min(Θ) (Thms. on the NTK's minimum eigenvalue)",
          higher_is_better=True, needs_labels=False, ntk_output="sum",
          options={"output": "sum"}, labels_rule=_labels_if_target("sum"),
          description="Smallest eigenvalue of the empirical NTK.")
def ntk_lambda_min(net, inputs, targets=None, *, output: str = "sum") -> float:
    """``λ_min(Θ)``; for Zhu et al.'s scalar-output nets all output conventions agree."""
    from nascore import ntk

    return float(ntk.lambda_min(kernel(net, inputs, targets, output)))


@register("ntk_condition", paper="Chen, Gong, Wang, Neural architecture search on ImageNet in four GPU hours "
          "(TE-NAS), ICLR 2021", equation="κ_N = λ_max / λ_min (Eq. 3)",
          higher_is_better=False, needs_labels=False, ntk_output="sum",
          options={"output": "sum"}, labels_rule=_labels_if_target("sum"),
          description="Condition number of the empirical NTK (trainability; lower is better).")
def ntk_condition(net, inputs, targets=None, *, output: str = "sum",
                  singular_value: float | None = None) -> float:
    """``κ = λ_max(Θ) / λ_min(Θ)`` of the summed-logit kernel (TE-NAS).

    A singular kernel (``λ_min <= 0`` after round-off) has no finite condition number:
    by default that is an error; ``singular_value=1e5`` reproduces the official TE-NAS
    and HNAS codes, which replace the NaN by ``1e5``.
    """
    from nascore import ntk

    value = float(ntk.condition_number(kernel(net, inputs, targets, output)))
    if not math.isfinite(value) or value < 0:
        return float(singular_value) if singular_value is not None else math.nan
    return value


@register("ntk_frobenius", paper="Mok et al., Demystifying the neural tangent kernel from a practical "
          "perspective, CVPR 2022", equation="||Θ||_F (Sec. 3, at-init NTK metrics)",
          higher_is_better=True, needs_labels=True, ntk_output="target",
          options={"output": "target"}, labels_rule=_labels_if_target("target"),
          description="Frobenius norm of the empirical NTK.")
def ntk_frobenius(net, inputs, targets=None, *, output: str = "target") -> float:
    """``||Θ||_F``; default output as for :func:`lga` so the LGA chapter compares like with like."""
    return float(torch.linalg.matrix_norm(kernel(net, inputs, targets, output)))


@register("ntk_mean", paper="Mok et al., Demystifying the neural tangent kernel from a practical "
          "perspective, CVPR 2022", equation="mean_ij Θ_ij (Sec. 3, at-init NTK metrics)",
          higher_is_better=True, needs_labels=True, ntk_output="target",
          options={"output": "target"}, labels_rule=_labels_if_target("target"),
          description="Mean entry of the empirical NTK.")
def ntk_mean(net, inputs, targets=None, *, output: str = "target") -> float:
    """``(1/N²) sum_ij Θ_ij``."""
    return float(kernel(net, inputs, targets, output).mean())


def label_kernel(targets: torch.Tensor) -> torch.Tensor:
    """``Y[i, j] = +1`` if ``y_i = y_j`` else ``-1`` (float64)."""
    same = targets[:, None] == targets[None, :]
    return same.to(torch.float64) * 2 - 1


def label_gradient_alignment(theta: torch.Tensor, targets: torch.Tensor) -> float:
    """Pearson correlation of the ``N²`` entries of ``theta`` with those of the label kernel.

    ``LGA = <Θ - mean Θ, Y - mean Y>_F / (||Θ - mean Θ||_F ||Y - mean Y||_F)``, each kernel
    centred by the scalar mean of its entries (not CKA's double centring). Invariant to
    scaling ``Θ`` by ``c > 0`` and to permuting the samples; 1 when ``Θ`` is an increasing
    affine function of ``Y``.
    """
    theta = theta.to(torch.float64)
    y = label_kernel(targets)
    if theta.shape != y.shape:
        raise ValueError(f"kernel of shape {tuple(theta.shape)} does not match {targets.shape[0]} labels")
    tc, yc = theta - theta.mean(), y - y.mean()
    ny, nt = torch.linalg.matrix_norm(yc), torch.linalg.matrix_norm(tc)
    if ny == 0:
        raise ValueError("LGA is undefined when all labels in the batch are equal; use a batch with several classes")
    if nt == 0:
        raise ValueError("LGA is undefined for a constant kernel (all NTK entries equal)")
    return float((tc * yc).sum() / (nt * ny))


@register("lga", paper="Mok et al., Demystifying the neural tangent kernel from a practical perspective, CVPR 2022",
          equation="label-gradient alignment (Sec. 4)", higher_is_better=True, needs_labels=True,
          ntk_output="target", options={"output": "target"},
          description="Pearson correlation of NTK entries with the ±1 same-label kernel.")
def lga(net, inputs, targets, *, output: str = "target") -> float:
    """:func:`label_gradient_alignment` of the empirical NTK.

    The paper does not say which scalar output its NTK differentiates (its official
    repository holds no code); we default to the true-class logit, as HNAS's code does,
    and the option ``output`` switches to summed logits. ``"full"`` is not allowed: the
    label kernel is ``N x N``.
    """
    if output == "full":
        raise ValueError("lga needs an N x N kernel: output must be 'sum' or 'target', not 'full'")
    return label_gradient_alignment(kernel(net, inputs, targets, output), targets)
