"""The Zhu et al. chapter's figures (a part of its study, ``notebooks/40_zhu.ipynb``).

Each function draws one figure from a frame the chapter already computed
(:mod:`nascore.studies.zhu`, :mod:`nascore.studies.zhu_tables`) and returns the
matplotlib figure; the chapter saves it with :func:`nascore.plots.savefig`. Nothing here
computes a number the book prints.
"""
from __future__ import annotations

import numpy as np

from .. import plots


def hermite(herm):
    """Bars of ``mu_r(sigma)`` per Hermite order ``r``, one colour per activation
    (``herm``: :func:`nascore.studies.zhu.hermite_table`)."""
    fig, ax = plots.figure(plots.WIDE)
    acts = sorted(herm.activation.unique())
    for i, act in enumerate(acts):
        part = herm[herm.activation == act]
        ax.bar(part.r + (i - len(acts) / 2 + 0.5) * 0.11, part.mu, width=0.11, color=f"C{i}", label=act)
    ax.axhline(0, color="0.5", lw=0.6)
    ax.set_xticks(range(int(herm.r.max()) + 1))
    ax.set_xlabel("Hermite order $r$")
    ax.set_ylabel(r"$\mu_r(\sigma)$")
    ax.legend(ncol=4, loc="upper right")
    return fig


def bracket(br):
    """The two lower bounds, the exact infinite-width ``lambda_min`` and the upper bound of
    each architecture of ``br`` (:func:`nascore.studies.zhu.bracket`, sorted by ``exact``)."""
    fig, ax = plots.figure(plots.WIDE)
    x = np.arange(len(br))
    ax.fill_between(x, br.lower_layerwise, br.upper, color="C0", alpha=0.15, lw=0)
    ax.plot(x, br.upper, "v", ms=4, color="C3", label="upper (Prop. 4)")
    ax.plot(x, br.exact, "o", ms=4, color="k", label=r"exact $\lambda_{\min}$ (infinite width)")
    ax.plot(x, br.lower_series, "^", ms=4, color="C2", label="lower (Prop. 3)")
    ax.plot(x, br.lower_layerwise, "^", ms=4, mfc="none", color="C0", label="lower (Prop. 2)")
    ax.set_yscale("log")
    ax.set_xlabel("architecture (sorted by exact $\\lambda_{\\min}$)")
    ax.set_ylabel(r"$\lambda_{\min}$ of the NTK")
    ax.legend(ncol=2, loc="upper left")
    return fig


def width(ws):
    """Empirical ``lambda_min`` against width, mean and min-max band over seeds, one colour
    per architecture, its infinite-width value dashed (``ws``: :func:`nascore.studies.zhu.width_sweep`)."""
    fig, ax = plots.figure(plots.COLUMN)
    for i, (arch, part) in enumerate(ws.groupby("arch", sort=False)):
        g = part.groupby("width").lambda_min
        ax.plot(g.mean().index, g.mean(), "o-", ms=3, color=f"C{i}", label=arch)
        ax.fill_between(g.mean().index, g.min(), g.max(), color=f"C{i}", alpha=0.2, lw=0)
        ax.axhline(part.infinite.iloc[0], color=f"C{i}", ls="--", lw=0.8)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("width $m$")
    ax.set_ylabel(r"empirical $\lambda_{\min}$")
    ax.legend(loc="lower right", fontsize=6)
    return fig


def depth_panels(ds, activations, patterns, lines, *, ylabel: str, legend_loc: str):
    """One panel per skip pattern of ``ds`` (:func:`nascore.studies.zhu.depth_sweep`):
    each of ``lines`` (``(column, style)``, the first one marked and labelled) against depth,
    one colour per activation, log scale."""
    fig, axes = plots.figure(plots.WIDE, ncols=3, sharey=True)
    for ax, pattern in zip(axes, patterns):
        for i, act in enumerate(activations):
            part = ds[(ds.pattern == pattern) & (ds.activation == act)]
            (first, style), rest = lines[0], lines[1:]
            ax.plot(part.depth, part[first], style, ms=3, color=f"C{i}", label=act)
            for column, style in rest:
                ax.plot(part.depth, part[column], style, color=f"C{i}")
        ax.set_title(pattern)
        ax.set_yscale("log")
        ax.set_xlabel("depth $L$")
    axes[0].set_ylabel(ylabel)
    axes[0].legend(loc=legend_loc)
    return fig


def activation_mix(fc, order, *, seed: int = 0):
    """The Proposition 3 bound of every net of ``fc`` grouped (jittered) by its first
    layer's activation, groups in ``order``."""
    fig, ax = plots.figure(plots.WIDE)
    for i, act in enumerate(order):
        part = fc[fc["first"] == act]
        jitter = np.random.default_rng(seed).uniform(-0.25, 0.25, len(part))
        ax.scatter(i + jitter, part.lower_series, s=5, color=f"C{i}", alpha=0.7)
    ax.set_xticks(range(len(order)), order)
    ax.set_yscale("log")
    ax.set_xlabel("activation of the first hidden layer")
    ax.set_ylabel(r"lower bound on $\lambda_{\min}$ (Prop. 3)")
    return fig


def correlations(corr, columns):
    """Kendall and Spearman correlation of each score in ``columns`` with trained accuracy,
    with their intervals (``corr``: :func:`nascore.studies.zhu_tables.correlations`)."""
    fig, ax = plots.figure(plots.COLUMN)
    for j, method in enumerate(("kendall", "spearman")):
        part = corr[corr.method == method].set_index("score").loc[columns[::-1]]
        y = np.arange(len(columns)) + (0.15 if j == 0 else -0.15)
        ax.errorbar(part.value, y, xerr=[part.value - part.low, part.high - part.value], fmt="o", ms=3,
                    capsize=2, color=f"C{j}", label=method)
    ax.set_yticks(range(len(columns)), columns[::-1])
    ax.axvline(0, color="0.6", lw=0.8)
    ax.set_xlabel("rank correlation with trained accuracy")
    ax.legend(loc="lower right")
    return fig


def search_scatter(frame):
    """Trained accuracy against the Proposition 3 bound, one colour per number of skips
    (``frame`` has ``arch``, ``theory_series``, ``n_skips``, ``accuracy``)."""
    fig, ax = plots.figure(plots.COLUMN)
    skips = frame["n_skips"].to_numpy()
    for s in sorted(set(skips)):
        part = frame[skips == s]
        ax.scatter(part.theory_series, part.accuracy, s=6, alpha=0.7, color=f"C{s}", label=f"{s} skip(s)")
    ax.set_xscale("log")
    ax.set_xlabel(r"lower bound on $\lambda_{\min}$ (Prop. 3)")
    ax.set_ylabel("test accuracy")
    ax.legend(loc="lower right")
    return fig


def search_picks(search, *, best: float, median: float):
    """Boxes of the picked architectures' accuracy per score of ``search``
    (:func:`nascore.studies.zhu.sampled_search`), the scored set's best and median as lines."""
    fig, ax = plots.figure(plots.WIDE)
    names = list(dict.fromkeys(search.score))
    ax.boxplot([search[search.score == s].accuracy for s in names], showfliers=False)
    ax.set_xticks(range(1, len(names) + 1), names, rotation=20, ha="right")
    ax.axhline(best, color="0.4", ls="--", lw=0.8)
    ax.axhline(median, color="0.4", ls=":", lw=0.8)
    ax.set_ylabel("accuracy of the picked architecture")
    return fig
