"""The HNAS chapter's searches (a part of its study, ``notebooks/50_hnas.ipynb``): which
methods run with which settings, the ablation, the MNIST stand-in, and the "what flips the
verdict" table of HNAS's paired gains under each setting.

The searches run through :func:`nascore.studies.hnas.run_methods`; the values the chapter
glues from them are :mod:`nascore.studies.hnas_tables`.
"""
from __future__ import annotations

import pandas as pd

from ..analysis import hnas_cifar
from ..analysis.hnas_benchmark import hnas_benchmark
from . import hnas

#: The baselines HNAS's paired gains are taken over.
BASELINES = ("random", "evolution", "BO", "training-free", "kappa/M")
#: The baselines of the "what flips the verdict" table.
FLIP_BASELINES = ("training-free", "random")
#: The benchmark label of the MNIST stand-in (CIFAR-10 accuracies, kernels on MNIST digits).
MNIST_LABEL = "cifar10 (MNIST NTK)"


def search_methods(n_archs: int, pool: int, *, hnas_options=None, bo_options=None) -> dict:
    """The chapter's methods on a benchmark of ``n_archs`` architectures: random search,
    evolution, BO, training-free selection by ``M`` and by ``kappa / M`` (over all
    ``n_archs``), HNAS with a pool of ``pool`` and with the official pool of 2,000."""
    hnas_options = dict(hnas_options or {})
    return {
        "random": ("random", {}),
        "evolution": ("evolution", {}),
        "BO": ("bo", dict(bo_options or {})),
        "training-free": ("training_free", {"score": "ntk_trace", "n_sample": n_archs}),
        "kappa/M": ("training_free", {"score": "kappa_over_m", "higher_is_better": False, "n_sample": n_archs}),
        "HNAS": ("hnas", {**hnas_options, "n_sample": pool}),
        "HNAS pool 2000": ("hnas", {**hnas_options, "n_sample": hnas_cifar.OFFICIAL_POOL}),
    }


def optima(benchmarks: dict) -> dict:
    """Each benchmark's best accuracy (dataset -> float)."""
    return {d: float(b.accuracy.max()) for d, b in benchmarks.items()}


def overlap_values(histories: pd.DataFrame, optimum: dict, budget: int) -> dict:
    """Per dataset of ``optimum``: the benchmark's best accuracy, and the share of HNAS's
    first ``budget`` queries that training-free selection by ``M`` also queries
    (:func:`nascore.studies.hnas.query_overlap`)."""
    values = {}
    for dataset, best in optimum.items():
        values[f"hnas_optimum_{dataset}"] = float(best)
        values[f"hnas_overlap_{dataset}"] = float(hnas.query_overlap(histories, dataset, "HNAS", "training-free",
                                                                     budget))
    return values


def ablation(histories: pd.DataFrame, benchmarks: dict, *, m_max: float, pool: int, hnas_options=None,
             budget: int, seeds) -> pd.DataFrame:
    """HNAS's runs in ``histories`` as "full (paper)", and two more versions run on the same
    seeds: without the ``kappa / M`` term, and with the target's scale ``C = t * m_max``."""
    scaled = {**dict(hnas_options or {}), "n_sample": pool}
    variants = {"|M^2 - C^2| only": ("hnas", {**scaled, "kappa": "zero"}),
                "full, scale = max M": ("hnas", {**scaled, "scale": m_max})}
    return pd.concat([histories[histories.method == "HNAS"].assign(method="full (paper)"),
                      hnas.run_methods(benchmarks, variants, budget=budget, seeds=seeds)], ignore_index=True)


def mnist_runs(mnist_frame: pd.DataFrame, *, hnas_options=None, budget: int, seeds) -> pd.DataFrame:
    """Random search, training-free selection by ``M`` and HNAS (official pool) on CIFAR-10's
    accuracies with the MNIST stand-in's statistics ``mnist_frame`` (label :data:`MNIST_LABEL`)."""
    methods = {"random": ("random", {}),
               "training-free": ("training_free", {"score": "ntk_trace", "n_sample": len(mnist_frame)}),
               "HNAS": ("hnas", {**dict(hnas_options or {}), "n_sample": hnas_cifar.OFFICIAL_POOL})}
    return hnas.run_methods({MNIST_LABEL: hnas_benchmark("cifar10", frame=mnist_frame)}, methods, budget=budget,
                            seeds=seeds)


def mnist_values(mnist_frame: pd.DataFrame, runs: pd.DataFrame, budget: int) -> dict:
    """The MNIST kernels' median condition number, and the share of HNAS's queries that
    training-free selection also queries."""
    return {"hnas_mnist_kappa_median": float(mnist_frame.ntk_condition.median()),
            "hnas_mnist_overlap": float(hnas.query_overlap(runs, MNIST_LABEL, "HNAS", "training-free", budget))}


def flip_settings(mnist: pd.DataFrame, histories: pd.DataFrame, ablated: pd.DataFrame, pool_scaled: int) -> list:
    """The settings of "what flips the verdict", each ``(label, runs, benchmark, method,
    batch, convention, data, pool)``: the MNIST batch of 10, and CIFAR-10 (batch 64) with
    the official pool, the scaled pool, and the scaled pool with ``C = t max M``."""
    return [
        ("MNIST digits, batch 10", mnist, MNIST_LABEL, "HNAS", 10, "true-class logit, exact kernel", "MNIST 32x32",
         hnas_cifar.OFFICIAL_POOL),
        ("CIFAR-10, batch 64, official pool", histories, "cifar10", "HNAS pool 2000", 64, "HNAS official",
         "CIFAR-10", hnas_cifar.OFFICIAL_POOL),
        ("CIFAR-10, batch 64, scaled pool", histories, "cifar10", "HNAS", 64, "HNAS official", "CIFAR-10",
         pool_scaled),
        ("CIFAR-10, batch 64, scaled pool, C = t max M", ablated, "cifar10", "full, scale = max M", 64,
         "HNAS official", "CIFAR-10", pool_scaled),
    ]


def paired_runs(runs: pd.DataFrame, histories: pd.DataFrame, method: str, baseline: str) -> pd.DataFrame:
    """The runs a paired gain of ``method`` over ``baseline`` reads: ``runs`` when it holds
    both, else ``method``'s runs from ``runs`` beside ``baseline``'s from ``histories`` (the
    chapter's main searches, same seeds)."""
    if method in set(runs.method) and baseline in set(runs.method):
        return runs
    return pd.concat([runs[runs.method == method], histories[histories.method == baseline]])


def flip_table(settings, histories: pd.DataFrame, *, budget: int, n_boot: int, seed: int,
               baselines=FLIP_BASELINES) -> pd.DataFrame:
    """HNAS's paired gain after ``budget`` queries over each of ``baselines`` under each of
    ``settings`` (:func:`flip_settings`), one :func:`nascore.analysis.hnas_cifar.gain_row` each."""
    rows = []
    for label, runs, bench_label, method, batch, convention, data, pool in settings:
        for baseline in baselines:
            part = paired_runs(runs, histories, method, baseline)
            gain = hnas.paired_gain(part, bench_label, method, baseline, budget, n_boot=n_boot, seed=seed)
            row = hnas_cifar.gain_row(label, gain, batch=batch, convention=convention, data=data, pool=pool)
            rows.append({**row, "baseline": baseline})
    return pd.DataFrame(rows)
