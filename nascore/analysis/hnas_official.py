"""HNAS's search as its official code runs it, reported as the paper reports it.

``shuyao95/HNAS`` ``nasbench/nasbench2_search.py`` computes HNAS's M and kappa once on
CIFAR-10 for the whole NAS-Bench-201 space; each Bayesian-optimisation step adds 2,000
uniformly drawn cells to the pool, picks the pool's minimiser of the HNAS objective and
queries its **12-epoch** ``cifar10-valid`` validation accuracy (``hp="12"``): that is the
objective the optimiser sees. After 20 queries (5 probes at ``t = linspace(0, 1, 5)``,
``c = -2``) the answer is the queried cell with the best 12-epoch validation accuracy,
and the paper reports its **200-epoch test accuracy** on CIFAR-10, CIFAR-100 and
ImageNet16-120: one search, three numbers (94.04 / 71.75 / 45.91, :mod:`nascore.papers`).

Here the same search, and its baselines at the same 20 queries of the same 12-epoch
accuracy (random search, regularised evolution, BO, training-free selection by M and by
kappa/M), run on the cells that have HNAS's statistics: the whole space once
``data/nb201-cifar-ntk/hnas_all_cifar10.csv`` holds all 15,625 (the official pool of
2,000), a uniform sample of it until then (the pool scaled to the sample,
:func:`nascore.analysis.hnas_cifar.scaled_pool`). :func:`coverage` says which; a verdict
rests only on the whole space (:func:`official_verdict`).
"""
from __future__ import annotations

import pandas as pd

from ..search.benchmark import TabularBenchmark
from ..search.report import DATASETS, pick_test_accuracies, summarise
from ..search.run import run
from ..stats import mean_ci
from .hnas_cifar import OFFICIAL_POOL, SPACE_SIZE, scaled_pool, uniform_frame

#: Queries of one search (``nasbench2_search.py``: 20 BO iterations including the probes).
OFFICIAL_BUDGET = 20
#: Searches per method behind a verdict (repeats of the papers' mean ± std); the chapter
#: runs this many in quick mode too (:func:`official_seeds`).
OFFICIAL_SEEDS = 20
#: What a query returns: NB201's 12-epoch ``cifar10-valid`` validation accuracy.
QUERY = "val_accuracy_12"
#: Scores the searches may read for free (HNAS's statistics and the objective's parts).
SCORES = ("ntk_trace", "ntk_condition", "kappa_over_m")


def official_coverage_text(cover: dict) -> str:
    """What the official search ran on, in words: the whole space with the official pool,
    or a uniform sample with the pool scaled to it (then a study).

    >>> official_coverage_text({"archs": 15625, "pool": 2000, "complete": True})
    "all 15,625 cells, the official pool of 2,000 per step: the claim's verdict rests on this run"
    >>> official_coverage_text({"archs": 3000, "pool": 384, "complete": False})
    '3,000 of the 15,625 cells so far (a uniform sample; pool 384, scaled to it): a study until the statistics cover the whole space'
    """
    if cover["complete"]:
        return f"all {cover['archs']:,} cells, the official pool of {cover['pool']:,} per step: " \
               "the claim's verdict rests on this run"
    return (f"{cover['archs']:,} of the 15,625 cells so far (a uniform sample; pool {cover['pool']:,}, scaled to "
            "it): a study until the statistics cover the whole space")


def official_frame(*, min_archs: int = 100) -> pd.DataFrame:
    """One row per cell with HNAS's CIFAR-10 statistics in the uniform sample (or the whole
    space): M, kappa and the derived columns, the 12-epoch CIFAR-10 validation accuracy
    the search queries, and the 200-epoch test accuracy on each dataset
    (``test_<dataset>``), which no search sees."""
    from ..bench import nb201_accuracies

    frame = uniform_frame("cifar10", min_archs=min_archs)
    c10 = nb201_accuracies("cifar10").set_index("arch")
    frame[QUERY] = c10.loc[frame.arch, QUERY].to_numpy(float)
    for dataset in DATASETS:
        frame[f"test_{dataset}"] = nb201_accuracies(dataset).set_index("arch").loc[frame.arch, "test_accuracy"].to_numpy(float)
    return frame


