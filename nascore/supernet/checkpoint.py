"""Checkpoints of a training run, written atomically.

A checkpoint (model weights and BN statistics, optimiser state, the state of the run's
random generator, the epoch reached, elapsed seconds, the per-epoch log) is saved with
``torch.save`` to a temporary file in the run directory, flushed to disk, then renamed
over ``checkpoint.pt`` (``os.replace``, atomic on POSIX), the same discipline as
:class:`nascore.tables.store.ResultStore` (which holds JSON records, not tensors). A run
killed at any moment leaves either the previous checkpoint or the new one, never a torn
file; a leftover temporary file is ignored and removed by the next save.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch

FILENAME = "checkpoint.pt"


def save(run_dir: Path | str, state: dict) -> Path:
    """Write ``state`` to ``run_dir/checkpoint.pt`` atomically; returns the path."""
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    for stale in run_dir.glob(".checkpoint-*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=run_dir, prefix=".checkpoint-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            torch.save(state, handle)
            handle.flush()
            os.fsync(handle.fileno())
        path = run_dir / FILENAME
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load(run_dir: Path | str, map_location="cpu") -> dict | None:
    """The last checkpoint of ``run_dir``, or ``None`` if it has none."""
    path = Path(run_dir) / FILENAME
    if not path.exists():
        return None
    return torch.load(path, map_location=map_location, weights_only=True)
