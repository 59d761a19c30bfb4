"""DAS: NASWOT decoupled into distinguishing ability and number of activation units.

Liu, Li, Sun, Liu, *DAS: Neural architecture search via distinguishing activation
score* (arXiv 2212.12132, 2022). With ``K_H`` the NASWOT kernel of ``N`` inputs and
``N_A`` activation units (:func:`nascore.metrics.naswot.activation_kernel`), dividing
every entry by ``N_A`` gives the exact identity

    log|det K_H| = N log N_A + log|det (K_H / N_A)|
    naswot       = das_units + das_distinguishing.

``K_H / N_A`` has unit diagonal and entries ``1 - d_H / N_A`` in [0, 1]; its
log-determinant is <= 0 (Hadamard's inequality) and measures how well the codes tell the
inputs apart, whatever the network's size. ``N log N_A`` only counts units.

The paper's own combination rule and its weight could not be verified (only its
abstract was available to us), so :func:`das` exposes the rule as options and the book
scans them: ``weight = N`` recovers NASWOT exactly, ``weight = 0`` is the
distinguishing ability alone.
"""
from __future__ import annotations

import math

from .naswot import activation_kernel, kernel_of, log_abs_det
from .registry import SharedPass, register, reject_options

_PAPER = "Liu et al., DAS: NAS via distinguishing activation score, arXiv 2212.12132"
RULES = ("linear", "layerwise")


def distinguishing_value(parts, n: int) -> float:
    """``log|det (K_H / N_A)|`` from the per-activation parts of :class:`ActivationRecorder`."""
    kernel, units = kernel_of(parts, n)
    return -math.inf if units == 0 else log_abs_det(kernel / units)


def units_value(parts, n: int) -> float:
    """``N log N_A`` from the per-activation parts (``-inf`` without units)."""
    units = sum(u for _, u in parts)
    return n * math.log(units) if units else -math.inf


def das_value(parts, *, weight: float = 1.0, rule: str = "linear") -> float:
    """``D + weight * log N_A`` from the per-activation parts (see :func:`das`)."""
    if rule not in RULES:
        raise ValueError(f"unknown DAS rule {rule!r}; allowed: {', '.join(RULES)}")
    weight = float(weight)
    if not math.isfinite(weight):
        raise ValueError(f"weight must be finite, got {weight}")
    units = sum(n for _, n in parts)
    if units == 0:
        return -math.inf
    if rule == "linear":
        kernel = sum(k for k, _ in parts) / units
        distinguishing = log_abs_det(kernel)
    else:
        logdets = [log_abs_det(k / n) for k, n in parts if n]
        distinguishing = sum(logdets) / len(logdets)
    return distinguishing + weight * math.log(units)


def das_of_parts(parts, n: int, *, weight: float = 1.0, rule: str = "linear") -> float:
    """:func:`das_value` for the parts of a batch of ``n`` inputs (the shared pass's signature)."""
    return das_value(parts, weight=weight, rule=rule)


@register("das_distinguishing", paper=_PAPER, equation="decoupling of WOT (Sec. 3): log|K_H / N_A|",
          higher_is_better=True, needs_labels=False, allows_neg_inf=True,
          shared=SharedPass("activations", distinguishing_value),
          description="Distinguishing ability: log-determinant of the NASWOT kernel divided by N_A.")
def das_distinguishing(net, inputs, targets=None, **options) -> float:
    """``log|det (K_H / N_A)|`` (<= 0; ``-inf`` when two inputs share their codes)."""
    reject_options("das_distinguishing", options)
    return distinguishing_value(activation_kernel(net, inputs, per_layer=True), inputs.shape[0])


@register("das_units", paper=_PAPER, equation="decoupling of WOT (Sec. 3): N log N_A",
          higher_is_better=True, needs_labels=False, allows_neg_inf=True,
          shared=SharedPass("activations", units_value),
          description="Number of activation units, as N log N_A (the size part of NASWOT).")
def das_units(net, inputs, targets=None, **options) -> float:
    """``N log N_A``: batch size times the log of the number of rectified units."""
    reject_options("das_units", options)
    return units_value(activation_kernel(net, inputs, per_layer=True), inputs.shape[0])


@register("das", paper=_PAPER, equation="combination rule of the two atomic terms (Sec. 3-4; rule unverified)",
          higher_is_better=True, needs_labels=False, allows_neg_inf=True,
          options={"weight": 1.0, "rule": "linear"}, shared=SharedPass("activations", das_of_parts, ("weight", "rule")),
          description="Distinguishing ability plus weight * log N_A (weight = N gives NASWOT).")
def das(net, inputs, targets=None, *, weight: float = 1.0, rule: str = "linear") -> float:
    """A combination ``D + weight * log N_A`` of the two atomic terms.

    - ``rule="linear"``: ``D = log|det (K_H / N_A)|`` over all units at once;
      ``weight = N`` gives NASWOT, ``weight = 0`` the distinguishing ability alone.
    - ``rule="layerwise"``: ``D`` = the mean over activation modules of
      ``log|det (K_l / N_l)|``, each layer's distinguishing ability weighted equally
      (so wide layers do not dominate), plus ``weight * log N_A``.

    The default ``weight = 1`` is our choice (the paper's value is unverified); the book
    shows the whole family.
    """
    if rule not in RULES:
        raise ValueError(f"unknown DAS rule {rule!r}; allowed: {', '.join(RULES)}")
    return das_value(activation_kernel(net, inputs, per_layer=True), weight=weight, rule=rule)
