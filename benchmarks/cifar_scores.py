"""Cost of scoring NAS-Bench-201 architectures on real CIFAR batches, and the projected table time.

Usage::

    python benchmarks/cifar_scores.py proxies [--archs 6] [--threads 1 2]
    python benchmarks/cifar_scores.py compare --device cuda [--archs 3]
    python benchmarks/cifar_scores.py throughput --device cuda --jobs 8 16 [--seconds 90]

``proxies``: for a few architectures of NASLib's zero-cost table (full-size networks,
the protocol's CIFAR-10 batches), in this process, after a warm-up:

- the baseline, :func:`nascore.metrics.score` once per proxy (each proxy its own copy,
  forward and backward passes), timed per proxy;
- :func:`nascore.metrics.score_many` with the zero-cost set and with the full-space set
  (one forward, shared backward passes);

and reports the ratio baseline / shared and the projected wall time of the full tables
(725 x 2 with the zero-cost set, 15,625 with the full-space set) for ``w`` worker
processes of 1 thread or 1 worker of ``t`` threads.

``compare``: the same architectures scored on the CPU and on ``--device`` (relative
differences per metric: the GPU's floating point, no TF32).

``throughput``: architectures per second of the real job (``nascore bench cifar-scores``,
full space, full-space set) for each number of worker processes, each run given
``--seconds`` after its workers are up, into a scratch store.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch


def _timed(fn):
    """(wall seconds, CPU seconds of this process) of ``fn()``: on a shared machine the CPU time
    is what the work costs, the wall time also counts waiting for a core."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def proxies(n_archs: int, threads: int) -> dict:
    from nascore import metrics
    from nascore.bench import cifar_scores as cs
    from nascore.bench.cifar_protocol import ScoringProtocol

    torch.set_num_threads(threads)
    protocol = ScoringProtocol()
    archs = cs.select_archs(f"zc:{n_archs}")
    jobs = [(protocol.network(a, "cifar10"), *protocol.batch_for(a, "cifar10")) for a in archs]
    metrics.score_many(cs.ZC_METRICS, *jobs[0])  # warm-up
    per_proxy = {m: [] for m in cs.ZC_METRICS}
    shared = {"zc": [], "full": []}
    for net, x, y in jobs:
        for m in cs.ZC_METRICS:
            per_proxy[m].append(_timed(lambda: metrics.score(m, net, x, y, on_nonfinite="nan")))
        shared["zc"].append(_timed(lambda: metrics.score_many(cs.ZC_METRICS, net, x, y)))
        shared["full"].append(_timed(lambda: metrics.score_many(cs.FULL_SPACE_METRICS, net, x, y)))

    def mean(pairs):
        return tuple(statistics.mean(p[k] for p in pairs) for k in (0, 1))

    def baseline(names):
        return tuple(statistics.mean(sum(per_proxy[m][i][k] for m in names) for i in range(n_archs)) for k in (0, 1))

    return {"per_proxy": {m: mean(v) for m, v in per_proxy.items()},
            "baseline_zc": baseline(cs.ZC_METRICS), "baseline_full": baseline(cs.FULL_SPACE_METRICS),
            "shared_zc": mean(shared["zc"]), "shared_full": mean(shared["full"])}


def report_proxies(args) -> None:
    print(f"{args.archs} architectures of NASLib's table, CIFAR-10, batch 64, full-size networks; "
          "mean seconds per architecture, wall / CPU of this process")
    for threads in args.threads:
        r = proxies(args.archs, threads)
        print(f"\n== torch threads = {threads}")
        for m, (wall, cpu) in sorted(r["per_proxy"].items(), key=lambda kv: -kv[1][1]):
            print(f"  score({m!r}): {wall:7.3f} / {cpu:7.3f} s")
        for label in ("zc", "full"):
            (bw, bc), (sw, sc) = r[f"baseline_{label}"], r[f"shared_{label}"]
            print(f"  {label:4s} set: one score() per proxy {bw:6.2f} / {bc:6.2f} s, score_many {sw:6.2f} / "
                  f"{sc:6.2f} s, ratio {bw / sw:4.2f}x wall, {bc / sc:4.2f}x CPU")
        zc_cpu_h, full_cpu_h = 1449 * r["shared_zc"][1] / 3600, 15625 * r["shared_full"][1] / 3600
        print(f"  CPU time of the tables: 725 x 2 zc set {zc_cpu_h:.2f} core-hours, 15,625 full-space set "
              f"{full_cpu_h:.2f} core-hours; on 2 free cores (2 workers x {threads} thread): "
              f"{zc_cpu_h / 2:.2f} h and {full_cpu_h / 2:.2f} h of wall time")


def report_throughput(args) -> None:
    for jobs in args.jobs:
        with tempfile.TemporaryDirectory() as store:
            command = [sys.executable, "-m", "nascore.cli", "bench", "cifar-scores", "--archs", "full",
                       "--metrics", "full-space", "--device", args.device, "--jobs", str(jobs),
                       "--store", store, "--no-progress", "--max-minutes", str(args.seconds / 60)]
            start = time.perf_counter()
            result = subprocess.run(command, capture_output=True, text=True)
            wall = time.perf_counter() - start
            done = sum(1 for _ in Path(store).glob("??/*.json"))
            tail = (result.stdout + result.stderr).strip().splitlines()[-1:]
            print(f"{args.device}, {jobs} workers: {done} architectures in {wall:.0f} s wall "
                  f"({done / args.seconds:.1f}/s over the scoring budget; 15,625 in "
                  f"{15625 / max(done / args.seconds, 1e-9) / 60:.0f} min) {tail}", flush=True)


def report_compare(args) -> None:
    from nascore.bench import cifar_scores as cs
    from nascore.tables import nb201_cifar_scores as job

    archs = cs.select_archs(f"zc:{args.archs}")
    for dataset in ("cifar10", "cifar100"):
        worst = {}
        for arch in archs:
            cpu = job.run_job(job.Scoring(arch, dataset, cs.ZC_METRICS, device="cpu"))["values"]
            other = job.run_job(job.Scoring(arch, dataset, cs.ZC_METRICS, device=args.device))["values"]
            for m in cs.ZC_METRICS:
                a, b = cpu[m], other[m]
                diff = 0.0 if a == b else abs(a - b) / max(abs(a), 1e-30) if None not in (a, b) else float("nan")
                worst[m] = max(worst.get(m, 0.0), diff)
        print(f"{dataset}: largest relative difference cpu vs {args.device} over {len(archs)} archs: "
              + ", ".join(f"{m} {d:.1e}" for m, d in worst.items()), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("proxies")
    p.add_argument("--archs", type=int, default=6)
    p.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    c = sub.add_parser("compare")
    c.add_argument("--device", choices=("cpu", "cuda"), default="cuda")
    c.add_argument("--archs", type=int, default=3)
    t = sub.add_parser("throughput")
    t.add_argument("--device", choices=("cpu", "cuda"), default="cuda")
    t.add_argument("--jobs", type=int, nargs="+", default=[8, 16])
    t.add_argument("--seconds", type=float, default=90.0)
    args = parser.parse_args()
    {"proxies": report_proxies, "compare": report_compare, "throughput": report_throughput}[args.mode](args)


if __name__ == "__main__":
    main()
