"""Content keys of the results store: one SHA-256 per result, of everything that determines it.

:func:`result_key` hashes keyword fields as sorted JSON, so the order of the fields does
not matter and two runs with the same inputs file their results under the same key
(:class:`nascore.tables.store.ResultStore`).
"""
from __future__ import annotations

import hashlib
import json


def result_key(**fields) -> str:
    """SHA-256 (hex) of the JSON of ``fields`` with sorted keys.

    >>> result_key(seed=0, arch="relu|") == result_key(arch="relu|", seed=0)
    True
    """
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()


def _plain(value):
    if isinstance(value, tuple):
        return list(value)
    if hasattr(value, "to_dict"):
        return value.to_dict()
    raise TypeError(f"cannot put {type(value).__name__} into a result key")
