"""Search benchmarks: a finite search space plus an oracle that answers queries.

A :class:`TabularBenchmark` holds one row per candidate architecture:

- ``keys``: how the architecture is named (a NAS-Bench-201 string, a mixed-space key...);
- ``genotypes``: an integer code per *position* (NAS-Bench-201: the op index of each of
  the 6 edges; a mixed net: the activation of each layer and each skip bit). The search
  algorithms only see the space through this code: :meth:`TabularBenchmark.encode` is
  its one-hot encoding (the input of the Bayesian-optimisation surrogate) and
  :meth:`TabularBenchmark.mutate` changes it as little as possible;
- ``accuracy``: what a query returns (for NAS-Bench-201, the validation accuracy);
- optional ``scores`` (training-free metrics: free to read, they cost no query),
  ``test_accuracy`` (reported in the history, never shown to an algorithm) and ``cost``
  (seconds one query stands for, e.g. the training time of that architecture).

Mutation in a table that holds only part of a space (the 724-architecture
NAS-Bench-201 zero-cost subset holds 4.6 % of the cell space, so most architectures
have no one-edge neighbour in it) moves to a *nearest* not-yet-queried architecture in
Hamming distance, chosen uniformly among the nearest; on a full table that is exactly
"change one position to another value".
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: Columns a table may carry that are never free scores: accuracies an algorithm must not
#: see unless they are what its queries return (NB201's 200-epoch test accuracy and the
#: 12-epoch accuracies, :mod:`nascore.bench.nb201_test`) and the benchmark's own index.
NOT_SCORES = ("test_accuracy", "val_accuracy_12", "test_accuracy_12", "nb201_index", "naslib_idx")


@dataclass(frozen=True, eq=False)
class TabularBenchmark:
    """A finite space with its oracle; construct with :meth:`from_frame` or directly."""

    keys: tuple
    genotypes: np.ndarray                      # (n, positions) ints
    accuracy: np.ndarray                       # (n,) floats, what a query returns
    scores: dict = field(default_factory=dict)  # name -> (n,) floats
    test_accuracy: np.ndarray | None = None
    cost: np.ndarray | None = None             # seconds per query (None: 0)
    n_choices: tuple | None = None             # values per position (default: max + 1)
    name: str = "tabular"

    def __post_init__(self):
        keys = tuple(self.keys)
        n = len(keys)
        if n == 0:
            raise ValueError("a benchmark needs at least one architecture, got none")
        if len(set(keys)) != n:
            raise ValueError("benchmark keys must be unique; found duplicated architectures")
        genotypes = np.asarray(self.genotypes)
        if genotypes.ndim != 2 or len(genotypes) != n or not np.issubdtype(genotypes.dtype, np.integer):
            raise ValueError(f"genotypes must be an integer array of shape ({n}, positions), "
                             f"got dtype {genotypes.dtype} and shape {genotypes.shape}")
        if (genotypes < 0).any():
            raise ValueError("genotype codes must be >= 0")
        accuracy = _column(self.accuracy, n, "accuracy")
        if not np.isfinite(accuracy).all():
            raise ValueError("accuracy contains NaN or inf; drop those architectures first")
        scores = {str(k): _column(v, n, f"score {k!r}") for k, v in dict(self.scores).items()}
        choices = self.n_choices
        choices = tuple(int(c) for c in (genotypes.max(axis=0) + 1 if choices is None else choices))
        if len(choices) != genotypes.shape[1] or any(g >= c for g, c in zip(genotypes.max(0), choices)):
            raise ValueError(f"n_choices {choices!r} must give one count per position, above every code")
        object.__setattr__(self, "keys", keys)
        object.__setattr__(self, "genotypes", genotypes.astype(np.int64))
        object.__setattr__(self, "accuracy", accuracy)
        object.__setattr__(self, "scores", scores)
        object.__setattr__(self, "n_choices", choices)
        for name in ("test_accuracy", "cost"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, _column(value, n, name))

    # -- constructors -------------------------------------------------------------------
    @classmethod
    def from_frame(cls, frame: pd.DataFrame, *, key="arch", genotype="op_indices",
                   accuracy="val_accuracy", scores=None, test_accuracy=None, cost=None,
                   n_choices=None, name="tabular"):
        """Benchmark from a table with one row per architecture.

        ``genotype`` names a column of integer tuples; ``scores`` lists score columns
        (default: every other numeric column but :data:`NOT_SCORES`).
        """
        missing = [c for c in (key, genotype, accuracy, test_accuracy, cost) if c and c not in frame]
        if missing:
            raise ValueError(f"columns {missing!r} not in the frame; it has {list(frame.columns)!r}")
        if scores is None:
            used = {key, genotype, accuracy, test_accuracy, cost, *NOT_SCORES}
            scores = [c for c in frame.columns
                      if c not in used and pd.api.types.is_numeric_dtype(frame[c])]
        bad = [c for c in scores if c not in frame]
        if bad:
            raise ValueError(f"score columns {bad!r} not in the frame; it has {list(frame.columns)!r}")
        return cls(keys=tuple(frame[key]), genotypes=np.array([tuple(g) for g in frame[genotype]]),
                   accuracy=frame[accuracy].to_numpy(float),
                   scores={c: frame[c].to_numpy(float) for c in scores},
                   test_accuracy=None if test_accuracy is None else frame[test_accuracy].to_numpy(float),
                   cost=None if cost is None else frame[cost].to_numpy(float),
                   n_choices=n_choices, name=name)

    # -- the space ----------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    @property
    def optimum(self) -> int:
        """Row index of the best architecture (first one on ties, within a relative 1e-9)."""
        from .picks import argbest

        return argbest(self.accuracy)

    def score(self, name: str) -> np.ndarray:
        if name not in self.scores:
            raise ValueError(f"unknown score {name!r} for benchmark {self.name!r}; "
                             f"available: {', '.join(sorted(self.scores)) or 'none'}")
        return self.scores[name]

    def encode(self, rows) -> np.ndarray:
        """One-hot encoding of the genotypes of ``rows``: shape (len(rows), sum(n_choices))."""
        codes = self.genotypes[np.asarray(rows, dtype=np.int64)]
        offsets = np.concatenate([[0], np.cumsum(self.n_choices)[:-1]])
        out = np.zeros((len(codes), int(sum(self.n_choices))))
        out[np.arange(len(codes))[:, None], codes + offsets] = 1.0
        return out

    def mutate(self, row: int, rng: np.random.Generator, exclude=None) -> int:
        """A nearest (in Hamming distance, >= 1) architecture to ``row``, uniformly among
        the nearest, skipping rows where ``exclude`` (boolean mask) is true."""
        distance = (self.genotypes != self.genotypes[row]).sum(axis=1).astype(float)
        distance[row] = np.inf
        if exclude is not None:
            distance[np.asarray(exclude, dtype=bool)] = np.inf
        if not np.isfinite(distance.min()):
            raise ValueError("no architecture left to mutate into: every other one is excluded")
        return int(rng.choice(np.flatnonzero(distance == distance.min())))


def _column(values, n, what):
    values = np.asarray(values, dtype=float)
    if values.shape != (n,):
        raise ValueError(f"{what} must have shape ({n},), got {values.shape}")
    return values


def nb201(table: str = "nb201-zc", dataset: str = "cifar10", **options) -> TabularBenchmark:
    """A NAS-Bench-201 benchmark from a shipped table (:func:`nascore.bench.load`).

    Queries return the table's ``val_accuracy``; genotypes are the NASLib op-index
    tuples (5 ops on each of 6 edges), so mutation on the full table (``"nb201"``) is
    "change one edge's operation". The history reports each query's 200-epoch test
    accuracy (``test_accuracy``, joined on the architecture; never shown to an
    algorithm). ``options`` go to :meth:`TabularBenchmark.from_frame` (e.g.
    ``scores=[...]``, ``cost=...``, ``accuracy="val_accuracy_12"``).
    """
    from ..bench import join_accuracies, load
    from ..spaces import nb201 as space

    frame = join_accuracies(load(table, dataset), dataset)
    options.setdefault("scores", [c for c in frame.columns if c not in
                                  ("arch", "op_indices", "val_accuracy", *NOT_SCORES)])
    options.setdefault("test_accuracy", "test_accuracy")
    return TabularBenchmark.from_frame(frame, n_choices=(len(space.NASLIB_OPS),) * space.NUM_EDGES,
                                       name=f"{table}/{dataset}", **options)


def synthetic(positions: int = 4, choices: int = 4, *, seed: int = 0,
              target: float = 0.37) -> TabularBenchmark:
    """A complete toy space (``choices ** positions`` architectures) with a known optimum.

    Accuracy is additive over positions (each position's value adds a random effect)
    mapped to 50..95, so local moves and a surrogate on one-hot codes both work. Scores:

    - ``oracle``: the accuracy itself; ``noisy``: accuracy plus noise (a decent proxy);
    - ``M`` and ``kappa`` for HNAS: ``M`` is 0..100, and an architecture is the more
      accurate the closer ``M`` is to ``100 * target``; ``kappa`` is a constant 1.
      The best architecture thus minimises the HNAS objective when ``C = 100 * target``
      and ``mu`` is large, a value that HNAS's initial grid of ``t`` misses.
    """
    rng = np.random.default_rng(seed)
    genotypes = np.array(list(itertools.product(range(choices), repeat=positions)))
    effects = rng.normal(size=(positions, choices))
    raw = effects[np.arange(positions), genotypes].sum(axis=1)
    raw += 1e-3 * rng.normal(size=len(raw))    # break ties: a unique optimum
    accuracy = 50 + 45 * (raw - raw.min()) / (raw.max() - raw.min())
    # M: the best architecture sits at 100*target; the others spread away in order of accuracy.
    gap = (accuracy.max() - accuracy) / (accuracy.max() - accuracy.min())
    side = np.where(rng.random(len(raw)) < 0.5, -1.0, 1.0)
    room = np.where(side < 0, target, 1 - target)
    m_values = 100 * (target + side * room * gap)
    return TabularBenchmark(
        keys=tuple("-".join(map(str, g)) for g in genotypes), genotypes=genotypes,
        accuracy=accuracy,
        scores={"oracle": accuracy.copy(), "noisy": accuracy + 8 * rng.normal(size=len(raw)),
                "M": m_values, "kappa": np.ones(len(raw))},
        n_choices=(choices,) * positions, name=f"synthetic-{choices}^{positions}")
