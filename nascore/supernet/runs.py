"""Whole runs: train one supernet, time it, evaluate its children; gather many runs.

:func:`run` is what one process of the GPU job does: probe the machine (seconds per
supernet step, per single-child step, per child evaluation; :mod:`.cost`), optionally
agree with its peers on the number of epochs that fits a time budget (:mod:`.budget`),
train (resumably) in ``work_dir/<variant>-s<seed>/``, then evaluate each requested set
of children into the results store there (``store/``, one result per child, exported as
``children-<name>.csv``: :mod:`nascore.tables.nb201_supernet`), writing ``summary.json`` (recipe, plan,
seconds, device, versions) at each stage. :func:`standalone` trains children alone
under the same budget.

:func:`collect` gathers every run directory of a work folder into three files (one CSV
of all child accuracies with ``variant`` and ``supernet_seed`` columns, one JSON of run
summaries and the training logs), which is what comes back from a machine that returns
only a few files.

Children are named by a spec (:func:`children_for`): ``zc`` (the ~725 architectures of
the NAS-Bench-201 zero-cost table), ``sample:N`` (``N`` distinct architectures drawn
uniformly from all 15,625 with seed 0, the same for every run), ``full`` (all 15,625),
``zcsample:N`` (``N`` of ``zc`` drawn without replacement with seed 0, the head of one
fixed order so that smaller sets are nested in larger ones; e.g. the stand-alone
reference children, :mod:`.standalone`), ``ends`` (the largest and the smallest child of
the sandwich rule) and for tests ``zc:N`` (the first ``N`` of ``zc``).
"""
from __future__ import annotations

import dataclasses
import json
import os
import platform
import time
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import torch

from . import budget
from . import children as kids
from .cost import step_seconds
from ..tables.nb201_supernet import evaluate_children
from .evaluate import child_accuracy
from .network import Supernet
from .recipe import Recipe
from .trainer import RECIPE_FILE, load_supernet, train

SUMMARY = "summary.json"


def children_for(spec: str) -> list[str]:
    """Architecture strings of a children spec (see the module docstring)."""
    name, _, count = spec.partition(":")
    if name == "ends" and not count:
        return [kids.largest(), kids.smallest()]
    if (name not in ("zc", "sample", "full", "zcsample") or (name in ("full", "ends") and count)
            or (name in ("sample", "zcsample") and not count)):
        raise ValueError(f"unknown children spec {spec!r}; allowed: zc, zc:N, sample:N, zcsample:N, ends, full")
    if count and not count.isdigit():
        raise ValueError(f"bad count in children spec {spec!r}: expected an integer, like sample:1000")
    if name == "full":
        from ..spaces import nb201

        return nb201.all_architectures()
    if name == "sample":
        return kids.uniform_sample(int(count), seed=0)
    from ..bench import load

    archs = list(load("nb201-zc", "cifar10")["arch"])
    if name == "zcsample":
        import numpy as np

        # the head of one fixed order: a smaller set is part of every larger one
        order = np.random.default_rng(0).permutation(len(archs))
        return [archs[int(i)] for i in order[:int(count)]]
    return archs[:int(count)] if count else archs


def standalone(work_dir: Path | str, spec: str, *, C: int, N: int, epochs: int | None, batch_size: int = 256,
               lr: float = 0.1, seed: int = 0, shard: tuple[int, int] = (0, 1), device: str = "cpu", images=None,
               test_images: int | None = None, peers: int = 8, max_epochs: int = 100, wait: float = 120.0) -> Path:
    """Train the children of ``spec`` alone (every ``shard[1]``-th from ``shard[0]``) into
    ``work_dir/standalone-s<seed>/children-<shard>.csv``; returns the CSV path.
    ``epochs=None``: the epochs the supernet processes agree on (:mod:`.budget`), waiting
    up to ``wait`` seconds for their probes."""
    from .inputs import test_images as test, training_images
    from ..tables.nb201_supernet import train_children

    index, count = shard
    if not 0 <= index < count:
        raise ValueError(f"shard must be INDEX/COUNT with 0 <= INDEX < COUNT, got {index}/{count}")
    archs = children_for(spec)[index::count]
    out = Path(work_dir) / f"standalone-s{seed}" / f"children-{index}of{count}.csv"
    if images is None:
        images = training_images(None, seed=0)
    if epochs is None:
        plan = budget.agreed_epochs(budget.gather(work_dir, peers, timeout=wait), -(-len(images[1]) // batch_size),
                                    max_epochs=max_epochs)
        epochs = plan["epochs"]
        print(f"stand-alone: {epochs} epochs agreed with {plan['peers_seen']} supernet process(es)", flush=True)
    train_children(archs, out, images, test(test_images), C=C, N=N, epochs=epochs, batch_size=batch_size,
                   lr=lr, seed=seed, device=device)
    return out


def run_name(recipe: Recipe) -> str:
    return f"{recipe.variant}-s{recipe.seed}"


def _write_json(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True, default=str))
    os.replace(tmp, path)


