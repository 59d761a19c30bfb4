"""The DAS chapter's benchmarks and the tables of its two atomic terms (a part of its study).

- :func:`identity_table`: the decoupling ``NASWOT = N log N_A + D`` on a few networks, and
  its largest relative gap over the conv table;
- :func:`benchmarks`: the chapter's ground truths, each as ``(units, distinguishing,
  truth, N)``, with the layer-wise term and the populations the CIFAR ones rest on;
- :func:`term_correlations`, :func:`data_effect`: rank correlations of the terms (and of
  NASWOT on two image sets) with accuracy, with bootstrap intervals;
- :func:`weight_scans`, :func:`cv_table`: the family ``D + w log N_A`` over ``w`` and the
  weight chosen on half of the architectures, judged on the other half;
- :func:`atomic_terms_figure`, :func:`weight_scan_figure`: the chapter's two figures.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import bench, plots, stats
from ..bench import zc_naswot
from ..training.probes import activation_summary
from ..bench.agreement import mean_over_seeds
from ..tables import nb201_zc_naswot
from . import das
from .das_claims import ratio_readable

#: The weights ``w / N`` of the chapter's family ``D + w log N_A`` (1 is NASWOT).
RATIOS = np.linspace(0, 2, 21)


def identity_table(space, probe_x, conv: pd.DataFrame, *, n_networks: int = 6, seed: int = 0):
    """``(frame, gap, gap_table)``: NASWOT and its two terms of the first ``n_networks``
    architectures of ``space`` at init on ``probe_x`` with ``units + D - NASWOT`` per row;
    ``gap`` is that column's largest absolute value, ``gap_table`` the largest relative gap
    ``|NASWOT - units - D| / |NASWOT|`` over the finite rows of the conv table (whose CSV
    keeps 7 significant digits, hence relative)."""
    rows = []
    for arch in space.architectures(n_networks):
        values = activation_summary(space.build(arch, seed), probe_x)
        rows.append({"arch": arch, **values,
                     "units + D - NASWOT": values["das_units"] + values["das_distinguishing"] - values["naswot"]})
    frame = pd.DataFrame(rows)
    finite = np.isfinite(conv.naswot_e0)
    gap_table = float(np.max((np.abs(conv.naswot_e0 - conv.das_units_e0 - conv.das_distinguishing_e0)
                              / np.abs(conv.naswot_e0))[finite]))
    return frame, float(np.max(np.abs(frame["units + D - NASWOT"]))), gap_table


def benchmarks(conv_mean: pd.DataFrame, n_conv: int, *, quick: bool, n_archs_quick: int, regenerate: bool = False,
               seed: int = 0, log=print) -> dict:
    """The chapter's ground truths: ``{"terms": {label: (units, distinguishing, truth, N)},
    "layerwise": {label: layer-wise D (NaN where not stored)}, "populations": {label: text}
    (the CIFAR ones), "zc": the zero-cost frame with our MNIST scores}``.

    conv (``conv_mean``, probe batch ``n_conv``); the zero-cost architectures with our
    MNIST scores (quick: the first ``4 n_archs_quick``); the mixed-activation table (quick:
    the first ``2 n_archs_quick``; left out, with ``log`` of why, where not shipped); the
    two CIFAR benchmarks of :func:`nascore.studies.das.cifar_benchmarks`.
    """
    zc_ours = nb201_zc_naswot.regenerated(log=log) if regenerate else zc_naswot.load_zc_naswot()
    zc = bench.load("nb201-zc", dataset="cifar10").merge(zc_ours, on="arch")
    if quick:
        zc = zc.iloc[: 4 * n_archs_quick]
    terms = {"conv": (conv_mean.das_units_e0, conv_mean.das_distinguishing_e0, conv_mean.acc_final, n_conv),
             "zc (CIFAR acc.)": (zc.das_units, zc.das_distinguishing, zc.val_accuracy, int(zc.batch_size.iloc[0]))}
    layerwise = {"conv": conv_mean.das_layerwise_e0, "zc (CIFAR acc.)": zc.das_layerwise}
    try:
        mixed_table = mean_over_seeds(bench.load_mixed("mnist5k"))
        if quick:
            mixed_table = mixed_table.iloc[: 2 * n_archs_quick]
        mixed = mixed_table.merge(das.mixed_activation_scores(mixed_table, batch_size=64, seed=seed), on="arch")
        terms["mixed"] = (mixed.das_units, mixed.das_distinguishing, mixed.acc_final, 64)
        layerwise["mixed"] = mixed.das_layerwise
    except ValueError as missing:  # the mixed table is not shipped in this checkout
        log(missing)
    populations = {}
    for name, (units, dist, truth, n, population) in das.cifar_benchmarks().items():  # no layer-wise term stored
        terms[name] = (units, dist, truth, n)
        layerwise[name] = np.full(len(truth), np.nan)
        populations[name] = population
    return {"terms": terms, "layerwise": layerwise, "populations": populations, "zc": zc}


def term_correlations(terms: dict, layerwise: dict, *, n_boot: int, seed: int = 0) -> pd.DataFrame:
    """Kendall's tau and Spearman's rho (bootstrap intervals) with the truth of each
    benchmark of the units term, D, NASWOT (their sum) and the layer-wise D, each where it
    has a finite value: columns ``benchmark, term, method, value, low, high, n``."""
    rows = []
    for name, (units, dist, truth, n) in terms.items():
        here = (("units N log N_A", units), ("distinguishing D", dist), ("NASWOT", units + dist),
                ("layer-wise D", layerwise[name]))
        for term, values in (t for t in here if np.isfinite(np.asarray(t[1], float)).any()):
            for method in ("kendall", "spearman"):
                r = stats.rank_correlation(values, truth, method, n_boot=n_boot, seed=seed)
                rows.append({"benchmark": name, "term": term, "method": method, "value": r.value,
                             "low": r.low, "high": r.high, "n": r.n})
    return pd.DataFrame(rows)


def term_glue(table: pd.DataFrame) -> dict:
    """``{"das_tau_<benchmark key>_<first word of the term>": Kendall's tau}`` of
    :func:`term_correlations`."""
    kendall = table[table.method == "kendall"]
    return {f"das_tau_{das.BENCHMARK_KEYS[r.benchmark]}_{r.term.split()[0].lower()}": float(r.value)
            for r in kendall.itertuples()}


def data_effect(zc: pd.DataFrame, *, n_boot: int, seed: int = 0):
    """``(frame, between)``: Kendall and Spearman correlations with CIFAR-10 accuracy of
    NASLib's NASWOT on CIFAR-10 (``nwot``) and of ours on MNIST (``naswot``), and Kendall's
    tau between the two scores (ours by rank, so that -inf ranks lowest)."""
    rows = []
    for label, column in (("nwot on CIFAR-10 (table)", "nwot"), ("ours on MNIST", "naswot")):
        for method in ("kendall", "spearman"):
            r = stats.rank_correlation(zc[column], zc.val_accuracy, method, n_boot=n_boot, seed=seed)
            rows.append({"score": label, "method": method, "value": r.value, "low": r.low, "high": r.high})
    between = stats.rank_correlation(zc.nwot, zc.naswot.rank(), "kendall", n_boot=n_boot, seed=seed)
    return pd.DataFrame(rows), between


def weight_scans(terms: dict, ratios=RATIOS) -> pd.DataFrame:
    """:func:`nascore.studies.das.das_weight_scan` of every benchmark at ``w = ratio N``,
    stacked, with columns ``w / N`` and ``benchmark``."""
    scans = []
    for name, (units, dist, truth, n) in terms.items():
        scan = das.das_weight_scan(units, dist, truth, ratios * n, n, n_boot=0)
        scans.append(scan.assign(**{"w / N": ratios, "benchmark": name}))
    return pd.concat(scans, ignore_index=True)


def cv_table(terms: dict, ratios=RATIOS, *, seed: int = 0) -> pd.DataFrame:
    """Per benchmark, :func:`nascore.studies.das.das_weight_cv` (2 folds): the chosen
    ``w / N`` per fold, the held-out taus of DAS_w and NASWOT and their ratio, NaN unless
    :func:`nascore.studies.das_claims.ratio_readable`."""
    rows = []
    for name, (units, dist, truth, n) in terms.items():
        cv = das.das_weight_cv(units, dist, truth, ratios * n, n, folds=2, seed=seed)
        units_vary = bool(np.nanstd(np.asarray(units, float)[np.isfinite(units)]) > 0)
        readable = ratio_readable(cv.naswot.mean(), units_vary=units_vary)
        rows.append({"benchmark": name, "chosen w / N": ", ".join(f"{w / n:.1f}" for w in cv.weight),
                     "DAS tau (held out)": cv.das.mean(), "NASWOT tau (held out)": cv.naswot.mean(),
                     "ratio": cv.das.mean() / cv.naswot.mean() if readable else float("nan")})
    return pd.DataFrame(rows)


def atomic_terms_figure(terms: dict):
    """D against ``log N_A`` per benchmark, coloured by the accuracy's percentile."""
    fig, axes = plots.figure(plots.WIDE, ncols=len(terms))
    for ax, (name, (units, dist, truth, n)) in zip(np.atleast_1d(axes), terms.items()):
        ok = np.isfinite(dist)
        percentile = pd.Series(np.asarray(truth, float)).rank(pct=True).to_numpy()  # comparable across tables
        points = ax.scatter(np.asarray(units)[ok] / n, np.asarray(dist)[ok], c=percentile[ok], s=6,
                            cmap="viridis", vmin=0, vmax=1)
        ax.set_title(name)
        ax.set_xlabel("log N_A")
    np.atleast_1d(axes)[0].set_ylabel("distinguishing D")
    fig.colorbar(points, ax=np.atleast_1d(axes), label="accuracy percentile")
    return fig


def weight_scan_figure(scans: pd.DataFrame):
    """Kendall's tau of ``D + w log N_A`` against ``w / N``, one line per benchmark."""
    fig, ax = plots.figure()
    for i, (name, part) in enumerate(scans.groupby("benchmark", sort=False)):
        ax.plot(part["w / N"], part.value, color=f"C{i}", label=name)
    ax.axvline(1.0, color="0.5", lw=0.8, ls="--")
    ax.set_xlabel("weight of log N_A, as a fraction of N (1 = NASWOT)")
    ax.set_ylabel("Kendall tau with accuracy")
    ax.legend()
    return fig
