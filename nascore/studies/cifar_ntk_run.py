"""Compute, resume and export the real-CIFAR NTK table (its command: ``nascore bench cifar-ntk``,
:mod:`nascore.cli.cifar_ntk`).

Every finished (architecture, dataset, group, batch) result is one record of a
:class:`nascore.tables.store.ResultStore` (atomic files; several processes may share one
store), so a killed run keeps what it finished and a rerun skips it. ``--shard i/n``
splits the architectures between processes sharing a GPU. :func:`export` turns a store
into the CSV files of ``data/nb201-cifar-ntk/``.

    nascore bench cifar-ntk stats --dataset cifar10 --archs zc --store DIR --device cuda
    nascore bench cifar-ntk train --archs stratified:200 --store DIR --device cuda
    nascore bench cifar-ntk batch-study --archs sample:50 --batches 16 32 64 --store DIR
    nascore bench cifar-ntk export --store DIR --dest data/nb201-cifar-ntk
"""
from __future__ import annotations

import math
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from ..manifest import write_manifest
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


# ----------------------------------------------------------------------------- analysis
def records(store_dir, kind: str) -> pd.DataFrame:
    frame = open_store(store_dir).frame()
    if frame.empty or "kind" not in frame:
        return pd.DataFrame()
    return frame[frame.kind == kind].reset_index(drop=True)


def extra_column(column: str, batch: int) -> str:
    """Name of ``column`` computed at a batch other than the table's: ``lga_b32``."""
    return f"{column}_b{batch}"


def table(store_dir, dataset: str, batches=None, extra=None) -> pd.DataFrame:
    """One row per architecture: every statistic at its official (or given) batch.

    ``extra`` (``{group: batch}``) adds that group's statistics at another batch as
    columns named by :func:`extra_column` (``ntk_lambda_min_b16``), so values of
    different batches never share a column. Where both a GPU and a CPU record exist for
    one cell, the GPU's is kept.
    """
    stats, batches = records(store_dir, "stats"), {**proto.OFFICIAL_BATCH, **(batches or {})}
    wanted = [(group, batches[group], cols, False) for group, cols in proto.COLUMNS.items()]
    for group, batch in (extra or {}).items():
        if group not in proto.COLUMNS:
            raise ValueError(f"unknown group {group!r} in extra; allowed: {', '.join(proto.GROUPS)}")
        if batch != batches[group]:
            wanted.append((group, batch, proto.COLUMNS[group], True))
    rows = {}
    if not stats.empty:
        # one value per cell: where a CPU and a GPU run both computed one (a different torch
        # version misses the other's key), the GPU record, written last, wins
        stats = stats[stats.dataset == dataset].sort_values("device", key=lambda d: d.str.startswith("cuda"),
                                                            kind="stable")
        for group, batch, cols, suffixed in wanted:
            part = stats[(stats.group == group) & (stats.batch == batch)]
            for _, r in part.iterrows():
                rows.setdefault(r.arch, {}).update({extra_column(c, batch) if suffixed else c: r[c] for c in cols})
    trained = records(store_dir, "train")
    if dataset == "cifar10" and not trained.empty:
        from .cifar_ntk_train import COLUMNS as TRAIN_COLUMNS

        for _, r in trained.iterrows():
            rows.setdefault(r.arch, {}).update({c: r[c] for c in TRAIN_COLUMNS})
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("arch").reset_index()
    return frame.sort_values("arch", ignore_index=True) if not frame.empty else frame


