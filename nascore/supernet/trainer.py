"""Train a supernet in a run directory, resumably.

``train(run_dir, recipe)`` builds the supernet from ``recipe.seed``, then runs
``recipe.epochs`` epochs of BigNAS steps (:func:`.sandwich.train_step`) through the
project's one training loop (:func:`nascore.training.loop.run_epochs`) over the
training images, shuffled and augmented (:func:`nascore.training.epochs.epoch_batches`, the
protocol ``nascore.inputs.PROTOCOLS["nb201"]``) with one random generator
seeded from ``recipe.seed``, which also draws the random children. After every epoch it
writes a checkpoint (:mod:`.checkpoint`: weights, optimiser, generator state, log) and
``train_log.csv``. Called again on the same directory it continues from the last
checkpoint, so a run killed at any moment and restarted ends with the same weights as
an uninterrupted one (on the same device and thread count; GPU kernels may add their own
non-determinism). The directory also holds ``recipe.json``; a run directory is refused
for a different recipe.
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

import torch
from tqdm.auto import tqdm

from . import checkpoint
from .network import Supernet
from .recipe import Recipe
from .sandwich import make_optimizer, train_step
from .schedule import learning_rate
from .. import inputs
from ..training.epochs import epoch_batches
from ..training.loop import run_epochs

RECIPE_FILE = "recipe.json"
LOG_FILE = "train_log.csv"


def _check_recipe(run_dir: Path, recipe: Recipe) -> None:
    path = run_dir / RECIPE_FILE
    if path.exists():
        # compared as recipes, so that a field added later (with its default) is no change
        saved = Recipe.from_dict(json.loads(path.read_text())).to_dict()
        if saved != recipe.to_dict():
            changed = sorted(k for k in set(saved) | set(recipe.to_dict()) if saved.get(k) != recipe.to_dict().get(k))
            raise ValueError(f"run directory {run_dir} holds a run with another recipe (differs in {changed}); "
                             "use a new directory")
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(recipe.to_dict(), indent=1, sort_keys=True))
    os.replace(tmp, path)


def _write_log(run_dir: Path, log: list[dict]) -> None:
    import pandas as pd

    tmp = run_dir / (LOG_FILE + ".tmp")
    pd.DataFrame(log).to_csv(tmp, index=False)
    os.replace(tmp, run_dir / LOG_FILE)


def load_supernet(run_dir: Path | str, device: str = "cpu") -> tuple[Supernet, Recipe, dict]:
    """The trained supernet of ``run_dir`` (from its last checkpoint), its recipe and the
    checkpoint's bookkeeping (``epoch``, ``seconds``, ``log``)."""
    run_dir = Path(run_dir)
    state = checkpoint.load(run_dir)
    if state is None:
        raise ValueError(f"{run_dir} holds no checkpoint: train first")
    recipe = Recipe.from_dict(state["recipe"])
    net = Supernet(recipe.C, recipe.N)
    net.load_state_dict(state["model"])
    return net.to(device), recipe, {k: state[k] for k in ("epoch", "seconds", "log")}


def train(run_dir: Path | str, recipe: Recipe, *, device: str = "cpu", images=None,
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
    bar = tqdm(total=total_steps, initial=epoch * steps_per_epoch, unit="step", disable=not progress,
               desc=f"supernet {recipe.variant} seed {recipe.seed}")
    started, done_here, stopped_early = time.perf_counter(), 0, False

    def sandwich_step(batch):
        out = train_step(net, optimizer, *batch, recipe, generator)
        bar.update(1)
        return out

    def after_epoch(end) -> bool:
        nonlocal seconds, done_here, stopped_early
        sums = {"teacher_loss": 0.0, "student_loss": 0.0, "decay": 0.0}  # tensors after step 1
        for out in end.reports:
            sums["teacher_loss"] = sums["teacher_loss"] + out["losses"][0]
            if len(out["losses"]) > 1:
                sums["student_loss"] = sums["student_loss"] + sum(out["losses"][1:]) / (len(out["losses"]) - 1)
            sums["decay"] = sums["decay"] + out["decay"]
        means = {k: float(v) / steps_per_epoch for k, v in sums.items()}  # waits for the device
        elapsed = time.perf_counter() - end.started
        seconds += elapsed
        log.append({"epoch": end.epoch, "seconds": elapsed, "lr_end": optimizer.param_groups[0]["lr"], **means})
        bar.set_postfix(loss=f"{means['teacher_loss']:.3f}", refresh=False)
        if not progress:
            print(f"{recipe.variant} seed {recipe.seed}: epoch {end.epoch}/{recipe.epochs} in {elapsed:.1f} s, "
                  f"teacher loss {means['teacher_loss']:.3f}, student loss {means['student_loss']:.3f}",
                  flush=True)
        checkpoint.save(run_dir, {"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                                  "generator": generator.get_state(), "epoch": end.epoch, "seconds": seconds,
                                  "log": log, "recipe": recipe.to_dict()})
        _write_log(run_dir, log)
        done_here += 1
        spent = time.perf_counter() - started
        stopped_early = (deadline_seconds is not None and end.epoch < last_epoch
                         and spent + spent / done_here > deadline_seconds)
        return stopped_early

    net.train()
    try:
        # the epoch's permutation, then each batch's crops, then the step's children: one generator
        epoch = run_epochs(sandwich_step, lambda e: epoch_batches((x_all, y_all), protocol, generator),
                           epochs=recipe.epochs, steps_per_epoch=steps_per_epoch, optimizer=optimizer,
                           lr_at=lambda step, total: learning_rate(step, total, lr=recipe.lr,
                                                                   schedule=recipe.schedule,
                                                                   floor=recipe.lr_floor,
                                                                   decay_fraction=recipe.decay_fraction),
                           first_epoch=epoch, until=last_epoch, on_epoch=[after_epoch])
    finally:
        bar.close()
    return {"epochs_done": epoch, "seconds": seconds, "stopped_early": stopped_early, "log": log}
