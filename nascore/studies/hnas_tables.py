"""The HNAS chapter's tables and the values it glues (a part of its study,
``notebooks/50_hnas.ipynb``).

Each ``*_values`` function turns a frame the chapter computed into ``{glue name: value}``,
the numbers its prose prints (the names the book's regression file
``tests/glued_quick.json`` pins); each ``*_view`` function is a table as the chapter shows
it, intervals written out as text. The searches themselves are
:mod:`nascore.studies.hnas_runs`; the claims :mod:`nascore.studies.hnas_claims`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import papers, stats
from ..analysis.hnas_official import OFFICIAL_BUDGET, chance_among_largest_m, official_coverage_text

#: The methods' names in glued values (``hnas_acc_cifar10_<key>_mean``).
METHOD_KEYS = {"random": "random", "evolution": "evolution", "BO": "bo", "training-free": "training_free",
               "kappa/M": "kappa_m", "HNAS": "hnas", "HNAS pool 2000": "hnas2000"}
#: The ablation's variants and their names in glued values (``hnas_ablation_cifar10_<key>``).
ABLATION_KEYS = {"full (paper)": "full", "|M^2 - C^2| only": "first", "full, scale = max M": "scaled"}
#: HNAS's NB201 code sets the target ``C = t * 5000``.
OFFICIAL_SCALE = 5e3
#: The point of the grid the prose reads: HNAS's initial ``mu = 10**-2`` at ``t = 0`` and ``t = 1``.
PROBE_LOG_MU = -2.0
#: The condition-number kernels compared in "what flips the verdict": label and batch.
KAPPA_KERNELS = {"tenas_condition": ("TE-NAS: exact, summed logits, weights", 72),
                 "hnas_kappa": ("HNAS: batch decomposition, true class", 64)}
#: The batch study keeps the statistics read here, at batches of at least this many architectures.
BATCH_STATISTICS = ("hnas_kappa", "ntk_trace")
MIN_BATCH_ARCHS = 10


def intervals(mean, low, high, spec: str = ".2f") -> list:
    """``"mean [low, high]"`` for each triple, each number formatted with ``spec``.

    >>> intervals([1.0], [0.5], [2.25], "+.2f")
    ['+1.00 [+0.50, +2.25]']
    """
    return [f"{m:{spec}} [{lo:{spec}}, {hi:{spec}}]" for m, lo, hi in zip(mean, low, high)]


# ----------------------------------------------------------------------------- the statistics and the objective
def ntk_values(cifar: pd.DataFrame) -> dict:
    """How many architectures have HNAS's statistics (and TE-NAS's), ``M``'s range, median ``kappa``."""
    return {"hnas_ntk_archs": int(len(cifar)), "hnas_tenas_archs": int(cifar.tenas_condition.notna().sum()),
            "hnas_m_max": float(cifar.ntk_trace.max()), "hnas_m_min": float(cifar.ntk_trace.min()),
            "hnas_kappa_median": float(cifar.hnas_kappa.median())}


def unification_values(unification: pd.DataFrame) -> dict:
    """``hnas_rho_trace_<score>_<dataset>_<value|low|high>`` of each row."""
    return {f"hnas_rho_trace_{row.score}_{row.dataset}_{part}": float(getattr(row, part))
            for row in unification.itertuples() for part in ("value", "low", "high")}


def term_values(terms: pd.DataFrame) -> dict:
    """``hnas_rho_acc_<score>_<dataset>``: each ingredient's rho with accuracy."""
    return {f"hnas_rho_acc_{row.score}_{row.dataset}": float(row.value) for row in terms.itertuples()}


def by_dataset(table: pd.DataFrame, datasets) -> pd.DataFrame:
    """Score x dataset, each cell ``"rho [low, high]"`` (three decimals)."""
    cells = table.assign(**{"rho [95% interval]": intervals(table.value, table.low, table.high, ".3f")})
    return cells.pivot(index="score", columns="dataset", values="rho [95% interval]")[list(datasets)]


def grid_axes():
    """The objective grid's ``t`` (0, then 33 values from 1e-4 to 1, geometric) and
    ``log10 mu`` (-4 to 0 by 0.5)."""
    return np.concatenate([[0.0], np.geomspace(1e-4, 1.0, 33)]), np.linspace(-4.0, 0.0, 9)


