"""NTK statistics at initialisation on real CIFAR against NAS-Bench-201's real accuracies.

Reads ``data/nb201-cifar-ntk/`` (:mod:`nascore.tables.cifar_ntk` computes it, each
statistic under its paper's official convention) and ranks every at-init statistic
against the NASLib table's validation accuracy of the same architectures:

- :data:`STATISTICS`: what each column is (paper, kernel, batch) and its direction;
- :func:`init_correlations`: Kendall's (or Spearman's) rank correlation of each column
  with accuracy, oriented so that higher reads better, over the rows where it is finite;
- :func:`batch_study`: the shipped ``batch_study.csv``, how each ranking moves with the batch.

A column ending ``_bN`` holds a statistic at batch N instead of its official batch
(:func:`nascore.tables.cifar_ntk.store_tables.extra_column`): the official batch was out of
reach of the CPU that computed it.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..inputs import PROTOCOLS

#: Each group's official batch, with which :mod:`nascore.tables.cifar_ntk.statistics` computes the table
#: (the batch sizes of the records :data:`nascore.inputs.PROTOCOLS`).
OFFICIAL_BATCH = {g: PROTOCOLS[g].batch_size for g in ("hnas", "tenas", "zhu", "lga")}

#: column -> (group, what it is, direction: +1 higher is better, -1 lower is better).
STATISTICS = {
    "ntk_trace": ("hnas", "HNAS's M (trace norm; decomposition kernel, true-class logit)", 1),
    "hnas_kappa": ("hnas", "HNAS's kappa (same kernel as M)", -1),
    "ntk_condition": ("tenas", "TE-NAS's condition number (exact, summed logits, weights)", -1),
    "ntk_lambda_min": ("zhu", "Zhu's lambda_min (exact, summed logits, all parameters)", 1),
    "ntk_mean": ("lga", "mean NTK entry (LGA code: exact, summed logits, weights outside the classifier)", 1),
    "ntk_frobenius": ("lga", "NTK Frobenius norm (LGA code's kernel)", 1),
    "lga": ("lga", "LGA at initialisation (LGA code's kernel)", 1),
}
#: Condition numbers: a value <= 0 is a singular kernel's (round-off lambda_min), read as infinite.
CONDITION_NUMBERS = ("hnas_kappa", "ntk_condition")
_SUFFIX = re.compile(r"^(?P<base>.+)_b(?P<batch>\d+)$")


def describe(column: str) -> dict:
    """``{"column", "statistic", "group", "batch", "official_batch", "direction", "what"}``
    of a column of the table (``lga_b32`` -> ``lga`` at batch 32, official 256)."""
    match = _SUFFIX.match(column)
    base, batch = (match["base"], int(match["batch"])) if match and match["base"] in STATISTICS else (column, None)
    if base not in STATISTICS or batch == 0:
        raise ValueError(f"unknown statistic column {column!r}; known: {', '.join(STATISTICS)} "
                         "(optionally with a _bN batch suffix)")
    group, what, sign = STATISTICS[base]
    official = OFFICIAL_BATCH[group]
    return {"column": column, "statistic": base, "group": group, "batch": official if batch is None else batch,
            "official_batch": official, "direction": sign, "what": what}


def statistic_columns(frame: pd.DataFrame) -> list[str]:
    """The at-init statistic columns of ``frame`` that hold at least one finite value."""
    out = []
    for column in frame.columns:
        try:
            describe(column)
        except ValueError:
            continue
        if np.isfinite(pd.to_numeric(frame[column], errors="coerce").to_numpy(float)).any():
            out.append(column)
    return out


def init_frame(dataset: str = "cifar10") -> pd.DataFrame:
    """NASLib's ``dataset`` table (accuracies) joined with that dataset's statistics."""
    from .. import bench

    ntk = bench.load("nb201-cifar-ntk", dataset=dataset).drop(columns=["op_indices"], errors="ignore")
    ntk = ntk[["arch"] + statistic_columns(ntk)]
    return bench.load("nb201-zc", dataset)[["arch", "val_accuracy"]].merge(ntk, on="arch", how="inner")


def init_correlations(frame: pd.DataFrame, columns=None, *, method: str = "kendall", n_boot: int = 1000,
                      seed: int = 0, truth: str = "val_accuracy") -> pd.DataFrame:
    """Rank correlation with ``truth`` (default ``val_accuracy``) of each statistic column, oriented by
    :data:`STATISTICS` (a lower-is-better statistic is negated, so every value reads
    "higher is better"; a condition number <= 0 counts as infinite, the worst), over the
    rows where it and the accuracy are known (``nascore.stats`` would rank NaN lowest). One row per column: :func:`describe`'s fields, ``n``, ``value``,
    ``low``, ``high``."""
    from ..stats import rank_correlation

    columns = statistic_columns(frame) if columns is None else list(columns)
    if truth not in frame:
        raise ValueError(f"frame needs a {truth} column; has {list(frame.columns)}")
    rows = []
    for column in columns:
        info = describe(column)
        if column not in frame:
            raise ValueError(f"column {column!r} not in the frame; has {list(frame.columns)}")
        values = frame[column].to_numpy(float)
        if info["statistic"] in CONDITION_NUMBERS:  # a singular kernel's round-off kappa <= 0 ranks worst
            values = np.where(values <= 0, np.inf, values)  # NaN stays NaN: not computed
        keep = ~np.isnan(values) & np.isfinite(frame[truth].to_numpy(float))
        if keep.sum() < 3:
            raise ValueError(f"column {column!r} has {int(keep.sum())} finite values; need at least 3")
        r = rank_correlation(info["direction"] * values[keep], frame[truth].to_numpy(float)[keep],
                             method, n_boot=n_boot, seed=seed)
        rows.append({**info, "method": method, "n": int(keep.sum()), "value": r.value, "low": r.low, "high": r.high})
    return pd.DataFrame(rows)


def batch_study() -> pd.DataFrame:
    """``data/nb201-cifar-ntk/batch_study.csv``: per statistic and batch, Spearman's rho of
    the ranking with the largest batch's ranking (``rho_vs_largest``) and with NB201
    accuracy (``rho_vs_accuracy``, not oriented), over ``archs`` architectures."""
    from ..manifest import note_read
    from ..paths import DATA_DIR

    path = DATA_DIR / "nb201-cifar-ntk" / "batch_study.csv"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing; compute it with `nascore bench cifar-ntk batch-study`")
    note_read(path)
    return pd.read_csv(path)
