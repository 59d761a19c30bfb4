"""The record of one search: every query in order, with its cost.

Cost has three clocks, all cumulative after each query:

- ``queries``: the number of oracle queries (the budget's unit);
- ``query_seconds``: the seconds those queries stand for, from the benchmark's
  per-query ``cost`` column (0 when the table has none, as for the shipped
  NAS-Bench-201 tables, which carry no training times);
- ``wall_seconds``: the wall-clock time of the search's own work (surrogate fits,
  scoring pools, bookkeeping) since it started.

``seconds = query_seconds + wall_seconds`` is what ``budget_seconds`` limits. Only query
budgets are deterministic: wall time depends on the machine. ``n_scored`` counts how many
training-free score values the search has read so far (they are free in a table, but a
reader converting to compute time needs the count).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .picks import argbest, improves


@dataclass(frozen=True)
class SearchResult:
    """One search run. ``history`` has one row per query, in query order."""

    algorithm: str
    benchmark: str
    budget: int
    seed: int
    options: dict
    scores_used: tuple
    history: pd.DataFrame = field(repr=False)

    def best_so_far(self, report: str | None = None) -> np.ndarray:
        """Best accuracy among the first ``i + 1`` queries, for each ``i``.

        With ``report`` (e.g. ``"test_accuracy"``), the value of that history column for
        the incumbent instead: the architecture a search would return after ``i + 1``
        queries is chosen by the queried accuracy, then reported by another measure.
        """
        accuracy = self.history["accuracy"].to_numpy(float)
        if report is None:
            return np.maximum.accumulate(accuracy)
        if report not in self.history:
            raise ValueError(f"unknown history column {report!r}; columns: {list(self.history.columns)!r}")
        # Running argmax, first index on ties: a later query must be better by more than
        # a relative 1e-9 (:func:`~nascore.search.picks.improves`), so round-off cannot
        # swap two equally accurate incumbents.
        incumbent = np.zeros(len(accuracy), dtype=np.int64)
        for step in range(1, len(accuracy)):
            previous = incumbent[step - 1]
            incumbent[step] = step if improves(accuracy[step], accuracy[previous]) else previous
        return self.history[report].to_numpy(float)[incumbent]

    @property
    def best(self) -> pd.Series:
        """The history row of the best query (the first one on ties, accuracies within a
        relative 1e-9 being a tie)."""
        return self.history.iloc[argbest(self.history["accuracy"].to_numpy(float))]

    @property
    def best_accuracy(self) -> float:
        return float(self.history["accuracy"].max())

    @property
    def best_arch(self):
        return self.best["arch"]

    def __len__(self) -> int:
        return len(self.history)


class Recorder:
    """Answers queries for an algorithm and keeps the books (internal to the package)."""

    def __init__(self, benchmark, budget, budget_seconds=None, progress=False):
        self.benchmark = benchmark
        self.budget = budget
        self.budget_seconds = budget_seconds
        self.queried = np.zeros(len(benchmark), dtype=bool)
        self.rows: list[dict] = []
        self.n_scored = 0
        self._query_seconds = 0.0
        self._start = time.perf_counter()
        self._bar = None
        if progress:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=budget, desc="queries", leave=False)

    @property
    def remaining(self) -> int:
        """Queries still allowed (0 once the seconds budget is spent)."""
        if self.budget_seconds is not None and self._seconds()[2] >= self.budget_seconds:
            return 0
        return self.budget - len(self.rows)

    def _seconds(self):
        wall = time.perf_counter() - self._start
        return self._query_seconds, wall, self._query_seconds + wall

    def scored(self, count: int) -> None:
        """Note that ``count`` training-free score values were read."""
        self.n_scored += int(count)

    def query(self, row: int, **extra) -> float:
        """Accuracy of architecture ``row``; every row is queried at most once."""
        row = int(row)
        if self.remaining <= 0:
            raise RuntimeError("query past the budget (a bug in the search algorithm)")
        if self.queried[row]:
            raise RuntimeError(f"architecture {row} queried twice (a bug in the search algorithm)")
        bench = self.benchmark
        self.queried[row] = True
        if bench.cost is not None:
            self._query_seconds += float(bench.cost[row])
        query_seconds, wall, total = self._seconds()
        accuracy = float(bench.accuracy[row])
        record = {"query": len(self.rows) + 1, "arch": bench.keys[row], "row": row,
                  "accuracy": accuracy, "n_scored": self.n_scored,
                  "query_seconds": query_seconds, "wall_seconds": wall, "seconds": total}
        if bench.test_accuracy is not None:
            record["test_accuracy"] = float(bench.test_accuracy[row])
        record.update(extra)
        self.rows.append(record)
        if self._bar is not None:
            self._bar.update(1)
        return accuracy

    def unqueried(self) -> np.ndarray:
        return np.flatnonzero(~self.queried)

    def close(self) -> pd.DataFrame:
        if self._bar is not None:
            self._bar.close()
        columns = ["query", "arch", "row", "accuracy", "n_scored", "query_seconds",
                   "wall_seconds", "seconds"]
        return pd.DataFrame(self.rows, columns=list(dict.fromkeys(
            columns + [k for r in self.rows for k in r])))
