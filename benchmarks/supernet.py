"""Supernet training speed: seconds per BigNAS step and per epoch, against one child.

Usage: ``python benchmarks/supernet.py [--sizes 16x1 8x1 8x2] [--steps 5] [--threads 1]
[--device cpu]``

For each skeleton size ``CxN`` it times, in this process and alternating in blocks
(:func:`nascore.supernet.cost.step_seconds`), ``--steps`` BigNAS steps (largest +
smallest + 2 random children, inplace distillation, batch 256 of real CIFAR-10 with
augmentation) and as many single-child steps (one random connected child, labels only,
same batch and optimiser). It prints the seconds per step, the ratio (what one supernet
epoch costs in single-child epochs), and the time of one epoch over the 10,000 training
images (40 steps) extrapolated from the per-step time, in wall seconds and in this
process's CPU seconds (they differ on a shared machine). Speed is reported as a ratio and
as seconds on *this* machine; no test asserts either.
"""
from __future__ import annotations

import argparse
import platform

import torch

from nascore.supernet.cost import step_seconds
from nascore.supernet.inputs import training_images
from nascore.supernet.network import Supernet
from nascore.supernet.recipe import Recipe


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["16x1", "8x1", "8x2"], help="CxN sizes (default 16x1 8x1 8x2)")
    parser.add_argument("--steps", type=int, default=5, help="steps per timed block (default 5)")
    parser.add_argument("--rounds", type=int, default=2, help="timed blocks of each kind (default 2)")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    images = training_images()
    steps_per_epoch = -(-len(images[1]) // 256)
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {args.threads} thread(s), "
          f"{args.device}; batch 256, {steps_per_epoch} steps per epoch")
    print(f"{'size':>6} {'supernet s/step':>16} {'child s/step':>13} {'ratio':>6} {'s/epoch':>8} {'CPU s/epoch':>12}")
    for size in args.sizes:
        C, N = (int(v) for v in size.lower().split("x"))
        recipe = Recipe(C=C, N=N)
        net = Supernet(C, N, seed=0)
        t = step_seconds(net, recipe, images, steps=args.steps, rounds=args.rounds, device=args.device)
        print(f"{size:>6} {t['supernet']:16.3f} {t['child']:13.3f} {t['ratio']:6.2f} "
              f"{t['supernet'] * steps_per_epoch:8.1f} {t['supernet_cpu'] * steps_per_epoch:12.1f}")


if __name__ == "__main__":
    main()
