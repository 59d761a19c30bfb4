"""Choosing the number of epochs from a wall-clock budget, the same for every process.

A fixed-time job (several supernets trained at once on one GPU, then evaluated) cannot
know beforehand how fast the machine is. With ``--epochs auto`` each supernet process
first *probes*: it times a few supernet steps, single-child steps and child evaluations
on its untrained network, while its peers do the same (so the contention is the real
one), and writes what it measured to ``WORK/probes/<run>.json``. Every process then
reads all the probes (waiting for ``peers`` of them) and applies :func:`plan_epochs` to
the *slowest* values and the *smallest* time left, so all of them, the stand-alone
trainings included, arrive at the same number of epochs, which their recipes then
record. The chosen epochs complete their learning-rate schedule; nothing is cut short
unless the machine slows down later (the trainer's deadline guards that case).
"""
from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path

PROBES = "probes"


def plan_epochs(*, step_seconds: float, eval_seconds: float, children: int, steps_per_epoch: int,
                seconds_left: float, max_epochs: int = 100, min_train_fraction: float = 0.4,
                safety: float = 1.2, margin: float = 10.0) -> dict:
    """Epochs that fit: evaluation of ``children`` (at ``eval_seconds`` each) is kept,
    training gets the rest of ``seconds_left - margin`` but never less than
    ``min_train_fraction`` of it; both estimates are inflated by ``safety``; at least
    one epoch, even when no time is left. Below:
    290 s usable, evaluation 1.2 x 0.01 x 1000 = 12 s, training 278 s, an epoch
    1.2 x 0.1 x 40 = 4.8 s, so 57 epochs.

    >>> plan_epochs(step_seconds=0.1, eval_seconds=0.01, children=1000, steps_per_epoch=40,
    ...             seconds_left=300)["epochs"]
    57
    """
    if min(step_seconds, steps_per_epoch) <= 0 or eval_seconds < 0 or children < 0:
        raise ValueError(f"need positive step_seconds and steps_per_epoch and non-negative eval_seconds and "
                         f"children; got {step_seconds!r}, {steps_per_epoch!r}, {eval_seconds!r}, {children!r}")
    left = max(seconds_left - margin, 0.0)
    evaluation = safety * eval_seconds * children
    train = max(min_train_fraction * left, left - evaluation)
    epoch = safety * step_seconds * steps_per_epoch
    epochs = int(min(max_epochs, max(1, math.floor(train / epoch))))
    return {"epochs": epochs, "train_budget": train, "epoch_estimate": epoch, "eval_estimate": evaluation}


def share(work_dir: Path | str, name: str, probe: dict) -> None:
    """Publish this process's probe (atomically)."""
    folder = Path(work_dir) / PROBES
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    tmp.write_text(json.dumps(probe))
    os.replace(tmp, folder / f"{name}.json")


def gather(work_dir: Path | str, peers: int, *, timeout: float = 120.0, poll: float = 0.5) -> list[dict]:
    """The probes of ``work_dir``, waiting up to ``timeout`` seconds for ``peers`` of them."""
    folder = Path(work_dir) / PROBES
    deadline = time.monotonic() + timeout
    while True:
        probes = [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))] if folder.exists() else []
        if len(probes) >= peers or time.monotonic() >= deadline:
            return probes
        time.sleep(poll)


def agreed_epochs(probes: list[dict], steps_per_epoch: int, *, max_epochs: int = 100) -> dict:
    """:func:`plan_epochs` on the slowest probe values and the least time left."""
    if not probes:
        raise ValueError("no probe to plan from: did any supernet process start?")
    plan = plan_epochs(step_seconds=max(p["step_seconds"] for p in probes),
                       eval_seconds=max(p["eval_seconds"] for p in probes),
                       children=max(p["children"] for p in probes), steps_per_epoch=steps_per_epoch,
                       seconds_left=min(p["seconds_left"] for p in probes), max_epochs=max_epochs)
    return {**plan, "peers_seen": len(probes)}
