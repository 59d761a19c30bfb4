"""The images the supernet trains, recalibrates and is evaluated on (real CIFAR-10).

- training: the 10,000 shipped CIFAR-10 training images (:func:`nascore.data.load`), or
  a seeded random subset of them (:func:`nascore.inputs.images`); NAS-Bench-201's
  normalisation (:func:`nascore.inputs.normalise`, ``"nb201"``) is applied after
  augmentation, per batch;
- calibration: a seeded random subset of the *training* images, not augmented, shared
  by every child (BigNAS, Sec. 3.1, "Batch Norm Calibration", recalibrates on training
  data), in a seeded random order: recalibration runs it in batches, and a batch of
  class-sorted images (one or two classes each) has batch statistics far from those of
  the whole set;
- test: the 1,017 lossless CIFAR-10 test images.

The training set is ordered by class on disk; every subset here is drawn at random.
"""
from __future__ import annotations

import torch

from .. import inputs


def _subset(x, y, n, seed):
    if n is None:
        return x, y
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(y):
        raise ValueError(f"number of images must be an integer in 1..{len(y)}, got {n!r}")
    idx = torch.randperm(len(y), generator=torch.Generator().manual_seed(seed))[:n]
    return x[idx.sort().values], y[idx.sort().values]


def training_images(n: int | None = None, *, seed: int = 0):
    """``(x, y)``: CIFAR-10 training images in [0, 1] (not normalised) and labels."""
    x, y = inputs.images("cifar10", "train")
    return _subset(x, y, n, seed)


def calibration_set(n: int = 1024, *, seed: int = 0):
    """``(x, y)``: ``n`` normalised training images for BN recalibration, in random order
    (classes mixed in every batch), and their labels (recalibration does not use them)."""
    x, y = training_images(n, seed=10_000 + seed)
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(20_000 + seed))
    return inputs.normalise(x[order], "nb201", "cifar10"), y[order]


def calibration_images(n: int = 1024, *, seed: int = 0):
    """The images of :func:`calibration_set` (labels are not needed)."""
    return calibration_set(n, seed=seed)[0]


def test_images(n: int | None = None):
    """``(x, y)``: the lossless CIFAR-10 test images, normalised (first ``n`` if given)."""
    x, y = inputs.images("cifar10", "test")
    if n is not None:
        x, y = x[:n], y[:n]
    return inputs.normalise(x, "nb201", "cifar10"), y
