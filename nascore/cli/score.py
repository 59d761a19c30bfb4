"""``nascore score``: training-free metrics of NAS-Bench-201 cells from a shell."""
from __future__ import annotations

import sys

from .args import positive, seed


def add_score_parser(sub) -> None:
    from .. import data, metrics

    parser = sub.add_parser(
        "score", help="score NAS-Bench-201 architectures with training-free metrics",
        description="Score one or more NAS-Bench-201 cells with training-free metrics at initialisation, "
                    "on a balanced batch of a shipped image dataset. A metric that is not finite for "
                    "a cell (e.g. naswot's -inf on a singular kernel) or undefined for it (LGA on a constant "
                    "kernel) prints nan, and a note on stderr says why; the other cells are still scored.",
        epilog="Example: nascore score naswot ntk_condition --arch "
               "'|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'")
    parser.add_argument("metrics", nargs="+", metavar="METRIC",
                        help=f"metric names: {', '.join(metrics.available())}")
    parser.add_argument("--arch", action="append", metavar="ARCH",
                        help="NAS-Bench-201 architecture string (repeatable); default: 3 random ones")
    parser.add_argument("--dataset", default="digits",
                        help=f"shipped image dataset: {', '.join(data.DATASETS)} (default digits)")
    parser.add_argument("--batch", type=positive, default=40, help="batch size, a multiple of 10 (default 40)")
    parser.add_argument("--width", "-C", type=positive, default=8, help="channels of the first stage C (default 8)")
    parser.add_argument("--cells", "-N", type=positive, default=1, help="cells per stage N (default 1)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the weights, batch and sampled archs")
    parser.set_defaults(handler=run_score)


def run_score(args) -> int:
    import math

    import torch

    from .. import data, metrics
    from ..messages import short
    from ..spaces import nb201

    unknown = [m for m in args.metrics if m not in metrics.available()]
    if unknown:
        raise ValueError(f"unknown metric(s) {', '.join(map(short, unknown))}; available: "
                         f"{', '.join(metrics.available())}")
    archs = args.arch or nb201.sample(3, seed=args.seed)
    for arch in archs:  # every string is checked before any work
        nb201.parse(arch)
    dataset = data.load(args.dataset)
    x, y = dataset.batch(args.batch, seed=args.seed, per_class=True)
    print("\t".join(["arch"] + args.metrics))
    for arch in archs:
        torch.manual_seed(args.seed)
        net = nb201.Network(arch, C=args.width, N=args.cells, num_classes=dataset.num_classes,
                            in_channels=x.shape[1])
        values = []
        for name in args.metrics:
            try:
                values.append(metrics.score(name, net, x, y))
            except metrics.NonFiniteScore as error:
                print(f"nascore: note: {arch}: {error.metric} = {error.value}: {error.reason}", file=sys.stderr)
                values.append(math.nan)
            except ValueError as error:  # names, batch and arch were checked: undefined for this cell
                print(f"nascore: note: {arch}: {name} is undefined here: {error}", file=sys.stderr)
                values.append(math.nan)
        print("\t".join([arch] + [f"{v:.6g}" for v in values]))
    return 0
