"""The weight-sharing chapter (BigNAS): how well supernet children rank, what the BigNAS
techniques buy, and weight sharing against training-free and query-based search.

Inputs: the supernet table's ablation runs (``nascore.bench.load("nb201-supernet")``,
one row per architecture, budget, variant and supernet seed, its 8-epoch rows selected by
:func:`nascore.supernet.table.ablation_rows`), NAS-Bench-201's real CIFAR-10 accuracy of every
architecture (``bench.load("nb201")``), the zero-cost table's training-free scores on
real CIFAR batches (``bench.load("nb201-zc")``) and the runs' costs
(:func:`nascore.supernet.table.load_runs`). Quick mode builds a tiny table on the fly
(:func:`quick_tables`).

- :func:`supernet_frame`: the table joined with the real accuracy;
- :func:`ranking_table`: Kendall's tau and Spearman's rho (bootstrap intervals over
  architectures) between supernet and real accuracy, per variant, seed and set of
  children, and for the mean over seeds;
- :func:`seed_agreement`: how well two supernet seeds rank the same children alike;
- :func:`paired_difference` and :func:`ablation_table`: what each technique changes;
- :func:`no_retraining`: children with shared weights against the same children trained
  alone under the same budget;
- :func:`training_free_table`: our training-free scores' (real CIFAR) correlations on the same
  architectures;
- :func:`cost_units`, :func:`search_comparison` and :func:`search_summary`: searches at
  equal cost, the picks reported by validation and 200-epoch test accuracy
  (:mod:`.supernet_search`);
- :func:`scale_summary`: the ablation table of another scale's tables (the paper-scale run);
- :func:`claim_evidence`: the differences and the budget the three BigNAS claims rest on;
- the budget curve (one recipe at several epochs) with intervals, where tau changes sign,
  and the sandwich rule's difference per budget (:mod:`.supernet_curve`);
- the verdict rules, the budget each claim rests on and what would flip it
  (:mod:`.supernet_verdicts`).
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import bench, stats
from ..bench.agreement import by_seed
from ..supernet.table import ablation_rows
from .supernet_verdicts import budget

VARIANTS = ("full", "no_sandwich", "no_distillation", "neither")
SETS = ("zc", "sample")


def supernet_frame(results: pd.DataFrame | None = None) -> pd.DataFrame:
    """Supernet rows with ``val_accuracy`` (NAS-Bench-201, real CIFAR-10), ``in_zc`` and
    ``in_sample`` flags; by default the shipped ablation runs
    (:func:`nascore.supernet.table.ablation_rows`), the rows of one budget."""
    results = ablation_rows(bench.load("nb201-supernet", "cifar10")) if results is None else results.copy()
    truth = bench.load("nb201", "cifar10")[["arch", "val_accuracy"]]
    frame = results.merge(truth, on="arch", how="left")
    if frame["val_accuracy"].isna().any():
        raise ValueError(f"{int(frame.val_accuracy.isna().sum())} supernet rows name no NAS-Bench-201 architecture")
    parts = frame["sets"].str.split("+")
    # set names are the children specs without their colon: zc, zc40 (first 40), zcsample100
    # (100 of zc in a fixed random order), sample1000
    frame["in_zc"] = parts.apply(lambda names: any(re.fullmatch(r"zc(sample)?\d*", n) for n in names))
    frame["in_sample"] = parts.apply(lambda names: any(n.startswith("sample") for n in names))
    return frame


def subset(frame: pd.DataFrame, which: str) -> pd.DataFrame:
    """Rows of the children set ``which`` (``zc`` or ``sample``)."""
    if which not in SETS:
        raise ValueError(f"unknown children set {which!r}; allowed: {', '.join(SETS)}")
    return frame[frame[f"in_{which}"]]


def _mean_over_seeds(part: pd.DataFrame) -> pd.DataFrame:
    return part.groupby("arch", as_index=False).agg(supernet_accuracy=("supernet_accuracy", "mean"),
                                                    val_accuracy=("val_accuracy", "first"))


def ranking_table(frame: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per (variant, supernet seed or ``"mean"``, set, method): correlation of
    supernet accuracy with real accuracy, interval, number of architectures."""
    rows = []
    for variant, part in frame.groupby("variant", sort=False):
        for which in SETS:
            chosen = subset(part, which)
            if len(chosen) < 3:
                continue
            groups = [(int(s), g) for s, g in chosen.groupby("supernet_seed")]
            groups.append(("mean", _mean_over_seeds(chosen)))
            for label, g in groups:
                for method in ("kendall", "spearman"):
                    r = stats.rank_correlation(g.supernet_accuracy.to_numpy(), g.val_accuracy.to_numpy(), method,
                                               n_boot=n_boot, seed=seed)
                    rows.append({"variant": variant, "supernet_seed": label, "set": which, "method": method,
                                 "value": r.value, "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def seed_agreement(frame: pd.DataFrame, *, method: str = "kendall", n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Per variant: rank agreement of the first two supernet seeds over their common children."""
    rows = []
    for variant, part in frame.groupby("variant", sort=False):
        wide = by_seed(part.rename(columns={"supernet_seed": "seed"}), "supernet_accuracy")
        if wide.shape[1] < 2 or len(wide) < 3:
            continue
        a, b = wide.columns[:2]
        r = stats.rank_correlation(wide[a].to_numpy(), wide[b].to_numpy(), method, n_boot=n_boot, seed=seed)
        rows.append({"variant": variant, "method": method, "value": r.value, "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def paired_difference(frame: pd.DataFrame, variant: str, baseline: str, *, which: str = "sample",
                      n_boot: int = 2000, seed: int = 0) -> dict:
    """Mean over children of ``acc(variant) - acc(baseline)`` (each averaged over supernet
    seeds), bootstrap interval over children; also the difference per seed."""
    part = subset(frame, which)
    wide = part.pivot_table(index="arch", columns="variant", values="supernet_accuracy", aggfunc="mean")
    for name in (variant, baseline):
        if name not in wide.columns:
            raise ValueError(f"variant {name!r} not in the table; it has {', '.join(wide.columns)}")
    diff = (wide[variant] - wide[baseline]).dropna().to_numpy()
    mean, low, high = stats.mean_ci(diff, n_boot=n_boot, seed=seed)
    per_seed = part.pivot_table(index=["supernet_seed", "arch"], columns="variant",
                                values="supernet_accuracy").dropna(subset=[variant, baseline])
    by_seed_mean = (per_seed[variant] - per_seed[baseline]).groupby(level=0).mean()
    return {"variant": variant, "baseline": baseline, "set": which, "mean": mean, "low": low, "high": high,
            "n": len(diff), "per_seed": {int(k): float(v) for k, v in by_seed_mean.items()}}


def ablation_table(frame: pd.DataFrame, ranking: pd.DataFrame) -> pd.DataFrame:
    """One row per variant: mean and best child accuracy on the uniform sample (mean over
    seeds), Kendall's tau on the zero-cost and sampled children (mean over seeds' accuracy)."""
    rows = []
    for variant in [v for v in VARIANTS if v in set(frame.variant)]:
        part = frame[frame.variant == variant]
        sample = _mean_over_seeds(subset(part, "sample")) if part.in_sample.any() else part.iloc[:0]
        row = {"variant": variant, "seeds": part.supernet_seed.nunique(),
               "mean child accuracy": sample.supernet_accuracy.mean(),
               "best child accuracy": sample.supernet_accuracy.max()}
        for which in SETS:
            hit = ranking[(ranking.variant == variant) & (ranking.set == which) & (ranking.method == "kendall")
                          & (ranking.supernet_seed.astype(str) == "mean")]
            row[f"tau ({which})"] = float(hit.value.iloc[0]) if len(hit) else np.nan
        rows.append(row)
    return pd.DataFrame(rows).set_index("variant")


def scale_summary(tables: dict | None, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """:func:`ablation_table` of another set of supernet tables (``results``, ``runs``,
    ``standalone``; e.g. the paper-scale ones, :mod:`nascore.supernet.paper_scale`): one
    row per variant; an empty table without them."""
    if tables is None:
        return pd.DataFrame(columns=["seeds", "mean child accuracy", "best child accuracy", "tau (zc)",
                                     "tau (sample)"]).rename_axis("variant")
    frame = supernet_frame(tables["results"])
    return ablation_table(frame, ranking_table(frame, n_boot=n_boot, seed=seed))


def no_retraining(frame: pd.DataFrame, standalone: pd.DataFrame, *, variant: str = "full",
                  n_boot: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, dict | None]:
    """Children of ``variant`` (mean over supernet seeds) beside the same children trained
    alone (mean over stand-alone seeds); the mean paired difference with its interval
    (``None`` if no child has both)."""
    inherited = frame[frame.variant == variant].groupby("arch").agg(
        supernet_accuracy=("supernet_accuracy", "mean"), val_accuracy=("val_accuracy", "first"))
    alone = standalone.groupby("arch")["standalone_accuracy"].mean()
    table = inherited.join(alone, how="inner").reset_index()
    if table.empty:
        return table, None
    diff = (table.supernet_accuracy - table.standalone_accuracy).to_numpy()
    mean, low, high = stats.mean_ci(diff, n_boot=n_boot, seed=seed)
    return table, {"mean": mean, "low": low, "high": high, "n": len(diff)}


#: The BigNAS claims on the children: name -> (variant without the technique, the technique).
TECHNIQUES = {"sandwich": ("no_sandwich", "sandwich rule"), "distillation": ("no_distillation", "inplace distillation")}


def claim_evidence(tables: dict, *, curve: dict | None = None, n_boot: int = 2000, seed: int = 0) -> dict:
    """What the three BigNAS claims rest on, from one set of supernet tables (``results``,
    ``runs``, ``standalone``, as shipped): ``budget`` (:func:`.supernet_verdicts.budget`),
    ``diffs`` (technique -> :func:`paired_difference` of ``full`` minus the variant
    without it, on the uniform sample), ``retrain`` (:func:`no_retraining`'s
    difference, ``None`` without stand-alone children) and ``curve``: the budget curve's
    sandwich differences (:func:`.supernet_curve.sandwich_by_budget`) when they are of the
    tables' supernet size (``C``, ``N``), else ``None``."""
    frame = supernet_frame(tables["results"])
    diffs = {name: paired_difference(frame, "full", base, which="sample", n_boot=n_boot, seed=seed)
             for name, (base, _) in TECHNIQUES.items()}
    _, retrain = no_retraining(frame, tables["standalone"], n_boot=n_boot, seed=seed)
    b = budget(tables["runs"])
    same_size = curve is not None and (curve["C"], curve["N"]) == (b["C"], b["N"])
    return {"budget": b, "diffs": diffs, "retrain": retrain, "curve": curve if same_size else None}


#: Training-free scores shown beside the supernet (registry names of the real-CIFAR table).
FREE_SCORES = ("naswot", "synflow", "snip", "grad_norm", "jacov", "das", "flops")


def training_free_table(frame: pd.DataFrame, scores=FREE_SCORES, *, which: str = "zc", table=None,
                        n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Kendall's tau (interval) of our training-free scores on real CIFAR-10 batches
    (``nb201-cifar-scores``, or ``table``) with NAS-Bench-201's real accuracy, on the
    children of set ``which`` that the supernet evaluated and the table scored (per score,
    architectures without a finite value are left out and ``n`` says how many remain)."""
    table = bench.load("nb201-cifar-scores", dataset="cifar10") if table is None else table
    missing = [name for name in scores if name not in table.columns]
    if missing:
        raise ValueError(f"the score table has no column {', '.join(missing)}; it has "
                         f"{', '.join(c for c in table.columns if c not in ('arch', 'dataset'))}")
    children = subset(frame, which)[["arch", "val_accuracy"]].drop_duplicates("arch")
    merged = children.merge(table[["arch", *scores]], on="arch", how="inner")
    rows = []
    for name in scores:
        part = merged[np.isfinite(merged[name].to_numpy(dtype=float))]
        if len(part) < 3:
            continue
        r = stats.rank_correlation(part[name].to_numpy(dtype=float), part.val_accuracy.to_numpy(), "kendall",
                                   n_boot=n_boot, seed=seed)
        rows.append({"method": name, "set": which, "value": r.value, "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows, columns=["method", "set", "value", "low", "high", "n"])


def quick_tables(work_dir, *, variants=VARIANTS, seeds=(0, 1), zc_children: int = 24, sample_children: int = 12,
                 standalone_children: int = 3, train_images: int = 64, test_images: int = 200,
                 progress: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A tiny stand-in for the shipped table, trained here in seconds (quick mode, tests):
    C=2, N=1, one epoch on ``train_images`` images. Returns ``(results, runs, standalone)``
    in the shipped files' formats."""
    from pathlib import Path

    from ..supernet import runs as supernet_runs
    from ..supernet.recipe import Recipe
    from ..supernet.table import build_table, load_runs, load_standalone

    work = Path(work_dir)
    for variant in variants:
        for s in seeds:
            recipe = Recipe.for_variant(variant, C=2, N=1, epochs=1, batch_size=32, seed=int(s),
                                        train_images=train_images)
            supernet_runs.run(work / "work", recipe, [f"zc:{zc_children}", f"sample:{sample_children}"],
                              calibration_images=64, test_images=test_images, progress=progress, cost_steps=1)
    from ..supernet.inputs import training_images

    supernet_runs.standalone(work / "work", f"zc:{standalone_children}", C=2, N=1, epochs=1, batch_size=32,
                             images=training_images(train_images, seed=0), test_images=test_images)
    supernet_runs.collect(work / "work", work / "collected")
    table = build_table(work / "collected", work / "table", provisional=True, command="quick_tables")
    return pd.read_csv(table / "results.csv"), load_runs(table), load_standalone(table)
