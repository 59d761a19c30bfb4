"""The LGA chapter's conv-table analyses: NTK metrics along training, the kernel's motion and
search at equal training cost (a part of its study).

- :func:`dead_networks`: how many networks have a degenerate LGA of 1 at init;
- :func:`conv_curves`, :func:`curves_figure`, :func:`curves_glue`: Kendall's tau with final
  accuracy of each metric after 0, 1, 2, 5 epochs, beside the accuracy after as many;
- :func:`nb201_init`: the NB201 NTK table's at-init metrics against CIFAR-10 accuracy;
- :func:`kernel_motion`, :func:`kernel_distance_figure`: how far the kernel moves;
- :func:`search_methods`, :func:`search_figure`, :func:`search_glue`: proxies and random
  search at an equal budget of training epochs (:func:`nascore.studies.lga.search_curves`).
"""
from __future__ import annotations

import pandas as pd

from .. import plots, stats
from ..analysis import epochs as over_epochs
from . import lga

#: The metrics measured along training on the conv table (``lga`` guarded, ``lga_raw`` not).
NTK_METRICS = ("ntk_trace", "ntk_condition", "ntk_lambda_min", "ntk_frobenius", "ntk_mean", "lga")
#: Epochs after which the conv table was probed (0: at initialisation), and the trained ones.
EPOCHS = (0, 1, 2, 5)
TRAINED_EPOCHS = (1, 2, 5)
#: The NB201 NTK table's columns ranked against CIFAR-10 accuracy at init.
NB201_COLUMNS = ("ntk_trace", "ntk_condition", "ntk_lambda_min", "nwot", "params")
#: Search budgets in training epochs (quick / full), and the one the prose and claim read.
BUDGETS_QUICK = (12, 24, 48, 96, 192)
BUDGETS_FULL = BUDGETS_QUICK + (384,)
REFERENCE_BUDGET = 48.0


def dead_networks(frame: pd.DataFrame, *, tol: float = 1e-9) -> int:
    """Networks whose raw LGA at init is 1 within ``tol`` (an output that ignores the input:
    :func:`nascore.studies.lga.guard_degenerate_lga`)."""
    return int((frame.lga_raw_e0 >= 1 - tol).sum())


def conv_curves(conv_mean: pd.DataFrame, *, n_boot: int, seed: int = 0):
    """``(curves, both)``: :func:`nascore.analysis.epochs.correlations_over_epochs` of
    :data:`NTK_METRICS`, the raw LGA and NASWOT over :data:`EPOCHS`, and the same stacked
    with the accuracy after :data:`TRAINED_EPOCHS`."""
    curves = over_epochs.correlations_over_epochs(conv_mean, list(NTK_METRICS) + ["lga_raw", "naswot"], EPOCHS,
                                                  n_boot=n_boot, seed=seed)
    acc = over_epochs.correlations_over_epochs(conv_mean, ["acc"], TRAINED_EPOCHS, n_boot=n_boot, seed=seed)
    return curves, pd.concat([curves, acc], ignore_index=True)


def curves_glue(both: pd.DataFrame) -> dict:
    """``lga_tau_<metric>_e<epoch>`` and its ``_low`` / ``_high`` for every row."""
    out = {}
    for r in both.itertuples():
        key = f"lga_tau_{r.metric}_e{r.epoch}"
        out.update({key: float(r.value), key + "_low": float(r.low), key + "_high": float(r.high)})
    return out


def curves_figure(both: pd.DataFrame, ceiling: float):
    """Kendall's tau with final accuracy against epochs, LGA in black, the seeds' ceiling dotted."""
    fig, ax = plots.figure((4.6, 3.2))
    for i, (metric, part) in enumerate(both.groupby("metric", sort=False)):
        style = dict(lw=2.0, color="k") if metric == "lga" else dict(lw=1.0, color=f"C{i}")
        ax.errorbar(part.epoch + 0.04 * (i - 3), part.value, yerr=[part.value - part.low, part.high - part.value],
                    marker="o", ms=3, capsize=2, label={"acc": "accuracy after k epochs"}.get(metric, metric), **style)
    ax.axhline(ceiling, color="0.5", ls=":", lw=1)
    ax.axhline(0, color="0.7", lw=0.6)
    ax.set_xticks(EPOCHS)
    ax.set_xlabel("epochs of training before measuring")
    ax.set_ylabel("Kendall tau with final accuracy")
    ax.legend(ncol=2, fontsize=6)
    return fig