def _environment(device: str) -> dict:
    info = {"torch": torch.__version__, "python": platform.python_version(), "machine": platform.machine(),
            "cpus": os.cpu_count(), "device": device, "threads": torch.get_num_threads()}
    if device.startswith("cuda") and torch.cuda.is_available():
        info["gpu"] = torch.cuda.get_device_name()
    return info


def _probe(recipe: Recipe, images, calib, x_test, y_test, *, device, steps) -> dict:
    """Seconds per supernet step and per single-child step (:mod:`.cost`) and per child
    evaluation, measured on the untrained supernet."""
    net = Supernet(recipe.C, recipe.N, seed=recipe.seed).to(device)
    timing = step_seconds(net, recipe, images, steps=steps, rounds=2, device=device)
    archs = [kids.largest(), kids.smallest()] + kids.uniform_sample(2, seed=1)
    child_accuracy(net, archs[0], calib, x_test, y_test)  # warm-up
    start = time.perf_counter()
    for arch in archs:
        child_accuracy(net, arch, calib, x_test, y_test)
    return {**timing, "eval": (time.perf_counter() - start) / len(archs)}


def run(work_dir: Path | str, recipe: Recipe, specs, *, device: str = "cpu", images=None,
        calibration_images: int = 1024, test_images: int | None = None, progress: bool = True,
        deadline_seconds: float | None = None, cost_steps: int = 10, auto: dict | None = None) -> Path:
    """Probe, train and evaluate one supernet; returns its run directory.

    ``auto``: choose the epochs from a time budget (:mod:`.budget`): ``{"budget": seconds
    for this process, "started": its time.monotonic() at start, "peers": supernet
    processes sharing the machine, "max_epochs": cap}``; ``recipe.epochs`` is then
    replaced (and a resumed run keeps the epochs its ``recipe.json`` recorded).
    """
    from .inputs import calibration_images as calibration, test_images as test

    run_dir = Path(work_dir) / run_name(recipe)
    run_dir.mkdir(parents=True, exist_ok=True)
    if images is None:
        from .inputs import training_images

        images = training_images(recipe.train_images, seed=0)
    calib = calibration(calibration_images, seed=0).to(device)
    x_test, y_test = (t.to(device) for t in test(test_images))
    archs = {spec: children_for(spec) for spec in specs}
    steps_per_epoch = -(-len(images[1]) // recipe.batch_size)
    summary = {"variant": recipe.variant, "seed": recipe.seed, "environment": _environment(device),
               "started": datetime.now(timezone.utc).isoformat(), "children_specs": list(specs),
               "calibration_images": calibration_images, "steps_per_epoch": steps_per_epoch}
    resumed = (run_dir / RECIPE_FILE).exists()
    if resumed and (run_dir / SUMMARY).exists():  # keep the first attempt's probe and plan
        summary = {**json.loads((run_dir / SUMMARY).read_text()), **summary, "resumed": True}
    if cost_steps and not resumed:
        probe = _probe(recipe, images, calib, x_test, y_test, device=device, steps=cost_steps)
        summary["step_seconds"] = {k: v for k, v in probe.items() if k != "eval"}
        summary["eval_seconds_probe"] = probe["eval"]
        if auto is not None:
            left = auto["budget"] - (time.monotonic() - auto["started"])
            budget.share(work_dir, run_name(recipe), {"step_seconds": probe["supernet"], "eval_seconds": probe["eval"],
                                                      "children": sum(map(len, archs.values())), "seconds_left": left})
            plan = budget.agreed_epochs(budget.gather(work_dir, auto["peers"]), steps_per_epoch,
                                        max_epochs=auto.get("max_epochs", 100))
            summary["epoch_plan"] = plan
            recipe = dataclasses.replace(recipe, epochs=plan["epochs"])
            deadline_seconds = deadline_seconds or 1.25 * plan["train_budget"]
    elif resumed and auto is not None:
        recipe = dataclasses.replace(recipe, epochs=json.loads((run_dir / RECIPE_FILE).read_text())["epochs"])
    summary["recipe"] = recipe.to_dict()
    _write_json(run_dir / SUMMARY, summary)
    if not progress:
        print(f"{run_name(recipe)}: training {recipe.epochs} epochs", flush=True)
    result = train(run_dir, recipe, device=device, images=images, progress=progress,
                   deadline_seconds=deadline_seconds)
    summary.update(epochs_done=result["epochs_done"], train_seconds=result["seconds"],
                   stopped_early=result["stopped_early"])
    _write_json(run_dir / SUMMARY, summary)
    net, _, _ = load_supernet(run_dir, device)
    for spec in specs:
        start = time.perf_counter()
        evaluate_children(net, archs[spec], calib, x_test, y_test,
                          run_dir / f"children-{spec.replace(':', '')}.csv", progress=progress,
                          desc=f"{run_name(recipe)} {spec}")
        summary.setdefault("eval_seconds", {})[spec] = time.perf_counter() - start
        _write_json(run_dir / SUMMARY, summary)
        if not progress:
            print(f"{run_name(recipe)}: children {spec} evaluated in {summary['eval_seconds'][spec]:.1f} s", flush=True)
    summary["finished"] = datetime.now(timezone.utc).isoformat()
    _write_json(run_dir / SUMMARY, summary)
    return run_dir


def collect(work_dir: Path | str, out_dir: Path | str) -> dict:
    """Gather every run under ``work_dir`` into ``out_dir``: ``children.csv`` (arch,
    variant, supernet_seed, children set, supernet_accuracy, seconds), ``runs.json``
    (summaries and training logs). Returns counts."""
    work_dir, out_dir = Path(work_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    frames, runs = [], {}
    for run_dir in sorted(p for p in work_dir.iterdir() if (p / SUMMARY).exists()):
        summary = json.loads((run_dir / SUMMARY).read_text())
        log = run_dir / "train_log.csv"
        summary["train_log"] = pd.read_csv(log).to_dict("records") if log.exists() else []
        runs[run_dir.name] = summary
        for csv_path in sorted(run_dir.glob("children-*.csv")):
            frame = pd.read_csv(csv_path).dropna(subset=["supernet_accuracy", "seconds"])
            frame.insert(1, "variant", summary["variant"])
            frame.insert(2, "supernet_seed", summary["seed"])
            frame.insert(3, "children", csv_path.stem.removeprefix("children-"))
            frames.append(frame)
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["arch", "variant", "supernet_seed", "children", "supernet_accuracy", "seconds"])
    tmp = out_dir / "children.csv.tmp"
    table.to_csv(tmp, index=False)
    os.replace(tmp, out_dir / "children.csv")
    _write_json(out_dir / "runs.json", runs)
    alone = []
    for csv_path in sorted(work_dir.glob("standalone-s*/children-*.csv")):
        frame = pd.read_csv(csv_path).dropna(subset=["standalone_accuracy", "seconds"])
        frame.insert(1, "standalone_seed", int(csv_path.parent.name.removeprefix("standalone-s")))
        alone.append(frame)
    if alone:
        tmp = out_dir / "standalone.csv.tmp"
        pd.concat(alone, ignore_index=True).to_csv(tmp, index=False)
        os.replace(tmp, out_dir / "standalone.csv")
    return {"runs": len(runs), "rows": len(table), "standalone": sum(len(f) for f in alone)}
