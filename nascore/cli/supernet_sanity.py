"""``nascore bench supernet-sanity RUN_DIR...``: the supernet's calibration and epochs studies, as JSON.

The test accuracy of the largest and smallest child of each trained run directory
(:func:`nascore.studies.supernet_sanity.epochs_study`), and how the children of the
first run move when BatchNorm is recalibrated on different numbers of images
(:func:`nascore.studies.supernet_sanity.calibration_study`).
"""
from __future__ import annotations

import json
import sys

from .args import positive


def add_parser(bench_sub) -> None:
    """``nascore bench supernet-sanity`` under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("supernet-sanity", help="supernet sanity studies (calibration images, epochs)",
                                  description=__doc__.split("\n\n")[0].replace("``", ""),
                                  epilog="Example: nascore bench supernet-sanity RUN_DIR... --children sample:60")
    parser.add_argument("runs", nargs="+", metavar="RUN_DIR",
                        help="trained run directories (the first for the calibration study)")
    parser.add_argument("--children", default="sample:60", help="children spec for the calibration study")
    parser.add_argument("--sizes", type=positive, nargs=2, default=[256, 2000],
                        help="calibration images compared (default 256 2000)")
    parser.add_argument("--class-sorted", action="store_true",
                        help="also the largest set in class order (how recalibration ran before the fix)")
    parser.add_argument("--threads", type=positive, default=1, help="torch CPU threads (default 1)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Both studies, printed as one JSON object."""
    import torch

    from ..studies.supernet_sanity import calibration_sets, calibration_study, epochs_study
    from ..supernet.runs import children_for
    from ..supernet.trainer import load_supernet

    torch.set_num_threads(args.threads)
    epochs = epochs_study(args.runs)
    net, _, _ = load_supernet(args.runs[0])
    calib = calibration_study(net, children_for(args.children),
                              calibration_sets(tuple(args.sizes), class_sorted=args.class_sorted))
    json.dump({"epochs": epochs.to_dict("records"), "calibration": calib["summary"],
               "calibration_children": calib["frame"].to_dict("records")}, sys.stdout, indent=1)
    print()
    return 0
