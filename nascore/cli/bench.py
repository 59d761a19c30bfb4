"""``nascore bench train``: fill the results store with trained accuracies and export them.

Wired into the main CLI through :func:`add_arguments` and :func:`run`; :func:`main`
runs it alone (``python -m nascore.cli.bench --help``).
"""
from __future__ import annotations

import argparse
import sys
import time

from .args import Parser, address, finite_positive, folder
from .args import positive as _positive

DESCRIPTION = """Train architectures of a search space under a fixed protocol and store
each result as soon as it finishes (a killed run resumes where it stopped). Results are
kept in the store, keyed by space, architecture, dataset, protocol, seed and code
version; --out also exports them as a table with a provenance README."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``nascore bench train`` to ``parser``."""
    from ..tables.mixed_mnist5k import DATASETS, MIXED_PROTOCOL, SPACES, MixedSpace

    space = MixedSpace()
    parser.add_argument("--space", choices=SPACES, default="mixed",
                        help="search space to train (mixed: Zhu et al.'s mixed-activation nets)")
    parser.add_argument("--n", type=_positive, required=True,
                        help="number of architectures: the first N of a fixed random order of "
                             "the space, so a larger N extends a smaller one")
    parser.add_argument("--seeds", type=_positive, default=2,
                        help="number of seeds (0..S-1) per architecture (default: %(default)s)")
    parser.add_argument("--dataset", choices=DATASETS, default="mnist5k",
                        help="training data; accuracy is on its held-out split (default: %(default)s)")
    parser.add_argument("--jobs", type=_positive, default=1,
                        help="local worker processes, ignored with --scheduler (default: %(default)s)")
    parser.add_argument("--threads", type=_positive, default=1,
                        help="torch threads per job, locally or on Dask workers (default: %(default)s)")
    parser.add_argument("--scheduler", metavar="ADDRESS", type=address, default=None,
                        help="Dask scheduler address (e.g. tcp://host:8786): run the jobs on "
                             "that cluster instead of local processes")
    parser.add_argument("--out", metavar="FOLDER", type=folder, default=None,
                        help="export the requested results to FOLDER/results.csv (and "
                             ".parquet) with a provenance README.md")
    parser.add_argument("--store", metavar="FOLDER", type=folder, default=None,
                        help="results store folder (default: <nascore cache>/results)")
    parser.add_argument("--hidden-layers", type=_positive, default=space.hidden_layers,
                        help="hidden layers of the mixed nets (default: %(default)s)")
    parser.add_argument("--width", type=_positive, default=space.width,
                        help="hidden width of the mixed nets (default: %(default)s)")
    parser.add_argument("--epochs", type=_positive, default=MIXED_PROTOCOL.epochs,
                        help="training epochs; checkpoints 1, 2, 5 that fit are also "
                             "evaluated (default: %(default)s)")
    parser.add_argument("--lr", type=finite_positive, default=MIXED_PROTOCOL.lr,
                        help="SGD step size (default: %(default)s)")
    parser.add_argument("--batch-size", type=_positive, default=MIXED_PROTOCOL.batch_size,
                        help="mini-batch size (default: %(default)s)")
    parser.add_argument("--batch-nets", type=_positive, default=32,
                        help="architectures per job, trained together in one stacked module "
                             "(default: %(default)s)")
    parser.add_argument("--sequential", action="store_true",
                        help="train the nets of a job one at a time instead of stacked")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def run(args: argparse.Namespace) -> int:
    """Run ``nascore bench train`` with parsed ``args``; returns the exit status."""
    from dataclasses import replace

    from ..bench.agreement import seed_agreement
    from ..tables.executors import make_executor
    from ..tables.store import ResultStore
    from ..paths import cache_folder
    from ..tables import mixed_mnist5k as gt

    space = gt.MixedSpace(hidden_layers=args.hidden_layers, width=args.width)
    checkpoints = tuple(c for c in gt.MIXED_PROTOCOL.checkpoints if c <= args.epochs)
    protocol = replace(gt.MIXED_PROTOCOL, epochs=args.epochs, lr=args.lr,
                       batch_size=args.batch_size, checkpoints=checkpoints)
    archs = space.architectures(args.n)
    store = ResultStore(args.store or cache_folder("results"), schema=gt.RESULT_SCHEMA)
    store.sweep()
    executor = make_executor(args.jobs, args.scheduler, threads=args.threads,
                             progress=not args.no_progress)
    start = time.perf_counter()
    frame = gt.fill(store, executor, archs, range(args.seeds), dataset=args.dataset, space=space,
                    protocol=protocol, batch_nets=args.batch_nets, batched=not args.sequential,
                    threads=args.threads,
                    log=lambda text: print(text, file=sys.stderr))
    wall = time.perf_counter() - start
    failed = args.n * args.seeds - len(frame)
    if frame.empty:
        print(f"nascore: error: all {failed} runs failed (see the reasons above); nothing to export",
              file=sys.stderr)
        return 1
    note = f"; {failed} failed runs left out" if failed else ""
    print(f"{len(frame)} results{note}; final accuracy median {frame['acc_final'].median():.3f}; "
          f"seed-to-seed Kendall tau {seed_agreement(frame):.3f}")
    if args.out is not None:
        for path in gt.export(frame, args.out, space=space, protocol=protocol,
                              dataset=args.dataset, wall_seconds=wall, command=command_line(args)):
            print(f"wrote {path}")
    return 0


#: Options that change only what the terminal shows, left out of the recorded command.
DISPLAY_ONLY = ("no_progress",)


class _Options:
    """Stands in for a parser in :func:`add_arguments`: records each option's flag, its
    attribute and whether it is an on/off flag, in the order they are added."""

    def __init__(self):
        self.seen = []

    def add_argument(self, flag, *more, action=None, dest=None, **_):
        self.seen.append((flag, dest or flag.lstrip("-").replace("-", "_"), action == "store_true"))


def command_line(args: argparse.Namespace) -> str:
    """The command as run, for the table's README: ``nascore bench train`` with every option
    spelled out (defaults too, so the line still says what ran when a default changes),
    however it was started (``nascore ...`` or ``python -m nascore.cli.bench``)."""
    import shlex

    options = _Options()
    add_arguments(options)
    words = ["nascore", "bench", "train"]
    for flag, dest, is_flag in options.seen:
        value = getattr(args, dest)
        if dest in DISPLAY_ONLY or value is None or (is_flag and not value):
            continue
        words += [flag] if is_flag else [flag, str(value)]
    return shlex.join(words)


def main(argv=None) -> int:
    """Stand-alone entry: parse ``argv`` (default ``sys.argv[1:]``) and :func:`run`."""
    parser = Parser(prog="nascore bench train", description=DESCRIPTION)
    add_arguments(parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return run(args)
    except ValueError as error:
        parser.error(str(error))


if __name__ == "__main__":
    sys.exit(main())