def nb201_init(table: pd.DataFrame, *, n_boot: int, seed: int = 0) -> pd.DataFrame:
    """Kendall's tau (bootstrap interval) with ``val_accuracy`` of each :data:`NB201_COLUMNS`,
    oriented by :func:`nascore.analysis.epochs.direction`: ``metric, Kendall tau, low, high, n``."""
    rows = []
    for column in NB201_COLUMNS:
        r = stats.kendall(over_epochs.direction(column) * table[column].to_numpy(dtype=float), table.val_accuracy,
                          n_boot=n_boot, seed=seed)
        rows.append({"metric": column, "Kendall tau": r.value, "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def kernel_motion(conv_mean: pd.DataFrame, *, n_boot: int, seed: int = 0):
    """``(moved, glue)``: Kendall's tau of the kernel's relative distance from init after
    1, 2, 5 epochs with final accuracy; glued: the median distances, the share of networks
    moved by more than their initial norm after 5 epochs, and the tau after 5."""
    moved = over_epochs.correlations_over_epochs(conv_mean, ["kernel_distance"], TRAINED_EPOCHS, n_boot=n_boot,
                                                 seed=seed)
    glue = {f"lga_distance_median_e{e}": float(conv_mean[f"kernel_distance_e{e}"].median()) for e in TRAINED_EPOCHS}
    glue.update(lga_distance_share_above_1=float((conv_mean.kernel_distance_e5 > 1).mean()),
                lga_distance_tau_e5=float(moved.value.iloc[-1]))
    return moved, glue


def kernel_distance_figure(conv_mean: pd.DataFrame):
    """The kernel's relative distance from init by epoch, and after 5 epochs against accuracy."""
    distance = conv_mean[[f"kernel_distance_e{e}" for e in TRAINED_EPOCHS]]
    fig, axes = plots.figure(plots.WIDE, ncols=2)
    axes[0].boxplot([distance[c].dropna() for c in distance.columns], showfliers=False)
    axes[0].set_xticks([1, 2, 3], ["1", "2", "5"])
    axes[0].set_xlabel("epochs")
    axes[0].set_ylabel("relative kernel distance from init")
    axes[1].scatter(conv_mean.kernel_distance_e5, conv_mean.acc_final, s=6)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("relative kernel distance after 5 epochs")
    axes[1].set_ylabel("final accuracy")
    return fig


def search_methods(conv: pd.DataFrame, conv_mean: pd.DataFrame, epochs: int):
    """``(methods, truth, probe_cost)`` for :func:`nascore.studies.lga.search_curves`.

    Scores are seed 0's (LGA guarded), in ``conv_mean``'s order; the truth is the seeds'
    mean final accuracy. A probe costs ``probe_cost`` epochs (one probe's mean time, the
    table's four probes timed together, over one epoch's mean time); a method that trains
    ``k`` epochs before scoring pays ``k`` (+ a probe) per candidate and ``epochs - k`` to
    finish the pick, one at init a probe and ``epochs``; random search ``epochs`` per pick.
    """
    seed0 = lga.guard_degenerate_lga(conv[conv.seed == 0]).set_index("arch").loc[conv_mean.arch]
    probe = float((conv.seconds_probe / 4).mean() / (conv.seconds_train / epochs).mean())
    E = epochs
    methods = {
        "random search": (seed0.acc_final.to_numpy(), E, 0.0),
        "accuracy @1": (seed0.acc_e1.to_numpy(), 1.0, E - 1.0),
        "accuracy @2": (seed0.acc_e2.to_numpy(), 2.0, E - 2.0),
        "LGA @1": (seed0.lga_e1.to_numpy(), 1.0 + probe, E - 1.0),
        "LGA @2": (seed0.lga_e2.to_numpy(), 2.0 + probe, E - 2.0),
        "LGA @init": (seed0.lga_e0.to_numpy(), probe, float(E)),
        "raw LGA @1": (seed0.lga_raw_e1.to_numpy(), 1.0 + probe, E - 1.0),
        "NASWOT @init": (seed0.naswot_e0.to_numpy(), probe, float(E)),
        "-condition @init": (-seed0.ntk_condition_e0.to_numpy(), probe, float(E)),
    }
    return methods, conv_mean.acc_final.to_numpy(), probe


def search_figure(search: pd.DataFrame, best: float, budgets):
    """Mean final accuracy of the pick against the budget, per method (raw LGA left out: off
    the scale), the best architecture's accuracy dotted."""
    fig, ax = plots.figure((4.6, 3.0))
    shown = search[search.method != "raw LGA @1"]
    for i, (name, part) in enumerate(shown.groupby("method", sort=False)):
        ax.plot(part.budget, part["mean"], marker="o", ms=3, color=f"C{i}", label=name,
                lw=2 if name.startswith("LGA @1") else 1)
        ax.fill_between(part.budget, part.low, part.high, color=f"C{i}", alpha=0.15)
    ax.axhline(best, color="0.5", ls=":", lw=1)
    ax.set_xscale("log")
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.minorticks_off()
    ax.set_xlabel("search budget (training epochs)")
    ax.set_ylabel("final accuracy of the pick")
    ax.legend(ncol=2, fontsize=6)
    return fig


def search_glue(table: pd.DataFrame, best: float, budget: float = REFERENCE_BUDGET) -> dict:
    """``lga_search_<method>`` (spaces to ``_``, ``@`` to ``at``, ``-`` to ``neg``): each
    method's mean pick at ``budget`` from ``table`` (method x budget), the budget and the best
    accuracy."""
    out = {f"lga_search_{name.replace(' ', '_').replace('@', 'at').replace('-', 'neg')}": float(table.loc[name, budget])
           for name in table.index}
    return {**out, "lga_search_budget": int(budget), "lga_search_best": float(best)}
