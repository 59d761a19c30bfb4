"""The Zhu et al. chapter's tables and the values it glues (a part of its study,
``notebooks/40_zhu.ipynb``).

Each ``*_summary`` function turns a frame of :mod:`nascore.studies.zhu` into the table the
chapter shows and ``{glue name: value}``, the numbers its prose prints (the same names the
book's regression file ``tests/glued_quick.json`` pins); :mod:`nascore.studies.zhu_claims`
builds the claim records from those values. The rules that decide something (which
architectures are bracketed, which cells a skip raises, which groups are large enough,
how many architectures a sampled search draws) are named functions with named constants.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import stats
from ..analysis import hnas_cifar
from ..bench import agreement
from . import zhu

#: Slack (absolute) allowed when checking lower <= exact <= upper: the quadrature of the
#: exact kernel and the series of the bounds agree to about 1e-12, far below it.
BRACKET_TOLERANCE = 1e-9
#: Skip patterns are compared on nets with at least this many hidden layers (with one, the
#: only skip pattern is no skip).
MIN_HIDDEN_FOR_SKIPS = 2
#: A group of architectures sharing a trait enters the within-group range of Kendall's tau
#: only with at least this many members (smaller groups give intervals spanning [-1, 1]).
MIN_GROUP = 10
#: The sampled search draws this many architectures per repeat (NASWOT's protocol), at most
#: half the scored set so that draws differ.
SEARCH_SAMPLE = 100
#: The correlation methods of the search section.
METHODS = ("kendall", "spearman")


# ----------------------------------------------------------------------------- rules
def bracketed(br: pd.DataFrame, tol: float = BRACKET_TOLERANCE) -> pd.Series:
    """Per architecture of ``br``: both lower bounds at most ``exact + tol`` and ``exact`` at
    most ``upper + tol``."""
    return ((br.lower_layerwise <= br.exact + tol) & (br.lower_series <= br.exact + tol)
            & (br.exact <= br.upper + tol))


def skips_raise(wide: pd.DataFrame, quantity: str, pattern: str) -> int:
    """Cells of ``wide`` (:func:`skip_summary`'s table) where ``quantity`` with the skip
    ``pattern`` is strictly larger than without skips (a tie is not a raise)."""
    return int((wide[(quantity, pattern)] > wide[(quantity, "none")]).sum())


def large_groups(within: pd.DataFrame, min_size: int = MIN_GROUP) -> pd.DataFrame:
    """The rows of ``within`` (:func:`structure_summary`) with at least ``min_size`` architectures."""
    return within[within.n >= min_size]


def search_sample_size(n_archs: int, sample: int = SEARCH_SAMPLE) -> int:
    """Architectures drawn per repeat of the sampled search: ``sample``, at most half of the
    ``n_archs`` scored (``min(sample, n_archs // 2)``)."""
    return min(int(sample), int(n_archs) // 2)


# ----------------------------------------------------------------------------- sections 1-4: theory
def hermite_summary(herm: pd.DataFrame):
    """``(mu table: activation x order, glued values)`` of :func:`zhu.hermite_table`."""
    mu = herm.pivot(index="activation", columns="r", values="mu")
    return mu, {"zhu_mu2_relu": float(mu.loc["relu", 2]), "zhu_mu1_tanh": float(mu.loc["tanh", 1]),
                "zhu_mu2_tanh": float(abs(mu.loc["tanh", 2])), "zhu_mu3_relu": float(abs(mu.loc["relu", 3]))}


def bracket_summary(br: pd.DataFrame, *, n_boot: int, seed: int) -> dict:
    """How many of ``br``'s architectures are :func:`bracketed`, the median ratio of each
    bound to the exact value, and Kendall's tau of the Proposition 3 bound with it."""
    tau = stats.kendall(br.lower_series, br.exact, n_boot=n_boot, seed=seed)
    return {"zhu_bracket_n": int(len(br)), "zhu_bracket_inside": int(bracketed(br).sum()),
            "zhu_ratio_series": float(np.median(br.lower_series / br.exact)),
            "zhu_ratio_layerwise": float(np.median(br.lower_layerwise / br.exact)),
            "zhu_ratio_upper": float(np.median(br.upper / br.exact)),
            "zhu_tau_bound_exact": float(tau.value)}


def width_summary(ws: pd.DataFrame, n_seeds: int):
    """``(mean relative error |empirical - infinite| / infinite per width, glued values)``."""
    err = ((ws.lambda_min - ws.infinite).abs() / ws.infinite).groupby(ws.width).mean().rename("rel_error")
    return err, {"zhu_width_seeds": int(n_seeds), "zhu_width_small": int(err.index.min()),
                 "zhu_width_large": int(err.index.max()), "zhu_width_err_small": float(err.iloc[0]),
                 "zhu_width_err_large": float(err.iloc[-1])}


def skip_summary(ds: pd.DataFrame):
    """``(bounds and exact value per (activation, hidden layers) x pattern, glued values)``:
    the cells with at least :data:`MIN_HIDDEN_FOR_SKIPS` hidden layers where each skip
    pattern raises each quantity (:func:`skips_raise`), and the median gain of the exact
    value with adjacent skips."""
    wide = ds[ds.hidden_layers >= MIN_HIDDEN_FOR_SKIPS].pivot_table(
        index=["activation", "hidden_layers"], columns="pattern", values=["lower_series", "lower_layerwise", "exact"])
    values = {f"zhu_skip_{pattern}_{q}": skips_raise(wide, q, pattern)
              for q in ("lower_series", "lower_layerwise", "exact") for pattern in ("resnet", "dense")}
    values["zhu_skip_cells"] = int(len(wide))
    values["zhu_skip_gain_median"] = float((wide[("exact", "resnet")] / wide[("exact", "none")]).median())
    return wide, values


def first_layer_order(fc: pd.DataFrame) -> list:
    """First-layer activations of ``fc`` by their median Proposition 3 bound, smallest first."""
    return fc.groupby("first").lower_series.median().sort_values().index.tolist()


def mix_summary(fc: pd.DataFrame):
    """``(min / median / max bound per first activation, glued values)``: the share of the
    variance of the log bound that the first layer's activation explains (one minus the
    within-group variance over the total), and the best and worst first activations."""
    order = first_layer_order(fc)
    log_bound = np.log(fc.lower_series)
    within = log_bound - log_bound.groupby(fc["first"]).transform("mean")
    table = fc.groupby("first").lower_series.describe()[["min", "50%", "max"]].loc[order]
    return table, {"zhu_mix_first_r2": float(1 - within.var() / log_bound.var()),
                   "zhu_mix_best": str(order[-1]), "zhu_mix_worst": str(order[0])}


def with_generalization(ds: pd.DataFrame, n_points: int) -> pd.DataFrame:
    """``ds`` with ``gen_exact`` and ``gen_lower``: :func:`zhu.with_generalization` of the
    exact value and of the Proposition 3 bound."""
    return ds.assign(gen_exact=zhu.with_generalization(ds, "exact", n_points),
                     gen_lower=zhu.with_generalization(ds, "lower_series", n_points))


def generalization_summary(ds: pd.DataFrame, hidden_layers):
    """``(bound on the exact value per (activation, depth) x pattern, glued values)`` at the
    shallowest and deepest depth of the sweep (depth = hidden layers + 1)."""
    gen = ds.pivot_table(index=["activation", "depth"], columns="pattern", values="gen_exact")
    shallow, deep = min(hidden_layers) + 1, max(hidden_layers) + 1
    return gen, {"zhu_gen_relu_none_shallow": float(gen.loc[("relu", shallow), "none"]),
                 "zhu_gen_relu_none_deep": float(gen.loc[("relu", deep), "none"]),
                 "zhu_gen_sigmoid_none_deep": float(gen.loc[("sigmoid", deep), "none"]),
                 "zhu_gen_sigmoid_dense_deep": float(gen.loc[("sigmoid", deep), "dense"]),
                 "zhu_depth_deep": int(deep)}


# ----------------------------------------------------------------------------- section 5: the trained table
def scored_frame(table: pd.DataFrame, X, y, *, n_archs=None, metric_seeds=(0,), seed: int = 0) -> pd.DataFrame:
    """``n_archs`` architectures of the trained ``table`` (all when None; drawn with
    ``seed``), their accuracy averaged over the table's seeds, :func:`zhu.score_architectures`
    on ``(X, y)`` at the table's width and :func:`zhu.structure`."""
    truth = table.groupby("arch", as_index=False).agg(accuracy=("acc_final", "mean"))
    truth = truth.sample(n=min(n_archs or len(truth), len(truth)), random_state=seed)
    scores = zhu.score_architectures(truth.arch, X, y, width=int(table["width"].iloc[0]), num_classes=10,
                                     seeds=metric_seeds)
    frame = truth.merge(scores, on="arch").reset_index(drop=True)
    return frame.merge(zhu.structure(frame.arch), on="arch")


def table_summary(table: pd.DataFrame, frame: pd.DataFrame, X) -> dict:
    """Sizes of the trained table and of the scored ``frame``, the table's seed-to-seed
    agreement (the noise ceiling) and the RMS norm of the scoring batch ``X``."""
    return {"zhu_n_batch": int(len(X)), "zhu_gt_n": int(len(frame)), "zhu_gt_total": int(table.arch.nunique()),
            "zhu_gt_seeds": int(table.seed.nunique()), "zhu_gt_ceiling": float(agreement.seed_agreement(table)),
            "zhu_gt_rms": float(zhu.rms_norm(X))}


def correlations(frame: pd.DataFrame, columns, *, n_boot: int, seed: int) -> pd.DataFrame:
    """Kendall and Spearman correlation (bootstrap intervals) of each score in ``columns``
    with ``accuracy``, each oriented "higher is better" (:data:`zhu.SCORES`)."""
    sign = {c: (1 if zhu.SCORES[c] else -1) for c in columns}
    return pd.concat([stats.correlation_table(frame, columns, "accuracy", method=m, n_boot=n_boot, seed=seed,
                                              sign=sign) for m in METHODS], ignore_index=True)


def correlation_values(corr: pd.DataFrame) -> dict:
    """``zhu_<method>_<score>`` and its ``_low`` / ``_high`` ends, for every row of ``corr``."""
    return {f"zhu_{row.method}_{row.score}{part}": float(v) for row in corr.itertuples()
            for part, v in (("", row.value), ("_low", row.low), ("_high", row.high))}


def structure_summary(frame: pd.DataFrame, *, n_boot: int, seed: int):
    """``(Kendall tau of the Proposition 3 score inside groups sharing n_skips or n_sigmoid,
    glued values)``: the hindsight rule "skips minus sigmoid layers" against accuracy, and
    the range of tau over the :func:`large_groups`."""
    rule = stats.kendall(frame.n_skips - frame.n_sigmoid, frame.accuracy, n_boot=n_boot, seed=seed)
    within = pd.concat([zhu.kendall_within(frame, "theory_series", by, n_boot=n_boot, seed=seed)
                        .rename(columns={by: "group"}).assign(by=by) for by in ("n_skips", "n_sigmoid")],
                       ignore_index=True)
    big = large_groups(within)
    return within, {"zhu_kendall_rule": float(rule.value), "zhu_within_min": float(big.tau.min()),
                    "zhu_within_max": float(big.tau.max()), "zhu_within_groups": int(len(big))}


def pick_values(chosen: pd.DataFrame) -> dict:
    """The accuracy and percentile of each score's pick (:func:`zhu.picks`), the best and median."""
    values = {}
    for row in chosen.itertuples():
        values[f"zhu_pick_{row.score}"] = float(row.picked)
        values[f"zhu_pick_pct_{row.score}"] = float(row.percentile)
    return {**values, "zhu_best": float(chosen.best.iloc[0]), "zhu_median": float(chosen["median"].iloc[0])}


def search_summary(search: pd.DataFrame, *, seed: int):
    """``(mean and std of the picks' accuracy per score, glued values)`` of
    :func:`zhu.sampled_search`: each score's mean pick (:func:`nascore.stats.mean_ci`)."""
    summary = search.groupby("score", sort=False).accuracy.agg(["mean", "std"])
    return summary, {f"zhu_search_{name}": float(stats.mean_ci(search[search.score == name].accuracy, seed=seed)[0])
                     for name in summary.index}


# ----------------------------------------------------------------------------- section 5b: EigenNAS on NB201
def eigennas_values(eigen: pd.DataFrame) -> dict:
    """The leaderboard's numbers, the CPU batch, and per kernel and dataset (ImageNet16-120
    has none) the pick's validation and test accuracy, percentile, rho and size as text;
    a kernel that was not run reads "(not computed)" / "-" / "0"
    (``eigen``: :func:`nascore.analysis.hnas_cifar.eigennas_table`)."""
    values = {f"zhu_lb_{d}": f"{v:.2f}" for d, v in hnas_cifar.EIGENNAS_LEADERBOARD.items()}
    values["zhu_cpu_batch"] = hnas_cifar.ZHU_CPU_BATCH
    for row in eigen[eigen.dataset != "ImageNet16-120"].itertuples():
        key, ran = f"zhu_eigen_{row.dataset}_{row.key}", row.status == "run"
        values[f"{key}_acc"] = f"{row.accuracy:.2f} %" if ran else "(not computed)"
        values[f"{key}_test"] = f"{row.pick_test:.2f} %" if ran else "(not computed)"
        values[f"{key}_pct"] = f"{100 * row.percentile:.0f}" if ran else "-"
        values[f"{key}_rho"] = f"{row.rho:.2f} [{row.rho_low:.2f}, {row.rho_high:.2f}]" if ran else "-"
        values[f"{key}_n"] = f"{int(row.n)}" if ran else "0"
    return values


def eigennas_view(eigen: pd.DataFrame) -> pd.DataFrame:
    """The EigenNAS table as the chapter shows it (rounded, the interval as text)."""
    view = eigen.assign(**{
        "selected (val %)": eigen.accuracy.round(2), "selected (test %)": eigen.pick_test.round(2),
        "percentile": (100 * eigen.percentile).round(0),
        "rho(lambda_min, acc) [95%]": [f"{v:.2f} [{lo:.2f}, {hi:.2f}]" if s == "run" else ""
                                       for v, lo, hi, s in zip(eigen.rho, eigen.rho_low, eigen.rho_high, eigen.status)],
        "leaderboard (test %, secondary)": eigen.leaderboard_test})
    return view[["dataset", "lambda_min", "status", "n", "selected (val %)", "selected (test %)", "optimum",
                 "percentile", "rho(lambda_min, acc) [95%]", "leaderboard (test %, secondary)"]]


# ----------------------------------------------------------------------------- section 5c: the uniform sample
def uniform_values(table: pd.DataFrame) -> dict:
    """The values section 5c glues from :func:`nascore.analysis.eigennas_uniform.selection_table`:
    ``zhu_uni_n`` (cells of the uniform sample), ``zhu_uni_repeats``, ``zhu_uni_ns`` (the N
    that rest on enough cells, as text, or "none"), and per N, method (``lam``, ``rand``) and
    dataset the pick's "mean ± std" text ("not attempted" where the N was not run)."""
    run = sorted(set(table[table.status == "run"].N))
    values = {"zhu_uni_n": int(table.n_cells.iloc[0]), "zhu_uni_repeats": int(table.repeats.iloc[0]),
              "zhu_uni_ns": ", ".join(f"N = {n}" for n in run) or "none"}
    short = {"largest lambda_min": "lam", "random pick": "rand"}
    for r in table.itertuples():
        values[f"zhu_uni_{r.N}_{short[r.method]}_{r.dataset}"] = (
            f"{r.mean:.2f} ± {r.std:.2f} %" if r.status == "run" else "not attempted")
    return values


def uniform_view(table: pd.DataFrame) -> pd.DataFrame:
    """The selection table as section 5c shows it: one row per N and method, per dataset
    "mean ± std [95 % interval of the mean]" (or the status), and the paper's row."""
    cell = [f"{r.mean:.2f} ± {r.std:.2f} [{r.low:.2f}, {r.high:.2f}]" if r.status == "run" else r.status
            for r in table.itertuples()]
    wide = table.assign(cell=cell).pivot_table(index=["N", "method"], columns="dataset", values="cell",
                                               aggfunc="first", sort=False)
    paper = table.drop_duplicates("dataset").set_index("dataset").paper.map("{:.2f}".format)
    wide.loc[("-", "EigenNAS (leaderboard, secondary)"), :] = paper
    return wide[list(dict.fromkeys(table.dataset))].rename_axis(columns=None)
