"""The HNAS chapter's experiments: benchmarks with NTK scores, many searches, summaries.

- the search benchmark itself is library code
  (:func:`nascore.analysis.hnas_benchmark.hnas_benchmark`: the supernet chapter uses it too);
- :func:`run_methods`: every (benchmark, method, seed) search, one long history frame;
- :func:`best_so_far`, :func:`budget_table`, :func:`paired_gain`: curves, accuracy at
  fixed budgets with bootstrap intervals over seeds, and paired differences between
  two methods run on the same seeds; :func:`gain_table`: one method's paired gains over
  several baselines (their verdict: :func:`nascore.analysis.hnas_official.beats_verdict`);
- :func:`uniform_benchmark`: the same search benchmark on a uniform sample of the full
  space (:func:`nascore.analysis.hnas_cifar.uniform_frame`);
- :func:`query_overlap`: how many architectures two searches share;
- :func:`objective_grid`: how well the HNAS objective ranks all architectures
  (Spearman's rho of ``-F(A; C, mu)`` with accuracy) over a grid of ``(t, log10 mu)``;
- :mod:`nascore.studies.hnas_claims` (a part of this chapter's study, imported by the
  notebook): the chapter's correlation tables, verdict rules and claim records.

The chapter's NTK table ``data/nb201-ntk/`` (read by :mod:`nascore.bench.nb201_ntk`) is
computed by the library's job :mod:`nascore.tables.nb201_ntk` (``nascore bench nb201-ntk
VARIANT``).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..search.benchmark import TabularBenchmark
from ..search.hnas import hnas_objective
from ..search.run import run
from ..stats import mean_ci, spearman
from ..analysis.hnas_cifar import KAPPA_NAN, uniform_frame

#: Scores a uniform sample of the full space has (HNAS's statistics only: no table proxies).
UNIFORM_SCORES = ("ntk_trace", "ntk_condition", "kappa_over_m", "zero")


def uniform_benchmark(dataset: str = "cifar10") -> TabularBenchmark:
    """A search benchmark on the uniform sample of the 15,625 that HNAS's CIFAR-10
    statistics reached (:func:`nascore.analysis.hnas_cifar.uniform_frame`), with NB201's
    ``dataset`` validation accuracies; scores :data:`UNIFORM_SCORES`."""
    from ..spaces import nb201 as space

    return TabularBenchmark.from_frame(uniform_frame(dataset), scores=list(UNIFORM_SCORES),
                                       n_choices=(len(space.NASLIB_OPS),) * space.NUM_EDGES,
                                       name=f"nb201-uniform+ntk[cifar10]/{dataset}")


def run_methods(benchmarks: dict, methods: dict, *, budget: int, seeds, progress: bool = False) -> pd.DataFrame:
    """Run every method on every benchmark for every seed; one row per query.

    ``benchmarks``: label -> :class:`TabularBenchmark`; ``methods``: label ->
    ``(algorithm, options)`` for :func:`nascore.search.run`. Columns: ``benchmark``,
    ``method``, ``seed``, the search history (``query``, ``arch``, ``accuracy``, ... and
    the algorithm's own columns, e.g. HNAS's ``t`` and ``log10_mu``) and ``best``
    (best accuracy so far).
    """
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    parts = []
    jobs = [(b, m, s) for b in benchmarks for m in methods for s in seeds]
    if progress:
        from tqdm.auto import tqdm

        jobs = tqdm(jobs, desc="searches", leave=False)
    for label, method, seed in jobs:
        algorithm, options = methods[method]
        result = run(algorithm, benchmarks[label], budget=budget, seed=seed, **dict(options))
        history = result.history.copy()
        history["best"] = result.best_so_far()
        history.insert(0, "seed", seed)
        history.insert(0, "method", method)
        history.insert(0, "benchmark", label)
        parts.append(history)
    return pd.concat(parts, ignore_index=True)


def best_so_far(histories: pd.DataFrame, benchmark: str, method: str) -> pd.DataFrame:
    """Best-so-far curves of one (benchmark, method): one row per seed, one column per query."""
    part = histories[(histories["benchmark"] == benchmark) & (histories["method"] == method)]
    if part.empty:
        raise ValueError(f"no runs of method {method!r} on benchmark {benchmark!r}")
    return part.pivot(index="seed", columns="query", values="best")


def budget_table(histories: pd.DataFrame, budgets, *, level: float = 0.95, n_boot: int = 2000,
                 seed: int = 0) -> pd.DataFrame:
    """Mean best accuracy after each of ``budgets`` queries with a bootstrap interval over
    seeds; one row per (benchmark, method, queries)."""
    rows = []
    for (label, method), part in histories.groupby(["benchmark", "method"], sort=False):
        curves = part.pivot(index="seed", columns="query", values="best")
        for budget in budgets:
            if budget not in curves.columns:
                raise ValueError(f"budget {budget!r} exceeds the runs' {curves.columns.max()} queries")
            values = curves[budget].to_numpy(float)
            mean, low, high = mean_ci(values, level=level, n_boot=n_boot, seed=seed)
            rows.append({"benchmark": label, "method": method, "queries": int(budget), "mean": mean,
                         "low": low, "high": high, "n_seeds": len(values)})
    return pd.DataFrame(rows)


def paired_gain(histories: pd.DataFrame, benchmark: str, method: str, baseline: str, budget: int, *,
                level: float = 0.95, n_boot: int = 2000, seed: int = 0):
    """Mean over seeds of ``best(method) - best(baseline)`` after ``budget`` queries, with a
    bootstrap interval: ``(mean, low, high)``. Both must have run on the same seeds."""
    a = best_so_far(histories, benchmark, method)[budget]
    b = best_so_far(histories, benchmark, baseline)[budget]
    if set(a.index) != set(b.index):
        raise ValueError(f"{method!r} and {baseline!r} ran on different seeds; a paired difference needs the same")
    return mean_ci((a - b.loc[a.index]).to_numpy(float), level=level, n_boot=n_boot, seed=seed)


def gain_table(histories: pd.DataFrame, datasets, baselines, budget: int, *, method: str = "HNAS",
               n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """``method``'s paired gain over each baseline after ``budget`` queries
    (:func:`paired_gain`), one row per (dataset, baseline):
    ``dataset, baseline, gain, low, high``."""
    rows = []
    for dataset in datasets:
        for baseline in baselines:
            gain, low, high = paired_gain(histories, dataset, method, baseline, budget, n_boot=n_boot, seed=seed)
            rows.append({"dataset": dataset, "baseline": baseline, "gain": gain, "low": low, "high": high})
    return pd.DataFrame(rows)


def objective_grid(frame: pd.DataFrame, ts, log_mus, *, metric: str = "ntk_trace",
                   kappa: str = "ntk_condition", scale: float = 5e3,
                   accuracy: str = "val_accuracy") -> pd.DataFrame:
    """Spearman's rho between ``-F(A; C = t * scale, mu = 10**c)`` and accuracy over the
    rows of ``frame``, for every ``t`` in ``ts`` (rows) and ``c`` in ``log_mus`` (columns).

    A rho near 1 means that, with those hyper-parameters, the objective alone would rank
    architectures almost as their accuracy does; it is what HNAS's Bayesian optimisation
    looks for, one query at a time.
    """
    m = frame[metric].to_numpy(float)
    k = frame[kappa].fillna(KAPPA_NAN).to_numpy(float)
    acc = frame[accuracy].to_numpy(float)
    grid = np.empty((len(ts), len(log_mus)))
    for i, t in enumerate(ts):
        for j, c in enumerate(log_mus):
            values = hnas_objective(m, k, float(t) * scale, 10.0 ** float(c))
            grid[i, j] = spearman(-values, acc, n_boot=0).value
    return pd.DataFrame(grid, index=pd.Index(list(ts), name="t"), columns=pd.Index(list(log_mus), name="log10_mu"))


def query_overlap(histories: pd.DataFrame, benchmark: str, method: str, other: str, budget: int) -> float:
    """Mean over seeds of the fraction of ``method``'s first ``budget`` queried
    architectures that ``other`` also queried in its first ``budget`` (same seed)."""
    def queried(name):
        part = histories[(histories["benchmark"] == benchmark) & (histories["method"] == name)
                         & (histories["query"] <= budget)]
        if part.empty:
            raise ValueError(f"no runs of method {name!r} on benchmark {benchmark!r}")
        return part.groupby("seed")["arch"].apply(set)

    a, b = queried(method), queried(other)
    shared = a.index.intersection(b.index)
    if shared.empty:
        raise ValueError(f"{method!r} and {other!r} share no seed")
    return float(np.mean([len(a[s] & b[s]) / len(a[s]) for s in shared]))
