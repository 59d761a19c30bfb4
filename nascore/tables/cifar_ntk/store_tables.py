"""The real-CIFAR NTK results store read as tables (what :mod:`.export` writes into ``data/``).

- :func:`table`: one row per architecture, every statistic at its official (or given)
  batch, other batches as suffixed columns (:func:`extra_column`);
- :func:`cost`: median seconds per architecture of each group, batch and device;
- :func:`batch_study`: how each statistic's ranking moves with the batch.

Every function reads all valid records of the store, whatever their content keys
(:func:`.results.records`): a store filled by older code still reads.
"""
from __future__ import annotations

import math

import pandas as pd

from .after_epoch import COLUMNS as TRAIN_COLUMNS
from .results import records
from .statistics import COLUMNS, GROUPS, OFFICIAL_BATCH


def extra_column(column: str, batch: int) -> str:
    """Name of ``column`` computed at a batch other than the table's: ``lga_b32``."""
    return f"{column}_b{batch}"


def gpu_last(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame``'s records with the GPU ones (``device`` ``cuda...``) after the CPU ones,
    order otherwise kept: where a CPU and a GPU run both computed a cell (a different torch
    version misses the other's key), the GPU record, read last, wins."""
    return frame.sort_values("device", key=lambda d: d.str.startswith("cuda"), kind="stable")


def table(store_dir, dataset: str, batches=None, extra=None) -> pd.DataFrame:
    """One row per architecture: every statistic at its official (or given) batch.

    ``extra`` (``{group: batch}``) adds that group's statistics at another batch as
    columns named by :func:`extra_column` (``ntk_lambda_min_b16``), so values of
    different batches never share a column. Where both a GPU and a CPU record exist for
    one cell, the GPU's is kept.
    """
    stats, batches = records(store_dir, "stats"), {**OFFICIAL_BATCH, **(batches or {})}
    wanted = [(group, batches[group], cols, False) for group, cols in COLUMNS.items()]
    for group, batch in (extra or {}).items():
        if group not in COLUMNS:
            raise ValueError(f"unknown group {group!r} in extra; allowed: {', '.join(GROUPS)}")
        if batch != batches[group]:
            wanted.append((group, batch, COLUMNS[group], True))
    rows = {}
    if not stats.empty:
        stats = gpu_last(stats[stats.dataset == dataset])
        for group, batch, cols, suffixed in wanted:
            part = stats[(stats.group == group) & (stats.batch == batch)]
            for _, r in part.iterrows():
                rows.setdefault(r.arch, {}).update({extra_column(c, batch) if suffixed else c: r[c] for c in cols})
    trained = records(store_dir, "train")
    if dataset == "cifar10" and not trained.empty:
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
    for group, cols in COLUMNS.items():
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