def cost(store_dir) -> pd.DataFrame:
    """Median seconds per architecture of each group / batch / device (and of training)."""
    stats, trained = records(store_dir, "stats"), records(store_dir, "train")
    parts = []
    if not stats.empty:
        parts.append(stats.groupby(["group", "batch", "device", "device_name"]).seconds
                     .agg(["median", "count"]).reset_index())
    if not trained.empty:
        t = trained.assign(group="lga_after_1_epoch", seconds=trained.seconds_train + trained.seconds_score)
        parts.append(t.groupby(["group", "batch", "device", "device_name"]).seconds.agg(["median", "count"]).reset_index())
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def batch_study(store_dir, dataset: str = "cifar10") -> pd.DataFrame:
    """How each statistic's ranking moves with the batch. Per statistic and batch ``b``,
    over the architectures scored at both ``b`` and the largest batch (``archs``):
    Spearman's rho of the batch-``b`` ranking with the largest batch's
    (``rho_vs_largest``), with NB201 accuracy (``rho_vs_accuracy``) and the largest
    batch's rho with accuracy on the same architectures (``largest_rho_vs_accuracy``), so
    the two accuracy columns of a row compare like with like."""
    from scipy.stats import spearmanr

    from nascore import bench

    stats = records(store_dir, "stats")
    if stats.empty:
        return pd.DataFrame()
    stats = stats[stats.dataset == dataset]
    acc = bench.load("nb201-zc", dataset).set_index("arch").val_accuracy.rename("acc")

    def rho(a, b):
        return spearmanr(a, b)[0] if len(a) > 2 else math.nan

    out = []
    for group, cols in proto.COLUMNS.items():
        part = stats[stats.group == group]
        if part.empty:
            continue
        sizes = sorted(part.batch.unique())
        for col in cols:
            wide = part.pivot_table(index="arch", columns="batch", values=col)
            for b in sizes:
                both = pd.concat([wide[b].rename("b"), wide[sizes[-1]].rename("largest"), acc], axis=1,
                                 join="inner").dropna()
                out.append({"statistic": col, "batch": int(b), "largest": int(sizes[-1]), "archs": len(both),
                            "rho_vs_largest": rho(both.b, both.largest), "rho_vs_accuracy": rho(both.b, both.acc),
                            "largest_rho_vs_accuracy": rho(both.largest, both.acc)})
    return pd.DataFrame(out)


def export(store_dir, dest, batches=None, extra=None) -> list[Path]:
    """Write ``cifar10.csv``, ``cifar100.csv``, ``hnas_all_cifar10.csv`` (the 15,625),
    ``cost.csv`` and ``batch_study.csv`` into ``dest``; returns the paths written.
    ``batches``: per-group batch of the tables (default: the official ones); ``extra``:
    per-group batches added as suffixed columns (:func:`table`)."""
    from nascore.spaces import nb201

    if not Path(store_dir).is_dir():
        raise ValueError(f"no results store at {str(store_dir)!r}: nothing to export (--store names the folder "
                         "that `stats` / `train` filled)")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    zc = set(arch_list("zc"))
    written = []
    for dataset in proto.DATASETS:
        frame = table(store_dir, dataset, batches, extra)
        if frame.empty:
            continue
        full = frame[frame.arch.isin(zc)]
        path = dest / f"{dataset}.csv"
        full.to_csv(path, index=False, float_format="%.10g")
        written.append(path)
        if dataset == "cifar10" and "ntk_trace" in frame:
            # a row counts once M exists (kappa is NaN for an exactly singular kernel)
            hnas = frame[["arch"] + [c for c in proto.COLUMNS["hnas"] if c in frame]].dropna(subset=["ntk_trace"])
            if len(hnas) > len(full):
                hnas = hnas.assign(op_indices=[str(nb201.to_op_indices(a)) for a in hnas.arch])
                path = dest / "hnas_all_cifar10.csv"
                hnas.to_csv(path, index=False, float_format="%.10g")
                written.append(path)
    for name, frame in (("cost", cost(store_dir)), ("batch_study", batch_study(store_dir))):
        if not frame.empty:
            frame.to_csv(dest / f"{name}.csv", index=False, float_format="%.6g")
            written.append(dest / f"{name}.csv")
    return written + [write_manifest(dest)]


