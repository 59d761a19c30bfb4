"""Training-free metrics measured *during* training: score after k epochs, kernel drift.

Two papers ask what a little training changes:

- DAS (Liu, Li, Sun, Liu, arXiv 2212.12132) proposes a "fast training strategy": score
  a candidate after a few training steps instead of at initialisation.
- LGA (Mok et al., CVPR 2022, "Demystifying the neural tangent kernel from a practical
  perspective") argues that the empirical NTK of a modern network moves far from its
  initial value during training (its "non-linear advantage"), so that metrics of the
  *initial* kernel are unreliable, and that label-gradient alignment measured after a few
  epochs ranks architectures well.

This module computes, for one network and one fixed labelled probe batch, every metric
both chapters need from **one** activation-kernel forward pass and **one** empirical NTK
(:func:`probe`), and the relative distance of the NTK from its initial value
(:func:`kernel_distance`). :func:`train_with_probes` trains a network with the project's
trainer (:func:`nascore.training.train`) and probes it at initialisation and after every
checkpoint epoch. :func:`das_family` recombines the two DAS atomic terms afterwards, so
the whole family of combination rules comes from two stored numbers.
"""
from __future__ import annotations

import math
import time
from typing import Callable

import numpy as np
import torch

from ..metrics.naswot import activation_kernel, log_abs_det
from ..metrics.ntk_metrics import label_gradient_alignment

#: Names of the values :func:`probe` returns (all floats).
PROBE_COLUMNS = ("naswot", "das_units", "das_distinguishing", "das_layerwise", "n_units",
                 "ntk_trace", "ntk_condition", "ntk_lambda_min", "ntk_frobenius", "ntk_mean",
                 "lga", "kernel_distance")


def kernel_distance(theta0: torch.Tensor, theta: torch.Tensor) -> float:
    """Relative Frobenius distance ``||Θ_t - Θ_0||_F / ||Θ_0||_F`` of a kernel from its start.

    Zero when nothing moved; it is the quantity the lazy-training (linearised) regime
    keeps near zero, so a large value is what Mok et al. call the non-linear advantage
    of finite-width training. Raises ``ValueError`` on a zero initial kernel.

    >>> import torch
    >>> kernel_distance(torch.eye(2), 2 * torch.eye(2))
    1.0
    """
    theta0, theta = theta0.to(torch.float64), theta.to(torch.float64)
    if theta0.shape != theta.shape:
        raise ValueError(f"kernels of shapes {tuple(theta0.shape)} and {tuple(theta.shape)} differ")
    norm0 = float(torch.linalg.matrix_norm(theta0))
    if norm0 == 0:
        raise ValueError("the initial kernel is zero: the relative distance is undefined")
    return float(torch.linalg.matrix_norm(theta - theta0)) / norm0


def ntk_summary(theta: torch.Tensor, targets: torch.Tensor) -> dict:
    """Every NTK metric of the LGA chapter from one kernel ``Θ`` (``N x N``).

    ``ntk_trace = sqrt(tr Θ / N)`` (HNAS), ``ntk_condition = λ_max / λ_min`` (TE-NAS;
    ``inf`` for a singular kernel), ``ntk_lambda_min``, ``ntk_frobenius = ||Θ||_F``,
    ``ntk_mean = mean_ij Θ_ij`` and ``lga`` (:func:`~nascore.metrics.ntk_metrics.label_gradient_alignment`).
    Same formulas as the registry's metrics of those names; here they share one kernel.
    """
    theta = theta.to(torch.float64)
    eig = torch.linalg.eigvalsh(theta)
    lo, hi = float(eig[0]), float(eig[-1])
    try:
        lga = label_gradient_alignment(theta, targets)
    except ValueError:
        lga = math.nan
    return {"ntk_trace": math.sqrt(max(float(theta.trace()), 0.0) / theta.shape[0]),
            "ntk_condition": hi / lo if lo > 0 else math.inf,
            "ntk_lambda_min": lo,
            "ntk_frobenius": float(torch.linalg.matrix_norm(theta)),
            "ntk_mean": float(theta.mean()),
            "lga": lga}