def best_test_accuracies(frame: pd.DataFrame, datasets=DATASETS) -> dict:
    """dataset -> the best 200-epoch test accuracy among the cells of ``frame``
    (:func:`official_frame`): the optimum a search's gap is measured from (on the whole
    space, NB201's optimum: 94.37 / 73.51 / 47.31)."""
    return {d: float(frame[f"test_{d}"].max()) for d in datasets}


#: CIFAR-10's chance accuracy (ten classes): a cell whose output ignores its input scores it.
CHANCE_CIFAR10 = 10.0


def chance_among_largest_m(frame: pd.DataFrame, n: int = OFFICIAL_BUDGET) -> int:
    """How many of the ``n`` cells with the largest ``ntk_trace`` (M) score chance (at most
    :data:`CHANCE_CIFAR10` %, 200-epoch CIFAR-10 test accuracy): the cells that pure
    selection by M queries first. Under HNAS's per-sample decomposition a cell whose output
    does not depend on its input (a zeroed edge cuts node 0 off) can have a huge M: the
    per-sample pieces of train-mode batch norm over a constant batch do not vanish (only
    their sum does) and each such layer scales them by ``1 / sqrt(eps)``.

    >>> f = pd.DataFrame({"ntk_trace": [5.0, 4.0, 3.0, 2.0], "test_cifar10": [10.0, 91.0, 10.0, 93.0]})
    >>> chance_among_largest_m(f, 3)
    2
    """
    if int(n) < 1:
        raise ValueError(f"n must be a positive number of cells, got {n!r}")
    top = frame.nlargest(int(n), "ntk_trace")
    return int((top["test_cifar10"] <= CHANCE_CIFAR10).sum())


def coverage(frame: pd.DataFrame) -> dict:
    """How much of the space the statistics cover: ``archs``, ``space``, ``complete`` and
    the pool a search uses (the official 2,000 on the whole space, scaled otherwise)."""
    archs = len(frame)
    complete = archs >= SPACE_SIZE
    return {"archs": archs, "space": SPACE_SIZE, "complete": complete,
            "pool": OFFICIAL_POOL if complete else scaled_pool(archs)}


def official_benchmark(frame: pd.DataFrame) -> TabularBenchmark:
    """The search benchmark: queries return :data:`QUERY`; free scores :data:`SCORES`; the
    200-epoch CIFAR-10 test accuracy is kept in the history only."""
    from ..spaces import nb201 as space

    return TabularBenchmark.from_frame(frame, accuracy=QUERY, scores=list(SCORES), test_accuracy="test_cifar10",
                                       n_choices=(len(space.NASLIB_OPS),) * space.NUM_EDGES,
                                       name=f"nb201-hnas-official[{len(frame)}]")


def methods(pool: int, n_archs: int, *, hnas_options=None, bo_options=None) -> dict:
    """label -> (algorithm, options): HNAS with ``pool`` fresh draws per step and its baselines.
    Training-free selection reads its score on every cell (``n_archs``) and queries the
    best-scored in order, as the selection tables do."""
    return {
        "HNAS": ("hnas", {**(hnas_options or {}), "n_sample": int(pool)}),
        "random": ("random", {}),
        "evolution": ("evolution", {}),
        "BO": ("bo", dict(bo_options or {})),
        "training-free M": ("training_free", {"score": "ntk_trace", "n_sample": int(n_archs)}),
        "training-free kappa/M": ("training_free", {"score": "kappa_over_m", "higher_is_better": False,
                                                    "n_sample": int(n_archs)}),
    }


def run_official(benchmark: TabularBenchmark, method_table: dict, seeds, *, budget: int = OFFICIAL_BUDGET) -> dict:
    """``{method: [SearchResult per seed]}``: every method on the same seeds."""
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must hold at least one seed, got none")
    return {label: [run(algorithm, benchmark, budget=budget, seed=s, **dict(options)) for s in seeds]
            for label, (algorithm, options) in method_table.items()}


def pick_table(results: dict) -> pd.DataFrame:
    """Long table of picks: ``method``, ``seed`` (position), ``arch`` and the pick's
    200-epoch test accuracy on each dataset (``test_<dataset>``)."""
    rows = []
    for label, runs in results.items():
        accuracies = {d: pick_test_accuracies(runs, d) for d in DATASETS}
        for i, result in enumerate(runs):
            rows.append({"method": label, "seed": i, "arch": str(result.best_arch),
                         **{f"test_{d}": float(accuracies[d][i]) for d in DATASETS}})
    return pd.DataFrame(rows)