def extend_hnas_all(store_dir, dest) -> tuple[Path, int]:
    """Add the store's HNAS rows (CIFAR-10, official batch) that ``dest/hnas_all_cifar10.csv``
    lacks to that file, keeping every row it has (a run resumed with ``--skip-table`` whose
    earlier store is gone); rewrites the folder's manifest. Returns the path and how many
    rows were added."""
    from nascore.spaces import nb201

    path = Path(dest) / "hnas_all_cifar10.csv"
    shipped = pd.read_csv(path)
    if not Path(store_dir).is_dir():
        raise ValueError(f"no results store at {str(store_dir)!r}: nothing to add")
    fresh = table(store_dir, "cifar10")
    columns = [c for c in shipped.columns if c not in ("arch", "op_indices")]
    if fresh.empty or "ntk_trace" not in fresh:
        return path, 0
    fresh = fresh[~fresh.arch.isin(set(shipped.arch))].dropna(subset=["ntk_trace"])
    fresh = fresh[["arch"] + [c for c in columns if c in fresh]]
    fresh = fresh.assign(op_indices=[str(nb201.to_op_indices(a)) for a in fresh.arch])[shipped.columns]
    merged = pd.concat([shipped, fresh], ignore_index=True).sort_values("arch", ignore_index=True)
    merged.to_csv(path, index=False, float_format="%.10g")
    write_manifest(Path(dest))
    return path, len(fresh)


POPULATION_FILE = "lga_first1000_cifar10.csv"


def export_lga_population(store_dir, dest) -> tuple[Path, int]:
    """Write ``dest/lga_first1000_cifar10.csv``: LGA's at-init statistics (CIFAR-10) of the
    store's cells among NAS-Bench-201 indices 0..999, one row per cell with its
    ``nb201_index``, a column per statistic and batch (``lga_b32``: batch 32; the official
    256 has unsuffixed names), and the after-one-epoch columns of the cells the store
    trained (:mod:`.cifar_ntk_train`), in index order; rewrites the folder's manifest. Only this
    file is touched (the folder's other tables come from other stores). Returns the path
    and the number of rows."""
    from nascore.bench.nb201_test import nb201_accuracies

    if not Path(store_dir).is_dir():
        raise ValueError(f"no results store at {str(store_dir)!r}: nothing to export")
    stats = records(store_dir, "stats")
    index = nb201_accuracies("cifar10").set_index("arch").nb201_index
    rows = {}
    if not stats.empty:
        part = stats[(stats.dataset == "cifar10") & (stats.group == "lga")]
        part = part[part.arch.map(index) < LGA_POPULATION]
        for _, r in part.iterrows():
            suffixed = r.batch != proto.OFFICIAL_BATCH["lga"]
            rows.setdefault(r.arch, {}).update(
                {extra_column(c, r.batch) if suffixed else c: r[c] for c in proto.COLUMNS["lga"]})
    trained = records(store_dir, "train")
    if not trained.empty:
        from .cifar_ntk_train import COLUMNS as TRAIN_COLUMNS

        for _, r in trained[trained.arch.map(index) < LGA_POPULATION].iterrows():
            rows.setdefault(r.arch, {}).update({c: r[c] for c in TRAIN_COLUMNS})
    frame = pd.DataFrame.from_dict(rows, orient="index").rename_axis("arch").reset_index()
    if not frame.empty:
        frame.insert(1, "nb201_index", frame.arch.map(index).astype(int))
        frame = frame.sort_values("nb201_index", ignore_index=True)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / POPULATION_FILE
    frame.to_csv(path, index=False, float_format="%.10g")
    write_manifest(dest)
    return path, len(frame)


def skip_shipped(archs, table_csv) -> list[str]:
    """``archs`` without those that have a row in the CSV ``table_csv`` (order kept)."""
    path = Path(table_csv)
    if not path.is_file():
        raise ValueError(f"--skip-table {table_csv!r} is not a file")
    have = set(pd.read_csv(path, usecols=["arch"]).arch)
    return [a for a in archs if a not in have]


def parse_extra(items) -> dict:
    """``["lga=32", "zhu=16"]`` -> ``{"lga": 32, "zhu": 16}`` (checked)."""
    out = {}
    for item in items:
        group, _, batch = item.partition("=")
        if group not in proto.GROUPS or not batch.isdigit() or int(batch) < 1:
            raise ValueError(f"bad --extra {item!r}: expected GROUP=BATCH with GROUP one of "
                             f"{', '.join(proto.GROUPS)} and BATCH a positive integer")
        out[group] = int(batch)
    return out
