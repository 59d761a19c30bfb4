"""Readers of the tables this project computed itself (CSV files under ``data/``).

Each reader takes the dataset's canonical spelling (checked by the registry) and returns
a fresh frame; a missing file is refused with the command that produces it.
"""
from __future__ import annotations

import pandas as pd

from ..manifest import note_read
from ..paths import DATA_DIR
from ..spaces import nb201

#: The CIFAR NTK tables: name -> file stem per dataset (``data/nb201-cifar-ntk/``).
CIFAR_NTK_FILES = {"nb201-cifar-ntk": {"cifar10": "cifar10", "cifar100": "cifar100"},
                   "nb201-cifar-ntk-hnas": {"cifar10": "hnas_all_cifar10"},
                   "nb201-cifar-ntk-lga1000": {"cifar10": "lga_first1000_cifar10"},
                   "nb201-cifar-ntk-zhu-uniform": {"cifar10": "zhu_uniform_cifar10"}}


def csv_table(relative: str, *, missing: str = "") -> pd.DataFrame:
    """``data/<relative>`` as read by pandas, after :func:`nascore.manifest.note_read`;
    ``FileNotFoundError`` saying ``missing`` (how to produce the file) when it is absent."""
    path = DATA_DIR / relative
    if missing and not path.exists():
        raise FileNotFoundError(f"{path} is missing{missing}")
    note_read(path)
    return pd.read_csv(path)


def _with_op_indices(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns=["op_indices"], errors="ignore")  # the CSV's is text
    frame.insert(1, "op_indices", [nb201.to_op_indices(a) for a in frame.arch])
    return frame


def cifar_ntk(name: str, dataset: str) -> pd.DataFrame:
    """The CIFAR NTK table ``name`` on ``dataset``, with NB201 ``op_indices`` tuples."""
    relative = f"nb201-cifar-ntk/{CIFAR_NTK_FILES[name][dataset]}.csv"
    frame = csv_table(relative, missing="; compute it with `nascore bench cifar-ntk` "
                                        "(see data/nb201-cifar-ntk/README.md)")
    return _with_op_indices(frame)


def cifar_scores(dataset: str) -> pd.DataFrame:
    """Our scores of NB201 cells on real ``dataset`` batches, sorted by ``op_indices``
    (ImageNet16-120 was not attempted: ``ValueError``)."""
    if dataset == "ImageNet16-120":
        raise ValueError("nb201-cifar-scores has no ImageNet16-120 rows: not attempted (no ImageNet16-120 "
                         "images ship with nascore); datasets: cifar10, cifar100")
    path = DATA_DIR / "nb201-cifar-scores" / "scores.csv"
    if not path.exists():
        raise ValueError(f"{path} is missing: run nascore bench cifar-scores --out {path.parent}")
    note_read(path)
    frame = pd.read_csv(path)
    frame = frame[frame.dataset == dataset].drop(columns="dataset").reset_index(drop=True)
    frame.insert(1, "op_indices", [nb201.to_op_indices(a) for a in frame.arch])
    return frame.sort_values("op_indices", ignore_index=True)
