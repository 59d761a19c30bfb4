"""``nascore supernet``: train a BigNAS-style weight-sharing supernet over NAS-Bench-201 on
real CIFAR-10 and evaluate its children (the library is :mod:`nascore.supernet`).

Commands:
  train     train (or resume) one supernet in a run directory
  evaluate  accuracy of children of a trained supernet (BN recalibrated, no retraining)
  run       probe the machine, train, evaluate, in WORK/<variant>-s<seed>/ (one GPU-job process)
  standalone  train children alone under the same budget (the "no retraining" reference)
  collect   gather the run directories of WORK into children.csv, runs.json, standalone.csv
  table     build data/nb201-supernet/ from collected outputs
  curve     the budget curve: one recipe at several epochs (default 8 16 32 64), full and
            no_sandwich, in WORK/e<epochs>/<variant>-s<seed>/, resumable
  curve-table  one row per run of a curve: Kendall tau with NB201, largest child, gaps

Variants (BigNAS ablations): full, no_sandwich, no_distillation, neither.
Children specs: zc (the ~725 NAS-Bench-201 zero-cost architectures), zc:N (first N of
them), sample:N (N uniform architectures of the 15,625, seed 0), zcsample:N (N random
ones of zc, seed 0), ends (the largest and smallest child), full (all 15,625).

Example (tiny, CPU, about a minute):
  nascore supernet run --work /tmp/sn --variant full --seed 0 --epochs 1 \\
      --train-images 200 --children zc:5 --calibration-images 64

The paper-scale run (C = 16, N = 5, 200 epochs, every variant) is data/nb201-supernet/run_gpu.sh.
"""
from __future__ import annotations

import argparse
import time


def _recipe_arguments(parser):
    parser.add_argument("--variant", default="full", help="full, no_sandwich, no_distillation or neither (default full)")
    parser.add_argument("--seed", type=int, default=0, help="supernet seed: weights, order, augmentation, children (default 0)")
    parser.add_argument("--epochs", type=_epochs, default=10,
                        help="training epochs (default 10), or 'auto' (run/standalone): as many as --budget allows, "
                             "agreed among --peers processes")
    parser.add_argument("-C", "--width", type=int, default=16, help="channels of the first stage (default 16)")
    parser.add_argument("-N", "--cells", type=int, default=1, help="cells per stage (default 1)")
    parser.add_argument("--batch-size", type=int, default=256, help="mini-batch size (default 256)")
    parser.add_argument("--lr", type=float, default=0.1, help="peak learning rate (default 0.1)")
    parser.add_argument("--schedule", default="bignas", help="bignas (exponential, constant ending) or cosine")
    parser.add_argument("--train-images", type=int, default=None,
                        help="train on a random subset of this many images (default: all 10,000)")


def _epochs(text):
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer or 'auto', got {text!r}") from None


def _auto_arguments(parser):
    parser.add_argument("--budget", type=float, default=400.0,
                        help="with --epochs auto: seconds this process may take in all, from its start (default 400)")
    parser.add_argument("--peers", type=int, default=8,
                        help="with --epochs auto: supernet processes that probe and agree on the epochs (default 8)")
    parser.add_argument("--max-epochs", type=int, default=100, help="with --epochs auto: at most this many (default 100)")


def _common(parser):
    parser.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's)")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")


def _eval_arguments(parser):
    parser.add_argument("--children", nargs="+", default=["zc"], metavar="SPEC",
                        help="children to evaluate: zc, zc:N, sample:N, zcsample:N, ends, full (default zc)")
    parser.add_argument("--calibration-images", type=int, default=1024,
                        help="training images for BN recalibration, per child (default 1024)")
    parser.add_argument("--test-images", type=int, default=None, help="first N test images (default all 1,017)")


