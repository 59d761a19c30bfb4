"""The architecture sets of the real-CIFAR NTK job (``--archs`` of ``nascore bench cifar-ntk``).

- :func:`arch_list`: a set by name (``zc``, ``all``, ``first1000``, ``sample:N``,
  ``stratified:N``, optionally ``,first:N``);
- :func:`first_thousand`: LGA's official population, NAS-Bench-201 cells 0..999, in a
  fixed random order;
- :func:`skip_shipped`: a set without the architectures a shipped CSV already holds
  (``--skip-table``: resuming a table whose results store is gone).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd


def arch_list(spec: str, seed: int = 0) -> list[str]:
    """``zc`` (the 725 of the zero-cost table), ``all`` (15,625, in the CIFAR score table's
    fixed random order, :func:`nascore.bench.cifar_scores.select_archs`: a run cut short
    holds a uniform sample, the same architectures as that table's), ``first1000`` (LGA's
    official population, :func:`first_thousand`), ``sample:N`` (N of the 725, random),
    ``stratified:N`` (N of the 725 evenly spaced in CIFAR-10 accuracy); any of them with
    ``first:N`` appended as ``,first:N`` keeps the first N."""
    from nascore import bench
    from nascore.bench.cifar_scores import select_archs

    base, _, head = spec.partition(",")
    zc = sorted(set(bench.load("nb201-zc", "cifar10").arch) | set(bench.load("nb201-zc", "cifar100").arch))
    kind, _, count = base.partition(":")
    if kind == "zc":
        archs = zc
    elif kind == "all":
        archs = select_archs("full")
    elif kind == "first1000" and not count:
        archs = first_thousand()
    elif kind == "sample" and count.isdigit():
        archs = [zc[i] for i in np.random.default_rng(seed).permutation(len(zc))[:int(count)]]
    elif kind == "stratified" and count.isdigit():
        table = bench.load("nb201-zc", "cifar10").sort_values(["val_accuracy", "arch"], ignore_index=True)
        picks = np.unique(np.round(np.linspace(0, len(table) - 1, int(count))).astype(int))
        archs = table.arch.iloc[picks].tolist()
    else:
        raise ValueError(f"unknown architecture set {spec!r}; allowed: zc, all, first1000, sample:N, stratified:N "
                         "(optionally followed by ,first:N)")
    if head:
        if not head.startswith("first:") or not head[6:].isdigit():
            raise ValueError(f"bad suffix {head!r} in {spec!r}; expected ,first:N")
        archs = archs[:int(head[6:])]
    return archs


#: LGA's population: NAS-Bench-201 indices 0..999 (naver-ai/demystifying-ntk,
#: ``ntk_prediction_train.sh`` / ``nasbench2_pred.py`` iterate the first 1,000 cells).
LGA_POPULATION = 1000


def first_thousand(seed: int = 0) -> list[str]:
    """The cells of NAS-Bench-201 indices 0..999 (LGA's official population) in a fixed
    random order (``seed``), so that a run cut short holds a uniform sample of them."""
    from nascore.bench.nb201_test import nb201_accuracies

    cells = nb201_accuracies("cifar10").sort_values("nb201_index").arch.iloc[:LGA_POPULATION].tolist()
    return [cells[i] for i in np.random.default_rng(seed).permutation(len(cells))]


def skip_shipped(archs, table_csv, column: str | None = None) -> list[str]:
    """``archs`` without those that have a row in the CSV ``table_csv`` (order kept); with
    ``column``, only the rows where that column holds a value count (a table with no such
    column skips nothing: e.g. the after-one-epoch columns of a population scored at init)."""
    path = Path(table_csv)
    if not path.is_file():
        raise ValueError(f"--skip-table {table_csv!r} is not a file")
    table = pd.read_csv(path)
    if "arch" not in table:
        raise ValueError(f"--skip-table {table_csv!r} has no arch column; has {list(table.columns)}")
    if column is not None:
        table = table[table[column].notna()] if column in table else table.iloc[:0]
    have = set(table.arch)
    return [a for a in archs if a not in have]
