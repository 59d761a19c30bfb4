"""The one entry point: ``run(algorithm, benchmark, budget=..., seed=...)``."""
from __future__ import annotations

import inspect

import numpy as np
from threadpoolctl import threadpool_limits

from .baselines import random_search, regularized_evolution, training_free
from .benchmark import TabularBenchmark
from .bo import bayesian_optimization
from .hnas import hnas
from .result import Recorder, SearchResult

#: Algorithm name -> function (see :mod:`nascore.search.baselines` for the signature).
ALGORITHMS = {
    "random": random_search,
    "evolution": regularized_evolution,
    "bo": bayesian_optimization,
    "training_free": training_free,
    "hnas": hnas,
}


def available() -> list[str]:
    """Names of the search algorithms, sorted."""
    return sorted(ALGORITHMS)


def _options_of(function):
    return [p.name for p in inspect.signature(function).parameters.values()
            if p.kind is inspect.Parameter.KEYWORD_ONLY]


def run(algorithm: str, benchmark: TabularBenchmark, *, budget: int, seed: int = 0,
        budget_seconds: float | None = None, progress: bool = False, **options) -> SearchResult:
    """Search ``benchmark`` with ``algorithm`` for ``budget`` queries.

    ``budget`` counts oracle queries (each a distinct architecture, so at most the
    benchmark's size); ``budget_seconds``, if given, also stops the search once the
    cumulative cost in seconds (see :mod:`nascore.search.result`) reaches it. ``seed``
    fixes every random choice: the same seed gives the same history. ``options`` are the
    algorithm's own (e.g. ``score="nwot"`` for ``training_free``); ``progress=True`` shows
    a progress bar.

    >>> from nascore import search
    >>> result = search.run("random", search.synthetic(), budget=5, seed=0)
    >>> len(result.history), result.best_so_far().shape
    (5, (5,))
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown search algorithm {algorithm!r}; allowed: {', '.join(available())}")
    if not isinstance(benchmark, TabularBenchmark):
        raise ValueError(f"benchmark must be a TabularBenchmark, got {type(benchmark).__name__}")
    n = len(benchmark)
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or not 1 <= budget <= n:
        raise ValueError(f"budget must be an integer number of queries between 1 and {n} "
                         f"(the size of benchmark {benchmark.name!r}), got {budget!r}")
    if budget_seconds is not None and not (isinstance(budget_seconds, (int, float)) and budget_seconds > 0):
        raise ValueError(f"budget_seconds must be a positive number or None, got {budget_seconds!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}")
    function = ALGORITHMS[algorithm]
    allowed = _options_of(function)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)} for {algorithm!r}; "
                         f"allowed: {', '.join(allowed) or 'none'}")
    if algorithm == "training_free" and "score" not in options:
        raise ValueError(f"training_free needs score=<column>; available: {', '.join(sorted(benchmark.scores))}")
    rng = np.random.default_rng(int(seed))
    recorder = Recorder(benchmark, int(budget), budget_seconds, progress)
    # The GP matrices are tiny (one row per query): multi-threaded BLAS only adds
    # synchronisation cost, tenfold on a busy machine, so searches run on one BLAS thread.
    with threadpool_limits(limits=1, user_api="blas"):
        scores_used = function(benchmark, recorder, rng, **options)
    return SearchResult(algorithm=algorithm, benchmark=benchmark.name, budget=int(budget),
                        seed=int(seed), options=dict(options), scores_used=tuple(scores_used),
                        history=recorder.close())
