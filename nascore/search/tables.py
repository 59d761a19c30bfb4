"""The tables a search can run on, described as data: one :class:`SearchTable` entry each.

An entry says where a table's rows come from and what its columns mean to a search:
the search space (how an architecture becomes a genotype), the column a query returns
and the free training-free score columns. :func:`benchmark` turns an entry into a
:class:`~nascore.search.benchmark.TabularBenchmark`, and :func:`having` lists the tables
that hold given score columns, so that a search algorithm that needs columns (HNAS: an
``M`` metric and ``kappa``; training-free selection: its score) is told which table to
use. Adding a table is adding an entry to :data:`TABLES`; a table that
:func:`nascore.bench.load` reads needs no loader.

Tables trained by this project hold one row per (architecture, seed); a search sees one
row per architecture, every column averaged over the seeds (NaN and ``-inf`` propagate:
a score that failed for one seed is not replaced by the other seed's value).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..messages import short
from .benchmark import TabularBenchmark

SPACES = ("nb201", "mixed", "nb101")
#: NAS-Bench-Suite-Zero's proxies in the zero-cost table (computed on real CIFAR/ImageNet16 batches).
ZC_SCORES = ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "synflow", "jacov", "nwot",
             "epe_nas", "l2_norm", "plain")
NB201_DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
#: NASLib's scores in the NAS-Bench-101 table (no NASWOT).
NB101_ZC_SCORES = ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "synflow", "jacov",
                   "epe_nas", "l2_norm", "plain")
#: At-initialisation metrics of the conv ground truth (columns ``<name>_e0``).
CONV_INIT_SCORES = ("naswot", "das_units", "das_distinguishing", "das_layerwise", "n_units", "lga",
                    "ntk_trace", "ntk_condition", "ntk_lambda_min", "ntk_frobenius", "ntk_mean")


def _nb201_ntk(dataset: str) -> pd.DataFrame:
    from ..bench.nb201_ntk import table_with_ntk

    return table_with_ntk(dataset)


@dataclass(frozen=True)
class SearchTable:
    """How one table is read as a search benchmark.

    ``scores`` maps a score name (what a search option names) to its column; ``load``
    is ``dataset -> frame`` (default :func:`nascore.bench.load` of ``name``);
    ``accuracy_from`` names another table whose accuracy column is joined on ``arch``
    (for tables of scores only); ``accuracy_scale`` turns the accuracy column into
    percent; ``per_seed``: one row per (architecture, seed), averaged over seeds;
    ``absent`` maps a dataset to the score names its file lacks.
    """

    name: str
    space: str
    datasets: tuple
    accuracy: str
    accuracy_label: str
    scores: dict = field(default_factory=dict)
    load: Callable[[str], pd.DataFrame] | None = field(default=None, repr=False)
    accuracy_scale: float = 1.0
    per_seed: bool = False
    accuracy_from: str | None = None
    absent: dict = field(default_factory=dict)
    description: str = ""

    def scores_on(self, dataset: str) -> dict:
        """Score name -> column of the scores this table holds for ``dataset``."""
        return {s: c for s, c in self.scores.items() if s not in self.absent.get(dataset, ())}

    def frame(self, dataset: str) -> pd.DataFrame:
        from ..bench import load

        frame = self.load(dataset) if self.load is not None else load(self.name, dataset)
        if self.accuracy_from is not None:
            accuracy = get(self.accuracy_from).frame(dataset)[["arch", self.accuracy]]
            frame = frame.drop(columns=[self.accuracy], errors="ignore").merge(accuracy, on="arch")
        return frame


TABLES = {t.name: t for t in (
    SearchTable("nb201-zc", "nb201", NB201_DATASETS, "val_accuracy", "validation accuracy",
          {s: s for s in ZC_SCORES},
          description="~725 NAS-Bench-201 cells with their real accuracy and 12 zero-cost proxies"),
    SearchTable("nb201-ntk", "nb201", NB201_DATASETS, "val_accuracy", "validation accuracy",
          {**{s: s for s in ZC_SCORES}, "ntk_trace": "ntk_trace", "ntk_condition": "ntk_condition",
           "ntk_lambda_min": "ntk_lambda_min"}, load=_nb201_ntk,
          description="nb201-zc joined with HNAS's NTK trace and condition number (data/nb201-ntk)"),
    SearchTable("nb201-cifar-ntk", "nb201", ("cifar10", "cifar100"), "val_accuracy", "validation accuracy",
          {"ntk_trace": "ntk_trace", "ntk_condition": "hnas_kappa", "tenas_condition": "ntk_condition",
           "lga_after_1_epoch": "lga_after_1_epoch"}, accuracy_from="nb201-zc",
          absent={"cifar100": ("tenas_condition", "lga_after_1_epoch")},
          description="the zero-cost cells' HNAS M and kappa (as ntk_condition) and TE-NAS's kappa "
                      "(tenas_condition) on real CIFAR, official conventions (data/nb201-cifar-ntk; "
                      "NaN where not computed)"),
    SearchTable("nb201-cifar-scores", "nb201", ("cifar10", "cifar100"), "val_accuracy", "validation accuracy",
          {s: s for s in ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "jacov", "synflow",
                          "naswot", "das", "das_units", "das_distinguishing")},
          description="40 cells scored by this project on real CIFAR batches (data/nb201-cifar-scores)"),
    SearchTable("nb201", "nb201", NB201_DATASETS, "val_accuracy", "validation accuracy", {"zen": "zen"},
          description="all 15,625 NAS-Bench-201 cells with their real accuracy and the Zen-NAS score"),
    SearchTable("nb201-mnist5k", "nb201", ("mnist5k",), "acc_final", "test accuracy (mean over training seeds)",
          {s: f"{s}_e0" for s in CONV_INIT_SCORES}, accuracy_scale=100.0, per_seed=True,
          description="200 small NAS-Bench-201 nets this project trained on MNIST-5k, metrics at init"),
    SearchTable("mixed-mnist5k", "mixed", ("mnist5k",), "acc_final", "test accuracy (mean over training seeds)",
          accuracy_scale=100.0, per_seed=True,
          description="600 of Zhu et al.'s mixed-activation MLPs this project trained on MNIST-5k"),
    SearchTable("nb101-zc", "nb101", ("cifar10",), "val_accuracy", "validation accuracy",
          {s: s for s in NB101_ZC_SCORES},
          description="301 distinct NAS-Bench-101 cells (NASLib's 500 entries) with their real accuracy "
                      "and 11 zero-cost scores"),
    SearchTable("nb101-cifar-scores", "nb101", ("cifar10",), "val_accuracy", "validation accuracy",
          {s: s for s in ("params", "flops", "grad_norm", "snip", "fisher", "jacov", "synflow", "naswot", "das",
                          "das_units", "das_distinguishing")},
          description="NAS-Bench-101 cells this project scored on real CIFAR-10 batches, NASWOT and DAS included "
                      "(data/nb101-cifar-scores)"),
)}


def get(name: str) -> SearchTable:
    """The :class:`SearchTable` entry called ``name``."""
    if not isinstance(name, str) or name not in TABLES:
        raise ValueError(f"unknown table {short(name)}; allowed: {', '.join(TABLES)}")
    return TABLES[name]


def having(columns, dataset: str | None = None) -> list[str]:
    """Names of the tables whose score columns include every one of ``columns`` (on
    ``dataset``, or on their first dataset)."""
    return [t.name for t in TABLES.values() if set(columns) <= set(t.scores_on(dataset or t.datasets[0]))]


def benchmark(name: str, dataset: str | None = None) -> TabularBenchmark:
    """The table ``name`` on ``dataset`` (default: the table's first) as a search benchmark.

    Queries return the accuracy column in percent; the free scores are the entry's
    ``scores``; genotypes encode the space (NB201: the op index of each of the 6 edges;
    mixed: the activation of each hidden layer, then one on/off code per skip slot;
    NB101: :func:`nascore.spaces.nb101.adjacency_encoding`, 21 edge bits and 5 labels).
    On NAS-Bench-201's own datasets the benchmark also carries each cell's 200-epoch test
    accuracy (:func:`nascore.bench.join_accuracies`), reported in the search history as
    ``test_accuracy`` and never shown to an algorithm.
    """
    table = get(name)
    dataset = table.datasets[0] if dataset is None else dataset
    if dataset not in table.datasets:
        raise ValueError(f"table {name!r} has no dataset {short(dataset)}; allowed: {', '.join(table.datasets)}")
    frame = table.frame(dataset)
    scores = table.scores_on(dataset)
    columns = [table.accuracy, *scores.values()]
    missing = [c for c in columns if c not in frame.columns]
    if missing:  # the entry and the file disagree: a packaging error, said plainly
        raise ValueError(f"table {name!r} ({dataset}) lacks the column(s) {', '.join(missing)} its entry declares")
    if table.per_seed:
        frame = frame.groupby("arch", sort=True)[columns].agg(lambda v: float(np.mean(v.to_numpy(float))))
        frame = frame.reset_index()
    genotypes, n_choices = _genotypes(table.space, list(frame["arch"]))
    return TabularBenchmark(
        keys=tuple(frame["arch"]), genotypes=genotypes,
        accuracy=frame[table.accuracy].to_numpy(float) * table.accuracy_scale,
        scores={s: frame[c].to_numpy(float) for s, c in scores.items()},
        test_accuracy=_nb201_test_accuracy(table.space, frame["arch"], dataset),
        n_choices=n_choices, name=f"{name}/{dataset}")


def _nb201_test_accuracy(space: str, archs: pd.Series, dataset: str):
    """The 200-epoch test accuracy of NB201 cells on an NB201 dataset, else ``None``."""
    if space != "nb201" or dataset not in NB201_DATASETS:
        return None
    from ..bench import join_accuracies

    return join_accuracies(pd.DataFrame({"arch": archs}), dataset)["test_accuracy"].to_numpy(float)


def _genotypes(space: str, archs: list[str]):
    if space == "nb201":
        from ..spaces import nb201

        codes = np.array([nb201.to_op_indices(a) for a in archs])
        return codes, (len(nb201.NASLIB_OPS),) * nb201.NUM_EDGES
    if space == "mixed":
        from ..spaces import mixed

        parsed = [mixed.from_key(a) for a in archs]
        depth = {len(a.activations) for a in parsed}
        if len(depth) != 1:
            raise ValueError(f"a mixed-space table must hold one depth, got depths {sorted(depth)}")
        layers = depth.pop()
        names = sorted(mixed.ACTIVATIONS)
        slots = [(l - 1, l) for l in range(2, layers + 1)]
        if any(set(a.skips) - set(slots) for a in parsed):
            raise ValueError("a mixed-space table for search may use adjacent skips only")
        codes = np.array([[names.index(n) for n in a.activations] + [int(s in a.skips) for s in slots]
                          for a in parsed])
        return codes, (len(names),) * layers + (2,) * len(slots)
    if space == "nb101":
        from ..spaces import nb101

        codes = np.array([nb101.adjacency_encoding(nb101.parse(a)) for a in archs])
        return codes, nb101.ENCODING_CHOICES
    raise ValueError(f"unknown space {short(space)}; allowed: {', '.join(SPACES)}")
