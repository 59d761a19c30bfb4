"""Benchmark: empirical NTK with nascore.ntk against the per-sample backward loop.

    .venv/bin/python benchmarks/ntk.py [--quick] [--threads 2] [--dtype float32]

For each network and batch size, in this one process: the time of
:func:`nascore.ntk.empirical_ntk_loop` (forward the batch once, then one backward pass per
sample, as TE-NAS's ``get_ntk_n`` does) and of :func:`nascore.ntk.empirical_ntk`
(``implementation="auto"``, and ``"jacobian"`` for comparison), the speed-up ratio, the
peak resident memory of each call above the level before it (measured in a fresh
process per call), and the largest difference between the two kernels (absolute, and
relative to the largest kernel entry).

Networks (output "sum", the TE-NAS convention):
- mixed MLP (Zhu et al. space): input 64, 3 hidden layers of width 256 (depth 4), 10 classes;
- NAS-Bench-201, C=8, N=1, 16x16 RGB inputs, 10 classes, in ``mode="train"`` (batch
  statistics, TE-NAS; auto -> jacobian) and ``mode="eval"`` (auto -> factored).

``--full-size N``: then, on the full-size network LGA scores after training (C=16, N=5,
the first N shipped CIFAR-10 test images, LGA's kernel convention), the coupled kernel with
its backward passes batched over vmap (``chunk_size=4``) against one at a time
(``chunk_size=1``, the CPU default from N = 64), the ratio and the largest relative difference.
"""
from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time

import torch

from nascore import ntk
from nascore.ntk import factored as ntk_factored
from nascore.ntk.conventions import ModeSwitch
from nascore.spaces.mixed import Architecture
from nascore.spaces.nb201 import Network

NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def _rss() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def timed(fn, repeats):
    """(best wall time in s, result) over ``repeats`` calls."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def peak_memory_mib(config: int, n: int, impl: str, dtype: str, threads: int) -> float:
    """Peak resident memory of one call above the level before it, in a fresh process.

    A fresh interpreter makes the kernel's high-water mark (VmHWM) belong to this
    one call; timing stays in the main process so that loop and ours share it.
    """
    code = (f"import sys; sys.argv = ['ntk.py']; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
            f"import ntk as b; b.child({config}, {n}, {impl!r}, {dtype!r}, {threads})")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def child(config, n, impl, dtype, threads):
    torch.set_num_threads(threads)
    name, net, shape, mode = networks(getattr(torch, dtype))[config]
    x = batch(n, shape, getattr(torch, dtype))
    fn = (lambda: ntk.empirical_ntk_loop(net, x, mode=mode)) if impl == "loop" else \
        (lambda: ntk.empirical_ntk(net, x, mode=mode, implementation=impl))
    before = _rss()
    fn()
    print(max(0, _high_water() - before) / 2 ** 20)


def _high_water() -> int:
    """VmHWM: this process's peak resident memory (fresh at exec, unlike ru_maxrss)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def batch(n, shape, dtype):
    return torch.randn(n, *shape, generator=torch.Generator().manual_seed(n)).to(dtype)


def networks(dtype):
    mlp = Architecture(("relu", "tanh", "swish"), skips=((1, 3),)).build(64, 256, 10, seed=0).to(dtype)
    nb201 = Network(NB201_ARCH, C=8, N=1, num_classes=10, seed=0).to(dtype)
    return [
        ("mixed MLP 64-256x3-10", mlp, (64,), "train"),
        ("NB201 C=8 N=1 16x16", nb201, (3, 16, 16), "train"),
        ("NB201 C=8 N=1 16x16", nb201, (3, 16, 16), "eval"),
    ]


def which(net, x, mode):
    with ModeSwitch(net, mode):
        _, reason = ntk_factored.factored_ntk(net, x[:2], "sum", None, 1)
    return "jacobian" if reason else "factored"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="batch sizes 16 and 64 only")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--dtype", choices=("float32", "float64"), default="float32")
    parser.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    parser.add_argument("--full-size", type=int, default=0, metavar="N",
                        help="also time the full-size LGA kernel at batch N, batched vs one pass at a time")
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    batches = (16, 64) if args.quick else (16, 32, 64, 128, 256)

    def memory(config, n, impl):
        if args.no_memory:
            return math.nan
        return peak_memory_mib(config, n, impl, args.dtype, args.threads)

    header = (f"{'network':22} {'mode':5} {'N':>4} {'ours':9} {'loop s':>8} {'ours s':>8} {'speed-up':>8} "
              f"{'loop MiB':>8} {'ours MiB':>8} {'max|diff|':>9} {'rel diff':>9}")
    print(f"torch {torch.__version__}, {args.threads} threads, {args.dtype}, output='sum'; "
          "time = best of 7/2/1 runs (N <= 64 / 128 / 256); memory = peak RSS above start, fresh process")
    print(header)
    print("-" * len(header))
    for config, (name, net, shape, mode) in enumerate(networks(dtype)):
        for n in batches:
            x = batch(n, shape, dtype)
            repeats = 7 if n <= 64 else 2 if n <= 128 else 1
            ntk.empirical_ntk(net, x[:4], mode=mode)  # warm-up
            t_loop, ref = timed(lambda: ntk.empirical_ntk_loop(net, x, mode=mode), repeats)
            m_loop = memory(config, n, "loop")
            auto = which(net, x, mode)
            for impl in ["auto"] + (["jacobian"] if auto == "factored" else []):
                t_ours, theta = timed(lambda: ntk.empirical_ntk(net, x, mode=mode, implementation=impl), repeats)
                m_ours = memory(config, n, impl)
                diff = float((theta - ref).abs().max())
                label = auto if impl == "auto" else impl
                print(f"{name:22} {mode:5} {n:4d} {label:9} {t_loop:8.3f} {t_ours:8.4f} "
                      f"{t_loop / t_ours:7.1f}x {m_loop:8.1f} {m_ours:8.1f} {diff:9.1e} "
                      f"{diff / float(ref.abs().max()):9.1e}", flush=True)
    if args.full_size:
        full_size_passes(args.full_size)


def full_size_passes(n: int) -> None:
    """The coupled LGA kernel on a full-size cell: backward passes batched (vmap) vs one at a time."""
    from nascore.metrics.ntk_metrics import LGA_CONVENTION
    from nascore.tables.cifar_ntk.after_epoch import held_out_batch
    from nascore.tables.cifar_ntk.statistics import network

    net = network(NB201_ARCH, "cifar10", "lga")
    x, _ = held_out_batch("cifar10", n)
    print(f"\nfull size (C=16, N=5, 32x32), LGA convention, batch {n}: {NB201_ARCH}")
    t_batched, batched = timed(lambda: ntk.empirical_ntk(net, x, chunk_size=4, **LGA_CONVENTION), 1)
    t_one, one = timed(lambda: ntk.empirical_ntk(net, x, chunk_size=1, **LGA_CONVENTION), 1)
    rel = float((one - batched).abs().max() / batched.abs().max())
    print(f"batched (4 per pass) {t_batched:8.1f} s   one at a time {t_one:8.1f} s   "
          f"speed-up {t_batched / t_one:4.2f}x   rel diff {rel:.1e}")


if __name__ == "__main__":
    main()
