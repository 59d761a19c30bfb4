"""``nascore bench cifar-ntk``: NTK statistics of NAS-Bench-201 on real CIFAR, official conventions.

Every finished (architecture, dataset, group, batch) result is one record of a results
store, so a killed run keeps what it finished and a rerun skips it. ``--shard i/n``
splits the architectures between processes sharing a GPU. ``export`` turns a store into
the CSV files of ``data/nb201-cifar-ntk/``. The job is :mod:`nascore.tables.cifar_ntk.job`, the exports
:mod:`nascore.tables.cifar_ntk.export`.

    nascore bench cifar-ntk stats --dataset cifar10 --archs zc --store DIR --device cuda
    nascore bench cifar-ntk train --archs stratified:200 --store DIR --device cuda
    nascore bench cifar-ntk batch-study --archs sample:50 --batches 16 32 64 --store DIR
    nascore bench cifar-ntk export --store DIR --dest data/nb201-cifar-ntk
    nascore bench cifar-ntk export --store DIR --zhu-uniform
"""
from __future__ import annotations

import argparse
import time

from ..tables.cifar_ntk import architectures, export, job, statistics
from ..tables.cifar_ntk.store_tables import batch_study
from .args import folder, positive, seed


def add_parser(bench_sub) -> None:
    """``nascore bench cifar-ntk`` and its steps, under the ``bench`` sub-commands ``bench_sub``."""
    parser = bench_sub.add_parser("cifar-ntk", help="NTK statistics of NB201 on real CIFAR, official conventions",
                                  description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)


def _shard(archs, shard: str | None):
    """The architectures of shard ``i/n``: every n-th from the i-th (all without ``--shard``)."""
    if not shard:
        return archs
    i, _, n = shard.partition("/")
    if not (i.isdigit() and n.isdigit() and 0 <= int(i) < int(n)):
        raise ValueError(f"--shard must be i/n with 0 <= i < n, got {shard!r}")
    return archs[int(i)::int(n)]