def summary(picks: pd.DataFrame, *, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Per method and dataset: the picks' 200-epoch test accuracy as the papers report it
    (``mean``, ``std`` with ddof 1) and a 95 % bootstrap interval of the mean
    (:func:`nascore.search.report.summarise`)."""
    rows = [{"method": label, "dataset": dataset,
             **summarise(part[f"test_{dataset}"].to_numpy(float), n_boot=n_boot, seed=seed)}
            for label, part in picks.groupby("method", sort=False) for dataset in DATASETS]
    return pd.DataFrame(rows)


def paired_gains(picks: pd.DataFrame, *, method: str = "HNAS", n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """``method``'s pick minus each other method's pick, same seed, on the 200-epoch test
    accuracy of each dataset: ``dataset, baseline, gain, low, high``."""
    mine = picks[picks.method == method].set_index("seed")
    rows = []
    for baseline, part in picks[picks.method != method].groupby("method", sort=False):
        part = part.set_index("seed")
        if set(part.index) != set(mine.index):
            raise ValueError(f"{method!r} and {baseline!r} ran on different seeds; a paired difference needs the same")
        for dataset in DATASETS:
            diff = (mine[f"test_{dataset}"] - part.loc[mine.index, f"test_{dataset}"]).to_numpy(float)
            gain, low, high = mean_ci(diff, n_boot=n_boot, seed=seed)
            rows.append({"dataset": dataset, "baseline": baseline, "gain": gain, "low": low, "high": high})
    return pd.DataFrame(rows)


def beats_verdict(gains: pd.DataFrame) -> str:
    """"reproduced" if every gain's interval lies above 0, "partly" if every mean gain is
    positive, else "not reproduced" (HNAS beats all its baselines).

    >>> beats_verdict(pd.DataFrame({"gain": [0.5, 0.2], "low": [0.1, -0.1]}))
    'partly'
    """
    return "reproduced" if (gains.low > 0).all() else "partly" if (gains.gain > 0).all() else "not reproduced"


def official_seeds(seed: int, n: int = OFFICIAL_SEEDS) -> list[int]:
    """The ``n`` consecutive search seeds from ``seed`` (:data:`OFFICIAL_SEEDS` by default).

    >>> official_seeds(3, 4)
    [3, 4, 5, 6]
    """
    if int(n) < 1:
        raise ValueError(f"n must be a positive number of seeds, got {n!r}")
    return list(range(int(seed), int(seed) + int(n)))


def is_verdict_run(cover: dict, n_seeds: int) -> bool:
    """Whether an official-protocol run may give a verdict: the statistics cover the whole
    space and every method ran at least :data:`OFFICIAL_SEEDS` seeds.

    >>> is_verdict_run({"complete": True}, 20), is_verdict_run({"complete": True}, 19), is_verdict_run({"complete": False}, 20)
    (True, False, False)
    """
    return bool(cover["complete"]) and int(n_seeds) >= OFFICIAL_SEEDS


def official_verdict(gains: pd.DataFrame, cover: dict, n_seeds: int) -> str:
    """The verdict of "HNAS beats its baselines" on the official protocol: :func:`beats_verdict`
    on the paired gains, and "not attempted" unless :func:`is_verdict_run` (a uniform
    sample, or fewer than :data:`OFFICIAL_SEEDS` seeds, is a study, never the verdict).

    >>> gains = pd.DataFrame({"gain": [0.4, 0.1], "low": [0.1, 0.02]})
    >>> official_verdict(gains, {"complete": True}, 20), official_verdict(gains, {"complete": False}, 20)
    ('reproduced', 'not attempted')
    """
    return beats_verdict(gains) if is_verdict_run(cover, n_seeds) else "not attempted"


def as_study(verdict: str, population: str) -> tuple[str, str]:
    """A claim checked on a population the paper did not search (NASLib's subset, a uniform
    sample) is a study: its verdict is "not attempted" and the rule's outcome on that
    population is said beside our value. Returns ``(verdict, note)``.

    >>> as_study("reproduced", "NASLib's 725")
    ('not attempted', "study on NASLib's 725 (alone it would read: reproduced); the verdict rests on the official full-space search")
    """
    return "not attempted", (f"study on {population} (alone it would read: {verdict}); "
                             "the verdict rests on the official full-space search")
