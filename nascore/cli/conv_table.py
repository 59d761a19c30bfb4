"""``nascore bench conv-table``: the conv ground truth ``nb201-mnist5k`` (:mod:`nascore.tables.nb201_mnist5k`).

``nascore bench conv-table --n 200 --seeds 2 --out data/nb201-mnist5k`` trains what is
missing from the results store (:func:`nascore.tables.nb201_mnist5k.fill`, resumable) and
writes the table with a provenance README (:func:`nascore.tables.nb201_mnist5k.export`).
"""
from __future__ import annotations

import shlex
import sys
import time

from ..tables.nb201_mnist5k import CONV_PROTOCOL, ConvSpace
from .args import folder, positive

DESCRIPTION = ("Train small NAS-Bench-201 nets on MNIST-5k, probing them along training "
               "(NASWOT, DAS, empirical-NTK metrics at init and after each evaluated epoch); "
               "every finished run is kept in the results store, so a killed run resumes.")


def add_parser(bench_sub) -> None:
    """``nascore bench conv-table`` under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("conv-table", help="train the conv ground truth (small NB201 nets on MNIST-5k)",
                                  description=DESCRIPTION)
    parser.add_argument("--n", type=positive, required=True,
                        help="architectures: the first N of a fixed random order of the 15,625 cells")
    parser.add_argument("--seeds", type=positive, default=2, help="seeds 0..S-1 (default: %(default)s)")
    parser.add_argument("--epochs", type=positive, default=CONV_PROTOCOL.epochs,
                        help="training epochs (default: %(default)s)")
    parser.add_argument("--C", type=positive, default=ConvSpace.C, help="channels of the first stage (default: %(default)s)")
    parser.add_argument("--resolution", type=positive, default=ConvSpace.resolution,
                        help="input side in pixels after pooling (default: %(default)s)")
    parser.add_argument("--train-size", type=positive, default=ConvSpace.train_size,
                        help="training images, balanced over the 10 classes (default: %(default)s)")
    parser.add_argument("--jobs", type=positive, default=1, help="local worker processes (default: %(default)s)")
    parser.add_argument("--store", type=folder, default=None, help="results store (default: <cache>/results)")
    parser.add_argument("--out", type=folder, default=None, help="export results.csv + README.md to this folder")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Fill the store with what is missing, then export when ``--out`` is given."""
    from dataclasses import replace

    from ..paths import cache_folder
    from ..tables.executors import make_executor
    from ..tables.nb201_mnist5k import export, fill
    from ..tables.store import ResultStore

    space = ConvSpace(C=args.C, resolution=args.resolution, train_size=args.train_size)  # ValueError: reported by the CLI
    protocol = replace(CONV_PROTOCOL, epochs=args.epochs,
                       checkpoints=tuple(c for c in CONV_PROTOCOL.checkpoints if c <= args.epochs))
    archs = space.architectures(args.n)
    store = ResultStore(args.store or cache_folder("results"))
    store.sweep()
    start = time.perf_counter()
    frame = fill(store, make_executor(args.jobs, threads=1, progress=False), archs,
                 range(args.seeds), space=space, protocol=protocol,
                 log=lambda text: print(text, file=sys.stderr, flush=True))
    if frame.empty:
        print("error: no valid results to export (every run failed; see above)", file=sys.stderr)
        return 1
    if args.out:
        words = ["nascore", "bench", "conv-table", "--n", str(args.n), "--seeds", str(args.seeds),
                 "--epochs", str(args.epochs), "--C", str(args.C), "--resolution", str(args.resolution),
                 "--train-size", str(args.train_size), "--jobs", str(args.jobs), "--out", str(args.out)]
        for path in export(frame, args.out, space=space, protocol=protocol,
                           wall_seconds=time.perf_counter() - start, command=shlex.join(words)):
            print(f"wrote {path}")
    return 0
