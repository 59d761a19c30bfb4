"""The weight-sharing chapter's tables and figures as the chapter shows and glues them (a
part of its study): the ranking, the ablation with the paired differences, stand-alone
training, training-free scores beside the supernet, the searches and the budget curve.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import bench, plots
from ..supernet import children as kids
from . import supernet as study
from . import supernet_curve

#: The paired differences the chapter reads: name -> (the variant with the technique(s), without).
DIFFERENCES = {"sandwich": ("full", "no_sandwich"), "distillation": ("full", "no_distillation"),
               "both": ("full", "neither")}
PARTS = ("mean", "low", "high")


def _cells(frame: pd.DataFrame, with_n: bool = False) -> list[str]:
    if with_n:
        return [f"{v:.3f} [{lo:.3f}, {hi:.3f}], n={n}" for v, lo, hi, n in zip(frame.value, frame.low, frame.high, frame.n)]
    return [f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in zip(frame.value, frame.low, frame.high)]


def ranking_glue(ranking: pd.DataFrame) -> dict:
    """``sn_<method>_<variant>_<set>_<value|low|high>`` of :func:`nascore.studies.supernet.ranking_table`'s
    rows over the mean of the seeds."""
    mean = ranking[ranking.supernet_seed.astype(str) == "mean"]
    return {f"sn_{r.method}_{r.variant}_{r.set}_{part}": float(getattr(r, part))
            for r in mean.itertuples() for part in ("value", "low", "high")}


def ranking_shown(ranking: pd.DataFrame) -> pd.DataFrame:
    """The ranking as "tau [low, high]", variant and seed by set and method."""
    return ranking.assign(cell=_cells(ranking)).pivot_table(
        index=["variant", "supernet_seed"], columns=["set", "method"], values="cell", aggfunc="first")


def ranking_figure(frame: pd.DataFrame):
    """Supernet accuracy (mean of seeds) against NB201 accuracy, full method, per set of children."""
    full = frame[frame.variant == "full"]
    fig, axes = plots.figure(plots.WIDE, ncols=2, layout="constrained")
    for ax, which in zip(axes, study.SETS):
        part = study.subset(full, which).groupby("arch").agg(supernet=("supernet_accuracy", "mean"),
                                                               real=("val_accuracy", "first"))
        ax.scatter(part.real, part.supernet, s=5, alpha=0.5)
        ax.set(xlabel="NAS-Bench-201 accuracy (%)", ylabel="supernet accuracy (%), mean of seeds",
               title={"zc": "zero-cost architectures", "sample": "uniform sample"}[which])
    return fig


def ablation(frame: pd.DataFrame, ranking: pd.DataFrame, *, seed: int = 0):
    """``(table, diffs, glue)``: :func:`nascore.studies.supernet.ablation_table` with the
    largest and smallest child's accuracy per variant (where evaluated); the paired
    differences of :data:`DIFFERENCES` (:func:`nascore.studies.supernet.paired_difference`,
    sampled children); glued: ``sn_mean_acc_<variant>`` and ``sn_gain_<name>_<part>``."""
    table = study.ablation_table(frame, ranking)
    ends = frame[frame.arch.isin([kids.largest(), kids.smallest()])]
    if not ends.empty:
        ends = ends.assign(which=np.where(ends.arch == kids.largest(), "largest child", "smallest child"))
        table = table.join(ends.pivot_table(index="variant", columns="which", values="supernet_accuracy"))
    diffs = {name: study.paired_difference(frame, variant, base, which="sample", seed=seed)
             for name, (variant, base) in DIFFERENCES.items()}
    glue = {f"sn_mean_acc_{variant}": float(row["mean child accuracy"]) for variant, row in table.iterrows()}
    glue.update({f"sn_gain_{name}_{part}": float(d[part]) for name, d in diffs.items() for part in PARTS})
    return table, diffs, glue


def differences_table(diffs: dict) -> pd.DataFrame:
    """One row per paired difference: per seed, mean and interval."""
    return pd.DataFrame([{"comparison": f"full - {d['baseline']}", **{f"seed {k}": v for k, v in d["per_seed"].items()},
                          "mean": d["mean"], "low": d["low"], "high": d["high"]} for d in diffs.values()])


def retrain_glue(paired: pd.DataFrame, retrain: dict | None) -> dict:
    """``sn_alone_n`` and ``sn_alone_<mean|low|high>`` (NaN without stand-alone children) of
    :func:`nascore.studies.supernet.no_retraining`."""
    return {"sn_alone_n": int(len(paired)),
            **{f"sn_alone_{part}": float(retrain[part]) if retrain is not None else float("nan") for part in PARTS}}


def training_free_comparison(frame: pd.DataFrame, ranking: pd.DataFrame, *, n_boot: int, seed: int = 0):
    """``(comparison, glue)``: :func:`nascore.studies.supernet.training_free_table` on both
    sets of children, with the supernets' Kendall tau (mean of seeds) below, shown as
    "tau [low, high], n=" by method and set; glued: ``sn_free_tau_<score>_<set>``."""
    free = pd.concat([study.training_free_table(frame, which=which, n_boot=n_boot, seed=seed) for which in study.SETS],
                     ignore_index=True)
    ws = ranking[(ranking.method == "kendall") & (ranking.supernet_seed.astype(str) == "mean")]
    comparison = pd.concat([free, ws.assign(method="supernet (" + ws.variant + ")")[list(free.columns)]],
                           ignore_index=True)
    glue = {f"sn_free_tau_{r.method}_{r.set}": float(r.value) for r in free.itertuples()}
    shown = comparison.assign(cell=_cells(comparison, with_n=True)).pivot_table(
        index="method", columns="set", values="cell", aggfunc="first")
    return shown, glue


def search_key(method: str) -> str:
    """A method's name as a glue key: its lower-case letters and digits, runs joined by ``_``.

    >>> search_key("Random (queries)"), search_key("Supernet + evolution")
    ('random_queries', 'supernet_evolution')
    """
    return "_".join(re.findall(r"[a-z0-9]+", method.lower()))


def query_basis_text(queries: int, *, fixed: bool) -> str:
    """How the query-based methods' budget was set, for the chapter's prose.

    >>> query_basis_text(12, fixed=False)
    'as many NAS-Bench-201 queries as that buys (12)'
    >>> query_basis_text(10, fixed=True)
    "a fixed budget of 10 NAS-Bench-201 queries (quick mode: a tiny supernet's timed cost means nothing)"
    """
    if fixed:
        return (f"a fixed budget of {int(queries)} NAS-Bench-201 queries "
                "(quick mode: a tiny supernet's timed cost means nothing)")
    return f"as many NAS-Bench-201 queries as that buys ({int(queries)})"


def search_glue(summary: pd.DataFrame, queries: int, *, fixed: bool = False) -> dict:
    """``sn_queries``, ``sn_query_basis`` (:func:`query_basis_text`), ``sn_search_<key>`` and
    ``sn_search_test_<key>`` (validation and test means of
    :func:`nascore.studies.supernet_search.search_summary`) and ``sn_zc_optimum``, the best
    validation accuracy of the zero-cost architectures.  ``fixed``: the query budget was
    fixed rather than bought with the supernet's cost."""
    out = {"sn_queries": int(queries), "sn_query_basis": query_basis_text(queries, fixed=fixed)}
    for method, row in summary.iterrows():
        out.update({f"sn_search_{search_key(method)}": float(row["validation mean"]),
                    f"sn_search_test_{search_key(method)}": float(row["test mean"])})
    out["sn_zc_optimum"] = float(bench.load("nb201-zc", "cifar10").val_accuracy.max())
    return out


