"""Export of the convolutional ground truth and its command line.

``python -m nascore.cli.conv_table --n 200 --seeds 2 --out data/nb201-mnist5k`` trains what
is missing from the results store (:func:`nascore.studies.ground_truth_conv.fill`,
resumable) and writes the table with a provenance README (:func:`export`).
"""
from __future__ import annotations

import time

import pandas as pd

from ..manifest import write_manifest
from ..fingerprint import code_digest
from ..training import Protocol
from ..bench.licence import TRAINED_TABLE_LICENCE
from ..tables.store import ResultStore
from ..studies.ground_truth_conv import CONV_PROTOCOL, TABLE_DIR, ConvSpace, fill


def export(frame: pd.DataFrame, folder=TABLE_DIR, *, space: ConvSpace, protocol: Protocol,
           wall_seconds: float, command: str = "", notes=()) -> list:
    """Write ``results.csv`` and a provenance ``README.md`` (plus ``notes`` lines) into ``folder``."""
    from pathlib import Path

    from .. import provenance
    from ..bench.agreement import seed_agreement

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = frame.sort_values(["seed", "arch"]).reset_index(drop=True)
    frame.to_csv(folder / "results.csv", index=False, float_format="%.7g")
    info, accs = provenance.snapshot(), frame["acc_final"]
    lines = [
        "# Trained ground truth: small NAS-Bench-201 networks on MNIST-5k", "",
        "Produced by `nascore.studies.ground_truth_conv` (load with "
        "`nascore.studies.ground_truth_conv.load_conv()`).", "",
        f"- command: `{command}`" if command else "- command: (library call)",
        f"- architectures: {frame['arch'].nunique()} (the first of a fixed random order of the "
        f"15,625 NAS-Bench-201 cells, order seed 0), seeds: {sorted(frame['seed'].unique().tolist())}, "
        f"rows: {len(frame)}",
        f"- network: NAS-Bench-201 skeleton with C={space.C}, N={space.N} cell(s) per stage, "
        "1 input channel, 10 classes (`nascore.spaces.nb201.Network`)",
        f"- data: MNIST-5k, central 24x24 crop average-pooled to {space.resolution}x{space.resolution}; "
        f"training on the first {space.train_size // 10} training images of each class "
        f"({space.train_size}), test accuracy on the 1,000 held-out images",
        f"- protocol (digest `{protocol.digest()}`; code digest `{code_digest('nascore.studies.ground_truth_conv')[:16]}`): "
        + ", ".join(f"{k}={v}" for k, v in protocol.to_dict().items()),
        "- the trainer evaluates in training mode: batch norm normalises the test set with its "
        "own statistics",
        f"- probes: a fixed class-balanced batch of {space.probe_size} training images; at init "
        "(epoch 0) and after every evaluated epoch: NASWOT and DAS terms (one forward pass), "
        "and the empirical NTK of the true-class logit in train mode, from which trace, condition "
        "number, lambda_min, Frobenius norm, mean, LGA and the relative distance from the initial "
        "kernel (`nascore.training.probes`)",
        f"- commit: {info['commit']}", f"- date: {info['date']}", f"- machine: {info['machine']}",
        f"- versions: {info['versions']}",
        f"- time: {wall_seconds / 60:.1f} min wall for the last run; "
        f"{frame['seconds_train'].sum() / 60:.1f} min training + {frame['seconds_probe'].sum() / 60:.1f} "
        "min probing summed over rows (one thread each, on a shared machine)",
        "", "## Summary", "",
        f"- final test accuracy: min {accs.min():.3f}, median {accs.median():.3f}, "
        f"max {accs.max():.3f}, std {accs.std():.3f}",
        f"- seed-to-seed Kendall tau of final accuracy (noise ceiling): {seed_agreement(frame):.3f}",
        *[f"- {note}" for note in notes],
        "", "## Columns", "",
        "`arch` (NAS-Bench-201 string), `seed`, `acc_e<k>` (test accuracy after epoch k), "
        "`acc_final`, `train_loss` (last epoch), `<metric>_e<k>` (metric at epoch k, 0 = init), "
        "`seconds_train`, `seconds_probe`, and the space/protocol columns.", "",
        *TRAINED_TABLE_LICENCE,
    ]
    (folder / "README.md").write_text("\n".join(lines))
    return [folder / "results.csv", folder / "README.md", write_manifest(folder)]


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
