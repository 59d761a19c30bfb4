"""LGA (and NASWOT, DAS) after one epoch of training on real CIFAR-10, the LGA code's protocol.

naver-ai/demystifying-ntk ``ntk_nas_train/`` (``ntk_prediction_train.sh``:
``--train_epoch 1``; ``nasbench2_pred.py`` l.48-61 and l.130-156; ``train.py`` l.15-32):
the zero-cost-nas NAS-Bench-201 network (:func:`.statistics.zero_cost_network`), seed 42,
trained for 1 epoch with SGD (lr 0.025, momentum 0.9, weight decay 3e-4, no schedule,
cross-entropy) on augmented training batches (crop + flip, zero-cost normalisation),
then scored on the first batch of the un-augmented test loader (``shuffle=False``: the
first 256 test images; our shipped CIFAR-10 test images are the first 1,017, lossless).

Scale: the official batch is 1024 on 50,000 images, 49 steps (48 full + one of 848). We
have 10,000 training images, so the batch is 205: 48 full batches and one of 160, the
same 49 steps. The kernel after training is the LGA code's (summed logits, parameters
named 'weight' outside the classifier, train-mode batch norm, exact per-sample gradients).

On the same trained networks and held-out batch: NASWOT and DAS's two atomic terms
(:mod:`nascore.metrics.das`). DAS's own fast-training schedule is unverified (only its
abstract was available); we score after this same epoch and say so.
"""
from __future__ import annotations

import math
import time

import numpy as np
import torch

from nascore import inputs
from nascore.training.epochs import fit_epochs

from .statistics import INIT_SEED, network

LR, MOMENTUM, WEIGHT_DECAY = 0.025, 0.9, 3e-4
#: The LGA code's training inputs (``inputs.PROTOCOLS["lga-train"]``): crop + flip drawn rows then
#: columns from the epoch's numpy generator, zero-cost-nas normalisation.
PROTOCOL = inputs.PROTOCOLS["lga-train"]
TRAIN_BATCH = PROTOCOL.batch_size   # 205: 10,000 images -> 49 steps, as 50,000 / 1024 officially
HELD_OUT = 256
COLUMNS = ("lga_after_1_epoch", "ntk_mean_after_1_epoch", "ntk_frobenius_after_1_epoch", "naswot_after_1_epoch",
           "das_distinguishing_after_1_epoch", "das_units_after_1_epoch", "train_loss", "train_accuracy", "steps")


def held_out_batch(dataset: str = "cifar10", n: int = HELD_OUT):
    """The first ``n`` (lossless) test images, normalised as the zero-cost-nas loader, and labels."""
    x, y = inputs.images(dataset, "test")
    return inputs.normalise(x[:n], PROTOCOL.normalisation, dataset), y[:n]


def train_one_epoch(net, dataset: str = "cifar10", *, batch: int = TRAIN_BATCH, seed: int = 0,
                    device="cpu", limit: int | None = None) -> dict:
    """One epoch of SGD (the LGA code's settings) on the shuffled, augmented training images.

    ``limit``: use only the first ``limit`` shuffled images (for quick checks).
    """
    opt = torch.optim.SGD(net.parameters(), lr=LR, momentum=MOMENTUM, weight_decay=WEIGHT_DECAY)
    return fit_epochs(net, inputs.batch_images(dataset), PROTOCOL.replace(batch_size=batch), opt,
                      generator=np.random.default_rng(seed), dataset=dataset, device=device, limit=limit)


def trained_stats(arch: str, dataset: str = "cifar10", *, device="cpu", seed: int = 0,
                  batch: int = TRAIN_BATCH, held_out: int = HELD_OUT, limit: int | None = None) -> dict:
    """Train ``arch`` one epoch, then score LGA, NASWOT and DAS terms on the held-out batch."""
    from nascore import metrics, ntk
    from nascore.metrics.ntk_metrics import LGA_CONVENTION, label_gradient_alignment

    if dataset != "cifar10":
        raise ValueError(f"training needs a training split: only 'cifar10' ships one, got {dataset!r}")
    start = time.perf_counter()
    net = network(arch, dataset, "lga", seed=INIT_SEED, device=device)
    out = train_one_epoch(net, dataset, batch=batch, seed=seed, device=device, limit=limit)
    trained = time.perf_counter()
    x, y = held_out_batch(dataset, held_out)
    x, y = x.to(device), y.to(device)
    theta = ntk.empirical_ntk(net, x, **LGA_CONVENTION)
    try:
        out["lga_after_1_epoch"] = label_gradient_alignment(theta.cpu(), y.cpu())
    except ValueError:
        out["lga_after_1_epoch"] = math.nan
    out["ntk_mean_after_1_epoch"] = float(theta.mean())
    out["ntk_frobenius_after_1_epoch"] = float(torch.linalg.matrix_norm(theta))
    for name in ("naswot", "das_distinguishing", "das_units"):
        try:
            out[f"{name}_after_1_epoch"] = metrics.score(name, net, x, y)
        except (ValueError, RuntimeError):  # e.g. a dead network; recorded as missing
            out[f"{name}_after_1_epoch"] = math.nan
    out["seconds_train"] = trained - start
    out["seconds_score"] = time.perf_counter() - trained
    return out
