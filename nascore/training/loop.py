"""The one training loop: epochs of optimiser steps over a batch source, hooks after each epoch.

Every network this project trains goes through :func:`run_epochs`; what differs between
them is passed in as options:

- the **batch source**, ``batches(epoch)``: one epoch's batches, drawn lazily (a step
  that draws from the same generator takes its numbers between two batches' draws):
  :func:`shuffled_batches` (in-memory tensors, a ``torch.randperm`` per epoch: the
  ground-truth tables) or :func:`nascore.training.epochs.epoch_batches` (shuffled,
  cropped, flipped and normalised CIFAR batches: the supernet, its stand-alone children,
  LGA's one epoch);
- the **step**, ``step(batch) -> report``: one optimiser update, its report (detached
  tensors, read only at the end of the epoch, so that a GPU is not made to wait every
  step): :mod:`nascore.training.steps` (cross-entropy on one net or a stack of nets) or
  the supernet's sandwich step (:func:`nascore.supernet.sandwich.train_step`);
- the **schedule**, ``lr_at(step, total_steps)``: the learning rate set on every
  parameter group of ``optimizer`` before step ``step`` (0-based, counted over all
  epochs of the schedule), or nothing (the optimiser's own rate);
- the **hooks**, ``on_epoch``: each called with an :class:`EpochEnd` after every epoch,
  in order: the epoch's loss and divergence check, evaluation, checkpoints, probes,
  progress; a hook returning ``True`` ends training after that epoch (a deadline);
- ``first_epoch`` (a resumed run) and ``until`` (a planned stop; the schedule still
  spans ``epochs``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import torch

#: ``batches(epoch) -> iterable of batches`` (``epoch`` 0-based), drawn lazily.
BatchSource = Callable[[int], Iterable[Any]]
#: ``step(batch) -> report``: one optimiser update on ``batch``.
Step = Callable[[Any], Any]
#: ``lr_at(step, total_steps) -> learning rate``, set on every parameter group before a step.
LearningRate = Callable[[int, int], float]


@dataclass(frozen=True)
class EpochEnd:
    """What a hook sees after an epoch: ``epoch`` (1-based: the epochs now done),
    ``reports`` (the epoch's step reports, in step order) and ``started``
    (``time.perf_counter()`` when the epoch began)."""

    epoch: int
    reports: list
    started: float


#: ``hook(end) -> True to stop after this epoch, else None/False``.
EpochHook = Callable[[EpochEnd], Any]


def shuffled_batches(x: torch.Tensor, y: torch.Tensor, batch_size: int,
                     generator: torch.Generator) -> BatchSource:
    """Batches ``(x[idx], y[idx])`` of one ``torch.randperm(len(y), generator=generator)``
    per epoch, cut into ``batch_size`` pieces (the last one shorter, kept)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} rows but y has {len(y)}: they must match")

    def batches(epoch: int):
        perm = torch.randperm(len(y), generator=generator)
        for first in range(0, len(y), batch_size):
            idx = perm[first:first + batch_size]
            yield x[idx], y[idx]

    return batches


def _positive(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def run_epochs(step: Step, batches: BatchSource, *, epochs: int, steps_per_epoch: int,
               optimizer: torch.optim.Optimizer | None = None, lr_at: LearningRate | None = None,
               first_epoch: int = 0, until: int | None = None,
               on_epoch: Sequence[EpochHook] = ()) -> int:
    """Run epochs ``first_epoch + 1 .. min(epochs, until)`` of ``step`` over ``batches``;
    return the number of epochs done (``first_epoch`` if none ran).

    Before step ``b`` of epoch ``e`` (0-based) every parameter group of ``optimizer``
    gets the learning rate ``lr_at(e * steps_per_epoch + b, epochs * steps_per_epoch)``
    when ``lr_at`` is given. After each epoch every hook of ``on_epoch`` runs, in order,
    with its :class:`EpochEnd`; if any returned ``True``, no further epoch runs.
    """
    _positive("epochs", epochs)
    _positive("steps_per_epoch", steps_per_epoch)
    if isinstance(first_epoch, bool) or not isinstance(first_epoch, int) or not 0 <= first_epoch <= epochs:
        raise ValueError(f"first_epoch must be an integer in 0..epochs={epochs}, got {first_epoch!r}")
    if until is not None and (isinstance(until, bool) or not isinstance(until, int) or until < 0):
        raise ValueError(f"until must be a non-negative integer or None, got {until!r}")
    if lr_at is not None and optimizer is None:
        raise ValueError("lr_at needs the optimizer whose learning rate it sets, got optimizer=None")
    last = epochs if until is None else min(epochs, until)
    total = epochs * steps_per_epoch
    done = first_epoch
    for epoch in range(first_epoch, last):
        started = time.perf_counter()
        reports = []
        for b, batch in enumerate(batches(epoch)):
            if lr_at is not None:
                for group in optimizer.param_groups:
                    group["lr"] = lr_at(epoch * steps_per_epoch + b, total)
            reports.append(step(batch))
        done = epoch + 1
        end = EpochEnd(done, reports, started)
        stops = [hook(end) for hook in on_epoch]
        if any(stop is True for stop in stops):
            break
    return done
