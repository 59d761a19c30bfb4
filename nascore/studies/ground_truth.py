"""The ground-truth chapter: how well the two tables this project trained agree with themselves.

The tables are made in the library (``mixed-mnist5k``: :mod:`nascore.tables.mixed_mnist5k`,
``nb201-mnist5k``: :mod:`nascore.tables.nb201_mnist5k`) and read through
:func:`nascore.bench.load`; this study measures their noise ceiling: the rank agreement
between two training seeds after each checkpoint (:func:`noise_ceiling`), which caps any
score's rank correlation against the table.
"""
from __future__ import annotations

import pandas as pd

from ..bench import agreement

#: The accuracy columns compared between seeds: after epochs 1, 2, 5, and at the end.
CHECKPOINTS = ("acc_e1", "acc_e2", "acc_e5", "acc_final")


def noise_ceiling(tables: dict, *, n_boot: int, seed: int = 0) -> pd.DataFrame:
    """Kendall's tau between the first two seeds of every table in ``tables`` (name ->
    frame with ``arch``, ``seed`` and the :data:`CHECKPOINTS` columns), with bootstrap
    intervals: one row per (table, checkpoint), columns ``table``, ``column``, ``value``,
    ``low``, ``high`` and the rest of :func:`nascore.bench.agreement.seed_agreement_table`."""
    parts = []
    for name, frame in tables.items():
        part = agreement.seed_agreement_table(frame, list(CHECKPOINTS), n_boot=n_boot, seed=seed)
        part.insert(0, "table", name)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
