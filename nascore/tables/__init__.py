"""The table registry: one record per shipped table (:class:`Table`).

``load(name, dataset=None)`` reads a registered table (``nascore.bench.load`` is this
function); ``get(name)`` is its record (folder, files, loader, command, export, README);
``names()`` lists the registered tables; ``regenerated(chapter)`` those a chapter
recomputes under ``nascore reproduce --regenerate``. The records are in :mod:`.catalogue`.
"""
from __future__ import annotations

import pandas as pd

from . import catalogue
from .registry import REGISTRY, Table, get, names, regenerated, register

__all__ = ["REGISTRY", "Table", "catalogue", "get", "load", "names", "regenerated", "register"]


def load(name: str, dataset: str | None = None) -> pd.DataFrame:
    """Table ``name`` on ``dataset`` (matched without regard to case; ``None`` is the
    table's first dataset); ``ValueError`` naming the known tables or the table's datasets."""
    return get(name).load(dataset)
