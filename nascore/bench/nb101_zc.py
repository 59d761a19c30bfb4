"""NASLib's NAS-Bench-101 zero-cost table (``data/nasbench101-zc/``), read two ways.

The file holds 500 entries keyed by NASLib's 56-tuple (an unpruned 7-vertex cell), each
with NAS-Bench-101's CIFAR-10 validation accuracy and NASLib's scores of the network
built from that tuple. Many entries are the same network: pruning dangling vertices
(:func:`nascore.spaces.nb101.spec`) leaves 301 distinct cells, 55 entries being the
bare input -> output cell. :func:`entries` gives the 500 entries as stored;
:func:`architectures` (what ``bench.load("nb101-zc")`` returns) one row per distinct cell.
"""
from __future__ import annotations

import ast
import functools
import json

import numpy as np
import pandas as pd

from ..manifest import note_read
from ..paths import DATA_DIR
from ..spaces import nb101

PATH = DATA_DIR / "nasbench101-zc" / "zc_nasbench101.json"
#: NASLib's scores in the file (no NASWOT); ``params`` in millions, ``flops`` in MFLOPs.
SCORES = ("params", "flops", "grad_norm", "snip", "grasp", "fisher", "synflow", "jacov",
          "epe_nas", "l2_norm", "plain")
#: Properties of the network itself: equal for every entry of one cell.
STRUCTURAL = ("params", "flops")


@functools.lru_cache(maxsize=None)
def _entries() -> pd.DataFrame:
    note_read(PATH)
    with open(PATH) as handle:
        records = json.load(handle)["nasbench101"]["cifar10"]
    rows = []
    for key, record in records.items():
        encoding = ast.literal_eval(key)
        cell = nb101.from_naslib_tuple(encoding)
        rows.append({"naslib_tuple": tuple(encoding), "arch": nb101.to_string(cell),
                     "isomorphism_key": nb101.isomorphism_key(cell),
                     "val_accuracy": float(record["val_accuracy"]),
                     **{s: float(record[s]) for s in SCORES}})
    return pd.DataFrame(rows)


def entries() -> pd.DataFrame:
    """The 500 entries as stored, in file order: ``naslib_tuple`` (the key), ``arch``
    (canonical string of the pruned cell), ``isomorphism_key``, ``val_accuracy`` (percent)
    and NASLib's :data:`SCORES`. A fresh copy."""
    return _entries().copy()


@functools.lru_cache(maxsize=None)
def _architectures() -> pd.DataFrame:
    table = _entries()
    groups = table.groupby("arch", sort=True)
    spread = groups[list(STRUCTURAL)].agg(lambda v: float(np.ptp(v.to_numpy())))
    if (spread.to_numpy() > 0).any():  # one network, one size: else the file is not what we think
        bad = spread[(spread > 0).any(axis=1)].index[0]
        raise ValueError(f"{PATH.name}: entries of cell {bad!r} disagree on params/flops")
    frame = groups.agg(naslib_tuple=("naslib_tuple", "min"), isomorphism_key=("isomorphism_key", "first"),
                       n_entries=("naslib_tuple", "size"), val_accuracy=("val_accuracy", "mean"),
                       **{s: (s, "mean") for s in SCORES})
    return frame.reset_index()


def architectures() -> pd.DataFrame:
    """One row per distinct pruned cell (301), sorted by ``arch``: ``arch``, ``naslib_tuple``
    (the smallest of its keys), ``isomorphism_key`` (292 classes: NAS-Bench-101's unit of
    accuracy), ``n_entries`` (how many of the 500 it merges), and the mean over those
    entries of ``val_accuracy`` (each entry is one of NAS-Bench-101's three training runs,
    drawn at random by the query) and of every score (each entry is one random
    initialisation); ``params`` and ``flops`` are the same for every entry (checked).
    A fresh copy."""
    return _architectures().copy()
