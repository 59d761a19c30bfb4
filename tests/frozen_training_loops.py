"""Frozen copies of the training loops as they were before they became one
(``nascore.training.loop.run_epochs``), commit 7816a76: ``nascore/training/loop.py:_fit``,
``nascore/training/epochs.py:fit_epochs`` and ``nascore/supernet/trainer.py:train``.

The shipped tables were trained by these loops; ``tests/test_training_one_loop.py`` checks
that the one loop gives bit-identical weights. Do not edit them to follow the package:
they are the reference.
"""
from __future__ import annotations

import copy
import math
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from nascore import inputs
from nascore.supernet import checkpoint
from nascore.supernet.network import Supernet
from nascore.supernet.recipe import Recipe
from nascore.supernet.sandwich import make_optimizer, train_step
from nascore.supernet.schedule import learning_rate
from nascore.supernet.trainer import _check_recipe, _write_log
from nascore.training import Protocol, TrainResult
from nascore.training.epochs import epoch_batches
from nascore.training.stacked import Stacked


class _Lone(Stacked):
    """A single network seen as a stack of one."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x).unsqueeze(0)

    def unstack(self):
        return [copy.deepcopy(self.net)]


def _optimizer(params, protocol: Protocol):
    if protocol.optimizer == "sgd":
        return torch.optim.SGD(params, lr=protocol.lr, momentum=protocol.momentum,
                               weight_decay=protocol.weight_decay)
    return torch.optim.Adam(params, lr=protocol.lr, weight_decay=protocol.weight_decay)


def _optimizer(params, protocol: Protocol):
    if protocol.optimizer == "sgd":
        return torch.optim.SGD(params, lr=protocol.lr, momentum=protocol.momentum,
                               weight_decay=protocol.weight_decay)
    return torch.optim.Adam(params, lr=protocol.lr, weight_decay=protocol.weight_decay)


def old_fit(model: Stacked, data: TrainData, protocol: Protocol, *, seed: int,
         on_checkpoint: CheckpointHook | None) -> list[TrainResult]:
    start = time.perf_counter()
    dtype = getattr(torch, protocol.dtype)
    model = model.to(dtype)
    x_train, x_test = data.x_train.to(dtype), data.x_test.to(dtype)
    y_train, y_test = data.y_train, data.y_test
    n = len(y_train)
    steps = protocol.epochs * math.ceil(n / protocol.batch_size)
    optimizer = _optimizer(model.parameters(), protocol)
    if protocol.schedule == "cosine":
        scale = lambda step: 0.5 * (1.0 + math.cos(math.pi * step / steps))  # noqa: E731
    else:
        scale = lambda step: 1.0  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, scale)
    order = torch.Generator().manual_seed(int(seed))
    accuracy: dict[int, torch.Tensor] = {}
    epoch_loss = None
    failures: dict[int, str] = {}  # net -> why it failed (first non-finite epoch loss)
    for epoch in range(1, protocol.epochs + 1):
        perm = torch.randperm(n, generator=order)
        loss_sum = None
        for first in range(0, n, protocol.batch_size):
            idx = perm[first:first + protocol.batch_size]
            logits = model(x_train[idx])  # (B, b, K)
            b = logits.shape[0]
            losses = F.cross_entropy(logits.flatten(0, 1), y_train[idx].repeat(b),
                                     reduction="none").view(b, -1).mean(1)
            optimizer.zero_grad(set_to_none=True)
            # Summing the nets' losses keeps each net's gradient its own.
            losses.sum().backward()
            optimizer.step()
            scheduler.step()
            batch_loss = losses.detach().double() * len(idx)
            loss_sum = batch_loss if loss_sum is None else loss_sum + batch_loss
        epoch_loss = loss_sum / n
        for b in torch.nonzero(~torch.isfinite(epoch_loss)).flatten().tolist():
            failures.setdefault(b, f"training loss became {float(epoch_loss[b])} in epoch {epoch} "
                                   f"(lr={protocol.lr:g}): the run diverged")
        if epoch in protocol.eval_epochs:
            with torch.no_grad():
                predicted = model(x_test).argmax(-1)
            accuracy[epoch] = (predicted == y_test).double().mean(1)
            if on_checkpoint is not None:
                on_checkpoint(epoch, model.unstack())
    seconds = (time.perf_counter() - start) / len(epoch_loss)
    return [
        TrainResult({e: float(acc[b]) for e, acc in accuracy.items()}, float(epoch_loss[b]),
                    seconds, protocol.epochs, failures.get(b))
        for b in range(len(epoch_loss))
    ]


def old_fit_epochs(net: torch.nn.Module, images, protocol: Protocol, optimizer: torch.optim.Optimizer, *,
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


def old_supernet_train(run_dir: Path | str, recipe: Recipe, *, device: str = "cpu", images=None,
          progress: bool = True, stop_after: int | None = None,
          deadline_seconds: float | None = None) -> dict:
    """Train (or resume) the supernet of ``recipe`` in ``run_dir``.

    ``images``: ``(x, y)`` training images in [0, 1] and labels (default: the shipped
    CIFAR-10 training set, or ``recipe.train_images`` of it drawn with seed 0).
    ``stop_after``: return after this many epochs in total (a planned interruption, for
    tests). ``deadline_seconds``: a safety net for fixed-time jobs: stop after the epoch
    that would otherwise end past this many seconds of this call (the run then records
    ``stopped_early``; its schedule was cut short).

    Returns ``{"epochs_done", "seconds", "stopped_early", "log"}``.
    """
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    _check_recipe(run_dir, recipe)
    if images is None:
        from .inputs import training_images

        images = training_images(recipe.train_images, seed=0)
    x_all, y_all = images[0].to(device), images[1].to(device)
    n = len(y_all)
    steps_per_epoch = math.ceil(n / recipe.batch_size)
    total_steps = recipe.epochs * steps_per_epoch

    net = Supernet(recipe.C, recipe.N, seed=recipe.seed)
    if recipe.zero_init_residual:
        net.zero_init_residual()
    net.to(device)
    optimizer = make_optimizer(net, recipe)
    generator = torch.Generator().manual_seed(recipe.seed)
    protocol = inputs.PROTOCOLS["nb201"].replace(batch_size=recipe.batch_size)
    state = checkpoint.load(run_dir, map_location=device)
    epoch, seconds, log = 0, 0.0, []
    if state is not None:
        net.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        generator.set_state(state["generator"].cpu())
        epoch, seconds, log = state["epoch"], state["seconds"], list(state["log"])

    last_epoch = recipe.epochs if stop_after is None else min(recipe.epochs, stop_after)
    started, stopped_early, done_here = time.perf_counter(), False, 0
    try:
        while epoch < last_epoch:
            t0 = time.perf_counter()
            net.train()
            sums = {"teacher_loss": 0.0, "student_loss": 0.0, "decay": 0.0}  # tensors after step 1
            # the epoch's permutation, then each batch's crops, then the step's children: one generator
            for b, (x, y) in enumerate(epoch_batches((x_all, y_all), protocol, generator)):
                step = epoch * steps_per_epoch + b
                for group in optimizer.param_groups:
                    group["lr"] = learning_rate(step, total_steps, lr=recipe.lr, schedule=recipe.schedule,
                                                floor=recipe.lr_floor, decay_fraction=recipe.decay_fraction)
                out = train_step(net, optimizer, x, y, recipe, generator)
                sums["teacher_loss"] = sums["teacher_loss"] + out["losses"][0]
                if len(out["losses"]) > 1:
                    sums["student_loss"] = sums["student_loss"] + sum(out["losses"][1:]) / (len(out["losses"]) - 1)
                sums["decay"] = sums["decay"] + out["decay"]
            epoch += 1
            means = {k: float(v) / steps_per_epoch for k, v in sums.items()}  # waits for the device
            elapsed = time.perf_counter() - t0
            seconds += elapsed
            log.append({"epoch": epoch, "seconds": elapsed, "lr_end": optimizer.param_groups[0]["lr"], **means})
            if not progress:
                print(f"{recipe.variant} seed {recipe.seed}: epoch {epoch}/{recipe.epochs} in {elapsed:.1f} s, "
                      f"teacher loss {means['teacher_loss']:.3f}, student loss {means['student_loss']:.3f}",
                      flush=True)
            checkpoint.save(run_dir, {"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                                      "generator": generator.get_state(), "epoch": epoch, "seconds": seconds,
                                      "log": log, "recipe": recipe.to_dict()})
            _write_log(run_dir, log)
            done_here += 1
            spent = time.perf_counter() - started
            if deadline_seconds is not None and epoch < last_epoch and spent + spent / done_here > deadline_seconds:
                stopped_early = True
                break
    finally:
        pass
    return {"epochs_done": epoch, "seconds": seconds, "stopped_early": stopped_early, "log": log}
