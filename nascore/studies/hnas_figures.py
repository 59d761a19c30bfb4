"""The HNAS chapter's figures (a part of its study, ``notebooks/50_hnas.ipynb``).

Each function draws one figure from a frame the chapter already computed and returns the
matplotlib figure; the chapter saves it with :func:`nascore.plots.savefig`. Nothing here
computes a number the book prints.
"""
from __future__ import annotations

import numpy as np

from .. import plots

#: The gradient metrics of the NB201 table the unification claim is about.
GRADIENT_METRICS = ("grad_norm", "snip", "grasp")
#: How the figures name the table's columns.
LABELS = {"grad_norm": "grad_norm", "snip": "SNIP", "grasp": "GraSP", "ntk_trace": "NTK trace",
          "val_accuracy": "accuracy"}
#: HNAS's five initial probes, ``(log10 mu, t)``; ``t = 0`` drawn at the log axis' left edge.
PROBES = ([-2.0] * 5, [5e-5, 0.25, 0.5, 0.75, 1.0])
T_ZERO_SHOWN = 5e-5


def ntk_table(cifar):
    """``M`` against the parameter count, and ``kappa`` against ``M``, over the CIFAR-10 frame."""
    fig, axes = plots.figure(plots.WIDE, ncols=2, layout="constrained")
    axes[0].scatter(cifar.params, cifar.ntk_trace, s=5, alpha=0.6)
    axes[0].set(xlabel="parameters (table)", ylabel="$M$ (HNAS, CIFAR-10, batch 64)", xscale="log", yscale="log")
    axes[1].scatter(cifar.ntk_trace, cifar.hnas_kappa, s=5, alpha=0.6)
    axes[1].set(xlabel="$M$", ylabel="$\\kappa$ (HNAS)", xscale="log", yscale="log")
    return fig


def unification_matrix(cifar):
    """Spearman's rho between the gradient metrics, the NTK trace and accuracy, annotated."""
    columns = list(GRADIENT_METRICS) + ["ntk_trace", "val_accuracy"]
    matrix = cifar[columns].rename(columns=LABELS).corr(method="spearman")
    fig, ax = plots.figure((3.8, 3.2))
    image = ax.imshow(matrix.to_numpy(), vmin=-1, vmax=1, cmap="RdBu_r")
    ax.set_xticks(range(len(matrix)), matrix.columns, rotation=40, ha="right")
    ax.set_yticks(range(len(matrix)), matrix.index)
    for i in range(len(matrix)):
        for j in range(len(matrix)):
            ax.text(j, i, f"{matrix.iat[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.8, label="Spearman rho")
    ax.set_title("CIFAR-10 subset")
    return fig


def unification_scatter(cifar):
    """Each gradient metric (absolute value) against ``M``, coloured by accuracy."""
    fig, axes = plots.figure(plots.WIDE, ncols=3, layout="constrained")
    for ax, metric in zip(axes, GRADIENT_METRICS):
        ax.scatter(cifar.ntk_trace, cifar[metric].abs(), s=4, alpha=0.5, c=cifar.val_accuracy, cmap="viridis")
        ax.set(xscale="log", yscale="log", xlabel="$M$ (ours, CIFAR-10)",
               ylabel=f"|{LABELS[metric]}| (table, CIFAR-10)")
    return fig


def objective_grid(grid):
    """Spearman's rho of ``-F`` with accuracy over ``(log10 mu, t)``
    (:func:`nascore.studies.hnas.objective_grid`), HNAS's initial probes as white dots."""
    ts, log_mus = grid.index.to_numpy(float), grid.columns.to_numpy(float)
    fig, ax = plots.figure((4.2, 3.0))
    shown_t = np.where(ts == 0, T_ZERO_SHOWN, ts)
    mesh = ax.pcolormesh(log_mus, shown_t, grid.to_numpy(), cmap="RdBu_r", vmin=-1, vmax=1, shading="nearest")
    ax.set(yscale="log", xlabel="$\\log_{10} \\mu$", ylabel="$t = C / 5000$")
    ax.scatter(*PROBES, color="white", edgecolor="black", s=18, zorder=3)
    fig.colorbar(mesh, ax=ax, label="Spearman rho of $-F$ with accuracy")
    ax.set_title("CIFAR-10 subset")
    return fig


def search_curves(bands, optima: dict, methods):
    """Best accuracy against queries per method (mean and 95 % band over seeds,
    :func:`nascore.studies.hnas.budget_table`), one panel per dataset of ``optima``
    (dataset -> the benchmark's best accuracy, dashed)."""
    fig, axes = plots.figure((7.0, 2.6), ncols=3, layout="constrained")
    for ax, (dataset, optimum) in zip(axes, optima.items()):
        for i, method in enumerate(methods):
            part = bands[(bands.benchmark == dataset) & (bands.method == method)]
            ax.plot(part.queries, part["mean"], color=f"C{i}", label=method)
            ax.fill_between(part.queries, part.low, part.high, color=f"C{i}", alpha=0.2, lw=0)
        ax.axhline(optimum, color="0.5", ls="--", lw=0.8)
        ax.set(title=dataset, xlabel="queries")
    axes[0].set_ylabel("best validation accuracy (%)")
    axes[-1].legend(loc="lower right", fontsize=6)
    return fig


def trajectory(histories, *, benchmark: str = "cifar10", method: str = "HNAS"):
    """HNAS's ``(t, log10 mu)`` query by query, one grey line per seed, points coloured by
    the queried architecture's accuracy."""
    traj = histories[(histories.benchmark == benchmark) & (histories.method == method)]
    fig, axes = plots.figure(plots.WIDE, ncols=2, layout="constrained")
    for ax, column, label in zip(axes, ["t", "log10_mu"], ["$t = C / 5000$", "$\\log_{10} \\mu$"]):
        for _, run in traj.groupby("seed"):
            ax.plot(run["query"], run[column], color="0.75", lw=0.7, zorder=1)
        points = ax.scatter(traj["query"], traj[column], c=traj["accuracy"], s=9, cmap="viridis", zorder=2)
        ax.set(xlabel="query", ylabel=label)
    fig.colorbar(points, ax=axes, label="accuracy of the query (%)")
    return fig