def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the steps of ``nascore bench cifar-ntk`` (each sets its own handler) to ``parser``."""
    sub = parser.add_subparsers(dest="cifar_ntk_command", metavar="STEP", required=True)

    def common(p, archs):
        p.add_argument("--store", type=folder, required=True,
                       help="results store folder (shared by parallel processes)")
        p.add_argument("--archs", default=archs, help=f"zc, all, first1000 (LGA's population), sample:N, "
                       f"stratified:N [,first:N] (default {archs})")
        p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N (default cpu)")
        p.add_argument("--shard", help="i/n: this process takes every n-th architecture of the selection from "
                                       "i (before --skip-table leaves out the shipped ones)")
        p.add_argument("--seed", type=seed, default=0, help="batch / shuffling seed (default 0)")
        p.add_argument("--threads", type=positive, default=None, help="torch CPU threads")

    stats = sub.add_parser("stats", help="NTK statistics at initialisation (hnas, tenas, zhu, lga groups)")
    common(stats, "zc")
    stats.add_argument("--dataset", default="cifar10", choices=statistics.DATASETS)
    stats.add_argument("--groups", default=",".join(statistics.GROUPS), help="comma-separated subset of "
                       f"{','.join(statistics.GROUPS)}")
    for g in statistics.GROUPS:
        stats.add_argument(f"--batch-{g}", type=positive,
                           help=f"batch of group {g} (official {statistics.OFFICIAL_BATCH[g]})")
    stats.add_argument("--tenas-repeats", type=positive, default=1,
                       help="TE-NAS draws averaged (official 3; default 1)")
    stats.add_argument("--skip-table", help="a shipped CSV (e.g. data/nb201-cifar-ntk/hnas_all_cifar10.csv): "
                       "architectures with a row there are not recomputed (resuming a table whose store is gone)")
    stats.set_defaults(handler=_stats)

    train = sub.add_parser("train", help="LGA, NASWOT and DAS after 1 epoch of SGD on CIFAR-10")
    common(train, "stratified:200")
    train.add_argument("--batch", type=positive, help="training batch (default 205: 49 steps on 10,000 images)")
    train.add_argument("--limit", type=positive, help="train on the first N shuffled images only (checks)")
    train.add_argument("--held-out", type=positive, help="held-out test images scored (default 256)")
    train.add_argument("--skip-table", help="a shipped CSV (e.g. data/nb201-cifar-ntk/lga_first1000_cifar10.csv): "
                       "architectures whose row there has lga_after_1_epoch are not retrained (resuming after the "
                       "store is gone)")
    train.set_defaults(handler=_train)

    study = sub.add_parser("batch-study", help="the statistics at several batch sizes (rank stability)")
    common(study, "sample:50")
    study.add_argument("--dataset", default="cifar10", choices=statistics.DATASETS)
    study.add_argument("--groups", default=",".join(statistics.GROUPS))
    study.add_argument("--batches", type=positive, nargs="+", default=[16, 32, 64])
    study.set_defaults(handler=_batch_study)

    exp = sub.add_parser("export", help="write the CSV tables of a store into a data folder")
    exp.add_argument("--store", type=folder, required=True, help="results store folder")
    exp.add_argument("--dest", type=folder, default="data/nb201-cifar-ntk",
                     help="data folder the tables are written to (default %(default)s)")
    for g in statistics.GROUPS:
        exp.add_argument(f"--batch-{g}", type=positive, help=f"batch of group {g} in the tables (default official)")
    exp.add_argument("--extra", nargs="+", default=[], metavar="GROUP=BATCH",
                     help="also export GROUP at BATCH as columns suffixed _bBATCH (e.g. lga=32 zhu=16)")
    exp.add_argument("--extend-hnas-all", action="store_true",
                     help="only add the store's new full-space HNAS rows to DEST/hnas_all_cifar10.csv, keeping its rows "
                          "(a run resumed with stats --skip-table)")
    exp.add_argument("--lga-population", action="store_true",
                     help=f"only write DEST/{export.POPULATION_FILE}: the store's LGA statistics of NAS-Bench-201 "
                          "cells 0..999 (a run of stats --archs first1000 --groups lga), merged into the file there "
                          "(its cells the store lacks are kept)")
    exp.add_argument("--zhu-uniform", action="store_true",
                     help=f"only write DEST/{export.ZHU_UNIFORM_FILE}: the store's Zhu lambda_min (CIFAR-10, batch "
                          f"{export.ZHU_UNIFORM_BATCH}) of the uniform sample, whatever the records' content keys "
                          "(a run of stats --archs all,first:3000 --groups zhu --batch-zhu 16), merged into the file there "
                          "(its cells the store lacks are kept)")
    exp.set_defaults(handler=_export)


def _setup(args, skip_table=None, skip_column=None):
    """Check the device, set the threads and full precision; the architectures of this process."""
    import torch

    from ..tables.executors import usable_device

    usable_device(args.device)
    if args.threads:
        torch.set_num_threads(args.threads)
    job.full_precision()
    archs = architectures.arch_list(args.archs, args.seed if args.archs.startswith("sample") else 0)
    # shard the selection before skipping what is shipped: a shard's cells must not depend on
    # how far the table had got when its process started (else two shards started at
    # different times can take the same cells)
    archs = _shard(archs, args.shard)
    if skip_table:
        archs = architectures.skip_shipped(archs, skip_table, skip_column)
    return archs


def _groups(text):
    """The groups of ``--groups`` (comma-separated), checked."""
    groups = [g for g in text.split(",") if g]
    bad = [g for g in groups if g not in statistics.GROUPS]
    if bad or not groups:
        raise ValueError(f"unknown group(s) {bad or text!r}; allowed: {', '.join(statistics.GROUPS)}")
    return groups


def _stats(args) -> int:
    """``stats``: NTK statistics at initialisation into the store."""
    archs = _setup(args, skip_table=args.skip_table)
    batches = {g: getattr(args, f"batch_{g}") for g in statistics.GROUPS if getattr(args, f"batch_{g}")}
    start = time.time()
    n = job.run_stats(args.store, groups=_groups(args.groups), dataset=args.dataset, archs=archs, device=args.device,
                  batches=batches, seed=args.seed, tenas_repeats=args.tenas_repeats)
    print(f"stats: {n} new results in {time.time() - start:.0f}s", flush=True)
    return 0


def _train(args) -> int:
    """``train``: the statistics after one epoch of training into the store."""
    archs = _setup(args, skip_table=args.skip_table, skip_column="lga_after_1_epoch")
    start = time.time()
    n = job.run_train(args.store, archs=archs, device=args.device, seed=args.seed, batch=args.batch,
                  limit=args.limit, held_out=args.held_out)
    print(f"train: {n} new results in {time.time() - start:.0f}s", flush=True)
    return 0


def _batch_study(args) -> int:
    archs = _setup(args)
    for b in args.batches:
        groups = _groups(args.groups)
        job.run_stats(args.store, groups=groups, dataset=args.dataset, archs=archs, device=args.device,
                  batches={g: b for g in groups}, seed=args.seed, progress=False)
        print(f"batch {b}: done", flush=True)
    print(batch_study(args.store, args.dataset).to_string(index=False), flush=True)
    return 0


def _export(args) -> int:
    """``export``: the store's tables into a data folder."""
    if args.zhu_uniform:
        path, rows = export.export_zhu_uniform(args.store, args.dest)
        print(f"wrote {rows} rows to {path}")
        return 0
    if args.lga_population:
        path, rows = export.export_lga_population(args.store, args.dest)
        print(f"wrote {rows} rows to {path}")
        return 0
    if args.extend_hnas_all:
        path, added = export.extend_hnas_all(args.store, args.dest)
        print(f"added {added} rows to {path}")
        return 0
    batches = {g: getattr(args, f"batch_{g}") for g in statistics.GROUPS if getattr(args, f"batch_{g}")}
    for path in export.export(args.store, args.dest, batches, export.parse_extra(args.extra)):
        print(f"wrote {path}")
    return 0
