"""A results store on disk: one JSON file per finished result, written atomically.

Each result is filed under a key that hashes everything that determines it (search
space and its options, architecture, dataset, training protocol, seed, code version;
see :func:`result_key`). A result is written to a temporary file in the same folder,
flushed to disk, then renamed over its final name (``os.replace``), which POSIX makes
atomic: a reader, or a run restarted after being killed at any moment, sees either the
whole result or none of it. Leftover temporary files are ignored (and can be swept with
:meth:`ResultStore.sweep`).

One file per result (rather than one database) keeps concurrent writers trivially
safe and the store readable with ``cat``; a few thousand small files are no burden.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator

import pandas as pd


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


class ResultStore:
    """Results filed by key under ``root/<first two hex digits>/<key>.json``."""

    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if len(key) < 8 or not all(c in "0123456789abcdef" for c in key):
            raise ValueError(f"bad result key {key!r}: expected a lowercase hex digest")
        return self.root / key[:2] / f"{key}.json"

    def __contains__(self, key: str) -> bool:
        return self._path(key).exists()

    def __len__(self) -> int:
        return sum(1 for _ in self.root.glob("??/*.json"))

    def get(self, key: str) -> dict | None:
        """The record stored under ``key``, or ``None``."""
        path = self._path(key)
        if not path.exists():
            return None
        return json.loads(path.read_text())

    def put(self, key: str, record: dict) -> None:
        """Store ``record`` under ``key`` atomically (replacing any earlier one)."""
        path = self._path(key)
        path.parent.mkdir(exist_ok=True)
        text = json.dumps(record, sort_keys=True, indent=1)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def keys(self) -> list[str]:
        return sorted(p.stem for p in self.root.glob("??/*.json"))

    def records(self) -> Iterator[dict]:
        """Every stored record (in key order), each with its ``key`` added."""
        for key in self.keys():
            record = self.get(key)
            if record is not None:
                yield {"key": key, **record}

    def frame(self, keys=None) -> pd.DataFrame:
        """The records of ``keys`` (default: all) as a DataFrame, one row per result."""
        if keys is None:
            rows = list(self.records())
        else:
            rows = [{"key": k, **self.get(k)} for k in keys if k in self]
        return pd.DataFrame(rows)

    def sweep(self) -> int:
        """Delete temporary files left by killed writers; returns how many."""
        stale = list(self.root.glob("??/.*.tmp"))
        for path in stale:
            path.unlink(missing_ok=True)
        return len(stale)