def grid_values(grid: pd.DataFrame) -> dict:
    """The grid's best rho and the ``C`` where it is (``t`` times :data:`OFFICIAL_SCALE`),
    and rho at ``mu = 10**PROBE_LOG_MU`` for ``t = 0`` and ``t = 1``."""
    best_t, _ = grid.stack().idxmax()
    return {"hnas_grid_best_rho": float(grid.to_numpy().max()), "hnas_grid_best_c": float(best_t * OFFICIAL_SCALE),
            "hnas_grid_rho_t0": float(grid.loc[0.0, PROBE_LOG_MU]),
            "hnas_grid_rho_t1": float(grid.loc[1.0, PROBE_LOG_MU])}


# ----------------------------------------------------------------------------- the searches
def budget_values(at_budget: pd.DataFrame, budget: int) -> dict:
    """``hnas_acc_<dataset>_<method key>_<mean|low|high>`` after ``budget`` queries."""
    return {f"hnas_acc_{row.benchmark}_{METHOD_KEYS[row.method]}_{part}": float(getattr(row, part))
            for row in at_budget[at_budget.queries == budget].itertuples() for part in ("mean", "low", "high")}


def budget_view(at_budget: pd.DataFrame, methods, datasets) -> pd.DataFrame:
    """(dataset, queries) x method, each cell ``"mean [low, high]"``."""
    cells = at_budget.assign(cell=intervals(at_budget["mean"], at_budget.low, at_budget.high))
    return cells.pivot(index=["benchmark", "queries"], columns="method", values="cell")[list(methods)] \
        .reindex(list(datasets), level=0)


def gain_values(gains: pd.DataFrame, prefix: str = "hnas_gain") -> dict:
    """``<prefix>_<dataset>_<baseline key>``: HNAS's mean paired gain over each baseline."""
    return {f"{prefix}_{row.dataset}_{METHOD_KEYS[row.baseline]}": float(row.gain) for row in gains.itertuples()}


def gain_view(gains: pd.DataFrame, datasets) -> pd.DataFrame:
    """Baseline x dataset, each cell HNAS's signed gain ``"+g [+low, +high]"``."""
    column = "HNAS minus baseline [95% interval]"
    cells = gains.assign(**{column: intervals(gains.gain, gains.low, gains.high, "+.2f")})
    return cells.pivot(index="baseline", columns="dataset", values=column)[list(datasets)]


def method_view(table: pd.DataFrame, datasets, order=None) -> pd.DataFrame:
    """Method x dataset of a :func:`nascore.studies.hnas.budget_table` at one budget, each
    cell ``"mean [low, high]"``, methods in ``order`` (else sorted)."""
    cells = table.assign(cell=intervals(table["mean"], table.low, table.high))
    view = cells.pivot(index="method", columns="benchmark", values="cell")
    return (view.reindex(list(order)) if order is not None else view)[list(datasets)]


def ablation_values(table: pd.DataFrame) -> dict:
    """``hnas_ablation_<dataset>_<variant key>``: each variant's mean (:data:`ABLATION_KEYS`)."""
    return {f"hnas_ablation_{row.benchmark}_{ABLATION_KEYS[row.method]}": float(row.mean)
            for row in table.itertuples()}


def uniform_values(at: pd.DataFrame, gains: pd.DataFrame, *, n_archs: int, pool: int) -> dict:
    """The uniform sample's size and HNAS pool, each method's mean and HNAS's gains as text."""
    values = {"hnas_uniform_archs": int(n_archs), "hnas_uniform_pool": int(pool)}
    values.update({f"hnas_uniform_acc_{r.benchmark}_{METHOD_KEYS[r.method]}": float(r.mean) for r in at.itertuples()})
    text = intervals(gains.gain, gains.low, gains.high, "+.2f")
    values.update({f"hnas_uniform_gain_{r.dataset}_{METHOD_KEYS[r.baseline]}": t
                   for r, t in zip(gains.itertuples(), text)})
    return values


def official_values(summary: pd.DataFrame, cover: dict, method: str = "HNAS") -> dict:
    """The official search's coverage (numbers and, ``hnas_official_cover``, in words:
    :func:`nascore.analysis.hnas_official.official_coverage_text`), the paper's numbers and
    ``method``'s picks as ``"mean ± std"``."""
    values = {"hnas_official_archs": int(cover["archs"]), "hnas_official_pool": int(cover["pool"]),
              "hnas_official_cover": official_coverage_text(cover),
              "hnas_official_paper": papers.paper_values("hnas")}
    values.update({f"hnas_official_test_{r.dataset}": f"{r.mean:.2f} ± {r.std:.2f}"
                   for r in summary[summary.method == method].itertuples()})
    return values


