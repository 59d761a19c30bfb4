"""``nascore bench cifar-scores``: score NAS-Bench-201 architectures on real CIFAR batches.

The options (:func:`add_arguments`) and the run (:func:`run`) of the command; the work is
:func:`nascore.tables.nb201_cifar_scores.fill`, the export
:func:`nascore.tables.nb201_cifar_scores_export.export`.
"""
from __future__ import annotations

import argparse
import sys
import time

from ..bench.cifar_protocol import DATASETS, IMAGE_SOURCES, MODELS, ScoringProtocol
from ..inputs import NORMALISATIONS
from ..bench.cifar_scores import FULL_SPACE_METRICS, METRIC_SETS, ZC_METRICS, select_archs
from ..tables.nb201_cifar_scores import DEVICES, fill, records_frame
from .args import address, finite_positive, folder, positive, seed

DESCRIPTION = """Score NAS-Bench-201 architectures (full size: C=16, 5 cells per stage) with
training-free metrics on real CIFAR batches, following the zero-cost proxies' official
protocol (batch 64 drawn afresh per architecture, random crop and flip, PyTorch's default
initialisation, train-mode BatchNorm; see nascore.bench.cifar_protocol). All metrics of
one architecture share one forward pass and its backward passes. Each finished
architecture is stored at once under a content key: a killed or time-limited run keeps
what it finished and a rerun does the rest. --out exports every result of the store
(all datasets and selections) as scores.csv with a provenance README, merged into the
scores.csv already there (its rows the store lacks are kept; --replace writes the store's
alone)."""

EPILOG = """examples:
  nascore bench cifar-scores --archs zc --dataset cifar10 cifar100 --jobs 2 --out data/nb201-cifar-scores
  nascore bench cifar-scores --archs full --metrics full-space --device cuda --jobs 12 --max-minutes 9
  nascore bench cifar-scores --archs sample:3000 --scheduler tcp://10.0.0.1:8786"""


def add_parser(bench_sub) -> None:
    """``nascore bench cifar-scores`` under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("cifar-scores", help="score NB201 architectures on real CIFAR batches",
                                  description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    parser.set_defaults(handler=run)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``nascore bench cifar-scores`` to ``parser``."""
    parser.add_argument("--archs", default="zc", metavar="SPEC",
                        help="which architectures: zc (NASLib's ~725 of the zero-cost table), zc:K "
                             "(K of them), full (all 15,625) or sample:K (K drawn uniformly, seed 0); "
                             "default: %(default)s")
    parser.add_argument("--dataset", nargs="+", choices=DATASETS, default=["cifar10"],
                        help="datasets whose images form the batches (default: cifar10); "
                             "ImageNet16-120 is not attempted: no images ship")
    parser.add_argument("--metrics", default="auto", metavar="SET",
                        help="zc (all %d proxies), full-space (the same without grasp) or a "
                             "comma-separated list of registry names; auto: zc for --archs zc*, "
                             "full-space otherwise" % len(ZC_METRICS))
    parser.add_argument("--device", choices=DEVICES, default="cpu",
                        help="where networks run; with cuda, --jobs worker processes share the GPU "
                             "(default: %(default)s)")
    parser.add_argument("--jobs", type=positive, default=1,
                        help="local worker processes, ignored with --scheduler (default: %(default)s)")
    parser.add_argument("--threads", type=positive, default=1,
                        help="torch threads per worker (default: %(default)s)")
    parser.add_argument("--scheduler", metavar="ADDRESS", type=address, default=None,
                        help="Dask scheduler address (tcp://host:8786): run the jobs on that cluster")
    parser.add_argument("--store", metavar="FOLDER", type=folder, default=None,
                        help="results store (default: <cache>/cifar-scores)")
    parser.add_argument("--out", metavar="FOLDER", type=folder, default=None,
                        help="export scores.csv + README.md here after the run (e.g. data/nb201-cifar-scores)")
    parser.add_argument("--max-minutes", type=finite_positive, default=None, metavar="M",
                        help="stop handing out jobs after M minutes (running ones finish and are "
                             "stored); rerun the same command to resume")
    parser.add_argument("--until", type=float, default=None, metavar="UNIX_TIME",
                        help="like --max-minutes, but an absolute deadline (seconds since 1970, e.g. "
                             "$(( $(date +%%s) + 540 ))), so chained commands share one time limit")
    parser.add_argument("--export-only", action="store_true", help="score nothing; only export the store")
    parser.add_argument("--replace", action="store_true",
                        help="with --out: write only the store's results (default: merge them into the "
                             "folder's scores.csv, whose rows the store lacks are kept)")
    parser.add_argument("--batch-size", type=positive, default=ScoringProtocol.batch_size,
                        help="batch size (default: %(default)s, zero-cost-nas)")
    parser.add_argument("--seed", type=seed, default=ScoringProtocol.seed,
                        help="seed the per-architecture batches and weights derive from (default: %(default)s)")
    parser.add_argument("--normalisation", choices=sorted(NORMALISATIONS), default=ScoringProtocol.normalisation,
                        help="input normalisation constants (default: %(default)s)")
    parser.add_argument("--images", choices=IMAGE_SOURCES, default=ScoringProtocol.images,
                        help="shipped (the score table's inputs: CIFAR-10's JPEG training images, CIFAR-100's test "
                             "images) or lossless-train (training images with their original bytes)")
    parser.add_argument("--model", choices=MODELS, default=ScoringProtocol.model,
                        help="which NAS-Bench-201 model: zero-cost-nas (its nasbench2 model: cell convolutions "
                             "with a bias, non-affine cell BN; the default) or nb201 (NAS-Bench-201's own, as "
                             "data/nb201-cifar-scores was scored); only fisher and synflow can tell them apart")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")


