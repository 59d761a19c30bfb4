"""Accuracy of supernet children with their inherited weights, BN statistics recalibrated.

BigNAS (Yu et al., ECCV 2020), Sec. 3.1, "Batch Norm Calibration": the running BN
statistics accumulated during training mix every child that ran, so before a child is
evaluated they are recomputed for that child alone on training images, without
changing any weight. Here :func:`recalibrate` resets every BN's running statistics,
sets its momentum to ``None`` (PyTorch then keeps the plain average over batches), and
runs the child in training mode over the calibration images, split into the fewest
batches of at most ``batch_size`` images whose sizes differ by at most one: each BN
ends with the mean over batches of the batch mean and of the unbiased batch variance.
The plain average weighs every batch alike, so the batches are made (nearly) equal:
with a short last batch (2,000 images in batches of 256: seven of 256 and one of 208)
the last 208 images would count as much as 256. With equal batches the running mean is
the mean over every calibration image. It returns the number of images and batches
used (the run summary records the number of images, the table's README states it).
No retraining or fine-tuning follows: the child is evaluated
with the shared weights as they are (the BigNAS claim under test).

Many children of one supernet are evaluated by the table's job, one stored result per
child (:func:`nascore.tables.nb201_supernet.evaluate_children`).
"""
from __future__ import annotations

import torch
from torch import nn


@torch.no_grad()
def recalibrate(net, arch: str, calibration: torch.Tensor, batch_size: int = 256) -> dict:
    """Recompute every BN's running statistics for child ``arch`` on ``calibration``;
    returns ``{"images": ..., "batches": ...}`` used."""
    if len(calibration) == 0:
        raise ValueError("calibration needs at least one image")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    norms = [m for m in net.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    momenta = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
    batches = torch.tensor_split(calibration, -(-len(calibration) // batch_size))
    net.train()
    try:
        for batch in batches:
            net(batch, arch)
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        net.eval()
    return {"images": len(calibration), "batches": len(batches)}


@torch.no_grad()
def accuracy(net, arch: str, x: torch.Tensor, y: torch.Tensor, batch_size: int = 1024) -> float:
    """Top-1 accuracy (percent) of child ``arch`` on ``(x, y)`` in evaluation mode."""
    net.eval()
    correct = 0
    for start in range(0, len(y), batch_size):
        correct += int((net(x[start:start + batch_size], arch).argmax(1) == y[start:start + batch_size]).sum())
    return 100.0 * correct / len(y)


def child_accuracy(net, arch: str, calibration: torch.Tensor, x_test: torch.Tensor, y_test: torch.Tensor,
                   *, calibration_batch: int = 256) -> float:
    """Recalibrate child ``arch`` on ``calibration``, then its test accuracy (percent)."""
    recalibrate(net, arch, calibration, calibration_batch)
    return accuracy(net, arch, x_test, y_test)
