"""Cost of scoring NAS-Bench-101 networks on real CIFAR-10 batches (one thread).

Usage::

    python benchmarks/nb101_scores.py [--archs 3] [--threads 1]

For ``--archs`` cells of ``bench.load("nb101-zc")`` spread over the parameter range
(smallest, median, largest), on the protocol's batch (:mod:`nascore.bench.nb101_scores`),
after a warm-up: the build time of the network; each proxy alone through
:func:`nascore.metrics.score` (the baseline: its own forward and backward passes); and
:func:`nascore.metrics.score_many` over the same proxies (one forward, shared backward
passes), with the ratio baseline / shared. Then the projected time of the 301 cells,
taking the mean of the measured cells as the mean of the table (stated: the sample is
spread over the range, not drawn from the table's distribution).
"""
from __future__ import annotations

import argparse
import time

import torch

PROXIES = ("naswot", "synflow", "snip", "grad_norm", "jacov", "fisher")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    torch.set_num_threads(args.threads)

    from nascore import bench, metrics
    from nascore.bench.nb101_scores import NB101Protocol

    table = bench.load("nb101-zc").sort_values("params", ignore_index=True)
    picks = sorted({round(i * (len(table) - 1) / max(args.archs - 1, 1)) for i in range(args.archs)})
    protocol = NB101Protocol()
    metrics.score("naswot", protocol.network("01/00:"), *protocol.batch_for("01/00:"))  # warm-up
    totals = {"build": 0.0, "baseline": 0.0, "shared": 0.0}
    print(f"threads {args.threads}; proxies {', '.join(PROXIES)}; batch {protocol.batch_size}")
    for i in picks:
        arch, params = table.arch[i], table.params[i]
        x, y = protocol.batch_for(arch)
        start = time.perf_counter()
        net = protocol.network(arch)
        build = time.perf_counter() - start
        alone = {}
        for name in PROXIES:
            start = time.perf_counter()
            metrics.score(name, net, x, y)
            alone[name] = time.perf_counter() - start
        start = time.perf_counter()
        metrics.score_many(PROXIES, net, x, y)
        shared = time.perf_counter() - start
        baseline = sum(alone.values())
        totals["build"] += build
        totals["baseline"] += baseline
        totals["shared"] += shared
        print(f"{arch}  ({params:.2f} M params)\n  build {build:.2f} s; alone: "
              + ", ".join(f"{k} {v:.2f} s" for k, v in alone.items())
              + f"; sum {baseline:.1f} s; score_many {shared:.1f} s (ratio {baseline / shared:.2f})")
    n = len(picks)
    per_arch = (totals["build"] + totals["shared"]) / n
    print(f"mean per architecture: build + score_many {per_arch:.1f} s (each proxy alone: "
          f"{(totals['build'] + totals['baseline']) / n:.1f} s); 301 cells at that mean: "
          f"{301 * per_arch / 3600:.2f} h on one thread")


if __name__ == "__main__":
    main()
