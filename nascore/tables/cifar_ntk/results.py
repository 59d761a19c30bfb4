"""The results store of the real-CIFAR NTK job: opened with its record check, read by kind.

One record per finished unit (:mod:`.job`): ``kind`` ``"stats"`` (one group's statistics
of one architecture, :mod:`.statistics`) or ``"train"`` (one architecture after one epoch,
:mod:`.after_epoch`). The check (:class:`nascore.tables.schema.Schema`) lets NaN through
only where the table documents it (a singular or constant kernel); any other non-finite
or non-numeric value quarantines the record, so it is never exported.
"""
from __future__ import annotations

import pandas as pd

from ..schema import Schema, number_values
from ..store import ResultStore
from .after_epoch import COLUMNS as TRAIN_COLUMNS
from .statistics import COLUMNS


def record_problems(record) -> list[str]:
    """What is wrong with one stored record (empty when nothing): every statistic of its
    group (or of training) must be a finite number; NaN is allowed for every statistic
    but HNAS's M (``ntk_trace``), the training loss and the training accuracy."""
    if record.get("kind") == "train":
        return number_values(record, TRAIN_COLUMNS, nan_allowed=set(TRAIN_COLUMNS) - {"train_loss", "train_accuracy"})
    columns = COLUMNS.get(record.get("group"))
    if columns is None:
        return [f"unknown group {record.get('group')!r}"]
    # M is always defined; a condition number, lambda_min or LGA may be NaN (singular or constant kernel)
    return number_values(record, columns, nan_allowed=set(columns) - {"ntk_trace"})


def open_store(store_dir) -> ResultStore:
    """The results store of this table, checking each record's values (finite numbers; NaN
    only where the table documents it): a poisoned record is quarantined, never exported."""
    return ResultStore(store_dir, schema=Schema({"kind": str, "arch": str, "dataset": str}, check=record_problems))


def records(store_dir, kind: str) -> pd.DataFrame:
    """The store's valid records of ``kind`` (``stats`` or ``train``), one row each,
    whatever their content keys."""
    frame = open_store(store_dir).frame()
    if frame.empty or "kind" not in frame:
        return pd.DataFrame()
    return frame[frame.kind == kind].reset_index(drop=True)