def curve_glue(curve: pd.DataFrame) -> dict:
    """``sn_curve_budgets`` (the finished budgets, "none yet"), ``sn_curve_sign``
    (:func:`nascore.studies.supernet_curve.sign_change`) and ``sn_curve_signs_<variant>``
    (:func:`nascore.studies.supernet_curve.interval_signs`) of the curve's two variants."""
    finished = curve[curve.finished.astype(bool)] if len(curve) else curve
    return {"sn_curve_budgets": ", ".join(f"{e} epochs" for e in sorted(set(finished.epochs))) or "none yet",
            "sn_curve_sign": supernet_curve.sign_change(curve),
            **{f"sn_curve_signs_{v}": supernet_curve.interval_signs(curve, v)
               for v in (supernet_curve.WITH, supernet_curve.WITHOUT)}}


def curve_figure(curve: pd.DataFrame):
    """Kendall's tau with NB201 accuracy against the training budget, one line per variant."""
    fig, ax = plots.figure(plots.COLUMN)
    for variant, part in curve.groupby("variant"):
        ax.errorbar(part.epochs, part.tau, yerr=[part.tau - part.low, part.high - part.tau], marker="o",
                    capsize=3, label=variant)
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("training epochs (whole schedule)")
    ax.set_ylabel("Kendall tau with NB201 accuracy")
    ax.legend(frameon=False)
    return fig