def _metrics(text: str, archs: str) -> tuple:
    """The metric names of ``--metrics`` (a set name, ``auto`` or a list)."""
    from ..metrics import info

    if text == "auto":
        return ZC_METRICS if archs.startswith("zc") else FULL_SPACE_METRICS
    if text in METRIC_SETS:
        return METRIC_SETS[text]
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        info(name)  # raises with the list of known metrics
    return names


def run(args) -> int:
    """Run ``nascore bench cifar-scores`` with parsed ``args``; returns the exit status."""
    from ..tables.nb201_cifar_scores import merged_with_table, open_store
    from ..tables.nb201_cifar_scores_export import export
    from ..paths import cache_folder

    protocol = ScoringProtocol(batch_size=args.batch_size, seed=args.seed, normalisation=args.normalisation,
                               images=args.images, model=args.model)
    store = open_store(args.store or cache_folder("cifar-scores"))
    store.sweep()
    start = time.perf_counter()
    if not args.export_only:
        metrics = _metrics(args.metrics, args.archs)
        if args.archs == "zc":  # each dataset's own zero-cost table
            plans = [(select_archs("zc", d), [d]) for d in args.dataset]
        else:
            plans = [(select_archs(args.archs), list(args.dataset))]
        for archs, datasets in plans:
            _fill(store, args, archs, datasets, metrics, protocol, start)
    if args.out:
        frame = records_frame(store, protocol)
        if not args.replace:  # keep the rows the folder's table holds and the store lacks
            frame = merged_with_table(frame, args.out, protocol)
        for path in export(frame, args.out, protocol=protocol, command=_command(args)):
            print(f"wrote {path}")
    return 0


def _command(args) -> str:
    """The canonical command line of a run (for the README)."""
    if args.export_only:
        return (f"nascore bench cifar-scores --export-only --batch-size {args.batch_size} --seed {args.seed} "
                f"--normalisation {args.normalisation} --model {args.model} --out {args.out}"
                + (" --replace" if args.replace else "") + " (an export of the store, which the "
                "commands under 'Regenerate or complete' filled, with these protocol options"
                + ("" if args.replace else ", merged into the table already there") + ")")
    parts = ["nascore bench cifar-scores", f"--archs {args.archs}", "--dataset " + " ".join(args.dataset),
             f"--metrics {args.metrics}", f"--device {args.device}",
             f"--scheduler {args.scheduler}" if args.scheduler else f"--jobs {args.jobs}",
             f"--threads {args.threads}", f"--batch-size {args.batch_size}", f"--seed {args.seed}",
             f"--normalisation {args.normalisation}", f"--model {args.model}"]
    if args.max_minutes:
        parts.append(f"--max-minutes {args.max_minutes:g}")
    if args.until:
        parts.append("--until <deadline>")
    return (" ".join(parts + [f"--out {args.out}"] + (["--replace"] if args.replace else []))
            + ("" if args.replace else " (merged into the table already there)"))


def _fill(store, args, archs, datasets, metrics, protocol, start):
    """Score ``archs`` on ``datasets`` into ``store`` within the time left."""
    from ..tables.executors import make_executor, usable_device

    usable_device(args.device)

    budgets = []
    if args.max_minutes is not None:
        budgets.append(args.max_minutes * 60 - (time.perf_counter() - start))
    if args.until is not None:
        budgets.append(args.until - time.time())
    budget = min(budgets) if budgets else None
    if budget is not None and budget <= 0:
        print(f"{', '.join(datasets)}: no time left, nothing scored", flush=True)
        return
    executor = make_executor(args.jobs, args.scheduler, threads=args.threads, progress=args.progress)
    counts = fill(store, executor, archs, datasets, metrics, protocol=protocol, device=args.device,
                  max_seconds=budget, log=lambda text: print(text, file=sys.stderr, flush=True))
    print(f"{', '.join(datasets)}: {counts['stored_before']} were stored, {counts['scored']} scored now, "
          f"{counts['remaining']} remaining", flush=True)
