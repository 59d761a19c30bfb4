"""Search at equal cost in the weight-sharing chapter: the supernet as a search's fitness
against query-based and training-free search, each pick reported two ways.

A search chooses by what it sees: the supernet's child accuracy, or a NAS-Bench-201
query's validation accuracy (``val_accuracy`` of the zero-cost table). Its pick is then
reported by NAS-Bench-201's real CIFAR-10 validation accuracy (the view the chapter had)
and by the 200-epoch test accuracy (NATS-Bench ``hp="200"``), the number the search
papers report, looked up after the search from the architecture it returns
(:func:`nascore.search.report.pick_test_accuracies`: no algorithm can reach it), and
summarised as they report it (:func:`nascore.search.report.summarise`: mean, std over
repeated searches, our interval of the mean).
"""
from __future__ import annotations

import pandas as pd

def cost_units(runs: pd.DataFrame, results: pd.DataFrame) -> dict:
    """Costs in units of "one child trained alone with the supernet's protocol": a
    supernet training costs ``step_ratio`` units (a supernet step against a single-child
    step, timed side by side, :mod:`nascore.supernet.cost`); evaluating one child costs its
    seconds over the seconds of one child training (``step_seconds_child x
    steps_per_epoch x epochs``). Medians over runs."""
    child_train = runs.step_seconds_child * runs.steps_per_epoch * runs.epochs_done
    return {"supernet": float(runs.step_ratio.median()),
            "evaluation": float(results.eval_seconds.median() / child_train.median()),
            "child_train_seconds": float(child_train.median())}


def search_comparison(frame: pd.DataFrame, costs: dict, *, seeds=range(10), fitness_budget: int = 100,
                      variant: str = "full", hnas_benchmark=None, queries: int | None = None,
                      hnas_options: dict | None = None) -> tuple[pd.DataFrame, int]:
    """Real accuracy of the architecture each method selects, at equal cost.

    Weight sharing: random search and regularised evolution over the zero-cost
    architectures with the supernet accuracy of ``variant`` as fitness,
    ``fitness_budget`` child evaluations, for each supernet seed and search seed; cost
    ``supernet + fitness_budget x evaluation`` units. The other methods get as many
    NAS-Bench-201 queries as that cost buys (``Q``, at least 1, one query = one child
    trained alone): random search, evolution, HNAS (if ``hnas_benchmark`` is given) and
    training-free selection (best of 100 sampled by score, then the top ``Q`` queried).
    ``queries`` fixes ``Q`` instead (quick mode: a tiny supernet's costs mean nothing, and
    being timed live they move with the machine's load, which the book's numbers must not);
    ``hnas_options`` go to HNAS. Returns one row per (method, supernet seed, search
    seed): ``arch`` (the pick), ``accuracy`` (its NAS-Bench-201 CIFAR-10 validation
    accuracy) and ``test_accuracy`` (its 200-epoch test accuracy, never shown to a
    search); and ``Q``.
    """
    from .. import search
    from ..search.report import pick_test_accuracies

    zc = frame[frame["in_zc"]]
    cost = costs["supernet"] + fitness_budget * costs["evaluation"]
    if queries is None:
        queries = max(1, int(round(cost)))
    elif isinstance(queries, bool) or not isinstance(queries, int) or queries < 1:
        raise ValueError(f"queries={queries!r}: expected a positive integer (or None: as many as the cost buys)")
    rows, results = [], []
    for supernet_seed, part in zc[zc.variant == variant].groupby("supernet_seed"):
        bench_ws = search.TabularBenchmark.from_frame(
            part.assign(op_indices=[_indices(a) for a in part.arch]), accuracy="supernet_accuracy",
            test_accuracy="val_accuracy", scores=[], n_choices=(5,) * 6, name=f"supernet-{variant}-s{supernet_seed}")
        for algorithm in ("random", "evolution"):
            for s in seeds:
                result = search.run(algorithm, bench_ws, budget=min(fitness_budget, len(bench_ws)), seed=int(s))
                results.append(result)
                rows.append({"method": f"supernet + {algorithm}", "supernet_seed": int(supernet_seed),
                             "search_seed": int(s), "cost_units": cost, "arch": str(result.best_arch),
                             "accuracy": float(result.best_so_far("test_accuracy")[-1])})
    table = search.nb201("nb201-zc", "cifar10")
    methods = {"random (queries)": ("random", table, {}), "evolution (queries)": ("evolution", table, {}),
               "training-free nwot": ("training_free", table, {"score": "nwot", "n_sample": max(100, queries)}),
               "training-free synflow": ("training_free", table, {"score": "synflow", "n_sample": max(100, queries)})}
    if hnas_benchmark is not None:
        methods["HNAS"] = ("hnas", hnas_benchmark, dict(hnas_options or {}))
    for label, (algorithm, benchmark, options) in methods.items():
        for s in seeds:
            result = search.run(algorithm, benchmark, budget=queries, seed=int(s), **options)
            results.append(result)
            rows.append({"method": label, "supernet_seed": -1, "search_seed": int(s), "cost_units": float(queries),
                         "arch": str(result.best_arch), "accuracy": float(result.best_accuracy)})
    table = pd.DataFrame(rows)
    table["test_accuracy"] = pick_test_accuracies(results, "cifar10")
    return table, queries


def _indices(arch: str) -> tuple:
    from ..spaces import nb201

    return nb201.to_op_indices(arch)


def search_summary(searches: pd.DataFrame, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per method: cost, runs, the picks' NAS-Bench-201 validation accuracy (``validation
    mean``, ``low``, ``high``) and their 200-epoch test accuracy (``test mean``, ``test
    std``, ``test low``, ``test high``), each as :func:`nascore.search.report.summarise`
    (mean, sample std, percentile-bootstrap interval of the mean over runs)."""
    from ..search.report import summarise

    rows = []
    for method, part in searches.groupby("method", sort=False):
        val = summarise(part.accuracy.to_numpy(), n_boot=n_boot, seed=seed)
        test = summarise(part.test_accuracy.to_numpy(), n_boot=n_boot, seed=seed)
        rows.append({"method": method, "cost (child trainings)": part.cost_units.iloc[0], "runs": len(part),
                     "validation mean": val["mean"], "low": val["low"], "high": val["high"],
                     "test mean": test["mean"], "test std": test["std"], "test low": test["low"],
                     "test high": test["high"]})
    return pd.DataFrame(rows).set_index("method")