def add_supernet_parser(sub) -> None:
    """``nascore supernet COMMAND ...`` on the top-level sub-parsers ``sub``."""
    parser = sub.add_parser("supernet", help="train and evaluate a BigNAS-style supernet over NB201",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)  # each sub-command sets its own handler


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The sub-commands of ``nascore supernet``, on ``parser``."""
    sub = parser.add_subparsers(dest="supernet_command", metavar="COMMAND", required=True)
    p = sub.add_parser("train", help="train or resume one supernet in --run-dir")
    p.add_argument("--run-dir", required=True, help="run directory (checkpoint, recipe, log)")
    p.add_argument("--deadline", type=float, default=None, help="stop after the epoch that would end past this many seconds")
    _recipe_arguments(p), _common(p)
    p.set_defaults(handler=_train)
    p = sub.add_parser("evaluate", help="evaluate children of a trained supernet into a CSV")
    p.add_argument("--run-dir", required=True, help="run directory of a trained supernet")
    p.add_argument("--out", default=None, help="CSV (default RUN_DIR/children-<spec>.csv; one spec only with --out)")
    _eval_arguments(p), _common(p)
    p.set_defaults(handler=_evaluate)
    p = sub.add_parser("run", help="train + time + evaluate one supernet in WORK/<variant>-s<seed>")
    p.add_argument("--work", required=True, help="work folder holding the run directories")
    p.add_argument("--deadline", type=float, default=None, help="training stops after the epoch that would end past this")
    p.add_argument("--cost-steps", type=int, default=10,
                   help="steps per block when probing supernet vs child step time (0: no probe)")
    _recipe_arguments(p), _eval_arguments(p), _common(p), _auto_arguments(p)
    p.set_defaults(handler=_run, started=time.monotonic())  # --budget counts from here (parsing comes first)
    p = sub.add_parser("standalone", help="train children alone (same images, epochs, batch) into WORK/standalone-s<seed>/")
    p.add_argument("--work", required=True, help="work folder")
    p.add_argument("--children", default="zcsample:12", help="children spec (default zcsample:12)")
    p.add_argument("--shard", default="0/1", help="INDEX/COUNT: train every COUNT-th child from INDEX (default 0/1)")
    p.add_argument("--test-images", type=int, default=None, help="first N test images (default all 1,017)")
    _recipe_arguments(p), _common(p), _auto_arguments(p)
    p.set_defaults(handler=_standalone)
    p = sub.add_parser("collect", help="gather WORK's runs into OUT/children.csv, runs.json, standalone.csv")
    p.add_argument("--work", required=True), p.add_argument("--out", required=True)
    p.set_defaults(handler=_collect)
    p = sub.add_parser("table", help="build data/nb201-supernet/ from a collect output folder")
    p.add_argument("--collected", required=True, help="folder with children.csv and runs.json")
    p.add_argument("--to", default=None, help="table folder (default data/nb201-supernet)")
    p.add_argument("--command", dest="job_command", default="", help="the shell command that produced it (for the README)")
    p.add_argument("--provisional", action="store_true", help="mark the table as a provisional CPU stand-in")
    p.set_defaults(handler=_table)
    p = sub.add_parser("curve", help="train + evaluate one recipe at several epoch budgets in WORK/e<epochs>/")
    p.add_argument("--work", required=True, help="work folder (one subfolder per budget)")
    p.add_argument("--budgets", type=int, nargs="+", default=[8, 16, 32, 64], metavar="EPOCHS",
                   help="epoch budgets, each with its whole schedule (default 8 16 32 64)")
    p.add_argument("--variants", nargs="+", default=["full", "no_sandwich"], help="default full no_sandwich")
    p.add_argument("--cost-steps", type=int, default=3, help="steps per block of the machine probe (0: none)")
    _recipe_arguments(p), _eval_arguments(p), _common(p)
    p.set_defaults(handler=_curve, children=["sample:200", "ends"], calibration_images=256, epochs=None)
    p = sub.add_parser("curve-table", help="one row per run of a budget curve (CSV to --out or stdout)")
    p.add_argument("--work", required=True), p.add_argument("--out", default=None)
    p.add_argument("--sample", default="sample:200", help="the children spec ranked (default sample:200)")
    p.add_argument("--dest", default=None, help="also export the curve into this data folder (e.g. data/nb201-supernet:"
                   " curve.csv, curve_children.csv, manifest)")
    p.set_defaults(handler=_curve_table)


def _recipe(args):
    from ..supernet.recipe import Recipe

    epochs = 1 if args.epochs == "auto" else args.epochs  # auto: replaced by the agreed number
    return Recipe.for_variant(args.variant, C=args.width, N=args.cells, epochs=epochs, seed=args.seed,
                              batch_size=args.batch_size, lr=args.lr, schedule=args.schedule,
                              train_images=args.train_images)


def _setup(args):
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    from ..tables.executors import usable_device

    if usable_device(args.device) != "cpu":
        torch.backends.cudnn.benchmark = True


def _train(args) -> int:
    from ..supernet.trainer import train

    _setup(args)
    if args.epochs == "auto":
        raise ValueError("--epochs auto needs the probes of a job: use `run`, not `train`")
    out = train(args.run_dir, _recipe(args), device=args.device, progress=args.progress,
                deadline_seconds=args.deadline)
    print(f"trained {out['epochs_done']} epochs in {out['seconds']:.1f} s"
          + (" (stopped early at the deadline)" if out["stopped_early"] else ""))
    return 0


def _evaluate(args) -> int:
    from pathlib import Path

    from ..tables.nb201_supernet import evaluate_children
    from ..supernet.inputs import calibration_images, test_images
    from ..supernet.runs import children_for
    from ..supernet.trainer import load_supernet

    _setup(args)
    if args.out and len(args.children) > 1:
        raise ValueError("--out takes one children spec; give one --children or leave --out out")
    net, _, _ = load_supernet(args.run_dir, args.device)
    calib = calibration_images(args.calibration_images, seed=0).to(args.device)
    x_test, y_test = (t.to(args.device) for t in test_images(args.test_images))
    for spec in args.children:
        out = args.out or Path(args.run_dir) / f"children-{spec.replace(':', '')}.csv"
        rows = evaluate_children(net, children_for(spec), calib, x_test, y_test, out, progress=args.progress, desc=spec)
        print(f"{spec}: {len(rows)} children evaluated into {out}")
    return 0


def _run(args) -> int:
    from ..supernet.runs import run

    _setup(args)
    auto = None
    if args.epochs == "auto":
        if not args.cost_steps:
            raise ValueError("--epochs auto needs the probe: --cost-steps must be positive")
        auto = {"budget": args.budget, "started": getattr(args, "started", None) or time.monotonic(),
                "peers": args.peers, "max_epochs": args.max_epochs}
    run_dir = run(args.work, _recipe(args), args.children, device=args.device,
                  calibration_images=args.calibration_images, test_images=args.test_images,
                  progress=args.progress, deadline_seconds=args.deadline, cost_steps=args.cost_steps, auto=auto)
    print(f"done: {run_dir}")
    return 0


def _standalone(args) -> int:
    from ..supernet.runs import standalone

    _setup(args)
    index, _, count = args.shard.partition("/")
    if not (index.isdigit() and count.isdigit()):
        raise ValueError(f"--shard must be INDEX/COUNT like 0/2, got {args.shard!r}")
    images = None
    if args.train_images:
        from ..supernet.inputs import training_images

        images = training_images(args.train_images, seed=0)
    out = standalone(args.work, args.children, C=args.width, N=args.cells,
                     epochs=None if args.epochs == "auto" else args.epochs, batch_size=args.batch_size, lr=args.lr,
                     seed=args.seed, shard=(int(index), int(count)), device=args.device, images=images,
                     test_images=args.test_images, peers=args.peers, max_epochs=args.max_epochs,
                     wait=max(60.0, args.budget / 2))
    print(f"done: {out}")
    return 0


def _collect(args) -> int:
    from ..supernet.runs import collect

    counts = collect(args.work, args.out)
    print(f"collected {counts['runs']} runs, {counts['rows']} child rows, {counts['standalone']} stand-alone "
          f"children into {args.out}")
    return 0


def _table(args) -> int:
    from ..supernet.table import build_table

    path = build_table(args.collected, args.to, command=args.job_command, provisional=args.provisional)
    print(f"wrote {path}")
    return 0


def _curve(args) -> int:
    from ..supernet.curve import run_curve

    _setup(args)
    if args.epochs is not None:
        raise ValueError("curve takes its epochs from --budgets, not --epochs")
    dirs = run_curve(args.work, epochs=args.budgets, variants=args.variants, seed=args.seed, children=args.children,
                     calibration_images=args.calibration_images, test_images=args.test_images, device=args.device,
                     progress=args.progress, cost_steps=args.cost_steps, C=args.width, N=args.cells,
                     batch_size=args.batch_size, lr=args.lr, schedule=args.schedule, train_images=args.train_images)
    print(f"done: {len(dirs)} runs under {args.work}")
    return 0


def _curve_table(args) -> int:
    from ..supernet.curve import curve_table, export_curve

    if args.dest:
        for path in export_curve(args.work, args.dest, sample=args.sample):
            print(f"wrote {path}")
    table = curve_table(args.work, sample=args.sample)
    if args.out:
        table.to_csv(args.out, index=False)
        print(f"wrote {args.out} ({len(table)} runs)")
    else:
        print(table.to_string(index=False))
    return 0
