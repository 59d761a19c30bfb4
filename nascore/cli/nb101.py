"""``nascore bench nb101-scores``: our training-free scores of NAS-Bench-101 cells on real CIFAR-10.

Scores the 301 distinct cells of NASLib's NB101 table (``nascore.bench.load("nb101-zc")``)
in a fixed random order (a run cut short holds a uniform sample), each cell one atomic
record of a results store, so a killed run resumes; ``--out`` exports the store as
``scores.csv`` with the folder's manifest. Protocol: :class:`nascore.bench.nb101_scores.NB101Protocol`
(zero-cost-nas conventions: 64 augmented training images, train-mode batch norm); the job:
:mod:`nascore.tables.nb101_cifar_scores`.
"""
from __future__ import annotations

from pathlib import Path

from .args import positive


def add_nb101_parser(bench_sub) -> None:
    parser = bench_sub.add_parser("nb101-scores", help="score NAS-Bench-101 cells on real CIFAR-10 (resumable)",
                                  description=__doc__.split("\n\n")[0],
                                  epilog="Example: nascore bench nb101-scores --store ~/nb101-store --max-minutes 60 "
                                         "--out data/nb101-cifar-scores")
    parser.add_argument("--store", type=Path, required=True, help="results store folder (resumes from it)")
    parser.add_argument("--first", type=positive, default=None, help="only the first N cells of the fixed order")
    parser.add_argument("--max-minutes", type=positive, default=None, help="stop after about this many minutes")
    parser.add_argument("--threads", type=positive, default=1, help="torch CPU threads (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="export the store into this folder afterwards")
    parser.add_argument("--export-only", action="store_true", help="score nothing; only export")
    parser.set_defaults(handler=run)


def run(args) -> int:
    import torch

    from ..tables import nb101_cifar_scores as job
    from ..tables.executors import LocalExecutor

    torch.set_num_threads(args.threads)
    if not args.export_only:
        archs = job.job_order()[:args.first]
        job.fill(job.open_store(args.store), LocalExecutor(1, threads=None, progress=False), archs,
                 max_seconds=None if args.max_minutes is None else 60 * args.max_minutes)
    if args.out:
        if not args.store.is_dir():
            raise ValueError(f"no results store at {str(args.store)!r}: nothing to export")
        frame = job.export(job.open_store(args.store), args.out)
        print(f"wrote {args.out / 'scores.csv'} ({len(frame)} cells)")
    return 0