def activation_summary(net: torch.nn.Module, inputs: torch.Tensor) -> dict:
    """NASWOT and the DAS atomic terms from one forward pass (train-mode batch norm).

    With ``K_H`` the Hamming-agreement kernel of ``N`` inputs over ``N_A`` units:
    ``naswot = log|K_H|``, ``das_units = N log N_A``,
    ``das_distinguishing = log|K_H / N_A|`` (so ``naswot = das_units + das_distinguishing``,
    DAS's decoupling), ``das_layerwise`` = mean over activation modules of
    ``log|K_l / N_l|``, and ``n_units = N_A``.
    """
    parts = activation_kernel(net, inputs, per_layer=True)
    n = inputs.shape[0]
    units = sum(u for _, u in parts)
    if units == 0:
        return {"naswot": -math.inf, "das_units": -math.inf, "das_distinguishing": -math.inf,
                "das_layerwise": -math.inf, "n_units": 0.0}
    kernel = sum(k for k, _ in parts)
    layer = [log_abs_det(k / u) for k, u in parts if u]
    return {"naswot": log_abs_det(kernel), "das_units": n * math.log(units),
            "das_distinguishing": log_abs_det(kernel / units),
            "das_layerwise": float(np.mean(layer)), "n_units": float(units)}


def probe(net: torch.nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *,
          theta0: torch.Tensor | None = None, output: str = "target", mode: str = "train"):
    """All :data:`PROBE_COLUMNS` of ``net`` on one labelled batch, and its NTK.

    Returns ``(values, theta)``; pass the initial ``theta`` back as ``theta0`` at later
    checkpoints to get ``kernel_distance`` (``0.0`` when ``theta0`` is ``None``: the
    kernel at initialisation is its own reference). The NTK is taken of ``output``
    (default: the true-class logit, as :func:`nascore.metrics.score` does for ``lga``),
    in batch-norm ``mode`` (see :mod:`nascore.ntk`). The caller's network is not changed.
    """
    from .. import ntk

    values = activation_summary(_copy(net), inputs)
    theta = ntk.empirical_ntk(net, inputs, output=output, mode=mode,
                              targets=targets if output == "target" else None)
    values.update(ntk_summary(theta, targets))
    values["kernel_distance"] = 0.0 if theta0 is None else kernel_distance(theta0, theta)
    return values, theta


def _copy(net):
    import copy

    return copy.deepcopy(net)  # activation_kernel switches to train mode and adds hooks


def train_with_probes(factory: Callable[[int], torch.nn.Module], data, protocol, *, seed: int,
                      probe_inputs: torch.Tensor, probe_targets: torch.Tensor,
                      probe_epochs=None, **probe_options):
    """Train ``factory(seed)`` with :func:`nascore.training.train`, probing it along the way.

    Returns ``(result, probes, probe_seconds)``: the trainer's ``TrainResult``, a dict
    ``epoch -> probe values`` for epoch 0 (initialisation) and every evaluated epoch of
    ``protocol`` (its checkpoints and the final epoch) that is in ``probe_epochs``
    (default: all of them), and a dict ``epoch -> seconds`` spent probing. The probes
    after epoch 0 run inside the trainer's loop, so their time is included in
    ``result.seconds``; the probe at initialisation is not.
    """
    from .ground_truth import train

    probes: dict[int, dict] = {}
    state = {"theta0": None}
    seconds: dict[int, float] = {}

    def take(epoch, net):
        if epoch and probe_epochs is not None and epoch not in probe_epochs:
            return
        start = time.perf_counter()
        values, theta = probe(net, probe_inputs, probe_targets, theta0=state["theta0"], **probe_options)
        if state["theta0"] is None:
            state["theta0"] = theta
        probes[epoch] = values
        seconds[epoch] = time.perf_counter() - start

    def probed_factory(s):
        net = factory(s)
        take(0, net)
        return net

    result = train(probed_factory, data, protocol, seed=seed,
                   on_checkpoint=lambda epoch, nets: take(epoch, nets[0]))
    return result, probes, seconds


def das_family(units, distinguishing, weight, batch_size: int):
    """DAS combination ``D + w log N_A`` from the two stored atomic terms.

    ``units`` holds ``N log N_A`` (``das_units``) and ``distinguishing`` holds
    ``D = log|K_H / N_A|``; ``w = N`` (``batch_size``) gives NASWOT back and ``w = 0``
    the distinguishing ability alone. Works on scalars and arrays; ``-inf`` stays
    ``-inf`` (worst).

    >>> das_family(10 * math.log(100), -3.0, 10, 10) == 10 * math.log(100) - 3.0
    True
    """
    units = np.asarray(units, dtype=float)
    distinguishing = np.asarray(distinguishing, dtype=float)
    with np.errstate(invalid="ignore"):
        value = distinguishing + weight * units / batch_size
    value = np.where(np.isneginf(distinguishing) | np.isneginf(units), -np.inf, value)
    return float(value) if value.ndim == 0 else value
