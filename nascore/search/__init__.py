"""Search on tabular benchmarks: one interface, budgets in queries (and seconds).

>>> from nascore import search
>>> bench = search.synthetic()                       # 256 toy architectures
>>> result = search.run("evolution", bench, budget=30, seed=0)
>>> bool(result.best_so_far()[-1] == result.best_accuracy)
True

Algorithms (:func:`available`): ``random``, ``evolution`` (Real et al. 2019), ``bo``
(GP + expected improvement), ``training_free`` (score a sample, query the best) and
``hnas`` (Shu et al. 2022). Benchmarks: :class:`TabularBenchmark` (any table),
:func:`nb201` (the shipped NAS-Bench-201 tables), :func:`synthetic` (tests).
"""
from .benchmark import TabularBenchmark, nb201, synthetic
from .curves import run_many, summary_at
from .hnas import hnas_objective
from .result import SearchResult
from .run import ALGORITHMS, available, run

__all__ = ["ALGORITHMS", "SearchResult", "TabularBenchmark", "available", "hnas_objective",
           "nb201", "run", "run_many", "summary_at", "synthetic"]
