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


#: The files of the supernet table (``data/nb201-supernet/``): the ablation runs' children and
#: their run facts, and the budget curve's ranked children.
SUPERNET_FILES = {"results": "nb201-supernet/results.csv", "runs": "nb201-supernet/runs.csv",
                  "curve_children": "nb201-supernet/curve_children.csv"}
#: The children set the budget curve ranks (``nascore supernet curve``: ``sample:200``, the first
#: 200 of the fixed uniform order, as ``sample200`` in ``results.csv``).
CURVE_SET = "sample200"
SUPERNET_COLUMNS = ["arch", "variant", "supernet_seed", "epochs", "supernet_accuracy", "eval_seconds", "sets"]


def supernet_children(dataset: str) -> pd.DataFrame:
    """The supernet children on CIFAR-10, one row per (architecture, ``epochs``, ``variant``,
    ``supernet_seed``): ``results.csv`` (the ablation runs, their budget ``epochs`` from
    ``runs.csv``) and, after them, the budget curve's finished runs longer than any
    ablation run (``curve_children.csv``: ``sets`` is :data:`CURVE_SET`, ``eval_seconds``
    NaN, not recorded). The curve's runs at the ablation's budget are other runs of a
    (budget, variant, seed) ``results.csv`` already holds, so they stay in the curve's
    files (:func:`nascore.supernet.curve.read_curve`): every (epochs, variant,
    supernet_seed) of the frame is one run."""
    missing = ": build it with `nascore supernet table`"
    results = csv_table(SUPERNET_FILES["results"], missing=missing)
    runs = csv_table(SUPERNET_FILES["runs"], missing=missing)
    budget = runs[["variant", "supernet_seed", "epochs"]]
    if budget.duplicated(["variant", "supernet_seed"]).any():
        raise ValueError(f"{SUPERNET_FILES['runs']} holds several runs of one variant and seed")
    frame = results.merge(budget, on=["variant", "supernet_seed"], how="left", validate="many_to_one")
    if frame.epochs.isna().any():
        raise ValueError(f"{SUPERNET_FILES['results']} has children of runs {SUPERNET_FILES['runs']} does not list")
    frame = frame.astype({"epochs": int})[SUPERNET_COLUMNS]
    curve_path = DATA_DIR / SUPERNET_FILES["curve_children"]
    if not curve_path.exists():
        return frame
    curve = csv_table(SUPERNET_FILES["curve_children"])
    curve = curve[curve.finished.astype(bool) & (curve.epochs > frame.epochs.max())]
    curve = curve.rename(columns={"seed": "supernet_seed"}).assign(eval_seconds=float("nan"), sets=CURVE_SET)
    return pd.concat([frame, curve[SUPERNET_COLUMNS]], ignore_index=True)
