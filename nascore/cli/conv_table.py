"""The command line of the conv table ``nb201-mnist5k`` (:mod:`nascore.tables.nb201_mnist5k`).

``python -m nascore.cli.conv_table --n 200 --seeds 2 --out data/nb201-mnist5k`` trains what
is missing from the results store (:func:`nascore.tables.nb201_mnist5k.fill`, resumable)
and writes the table with a provenance README (:func:`nascore.tables.nb201_mnist5k.export`).
"""
from __future__ import annotations

import time

from ..tables.nb201_mnist5k import CONV_PROTOCOL, ConvSpace, export, fill
from ..tables.store import ResultStore


def main(argv=None) -> int:
    """``python -m nascore.cli.conv_table --n 200 --seeds 2 --out data/nb201-mnist5k``."""
    import sys
    from dataclasses import replace

    from ..tables.executors import make_executor
    from ..paths import cache_folder
    from .args import Parser, folder, positive

    parser = Parser(prog="python -m nascore.cli.conv_table",
                    description="Train small NAS-Bench-201 nets on MNIST-5k, probing "
                                "them along training; resumable through the store.")
    parser.add_argument("--n", type=positive, required=True, help="architectures (first n of a fixed order)")
    parser.add_argument("--seeds", type=positive, default=2, help="seeds 0..S-1 (default: %(default)s)")
    parser.add_argument("--epochs", type=positive, default=CONV_PROTOCOL.epochs)
    parser.add_argument("--C", type=positive, default=ConvSpace.C)
    parser.add_argument("--resolution", type=positive, default=ConvSpace.resolution)
    parser.add_argument("--train-size", type=positive, default=ConvSpace.train_size)
    parser.add_argument("--jobs", type=positive, default=1, help="local worker processes")
    parser.add_argument("--store", type=folder, default=None, help="results store (default: <cache>/results)")
    parser.add_argument("--out", type=folder, default=None, help="export results.csv + README.md to this folder")
    args = parser.parse_args(argv)
    try:
        space = ConvSpace(C=args.C, resolution=args.resolution, train_size=args.train_size)
        protocol = replace(CONV_PROTOCOL, epochs=args.epochs,
                           checkpoints=tuple(c for c in CONV_PROTOCOL.checkpoints if c <= args.epochs))
        archs = space.architectures(args.n)
        store = ResultStore(args.store or cache_folder("results"))
    except ValueError as error:
        parser.error(str(error))
    store.sweep()
    start = time.perf_counter()
    frame = fill(store, make_executor(args.jobs, threads=1, progress=False), archs,
                 range(args.seeds), space=space, protocol=protocol,
                 log=lambda text: print(text, file=sys.stderr, flush=True))
    if frame.empty:
        print("error: no valid results to export (every run failed; see above)", file=sys.stderr)
        return 1
    if args.out:
        command = "python -m nascore.cli.conv_table " + " ".join(argv or sys.argv[1:])
        for path in export(frame, args.out, space=space, protocol=protocol,
                           wall_seconds=time.perf_counter() - start, command=command):
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
