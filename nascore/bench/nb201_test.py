"""NAS-Bench-201's 200-epoch test accuracy and 12-epoch accuracies of every cell.

Read from ``data/nasbench201-test/`` (README there: sources, checks, licence):

- ``test_accuracy``: the 200-epoch test accuracy, the number the search papers report for
  the cell they pick (NATS-Bench ``hp="200"``; CIFAR-10 trained on train+valid and tested
  on the original test set, the others on the benchmark's ``x-test`` split);
- ``val_accuracy_12`` and ``test_accuracy_12``: the 12-epoch (``hp="12"``) validation and
  test accuracy. On CIFAR-10 ``val_accuracy_12`` is the ``cifar10-valid`` split's
  validation accuracy, the objective HNAS's official search queries
  (``shuyao95/HNAS``, ``nasbench/nasbench2_search.py``);
- ``nb201_index``: the cell's NAS-Bench-201 / NATS-Bench index (0..15,624).

Both files list the 15,625 cells in index order; they are checked to agree row for row on
the architecture string before anything is returned, and every join on ``arch``
(:func:`join_accuracies`) must match every row it is given.
"""
from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from ..manifest import note_read
from ..paths import DATA_DIR

FOLDER = DATA_DIR / "nasbench201-test"
FILES = ("nats_bench.csv", "nb201_hp12.csv")
N_CELLS = 15625
#: Columns :func:`nb201_accuracies` adds to a table, besides ``arch``.
COLUMNS = ("nb201_index", "test_accuracy", "val_accuracy_12", "test_accuracy_12")
#: dataset -> column of ``nats_bench.csv`` (200 epochs, test).
TEST_200 = {"cifar10": "CIFAR10TestAccuracy200Epochs", "cifar100": "CIFAR100TestAccuracy200Epochs",
            "ImageNet16-120": "ImageNetTestAccuracy200Epochs"}
#: dataset -> (validation, test) columns of ``nb201_hp12.csv`` (12 epochs).
HP12 = {"cifar10": ("cifar10-val", "cifar10-test"), "cifar100": ("cifar100-val", "cifar100-test"),
        "ImageNet16-120": ("imagenet-val", "imagenet-test")}


def files(folder: Path | None = None) -> list[Path]:
    """The two CSV files (for provenance hashes)."""
    return [Path(folder or FOLDER) / name for name in FILES]


def nb201_accuracies(dataset: str, *, folder: Path | None = None) -> pd.DataFrame:
    """One row per NAS-Bench-201 cell, in index order: ``arch`` and :data:`COLUMNS`
    (accuracies in percent, means over the benchmark's training seeds) on ``dataset``
    (``"cifar10"``, ``"cifar100"`` or ``"ImageNet16-120"``).

    Raises ``ValueError`` when a file lacks a row, has a missing value, or when the two
    files disagree on which cell a row holds. The frame is a fresh copy.
    """
    if dataset not in TEST_200:
        raise ValueError(f"unknown dataset {dataset!r} for the NB201 test accuracies; "
                         f"known datasets: {', '.join(TEST_200)}")
    for path in files(folder):
        note_read(path)
    return _read(dataset, str(Path(folder or FOLDER))).copy()


@functools.lru_cache(maxsize=None)
def _read(dataset: str, folder: str) -> pd.DataFrame:
    test_path, hp12_path = files(Path(folder))
    test = pd.read_csv(test_path)
    hp12 = pd.read_csv(hp12_path)
    for path, table in ((test_path, test), (hp12_path, hp12)):
        if len(table) != N_CELLS:
            raise ValueError(f"{path.name} has {len(table)} rows; NAS-Bench-201 has {N_CELLS} cells")
        if table.isna().any().any():
            raise ValueError(f"{path.name} has missing values in columns "
                             f"{list(table.columns[table.isna().any()])}")
    if not (hp12["index"].to_numpy() == np.arange(N_CELLS)).all():
        raise ValueError(f"{hp12_path.name}: the index column is not 0..{N_CELLS - 1} in order")
    differ = np.flatnonzero(test["ArchitectureString"].to_numpy() != hp12["arch"].to_numpy())
    if len(differ):
        raise ValueError(f"{test_path.name} and {hp12_path.name} hold different cells in {len(differ)} rows, "
                         f"first at row {differ[0]}: a row is missing or shifted")
    if not test["ArchitectureString"].is_unique:
        raise ValueError(f"{test_path.name} lists a cell twice")
    val_12, test_12 = HP12[dataset]
    return pd.DataFrame({"arch": test["ArchitectureString"], "nb201_index": hp12["index"],
                         "test_accuracy": test[TEST_200[dataset]].astype(float),
                         "val_accuracy_12": hp12[val_12].astype(float),
                         "test_accuracy_12": hp12[test_12].astype(float)})


def join_accuracies(frame: pd.DataFrame, dataset: str, *, folder: Path | None = None) -> pd.DataFrame:
    """``frame`` (any table with an ``arch`` column of NB201 strings, one or more rows per
    cell) with :data:`COLUMNS` added, rows in the same order.

    Every row must find its cell: a string that is not a NAS-Bench-201 cell raises
    ``ValueError`` naming it (a join never drops or invents rows). Columns of ``frame``
    with the same names are replaced.
    """
    if "arch" not in frame:
        raise ValueError(f"the frame needs an 'arch' column of NB201 strings; it has {list(frame.columns)!r}")
    table = nb201_accuracies(dataset, folder=folder).set_index("arch")
    unknown = pd.Index(frame["arch"]).difference(table.index)
    if len(unknown):
        raise ValueError(f"{len(unknown)} architecture(s) are not NAS-Bench-201 cells, e.g. {unknown[0]!r}")
    out = frame.drop(columns=[c for c in COLUMNS if c in frame]).copy()
    matched = table.loc[out["arch"].to_numpy()]
    for column in COLUMNS:
        out[column] = matched[column].to_numpy()
    return out
