"""Compute and resume the real-CIFAR NTK table (its command: ``nascore bench cifar-ntk``,
:mod:`nascore.cli.cifar_ntk`): the architecture sets and the jobs.

Every finished (architecture, dataset, group, batch) result is one record of a
:class:`nascore.tables.store.ResultStore` (atomic files; several processes may share one
store), so a killed run keeps what it finished and a rerun skips it. ``--shard i/n``
splits the architectures between processes sharing a GPU. Turning a store into the CSV
files of ``data/nb201-cifar-ntk/`` is :mod:`.cifar_ntk_export`.

    nascore bench cifar-ntk stats --dataset cifar10 --archs zc --store DIR --device cuda
    nascore bench cifar-ntk train --archs stratified:200 --store DIR --device cuda
    nascore bench cifar-ntk batch-study --archs sample:50 --batches 16 32 64 --store DIR
"""
from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pandas as pd

from . import cifar_ntk as proto

#: The code a record depends on: the import closure of these modules (content-addressed,
#: :func:`nascore.fingerprint.result_key`); editing any file in it misses the store.
CODE = ("nascore.studies.cifar_ntk", "nascore.studies.cifar_ntk_train")
STUDY = "nb201-cifar-ntk"


# ----------------------------------------------------------------------------- architectures
def arch_list(spec: str, seed: int = 0) -> list[str]:
    """``zc`` (the 725 of the zero-cost table), ``all`` (15,625, in the CIFAR score table's
    fixed random order, :func:`nascore.bench.cifar_scores.select_archs`: a run cut short
    holds a uniform sample, the same architectures as that table's), ``first1000`` (LGA's
    official population, :func:`first_thousand`), ``sample:N`` (N of the 725, random),
    ``stratified:N`` (N of the 725 evenly spaced in CIFAR-10 accuracy); any of them with
    ``first:N`` appended as ``,first:N`` keeps the first N."""
    from nascore import bench
    from nascore.bench.cifar_scores import select_archs

    base, _, head = spec.partition(",")
    zc = sorted(set(bench.load("nb201-zc", "cifar10").arch) | set(bench.load("nb201-zc", "cifar100").arch))
    kind, _, count = base.partition(":")
    if kind == "zc":
        archs = zc
    elif kind == "all":
        archs = select_archs("full")
    elif kind == "first1000" and not count:
        archs = first_thousand()
    elif kind == "sample" and count.isdigit():
        archs = [zc[i] for i in np.random.default_rng(seed).permutation(len(zc))[:int(count)]]
    elif kind == "stratified" and count.isdigit():
        table = bench.load("nb201-zc", "cifar10").sort_values(["val_accuracy", "arch"], ignore_index=True)
        picks = np.unique(np.round(np.linspace(0, len(table) - 1, int(count))).astype(int))
        archs = table.arch.iloc[picks].tolist()
    else:
        raise ValueError(f"unknown architecture set {spec!r}; allowed: zc, all, first1000, sample:N, stratified:N "
                         "(optionally followed by ,first:N)")
    if head:
        if not head.startswith("first:") or not head[6:].isdigit():
            raise ValueError(f"bad suffix {head!r} in {spec!r}; expected ,first:N")
        archs = archs[:int(head[6:])]
    return archs


#: LGA's population: NAS-Bench-201 indices 0..999 (naver-ai/demystifying-ntk,
#: ``ntk_prediction_train.sh`` / ``nasbench2_pred.py`` iterate the first 1,000 cells).
LGA_POPULATION = 1000


def first_thousand(seed: int = 0) -> list[str]:
    """The cells of NAS-Bench-201 indices 0..999 (LGA's official population) in a fixed
    random order (``seed``), so that a run cut short holds a uniform sample of them."""
    from nascore.bench.nb201_test import nb201_accuracies

    cells = nb201_accuracies("cifar10").sort_values("nb201_index").arch.iloc[:LGA_POPULATION].tolist()
    return [cells[i] for i in np.random.default_rng(seed).permutation(len(cells))]


# ----------------------------------------------------------------------------- jobs
def _key(kind, arch, dataset, **fields):
    from nascore.data import source_files
    from nascore.fingerprint import result_key

    files = source_files("cifar10") + (source_files("cifar100") if dataset == "cifar100" else [])
    return result_key(f"{STUDY}/{kind}", code=CODE, data_files=files,
                      params={"arch": arch, "dataset": dataset, **fields})


