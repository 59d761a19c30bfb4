"""NASLib's two NAS-Bench-201 files, read: the zero-cost table and the full space with Zen-NAS.

- ``data/nasbench201-zc/zc_nasbench201.json`` (NAS-Bench-Suite-Zero): about 725 cells per
  dataset with their validation accuracy and 12 zero-cost proxies (:func:`zc_table`);
- ``data/nasbench201-full/nb201_zen.zip``: all 15,625 cells with NASLib's validation
  accuracy and the Zen-NAS score, joined with NB201's test and 12-epoch accuracies
  (:func:`full_table`).

Both files are parsed once per process; every call returns a fresh copy.
"""
from __future__ import annotations

import functools
import json
import zipfile

import numpy as np
import pandas as pd

from ..manifest import note_read
from ..paths import DATA_DIR
from ..spaces import nb201

DATASETS = ("cifar10", "cifar100", "ImageNet16-120")
ZC_PATH = DATA_DIR / "nasbench201-zc" / "zc_nasbench201.json"
FULL_PATH = DATA_DIR / "nasbench201-full" / "nb201_zen.zip"
#: Zero-cost proxies in the NAS-Bench-Suite-Zero table (``params``/``flops`` in millions).
ZC_METRICS = ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "synflow", "jacov",
              "nwot", "epe_nas", "l2_norm", "plain")
#: Zen-NAS failures are stored as this value in NASLib's table.
ZEN_FAILED = -1e8


def zc_table(dataset: str) -> pd.DataFrame:
    """The zero-cost table of ``dataset`` (canonical spelling): ``arch``, ``op_indices``,
    ``naslib_idx``, ``val_accuracy`` and :data:`ZC_METRICS`, sorted by ``op_indices``."""
    note_read(ZC_PATH)
    return _load_zc(dataset).copy()


def full_table(dataset: str) -> pd.DataFrame:
    """All 15,625 cells on ``dataset`` (canonical spelling): NASLib's ``val_accuracy`` and
    ``zen`` (NaN where Zen-NAS failed) joined with NB201's test and 12-epoch accuracies
    (:func:`nascore.bench.nb201_test.join_accuracies`); ``ValueError`` if a cell is missing."""
    from ..bench import nb201_test

    note_read(FULL_PATH)  # the test accuracies' files are noted by their reader
    frame = nb201_test.join_accuracies(_load_full(dataset), dataset)
    if len(frame) != nb201_test.N_CELLS:
        raise ValueError(f"{FULL_PATH.name} has {len(frame)} cells on {dataset}, "
                         f"not NAS-Bench-201's {nb201_test.N_CELLS}")
    return frame


@functools.lru_cache(maxsize=None)
def _zc_json():
    with open(ZC_PATH) as handle:
        return json.load(handle)


@functools.lru_cache(maxsize=None)
def _load_zc(dataset: str) -> pd.DataFrame:
    rows = []
    for key, record in _zc_json()[dataset].items():
        indices = nb201.parse_tuple_key(key)
        row = {"arch": nb201.from_op_indices(indices), "op_indices": indices,
               "naslib_idx": int(record["idx"]), "val_accuracy": float(record["val_accuracy"])}
        for metric in ZC_METRICS:
            row[metric] = float(record[metric]["score"])
        rows.append(row)
    return pd.DataFrame(rows).sort_values("op_indices", ignore_index=True)


@functools.lru_cache(maxsize=None)
def _full_zip_records():
    by_dataset = {d: [] for d in DATASETS}
    with zipfile.ZipFile(FULL_PATH) as archive:
        for member in archive.namelist():
            if not member.endswith(".json"):
                continue
            dataset = member.split("--")[2]
            by_dataset[dataset].extend(json.loads(archive.read(member)))
    return by_dataset


@functools.lru_cache(maxsize=None)
def _load_full(dataset: str) -> pd.DataFrame:
    rows = []
    for record in _full_zip_records()[dataset]:
        indices = nb201.parse_tuple_key(record["arch"])
        zen = float(record["zen"]["score"])
        rows.append({"arch": nb201.from_op_indices(indices), "op_indices": indices,
                     "naslib_idx": int(record["idx"]), "val_accuracy": float(record["val_accuracy"]),
                     "zen": np.nan if zen <= ZEN_FAILED else zen})
    frame = pd.DataFrame(rows).drop_duplicates("op_indices")
    return frame.sort_values("op_indices", ignore_index=True)
