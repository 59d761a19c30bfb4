"""Search on tabular benchmarks: one interface, budgets in queries (and seconds).

>>> from nascore import search
>>> bench = search.synthetic()                       # 256 toy architectures
>>> result = search.run("evolution", bench, budget=30, seed=0)
>>> bool(result.best_so_far()[-1] == result.best_accuracy)
True

Algorithms (:func:`available`): ``random``, ``evolution`` (Real et al. 2019), ``bo``
(GP + expected improvement), ``training_free`` (score a sample, query the best) and
``hnas`` (Shu et al. 2022); :func:`scores_needed` says which score columns one reads.
Benchmarks: :class:`TabularBenchmark` (any table), :func:`nb201` (the shipped
NAS-Bench-201 tables), :mod:`.tables` (every shipped table a search runs on, declared as
data: ``tables.benchmark("nb201-ntk")``), :func:`synthetic` (tests).
Reporting (:mod:`.report`): :func:`report_test_accuracy` and :func:`pick_accuracy_table`
give the 200-epoch test accuracy of the cells NAS-Bench-201 searches return, as the
papers report them (mean ± std and an interval over seeds).
"""
from .benchmark import TabularBenchmark, nb201, synthetic
from .curves import run_many, summary_at
from .hnas import hnas_objective
from .report import pick_accuracy_table, report_test_accuracy
from .result import SearchResult
from .run import ALGORITHMS, SCORE_OPTIONS, available, run, scores_needed
from . import tables

__all__ = ["ALGORITHMS", "SCORE_OPTIONS", "SearchResult", "TabularBenchmark", "available",
           "hnas_objective", "nb201", "pick_accuracy_table", "report_test_accuracy", "run", "run_many",
           "scores_needed", "summary_at", "synthetic", "tables"]
