"""Architectures trained per second: stacked (one optimiser step for all) vs one at a time.

Usage: ``python benchmarks/train.py [--nets 32] [--threads 1] [--repeats 3]``

Both ways train the same ``--nets`` mixed-activation MLPs (same seeds, same protocol)
in this process, after a warm-up, and the best of ``--repeats`` is reported for each.
Two settings are measured:

- ``table``: the shipped ground truth's shape (MNIST-5k, 784 inputs, 3 x 128 hidden,
  batch 128), one epoch. Its products are large enough to keep one core busy even one
  net at a time, so stacking can save only the per-operation overhead.
- ``small``: digits (64 inputs), 3 x 32 hidden, batch 32, one epoch: per-step work is
  tiny and Python/dispatch overhead dominates, the case stacking is made for.
"""
from __future__ import annotations

import argparse
import time

import torch

from nascore import data
from nascore.spaces import mixed
from nascore.training import Protocol, prepare, train_many

SETTINGS = {
    "table": dict(dataset="mnist5k", width=128, batch_size=128),
    "small": dict(dataset="digits", width=32, batch_size=32),
}


def measure(setting: str, nets: int, repeats: int) -> tuple[float, float]:
    """(batched, sequential) architectures per second, best of ``repeats``."""
    spec = SETTINGS[setting]
    protocol = Protocol(epochs=1, checkpoints=(), lr=8.0, batch_size=spec["batch_size"])
    train_data = prepare(data.load(spec["dataset"]), protocol)
    dim = train_data.x_train.shape[1]
    archs = mixed.sample(nets, 3, seed=0)
    factories = [lambda s, a=a: a.build(dim, spec["width"], 10, seed=s) for a in archs]
    train_many(factories[:2], train_data, protocol, seed=0)  # warm-up (lazy torch init)
    best = {}
    for batched in (True, False):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            train_many(factories, train_data, protocol, seed=0, batched=batched)
            times.append(time.perf_counter() - start)
        best[batched] = nets / min(times)
    return best[True], best[False]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nets", type=int, default=32, help="MLPs to train (default: 32)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default: 1)")
    parser.add_argument("--repeats", type=int, default=3, help="timings per way (default: 3)")
    parser.add_argument("--settings", nargs="+", choices=sorted(SETTINGS), default=["table", "small"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"{args.nets} mixed MLPs, 1 epoch each, torch threads = {args.threads}")
    print(f"{'setting':8s} {'batched/s':>10s} {'sequential/s':>13s} {'ratio':>6s}")
    for setting in args.settings:
        batched, sequential = measure(setting, args.nets, args.repeats)
        print(f"{setting:8s} {batched:10.2f} {sequential:13.2f} {batched / sequential:6.1f}x")


if __name__ == "__main__":
    main()