def official_m_values(frame: pd.DataFrame) -> dict:
    """``hnas_official_m_chance``: how many of the largest-M cells that selection by M
    queries score chance (:func:`nascore.analysis.hnas_official.chance_among_largest_m`),
    and ``hnas_official_m_queries``, how many it queries."""
    return {"hnas_official_m_chance": chance_among_largest_m(frame, OFFICIAL_BUDGET),
            "hnas_official_m_queries": OFFICIAL_BUDGET}


def official_view(summary: pd.DataFrame, methods, datasets) -> pd.DataFrame:
    """Method x dataset, each cell ``"mean ± std [low, high]"``."""
    cells = summary.assign(cell=[f"{m:.2f} ± {s:.2f} [{lo:.2f}, {hi:.2f}]" for m, s, lo, hi in
                                 zip(summary["mean"], summary["std"], summary.low, summary.high)])
    return cells.pivot(index="method", columns="dataset", values="cell").reindex(list(methods))[list(datasets)]


# ----------------------------------------------------------------------------- what flips the verdict
def flip_values(flip: pd.DataFrame) -> dict:
    """``hnas_flip_<row>``: each row's gain as ``"+g [+low, +high]"``."""
    return {f"hnas_flip_{i}": t for i, t in zip(flip.index, intervals(flip.gain, flip.low, flip.high, "+.2f"))}


def flip_view(flip: pd.DataFrame) -> pd.DataFrame:
    column = "HNAS minus baseline [95% interval]"
    return flip.assign(**{column: intervals(flip.gain, flip.low, flip.high, "+.2f")}) \
        [["setting", "batch", "convention", "data", "pool", "baseline", column, "interval"]]


def kappa_flip_table(tenas: pd.DataFrame, mnist_frame: pd.DataFrame, *, n_boot: int, seed: int) -> pd.DataFrame:
    """Spearman's rho of ``-kappa`` with accuracy under each kernel: TE-NAS's and HNAS's on
    CIFAR-10 (``tenas``: :func:`nascore.studies.hnas_claims.kappa_table`), and the exact
    true-class kernel of the MNIST batch of 10 (stand-in data), each with kernel, batch, data."""
    mnist = stats.correlation_table(mnist_frame.dropna(subset=["ntk_condition"]), ["ntk_condition"], "val_accuracy",
                                    n_boot=n_boot, seed=seed, sign={"ntk_condition": -1})
    return pd.concat([
        tenas.assign(kernel=tenas.score.map({k: v[0] for k, v in KAPPA_KERNELS.items()}),
                     batch=tenas.score.map({k: v[1] for k, v in KAPPA_KERNELS.items()}), data="CIFAR-10"),
        mnist.assign(kernel="exact, true class", batch=10, data="MNIST 32x32 (stand-in)"),
    ], ignore_index=True)


def kappa_flip_values(kappa_flip: pd.DataFrame) -> dict:
    """``hnas_kappa_flip_<batch>``: rho as ``"v [low, high]"`` (two decimals)."""
    return {f"hnas_kappa_flip_{b}": t for b, t in
            zip(kappa_flip.batch, intervals(kappa_flip.value, kappa_flip.low, kappa_flip.high))}


def kappa_flip_view(kappa_flip: pd.DataFrame) -> pd.DataFrame:
    column = "rho(-kappa, acc) [95%]"
    return kappa_flip.assign(**{column: intervals(kappa_flip.value, kappa_flip.low, kappa_flip.high, ".3f")}) \
        [["kernel", "batch", "data", "n", column]]


def batch_table(by_batch: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`nascore.analysis.cifar_ntk_init.batch_study` for
    :data:`BATCH_STATISTICS` at batches with at least :data:`MIN_BATCH_ARCHS` architectures,
    correlations with accuracy read as ``-kappa`` (higher is better) for ``hnas_kappa``."""
    rows = by_batch[by_batch.statistic.isin(BATCH_STATISTICS) & (by_batch.archs >= MIN_BATCH_ARCHS)].copy()
    sign = np.where(rows.statistic == "hnas_kappa", -1.0, 1.0)
    rows["rho_vs_accuracy"] *= sign
    rows["largest_rho_vs_accuracy"] *= sign
    return rows


def batch_values(rows: pd.DataFrame) -> dict:
    """Per batch of ``hnas_kappa``: rho with batch 64's ranking, with accuracy, and batch 64's with accuracy."""
    values = {}
    for r in rows[rows.statistic == "hnas_kappa"].itertuples():
        values[f"hnas_kappa_batch_{r.batch}_vs_64"] = float(r.rho_vs_largest)
        values[f"hnas_kappa_batch_{r.batch}_acc"] = float(r.rho_vs_accuracy)
        values[f"hnas_kappa_batch_{r.batch}_acc_at_64"] = float(r.largest_rho_vs_accuracy)
    return values
