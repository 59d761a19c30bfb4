"""What a supernet step costs against training one child, measured side by side.

:func:`step_seconds` times ``steps`` BigNAS steps of the recipe and ``steps`` plain
steps of single children (one connected child drawn per step, trained on the labels
with the same optimiser, batch and augmentation), alternating blocks of each in the same
process on a copy of the network, after one warm-up step of each. The ratio of the two
is what one supernet epoch costs in "one child trained for an epoch" units: the unit in
which the chapter compares weight sharing with query-based search at equal cost.
"""
from __future__ import annotations

import copy
import time

import torch
from torch.nn import functional as F

from . import children as kids
from .sandwich import make_optimizer, train_step
from .. import inputs


def _sync(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def step_seconds(net, recipe, images, *, steps: int = 10, rounds: int = 3, device: str = "cpu",
                 seed: int = 0) -> dict:
    """Median wall seconds per step ``{"supernet": ..., "child": ..., "ratio": supernet /
    child}``, and the process's CPU seconds per step (``supernet_cpu``, ``child_cpu``: on a
    shared machine the wall time also counts other people's work)."""
    if steps < 1 or rounds < 1:
        raise ValueError(f"steps and rounds must be >= 1, got {steps!r}, {rounds!r}")
    net = copy.deepcopy(net).to(device).train()
    optimizer = make_optimizer(net, recipe)
    generator = torch.Generator().manual_seed(seed)
    x_all, y_all = images[0].to(device), images[1].to(device)

    def batch():
        idx = torch.randint(len(y_all), (min(recipe.batch_size, len(y_all)),), generator=generator).to(device)
        x = inputs.augment(x_all[idx], generator, order="rows-then-cols")
        return inputs.normalise(x, "nb201", "cifar10"), y_all[idx]

    def supernet_step():
        x, y = batch()
        train_step(net, optimizer, x, y, recipe, generator)

    def child_step():
        x, y = batch()
        arch = kids.sample_connected(1, generator)[0]
        optimizer.zero_grad(set_to_none=True)
        F.cross_entropy(net(x, arch), y).backward()
        optimizer.step()

    times = {"supernet": [], "child": [], "supernet_cpu": [], "child_cpu": []}
    supernet_step(), child_step()
    for _ in range(rounds):
        for name, fn in (("supernet", supernet_step), ("child", child_step)):
            _sync(device)
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(steps):
                fn()
            _sync(device)
            times[name].append((time.perf_counter() - start) / steps)
            times[f"{name}_cpu"].append((time.process_time() - cpu) / steps)
    out = {name: float(torch.tensor(values).median()) for name, values in times.items()}
    out["ratio"] = out["supernet"] / out["child"]
    return out
