"""How a shipped table is computed: one frozen :class:`Job` record per table that a job fills.

A table this project computed itself is filled by a long, resumable job: the work is cut
into units (one network trained with one seed, a stack of networks, ...), each result is
filed in a results store (:class:`nascore.tables.store.ResultStore`) under a content key
of everything that determines it, and an export writes the stored results into ``data/``
with their provenance README. A :class:`Job` names those parts:

- ``unit``: the type of one unit of work (a picklable frozen dataclass, sent to a worker);
- ``key_of``: the content key of one stored result (:func:`nascore.fingerprint.result_key`);
  two results computed from the same code, parameters, data and libraries share it;
- ``compute``: runs one unit on a worker and returns its record (or records);
- ``fill``: ``fill(store, executor, archs, seeds, **options)``: computes the units not yet
  in the store over an executor of :mod:`nascore.tables.executors` and returns the rows;
- ``export``: writes the table (CSV and provenance README) into a folder under ``data/``.

A table's registry record (:class:`nascore.tables.registry.Table`) names its job by a
dotted name (``"nascore.tables.nb201_mnist5k.JOB"``), so the registry imports no job's
code (``tests/test_jobs.py`` checks that every such name resolves to a :class:`Job`).

:func:`fill_missing` is the loop every ``fill`` runs (skip what is stored, compute the
rest over the executor, file each result as it arrives, optionally within a time budget);
:func:`store_trained` is how both trained tables file one computed record.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, is_dataclass
from typing import Callable

from ..messages import short


@dataclass(frozen=True)
class Job:
    """The parts of one table's job (see the module's docstring); ``export`` may be
    ``None`` for a table whose command writes it directly."""

    unit: type
    key_of: Callable
    compute: Callable
    fill: Callable
    export: Callable | None = None

    def __post_init__(self):
        if not (isinstance(self.unit, type) and is_dataclass(self.unit)
                and self.unit.__dataclass_params__.frozen):
            raise ValueError(f"a job's unit must be a frozen dataclass type, not {short(self.unit)}")
        for name in ("key_of", "compute", "fill", "export"):
            value = getattr(self, name)
            if not callable(value) and not (name == "export" and value is None):
                raise ValueError(f"a job's {name} must be a function, not {short(value)}")


def fill_missing(store, executor, compute: Callable, units, key_of: Callable, *, is_stored: Callable = None,
                 file_result: Callable = None, before: Callable = None, after_each: Callable = None,
                 max_seconds: float | None = None, desc: str = "jobs", unit: str = "job",
                 size: Callable = None) -> int:
    """Compute the ``units`` that ``store`` lacks, filing each result as it arrives, so a
    killed run loses only the units in flight; returns how many units were computed now.

    - A unit is skipped when ``is_stored(unit)`` (default: ``store.done(key_of(unit))``,
      a result stored as ok or as failed is not recomputed).
    - ``before(n_stored, n_missing)`` is called once the missing units are known (the
      caller's progress message).
    - The others go through ``executor.imap(compute, missing, desc=, unit=, size=)``
      (:mod:`nascore.tables.executors`); each ``(unit, result)`` is filed by
      ``file_result(unit, result)`` (default: ``store.put_checked(key_of(unit), result)``)
      and then handed to ``after_each(count, total, unit, result, filed)``, with ``filed``
      what ``file_result`` returned (for the default, whether it was stored as valid).
    - ``max_seconds``: once this long has passed, the unit that just finished is the last
      one taken (units already running on other workers are cancelled with the
      iterator); the next run resumes from the store.
    """
    if max_seconds is not None and not max_seconds >= 0:
        raise ValueError(f"max_seconds must be a non-negative number of seconds or None, got {max_seconds!r}")
    is_stored = is_stored or (lambda u: store.done(key_of(u)))
    file_result = file_result or (lambda u, result: store.put_checked(key_of(u), result))
    units = list(units)
    missing = [u for u in units if not is_stored(u)]
    if before is not None:
        before(len(units) - len(missing), len(missing))
    deadline = None if max_seconds is None else time.monotonic() + float(max_seconds)
    count = 0
    results = executor.imap(compute, missing, desc=desc, unit=unit, size=size)
    try:
        for item, result in results:
            filed = file_result(item, result)
            count += 1
            if after_each is not None:
                after_each(count, len(missing), item, result, filed)
            if deadline is not None and time.monotonic() > deadline:
                break
    finally:
        results.close()
    return count


def store_trained(store, key: str, record: dict) -> str | None:
    """Store a trained ``record`` under ``key``: as a result, or as a failed run when the
    trainer said so (``record["failure"]``) or a loss or accuracy (``train_loss``,
    ``acc_*``) is not finite; returns the failure's reason (``None`` for a result)."""
    record = dict(record)
    reason = record.pop("failure", None)
    if reason is None:
        bad = [k for k, v in record.items() if (k == "train_loss" or k.startswith("acc_"))
               and isinstance(v, float) and not math.isfinite(v)]
        reason = f"non-finite {', '.join(bad)}" if bad else None
    if reason:
        store.put_failure(key, reason, record)
    else:
        store.put(key, record)
    return reason
