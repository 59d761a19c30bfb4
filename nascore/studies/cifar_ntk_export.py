"""Export the real-CIFAR NTK results store (:mod:`.cifar_ntk_run`) into the CSV files of
``data/nb201-cifar-ntk/`` (``nascore bench cifar-ntk export``, :mod:`nascore.cli.cifar_ntk`).

- :func:`table`, :func:`cost`, :func:`batch_study`: the store read as tables;
- :func:`export`: the main tables (``cifar10.csv``, ``cifar100.csv``, ``hnas_all_cifar10.csv``,
  ``cost.csv``, ``batch_study.csv``); :func:`extend_hnas_all`: new full-space HNAS rows added
  to the shipped file;
- :func:`export_lga_population`, :func:`export_zhu_uniform`: one file each, read from every
  record of one group whatever its content key (a store filled by older code still exports).

    nascore bench cifar-ntk export --store DIR --dest data/nb201-cifar-ntk
    nascore bench cifar-ntk export --store DIR --zhu-uniform
"""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from ..manifest import write_manifest
from . import cifar_ntk as proto
from .cifar_ntk_run import LGA_POPULATION, arch_list, open_store


# ----------------------------------------------------------------------------- the store as tables
def records(store_dir, kind: str) -> pd.DataFrame:
    """The store's valid records of ``kind`` (``stats`` or ``train``), one row each."""
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


# ----------------------------------------------------------------------------- exports
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
    return write_table(frame, dest, POPULATION_FILE), len(frame)


ZHU_UNIFORM_FILE = "zhu_uniform_cifar10.csv"
#: Batch of Zhu's kernel on the uniform sample: the CPU batch of the shipped
#: ``ntk_lambda_min_b16`` column (TE-NAS's 72 is out of a CPU's reach, README).
ZHU_UNIFORM_BATCH = 16
#: What a row of :data:`ZHU_UNIFORM_FILE` keeps of its record besides the statistic.
ZHU_UNIFORM_RUN = ("seconds", "device", "device_name", "torch")


def export_zhu_uniform(store_dir, dest, *, batch: int = ZHU_UNIFORM_BATCH, seed: int = 0) -> tuple[Path, int]:
    """Write ``dest/zhu_uniform_cifar10.csv``: Zhu's lambda_min (CIFAR-10, ``batch``, ``seed``)
    of every cell the store holds, from every ``zhu`` record whatever its content key (a
    store filled by older code still exports). One row per cell: ``arch``, ``nb201_index``,
    ``uniform_position`` (its place in the fixed random order of ``--archs all``, so a
    reader can keep the unbroken prefix: a uniform sample), the statistic suffixed by its
    batch (``ntk_lambda_min_b16``) and :data:`ZHU_UNIFORM_RUN`; a GPU record wins over a
    CPU one of the same cell (as in :func:`table`). Rows in ``uniform_position`` order;
    rewrites the folder's manifest, touches no other file. Returns the path and the number
    of rows; ``ValueError`` when the store holds no such record."""
    from nascore.bench.cifar_scores import select_archs
    from nascore.bench.nb201_test import nb201_accuracies

    if not Path(store_dir).is_dir():
        raise ValueError(f"no results store at {str(store_dir)!r}: nothing to export")
    stats = records(store_dir, "stats")
    part = stats.iloc[:0] if stats.empty else stats[(stats.dataset == "cifar10") & (stats.group == "zhu")
                                                    & (stats.batch == batch) & (stats.seed == seed)]
    if part.empty:
        raise ValueError(f"the store at {str(store_dir)!r} holds no zhu record on cifar10 at batch {batch} "
                         f"(seed {seed}); run `nascore bench cifar-ntk stats --archs all,first:3000 --groups zhu "
                         f"--batch-zhu {batch} --store S` first")
    part = part.sort_values("device", key=lambda d: d.str.startswith("cuda"), kind="stable")
    part = part.drop_duplicates("arch", keep="last")  # the GPU record, sorted last, wins
    index = nb201_accuracies("cifar10").set_index("arch").nb201_index
    position = {a: i for i, a in enumerate(select_archs("full"))}
    columns = {c: extra_column(c, batch) for c in proto.COLUMNS["zhu"]}
    frame = part[["arch", *columns, *ZHU_UNIFORM_RUN]].rename(columns=columns)
    frame.insert(1, "nb201_index", frame.arch.map(index).astype(int))
    frame.insert(2, "uniform_position", frame.arch.map(position).astype(int))
    frame = frame.sort_values("uniform_position", ignore_index=True)
    return write_table(frame, dest, ZHU_UNIFORM_FILE), len(frame)


def write_table(frame: pd.DataFrame, dest, name: str) -> Path:
    """Write ``frame`` as ``dest/name`` (CSV, ten significant digits) and rewrite the
    folder's manifest; the path written."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    path = dest / name
    frame.to_csv(path, index=False, float_format="%.10g")
    write_manifest(dest)
    return path


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
