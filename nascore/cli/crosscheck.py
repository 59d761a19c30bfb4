"""``nascore bench crosscheck``: our params, flops and synflow against the shipped NAS-Bench-201 table.

Scores a sample of the table's CIFAR-10 architectures at full size and prints, per
metric, Spearman's rho with the table's column and how far the values are apart (the
conventions are in :mod:`nascore.studies.metrics`, which does the work).
"""
from __future__ import annotations

from pathlib import Path

from .args import positive, seed


def add_parser(bench_sub) -> None:
    """``nascore bench crosscheck`` under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("crosscheck", help="cross-check params, flops and synflow against NAS-Bench-201",
                                  description=__doc__.split("\n\n")[0].replace("``", ""))
    parser.add_argument("--n", type=positive, default=None, help="architectures to sample (default: all)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the sample and the bootstrap (default 0)")
    parser.add_argument("--out", type=Path, default=None, metavar="CSV",
                        help="also write the per-architecture table as CSV")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Score, optionally write the table, print the summary."""
    from ..studies.metrics import crosscheck, crosscheck_summary

    frame = crosscheck(n=args.n, seed=args.seed, progress=True)
    if args.out:
        frame.to_csv(args.out, index=False, float_format="%.10g")
    print(crosscheck_summary(frame, seed=args.seed).drop(columns="convention").to_string(index=False))
    return 0
