"""The one entry point: ``run(algorithm, benchmark, budget=..., seed=...)``."""
from __future__ import annotations

import inspect

import numpy as np
from threadpoolctl import threadpool_limits

from ..messages import short
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


#: Options of an algorithm that name a score column of the benchmark (declared, not
#: guessed): the columns an algorithm needs are these options' values or defaults.
SCORE_OPTIONS = {
    "training_free": ("score",),
    "hnas": ("metric", "kappa"),
}


def scores_needed(algorithm: str, options: dict | None = None) -> dict:
    """Score columns ``algorithm`` reads with ``options``: option name -> column (``None``
    for an option without a default that ``options`` leaves unset).

    >>> scores_needed("hnas")
    {'metric': 'ntk_trace', 'kappa': 'ntk_condition'}
    >>> scores_needed("hnas", {"metric": "grad_norm"})
    {'metric': 'grad_norm', 'kappa': 'ntk_condition'}
    """
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown search algorithm {short(algorithm)}; allowed: {', '.join(available())}")
    parameters = inspect.signature(ALGORITHMS[algorithm]).parameters
    needed = {}
    for option in SCORE_OPTIONS.get(algorithm, ()):
        default = parameters[option].default
        needed[option] = (options or {}).get(option, None if default is inspect.Parameter.empty else default)
    return needed


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
    if not isinstance(algorithm, str) or algorithm not in ALGORITHMS:
        raise ValueError(f"unknown search algorithm {short(algorithm)}; allowed: {', '.join(available())}")
    if not isinstance(benchmark, TabularBenchmark):
        raise ValueError(f"benchmark must be a TabularBenchmark, got {type(benchmark).__name__}")
    n = len(benchmark)
    if isinstance(budget, bool) or not isinstance(budget, (int, np.integer)) or not 1 <= budget <= n:
        raise ValueError(f"budget must be an integer number of queries between 1 and {n} "
                         f"(the size of benchmark {benchmark.name!r}), got {budget!r}")
    if budget_seconds is not None and not (isinstance(budget_seconds, (int, float)) and budget_seconds > 0):
        raise ValueError(f"budget_seconds must be a positive number or None, got {budget_seconds!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {short(seed)}")
    function = ALGORITHMS[algorithm]
    allowed = _options_of(function)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise ValueError(f"unknown option(s) {', '.join(unknown)} for {algorithm!r}; "
                         f"allowed: {', '.join(allowed) or 'none'}")
    has = ", ".join(sorted(benchmark.scores)) or "none"
    needed = scores_needed(algorithm, options)
    unset = [option for option, column in needed.items() if column is None]
    if unset:
        raise ValueError(f"{algorithm} needs {unset[0]}=<score column>; benchmark {benchmark.name!r} "
                         f"has (available): {has}")
    missing = {option: column for option, column in needed.items() if column not in benchmark.scores}
    if missing:
        named = ", ".join(f"{short(column)} ({option}=)" for option, column in missing.items())
        raise ValueError(f"{algorithm} needs the score column(s) {named}, which benchmark {benchmark.name!r} "
                         f"lacks; available: {has}")
    rng = np.random.default_rng(int(seed))
    recorder = Recorder(benchmark, int(budget), budget_seconds, progress)
    # The GP matrices are tiny (one row per query): multi-threaded BLAS only adds
    # synchronisation cost, tenfold on a busy machine, so searches run on one BLAS thread.
    with threadpool_limits(limits=1, user_api="blas"):
        scores_used = function(benchmark, recorder, rng, **options)
    return SearchResult(algorithm=algorithm, benchmark=benchmark.name, budget=int(budget),
                        seed=int(seed), options=dict(options), scores_used=tuple(scores_used),
                        history=recorder.close())
