"""NTK statistics of NAS-Bench-201 networks on real CIFAR, as each paper's official code computes them.

The protocol of the table ``nb201-cifar-ntk`` (its job: :mod:`.job`).

One *group* of statistics per paper, each with its official batch, network and kernel
(conventions: :mod:`nascore.metrics.ntk_metrics`; images, crop and flip, normalisation and
batch seeds: :mod:`nascore.inputs`, the records ``PROTOCOLS["hnas" | "tenas" | "zhu" | "lga"]``):

- ``"hnas"`` -> ``ntk_trace`` (M) and ``hnas_kappa``: HNAS (shuyao95/HNAS
  ``nasbench/nasbench2_pred.py``): batch 64 (line 36) of CIFAR training images with the
  loader's random crop (padding 4) and horizontal flip and its normalisation
  (``foresight/dataset.py`` lines 31-33, 49-55), a fresh batch per architecture (the
  shuffled loader is re-iterated for every network, ``p_utils.get_some_data``), PyTorch's
  default init (``--init_w_type none``), train mode; M = sqrt(tr Θ / N) and
  κ = λ_max / λ_min of the batch-decomposition kernel of the summed true-class logits
  over Conv2d / Linear weights and biases (``measures/ntk_trace.py`` l.35-45,
  ``condnum.py`` l.34-44). κ is stored raw (official: only NaN -> 1e5; a negative
  λ_min from round-off gives a negative κ) with ``hnas_lambda_min`` / ``hnas_lambda_max``.
- ``"tenas"`` -> ``ntk_condition``: TE-NAS (VITA-Group/TENAS ``lib/procedures/ntk.py``
  l.41-59): exact per-sample gradients of the summed logits, parameters named 'weight',
  train mode; batch 72 on NAS-Bench-201 (``prune_launch.py`` l.32; the argparse default
  is 16), NB201 normalisation, crop + flip. TE-NAS averages 3 repeats (``--repeat 3``);
  ``tenas_repeats`` sets how many draws (init + batch) are averaged here.
- ``"zhu"`` -> ``ntk_lambda_min``: Zhu et al. publish no code; λ_min of the exact
  summed-logit kernel over every parameter, on the TE-NAS batch (our choice).
- ``"lga"`` -> ``ntk_mean``, ``ntk_frobenius``, ``lga`` at initialisation: the LGA code
  (naver-ai/demystifying-ntk ``ntk_nas_init/nasbench2_pred.py``: batch 256 (l.45), seeds
  42 reset before every network and before the batch (l.102-121), so one fixed augmented
  training batch for all architectures; kernel ``label_align_eig.py`` l.26-63).

Networks. HNAS's and LGA's codes build NAS-Bench-201 networks with zero-cost-nas's
model (``foresight/models/nasbench2{,_ops}.py``), whose cell convolutions carry a bias
and whose cell batch norms are non-affine without running statistics (``ReLUConvBN``
with ``affine=False``: ``bias=not affine``). :func:`zero_cost_network` converts our
:class:`nascore.spaces.nb201.Network` to that form: in train mode the forward pass is
unchanged at initialisation (batch norm removes a per-channel constant exactly), but the
parameter sets differ (cell conv biases have per-sample pieces; cell batch norms have no
weight). TE-NAS and Zhu use the NAS-Bench-201 network itself.

CIFAR-100: only 916 test images ship (:mod:`nascore.cifar`), so its batches are drawn
from them (same augmentation); the networks get 100 outputs.
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch
from torch import nn

from nascore import inputs

GROUPS = ("hnas", "tenas", "zhu", "lga")
COLUMNS = {"hnas": ("ntk_trace", "hnas_kappa", "hnas_lambda_min", "hnas_lambda_max"),
           "tenas": ("ntk_condition", "tenas_lambda_min", "tenas_lambda_max"),
           "zhu": ("ntk_lambda_min",),
           "lga": ("ntk_mean", "ntk_frobenius", "lga")}
#: Official batch sizes (see the module docstring; :data:`nascore.inputs.PROTOCOLS`).
OFFICIAL_BATCH = {g: inputs.PROTOCOLS[g].batch_size for g in GROUPS}
#: Seed of the weights of every network (LGA's ``--model_seed 42``; HNAS's ``--seed 42``).
INIT_SEED = 42
DATASETS = ("cifar10", "cifar100")


def num_classes(dataset: str) -> int:
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; allowed: {', '.join(DATASETS)}")
    return 10 if dataset == "cifar10" else 100


# ----------------------------------------------------------------------------- networks
def zero_cost_network(net: nn.Module, *, seed: int = INIT_SEED) -> nn.Module:
    """Turn a NAS-Bench-201 ``Network`` into zero-cost-nas's form, in place; returns it.

    Every cell ``ReLU-Conv-BN`` gets a convolution bias (PyTorch's default init,
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), drawn from ``seed``) and a batch norm with
    ``affine=False, track_running_stats=False``, as ``nasbench2_ops.ReLUConvBN`` with
    ``affine=False`` (HNAS ``foresight/models/nasbench2_ops.py`` l.30-31; the same file in
    demystifying-ntk). Stem, reductions and head keep affine batch norms, as there.
    """
    gen = torch.Generator().manual_seed(seed)
    for cell in (m for m in net.modules() if type(m).__name__ == "Cell"):  # nascore.spaces.nb201's cell
        for op in cell.ops:
            if type(op).__name__ != "ReLUConvBN":
                continue
            conv = op[1]
            new = nn.Conv2d(conv.in_channels, conv.out_channels, conv.kernel_size, stride=conv.stride,
                            padding=conv.padding, bias=True)
            bound = 1.0 / math.sqrt(conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1])
            with torch.no_grad():
                new.weight.copy_(conv.weight)
                new.bias.copy_(torch.rand(conv.out_channels, generator=gen) * 2 * bound - bound)
            op[1] = new.to(conv.weight.device, conv.weight.dtype)
            op[2] = nn.BatchNorm2d(conv.out_channels, affine=False, track_running_stats=False)
    return net


def network(arch: str, dataset: str, group: str, *, seed: int = INIT_SEED, device="cpu") -> nn.Module:
    """The full-size network (C=16, N=5) a group scores, initialised from ``seed``."""
    from nascore.spaces import nb201

    net = nb201.Network(arch, C=16, N=5, num_classes=num_classes(dataset), seed=seed)
    if group in ("hnas", "lga"):
        zero_cost_network(net, seed=seed + 1)
    return net.to(device).train()


# ----------------------------------------------------------------------------- data
def group_batch(group: str, dataset: str, arch: str, batch: int, seed: int = 0):
    """The (inputs, labels) a group scores ``arch`` on: a random draw of ``batch`` images,
    augmented (crop + flip) and normalised as that paper's loader does
    (:data:`nascore.inputs.PROTOCOLS` ``[group]``: CRC-32 batch seeds, crops drawn rows
    then columns; LGA's batch is the same for every architecture)."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; allowed: {', '.join(GROUPS)}")
    x, y = inputs.batch_images(dataset)
    if not 1 <= batch <= len(y):
        raise ValueError(f"batch {batch} must be between 1 and {len(y)} for {dataset}")
    return inputs.draw_batch(inputs.PROTOCOLS[group].replace(batch_size=batch), dataset, arch, seed=seed)


# ----------------------------------------------------------------------------- statistics
def _extremes(theta):
    from nascore import ntk

    eig = ntk.eigenvalues(theta)
    return float(eig[0]), float(eig[-1])


def _ratio(hi, lo):
    return hi / lo if lo != 0 else math.nan


def group_stats(group: str, arch: str, dataset: str, *, batch: int | None = None, seed: int = 0,
                device="cpu", tenas_repeats: int = 1) -> dict:
    """The statistics of ``group`` for one architecture (see the module docstring), with
    ``seconds`` (wall time of the kernels, data and network building excluded)."""
    from nascore import ntk
    from nascore.metrics.ntk_metrics import (HNAS_CONVENTION, LGA_CONVENTION, TENAS_CONVENTION,
                                             ZHU_CONVENTION, label_gradient_alignment)

    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}; allowed: {', '.join(GROUPS)}")
    batch = batch or OFFICIAL_BATCH[group]
    conv = {"hnas": HNAS_CONVENTION, "tenas": TENAS_CONVENTION, "zhu": ZHU_CONVENTION, "lga": LGA_CONVENTION}[group]
    options = {k: v for k, v in conv.items() if k != "output"}
    repeats = tenas_repeats if group == "tenas" else 1
    out, seconds = {}, 0.0
    draws = []
    # exact kernels with batch statistics: rows of J per batched backward pass (GPU memory is ample)
    chunk = 16 if str(device).startswith("cuda") and conv["per_sample"] == "exact" else None
    for r in range(repeats):
        net = network(arch, dataset, group, seed=INIT_SEED + r, device=device)
        x, y = group_batch(group, dataset, arch, batch, seed + r)
        x, y = x.to(device), y.to(device)
        if device != "cpu" and torch.cuda.is_available():
            torch.cuda.synchronize()
        start = time.perf_counter()
        theta = ntk.empirical_ntk(net, x, output=conv["output"], targets=y if conv["output"] == "target" else None,
                                  chunk_size=chunk, **options)
        lo, hi = _extremes(theta)
        if group == "hnas":
            draws.append({"ntk_trace": math.sqrt(max(float(theta.diagonal().sum()), 0.0) / batch),
                          "hnas_kappa": _ratio(hi, lo), "hnas_lambda_min": lo, "hnas_lambda_max": hi})
        elif group == "tenas":
            draws.append({"ntk_condition": _ratio(hi, lo), "tenas_lambda_min": lo, "tenas_lambda_max": hi})
        elif group == "zhu":
            draws.append({"ntk_lambda_min": lo})
        else:
            try:
                lga = label_gradient_alignment(theta.cpu(), y.cpu())
            except ValueError:
                lga = math.nan
            draws.append({"ntk_mean": float(theta.mean()), "ntk_frobenius": float(torch.linalg.matrix_norm(theta)),
                          "lga": lga})
        seconds += time.perf_counter() - start
    for column in COLUMNS[group]:
        out[column] = float(np.mean([d[column] for d in draws]))
    out["seconds"] = seconds / repeats
    return out
