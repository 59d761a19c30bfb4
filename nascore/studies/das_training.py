"""The DAS chapter's fast-training tables and its ratios to NASWOT (a part of its study).

- :func:`fast_training`: Kendall's tau with final accuracy of NASWOT, D and DAS_w after
  0, 1, 2 and 5 epochs on the conv table, beside the accuracy after as many epochs;
- :func:`fast_training_figure`, :func:`with_intervals`: its figure and its table;
- :func:`cifar_flip`: the same after one epoch on real CIFAR-10 (the data that would flip
  the verdict), beside the conv table's;
- :func:`ratio_table`: every ratio to NASWOT's tau the chapter reads, and its glue;
- :func:`nb101_shown`: the NB101 check's numbers as the prose shows them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import plots
from ..analysis import cifar_after_epoch, epochs as over_epochs
from ..tables.nb201_mnist5k import CONV_PROTOCOL
from ..training.probes import das_family
from . import das
from .das_claims import FAST_EPOCHS, ratio_readable

#: The epochs at which the conv table was probed (0: at initialisation).
PROBED_EPOCHS = (0,) + FAST_EPOCHS
#: The after-one-epoch CIFAR scores and how the chapter names them.
CIFAR_TERMS = {"naswot_after_1_epoch": "NASWOT", "das_units_after_1_epoch": "units",
               "das_distinguishing_after_1_epoch": "distinguishing"}


def fast_training(conv: pd.DataFrame, conv_mean: pd.DataFrame, n_conv: int, ratios, *, n_boot: int,
                  seed: int = 0) -> dict:
    """``{"w": the DAS weight, "fast": taus of naswot / D / das by epoch, "acc": taus of the
    accuracy after 1, 2, 5 epochs, "epoch_seconds": one epoch's mean training time}``.

    The weight is the median of the folds' choices of
    :func:`nascore.studies.das.das_weight_cv` on the conv table at init (``w = ratio
    n_conv``); taus by :func:`nascore.analysis.epochs.correlations_over_epochs`.
    """
    w = float(das.das_weight_cv(conv_mean.das_units_e0, conv_mean.das_distinguishing_e0, conv_mean.acc_final,
                                ratios * n_conv, n_conv, folds=2, seed=seed).weight.median())
    frame = conv_mean.copy()
    for e in PROBED_EPOCHS:
        frame[f"das_e{e}"] = das_family(frame[f"das_units_e{e}"], frame[f"das_distinguishing_e{e}"], w, n_conv)
        frame[f"D_e{e}"] = frame[f"das_distinguishing_e{e}"]
    fast = over_epochs.correlations_over_epochs(frame, ["naswot", "D", "das"], PROBED_EPOCHS, n_boot=n_boot,
                                                seed=seed)
    acc = over_epochs.correlations_over_epochs(frame, ["acc"], FAST_EPOCHS, n_boot=n_boot, seed=seed)
    return {"w": w, "fast": fast, "acc": acc,
            "epoch_seconds": float(conv.seconds_train.mean() / CONV_PROTOCOL.epochs)}


def fast_training_glue(result: dict, n_conv: int) -> dict:
    """The glued values of :func:`fast_training`: ``das_fast_<metric>_e<epoch>``, the weight
    over ``n_conv`` and the seconds per epoch."""
    both = pd.concat([result["fast"], result["acc"]])
    return {"das_fast_w_over_n": result["w"] / n_conv,
            **{f"das_fast_{r.metric}_e{r.epoch}": float(r.value) for r in both.itertuples()},
            "das_epoch_seconds": result["epoch_seconds"]}


def fast_training_figure(result: dict):
    """Kendall's tau with final accuracy against the epochs before scoring, with intervals."""
    fig, ax = plots.figure()
    both = pd.concat([result["fast"], result["acc"]])
    for i, (metric, part) in enumerate(both.groupby("metric", sort=False)):
        ax.errorbar(part.epoch, part.value, yerr=[part.value - part.low, part.high - part.value], marker="o",
                    ms=3, capsize=2, color=f"C{i}", label={"acc": "accuracy after k epochs"}.get(metric, metric))
    ax.set_xlabel("training epochs before scoring")
    ax.set_ylabel("Kendall tau with final accuracy")
    ax.legend()
    return fig


def with_intervals(frame: pd.DataFrame) -> pd.Series:
    """``"value [low, high]"`` per row, three decimals."""
    return pd.Series([f"{v:.3f} [{lo:.3f}, {hi:.3f}]" for v, lo, hi in zip(frame.value, frame.low, frame.high)],
                     index=frame.index)


def cifar_flip(fast: pd.DataFrame, n_conv_archs: int, *, n_boot: int, seed: int = 0):
    """``(table, cifar_tau)``: Kendall's tau of NASWOT and the DAS terms after one epoch on
    the conv table (``n_conv_archs`` networks) and on full-size NB201 networks on real
    CIFAR-10 (:mod:`nascore.analysis.cifar_after_epoch`); ``cifar_tau`` is the latter alone."""
    trained = cifar_after_epoch.claim_frame(cifar_after_epoch.trained_frame())
    cifar_tau = cifar_after_epoch.correlations(trained, list(CIFAR_TERMS), n_boot=n_boot, seed=seed)
    conv_e1 = fast[(fast.epoch == 1) & fast.metric.isin(["naswot", "D"])]
    table = pd.concat([
        conv_e1.assign(setting="conv, 8x8 MNIST, 1 epoch", n=n_conv_archs,
                       term=conv_e1.metric.map({"naswot": "NASWOT", "D": "distinguishing"})),
        cifar_tau.assign(setting="NB201 full-size, CIFAR-10, 1 epoch (LGA code's training)",
                         term=cifar_tau.score.map(CIFAR_TERMS)),
    ], ignore_index=True)
    return table, cifar_tau


def cifar_flip_glue(cifar_tau: pd.DataFrame) -> dict:
    """``das_cifar_n`` and ``das_cifar_<score>`` ("tau [low, high]", two decimals)."""
    return {"das_cifar_n": int(cifar_tau.n.max()),
            **{f"das_cifar_{r.score}": f"{r.value:.2f} [{r.low:.2f}, {r.high:.2f}]" for r in cifar_tau.itertuples()}}


def ratio_table(cv: pd.DataFrame, fast: pd.DataFrame) -> pd.DataFrame:
    """Every ratio to NASWOT's tau: each benchmark's cross-validated ratio (``cv``:
    :func:`nascore.studies.das_terms.cv_table`) and, on the conv table, DAS_w after 1, 2, 5
    epochs over NASWOT at init (NaN unless :func:`nascore.studies.das_claims.ratio_readable`)."""
    rows = [{"setting": f"{r.benchmark}: cross-validated DAS_w at init / NASWOT", "ratio": float(r.ratio)}
            for r in cv.itertuples()]
    by = fast.set_index(["metric", "epoch"]).value
    base = float(by.loc[("naswot", 0)])
    rows += [{"setting": f"conv: DAS_w after {e} epoch(s) / NASWOT at init",
              "ratio": float(by.loc[("das", e)]) / base if ratio_readable(base) else float("nan")}
             for e in FAST_EPOCHS]
    return pd.DataFrame(rows)


def ratio_glue(table: pd.DataFrame) -> dict:
    """``das_ratio_count`` and ``das_ratio_list`` ("1.10x, 0.95x", or "none") of the finite ratios."""
    finite = table.ratio[np.isfinite(table.ratio)]
    return {"das_ratio_count": int(len(finite)), "das_ratio_list": ", ".join(f"{r:.2f}x" for r in finite) or "none"}


def nb101_shown(result: dict) -> dict:
    """The glued values of :func:`nascore.studies.das.nb101_check`: ``das_nb101_n`` and the
    taus and ratio with three decimals, "-" where NaN (the ratio with "x" and its interval)."""
    shown = {k: ("-" if not np.isfinite(result[k]) else f"{result[k]:.3f}")
             for k in ("naswot", "das", "ratio", "ratio_low", "ratio_high")}
    ratio = (shown["ratio"] + ("x" if shown["ratio"] != "-" else "")
             + (f" [{shown['ratio_low']}, {shown['ratio_high']}]" if shown["ratio_low"] != "-" else ""))
    return {"das_nb101_n": int(result["n"]), "das_nb101_naswot": shown["naswot"], "das_nb101_das": shown["das"],
            "das_nb101_ratio": ratio}


def nb101_comparison(nb101: pd.DataFrame, *, n_boot: int, seed: int = 0) -> dict:
    """Our NB101 scores against NASLib's and the published correlations
    (:mod:`nascore.bench.nb101_compare`): ``{"agreement", "correlations", "glue", "claims"}``.

    Glued: the smallest Spearman rho with NASLib's score over the proxies but jacov, jacov's
    (three decimals), how many proxies have a published correlation and how many of those
    are "reproduced". ``claims``: the published-correlation and NASWOT claim records.
    """
    from ..bench import nb101_compare

    pairs = nb101_compare.paired(nb101)
    agreement = nb101_compare.naslib_agreement(pairs, n_boot=n_boot, seed=seed)
    correlations = nb101_compare.accuracy_correlations(pairs, n_boot=n_boot, seed=seed)
    rho = agreement.set_index("proxy").rho
    compared = correlations[correlations.published.notna()]
    glue = {"das_nb101_agree_min": f"{rho.drop('jacov').min():.3f}", "das_nb101_agree_jacov": f"{rho['jacov']:.3f}",
            "das_nb101_published_n": int(len(compared)),
            "das_nb101_published_reproduced": int((compared.verdict == "reproduced").sum())}
    records = nb101_compare.published_claims(correlations) + [nb101_compare.naswot_claim(correlations)]
    return {"agreement": agreement, "correlations": correlations, "glue": glue, "claims": records}