def _record_problems(record) -> list[str]:
    from nascore.tables.schema import number_values

    from .cifar_ntk_train import COLUMNS as TRAIN_COLUMNS

    if record.get("kind") == "train":
        return number_values(record, TRAIN_COLUMNS, nan_allowed=set(TRAIN_COLUMNS) - {"train_loss", "train_accuracy"})
    columns = proto.COLUMNS.get(record.get("group"))
    if columns is None:
        return [f"unknown group {record.get('group')!r}"]
    # M is always defined; a condition number, lambda_min or LGA may be NaN (singular or constant kernel)
    return number_values(record, columns, nan_allowed=set(columns) - {"ntk_trace"})


def open_store(store_dir):
    """The results store of this table, checking each record's values (finite numbers; NaN
    only where the table documents it): a poisoned record is quarantined, never exported."""
    from nascore.tables.schema import Schema
    from nascore.tables.store import ResultStore

    return ResultStore(store_dir, schema=Schema({"kind": str, "arch": str, "dataset": str}, check=_record_problems))


def _environment(device):
    import torch

    gpu = device != "cpu" and torch.cuda.is_available()
    name = torch.cuda.get_device_name() if gpu else platform.processor()
    return {"device": device, "device_name": name or platform.machine(), "torch": torch.__version__,
            "cudnn_tf32": bool(gpu and torch.backends.cudnn.allow_tf32)}


def full_precision() -> None:
    """Turn off TF32 on GPUs (cuDNN convolutions use it by default): a kernel's smallest
    eigenvalues are sensitive to it. The records of the first GPU run (before this
    switch, ``cudnn_tf32`` absent) had it on: HNAS's M and kappa recomputed on the CPU
    for 30 of them differ by a median 0.06 % and 0.5 % (Spearman 0.9996 and 0.999)."""
    import torch

    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


def run_stats(store_dir, *, groups, dataset, archs, device="cpu", batches=None, seed=0, tenas_repeats=1,
              progress=True) -> int:
    """Compute the missing (arch, group) statistics into the store; returns how many were new."""
    store, batches, done = open_store(store_dir), dict(batches or {}), 0
    env = _environment(device)
    for group in groups:  # group-major: cheap statistics complete for every arch first
        batch = batches.get(group) or proto.OFFICIAL_BATCH[group]
        fields = dict(group=group, batch=batch, seed=seed, repeats=tenas_repeats if group == "tenas" else 1)
        for i, arch in enumerate(archs):
            key = _key("stats", arch, dataset, **fields)
            if key in store:
                continue
            values = proto.group_stats(group, arch, dataset, batch=batch, seed=seed, device=device,
                                       tenas_repeats=tenas_repeats)
            store.put_checked(key, {"kind": "stats", "arch": arch, "dataset": dataset, **fields, **values, **env})
            done += 1
            if progress:
                print(f"[{group} {i + 1}/{len(archs)}] {dataset} b={batch} {values['seconds']:.2f}s {arch}", flush=True)
    return done


def run_train(store_dir, *, archs, device="cpu", seed=0, batch=None, limit=None, held_out=None,
              progress=True) -> int:
    """LGA / NASWOT / DAS after one epoch (:mod:`.cifar_ntk_train`) for the missing archs."""
    from . import cifar_ntk_train as tr

    store, done, env = open_store(store_dir), 0, _environment(device)
    batch, held_out = batch or tr.TRAIN_BATCH, held_out or tr.HELD_OUT
    for i, arch in enumerate(archs):
        fields = dict(batch=batch, seed=seed, limit=limit, held_out=held_out)
        key = _key("train", arch, "cifar10", **fields)
        if key not in store:
            values = tr.trained_stats(arch, device=device, seed=seed, batch=batch, held_out=held_out, limit=limit)
            store.put_checked(key, {"kind": "train", "arch": arch, "dataset": "cifar10", **fields, **values, **env})
            done += 1
        if progress:
            print(f"[{i + 1}/{len(archs)}] trained {arch}", flush=True)
    return done


def skip_shipped(archs, table_csv) -> list[str]:
    """``archs`` without those that have a row in the CSV ``table_csv`` (order kept)."""
    path = Path(table_csv)
    if not path.is_file():
        raise ValueError(f"--skip-table {table_csv!r} is not a file")
    have = set(pd.read_csv(path, usecols=["arch"]).arch)
    return [a for a in archs if a not in have]


