"""Epochs of SGD on augmented CIFAR batches: the loop the image-trained networks share.

:func:`epoch_batches` is one shuffled pass over the training images, cut into batches,
each cropped, flipped and normalised as a :class:`nascore.inputs.Protocol` says, all
random numbers from one generator in a fixed order: the permutation first, then each
batch's crops and flips just before that batch is used (so a step that draws from the
same generator, as the supernet's sandwich step draws its children, takes its numbers
between two batches' crops). :func:`fit_epochs` runs epochs of plain cross-entropy
steps over those batches.

Who uses it, and with which generator (changing either changes that table's weights):

- the supernet (:mod:`nascore.supernet.trainer`, its step being the sandwich rule;
  :mod:`nascore.supernet.cost`): a CPU ``torch.Generator``, ``torch.randperm`` per epoch,
  ``data/nb201-supernet``;
- the stand-alone children (:func:`nascore.supernet.standalone.fit`): :func:`fit_epochs`
  with the same torch generator rule and a per-step learning rate (``data/nb201-supernet``);
- LGA's one epoch (:func:`nascore.tables.cifar_ntk.after_epoch.train_one_epoch`):
  :func:`fit_epochs` with a numpy ``Generator`` (``permutation``), the after-one-epoch
  columns of ``data/nb201-cifar-ntk``.

The ground-truth tables train through :mod:`nascore.training.loop` (no augmentation,
stacked networks), which this module leaves alone.
"""
from __future__ import annotations

import math
from typing import Callable, Iterator

import numpy as np
import torch
from torch.nn import functional as F

from ..inputs import Protocol, augment, normalise

#: ``lr_at(step, total_steps) -> learning rate``, set on every parameter group before a step.
LearningRate = Callable[[int, int], float]


def _order(n: int, generator, limit: int | None) -> torch.Tensor:
    """This epoch's order of the ``n`` images (the first ``limit`` of it, if given)."""
    if isinstance(generator, torch.Generator):
        return torch.randperm(n, generator=generator)[:limit]
    if isinstance(generator, np.random.Generator):
        return torch.as_tensor(generator.permutation(n)[:limit])
    raise ValueError(f"generator must be a torch.Generator or a numpy Generator, got {type(generator).__name__}")


def epoch_batches(images, protocol: Protocol, generator, *, dataset: str = "cifar10",
                  limit: int | None = None) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Yield the normalised, augmented batches ``(x, y)`` of one shuffled pass over ``images``.

    ``images``: ``(x, y)``, images in [0, 1] and labels, on any device (the batches stay
    there; the random numbers are drawn on the CPU). The order is a random permutation
    (``limit``: only its first ``limit`` images), cut into batches of
    ``protocol.batch_size`` (the last one shorter); each batch is augmented with
    ``protocol.augment``'s draw order (none if ``None``) and normalised with
    ``protocol.normalisation``. A lazy iterator: batch ``b + 1`` draws its crops only
    when it is asked for.
    """
    x_all, y_all = images
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}")
    order = _order(len(y_all), generator, limit).to(y_all.device)
    for start in range(0, len(order), protocol.batch_size):
        idx = order[start:start + protocol.batch_size]
        x = x_all[idx]
        if protocol.augment is not None:
            x = augment(x, generator, order=protocol.augment)
        yield normalise(x, protocol.normalisation, dataset), y_all[idx]


def fit_epochs(net: torch.nn.Module, images, protocol: Protocol, optimizer: torch.optim.Optimizer, *,
               generator, epochs: int = 1, lr_at: LearningRate | None = None, dataset: str = "cifar10",
               device="cpu", limit: int | None = None) -> dict:
    """Train ``net`` in place for ``epochs`` passes of :func:`epoch_batches`, one step per
    batch: ``zero_grad``, mean cross-entropy of ``net(x)``, ``backward``, ``optimizer.step()``.

    ``lr_at``: when given, every parameter group's learning rate is set to
    ``lr_at(step, epochs * steps_per_epoch)`` before step ``step`` (0-based, counted over
    all epochs). Batches are moved to ``device`` after augmentation. Returns the last
    epoch's ``train_loss`` (the mean over its images of each batch's mean loss, weighted
    by the batch's size), ``train_accuracy`` (on the augmented batches, in train mode)
    and ``steps``.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, got {epochs!r}")
    n = len(images[1]) if limit is None else min(limit, len(images[1]))
    steps = math.ceil(n / protocol.batch_size)
    net.train()
    for epoch in range(epochs):
        parts = []  # (loss, correct, size) per step, read once per epoch: no device sync per step
        for b, (x, y) in enumerate(epoch_batches(images, protocol, generator, dataset=dataset, limit=limit)):
            if lr_at is not None:
                for group in optimizer.param_groups:
                    group["lr"] = lr_at(epoch * steps + b, epochs * steps)
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad(set_to_none=True)
            logits = net(x)
            loss = F.cross_entropy(logits, y)
            loss.backward()
            optimizer.step()
            parts.append((loss.detach(), (logits.argmax(1) == y).sum(), len(y)))
    seen = sum(size for _, _, size in parts)
    loss_sum = sum(loss.item() * size for loss, _, size in parts)   # in step order, as a float sum
    correct = sum(int(right) for _, right, _ in parts)
    return {"train_loss": loss_sum / seen, "train_accuracy": correct / seen, "steps": steps}
