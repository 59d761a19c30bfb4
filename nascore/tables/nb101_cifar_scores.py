"""The job of the table ``nb101-cifar-scores``: our training-free scores of the 301 distinct
NAS-Bench-101 cells of ``bench.load("nb101-zc")`` on real CIFAR-10.

One unit (:class:`Scoring`) scores one cell with a set of metrics under one
:class:`~nascore.bench.nb101_scores.NB101Protocol` (:func:`run_job`, through
:func:`nascore.bench.nb101_scores.score_architecture`); its record is filed in a results
store under :func:`key_of` (the scoring code's import closure, the CIFAR-10 files, the
cell, the metrics and the protocol) by :meth:`ResultStore.put_checked`, so a killed run
keeps every finished cell and a rerun scores only the rest (:func:`fill`, over an
executor of :mod:`nascore.tables.executors`). The cells run in a fixed random order
(:func:`job_order`): a run cut short holds a uniform sample of them.

:func:`export` writes ``scores.csv`` from the store's records of the table's kind,
protocol and metrics *whatever their key*: a key changes with any file of the scoring
code's closure (:mod:`nascore.fingerprint`), while a stored score stays what it was. Of two
records of one cell, the one under the current key wins. The parts are named by :data:`JOB`.

Command line: ``nascore bench nb101-scores --help`` (:mod:`nascore.cli.nb101`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..bench.nb101_scores import METRICS, NB101Protocol, score_architecture
from ..fingerprint import result_key
from .jobs import Job, fill_missing
from .nb201_cifar_scores import STORE_SCHEMA
from .store import ResultStore

#: The table's name, and the ``kind`` of its stored records.
TABLE = "nb101-cifar-scores"
#: The code a score depends on: the scoring protocol's import closure.
CODE = ("nascore.bench.nb101_scores",)


@dataclass(frozen=True)
class Scoring:
    """The unit of work: one cell (canonical string) scored with ``metrics`` (picklable)."""

    arch: str
    metrics: tuple = METRICS
    protocol: NB101Protocol = field(default_factory=NB101Protocol)
    dataset: str = "cifar10"


def key_of(unit: Scoring) -> str:
    """Content key of one cell's record: the code that scores it, the images, the protocol."""
    from ..data import source_files

    return result_key(TABLE, code=CODE, data_files=source_files(unit.dataset),
                      params={"arch": unit.arch, "dataset": unit.dataset, "metrics": sorted(unit.metrics),
                              "protocol": unit.protocol.to_dict()})


def run_job(unit: Scoring) -> dict:
    """Score one cell: :func:`~nascore.bench.nb101_scores.score_architecture`'s record."""
    return score_architecture(unit.arch, unit.metrics, dataset=unit.dataset, protocol=unit.protocol)


def open_store(path) -> ResultStore:
    """The results store at ``path``, checking the score records' schema (every metric a
    finite number, or ``None`` with its error)."""
    return ResultStore(path, schema=STORE_SCHEMA)


def job_order(seed: int = 0) -> list[str]:
    """The 301 distinct cells of ``nb101-zc`` in a fixed random order, so that a run cut
    short holds a uniform sample of them."""
    import numpy as np

    from ..bench import load

    archs = sorted(load("nb101-zc", dataset="cifar10").arch)
    return [archs[i] for i in np.random.default_rng(seed).permutation(len(archs))]


def fill(store: ResultStore, executor, archs, metrics=METRICS, *, protocol: NB101Protocol | None = None,
         max_seconds: float | None = None, log=print) -> int:
    """Score every cell of ``archs`` not yet in ``store`` (a value that is not finite is
    stored with its error, never as a number), each stored as it finishes; after
    ``max_seconds`` no further cell is started. Returns how many were scored now. No seeds:
    a score has the protocol's."""
    protocol = protocol or NB101Protocol()
    units = [Scoring(a, tuple(metrics), protocol) for a in archs]
    return fill_missing(
        store, executor, run_job, units, key_of, is_stored=lambda u: store.get(key_of(u)) is not None,
        before=lambda stored, missing: log(f"{stored} stored, {missing} to score"),
        after_each=lambda i, n, unit, record, _: log(f"[{i}/{n}] {record['seconds']:.1f}s {unit.arch}"),
        max_seconds=max_seconds, desc="scoring", unit="cell")


def stored_records(store: ResultStore, metrics=METRICS, *, protocol: NB101Protocol | None = None,
                   dataset: str = "cifar10") -> dict:
    """arch -> the stored record of that cell scored with ``metrics`` under ``protocol``,
    whatever its key; the record under the current key (:func:`key_of`) wins over others."""
    protocol = protocol or NB101Protocol()
    wanted = {"kind": TABLE, "dataset": dataset, "metrics": sorted(metrics), "protocol": protocol.to_dict()}
    found = {}
    for record in store.records():
        if any(record.get(k) != v for k, v in wanted.items()):
            continue
        current = record["key"] == key_of(Scoring(record["arch"], tuple(metrics), protocol, dataset))
        if record["arch"] not in found or current:
            found[record["arch"]] = record
    return found


def export(store: ResultStore, dest, metrics=METRICS, *, protocol: NB101Protocol | None = None) -> pd.DataFrame:
    """Write ``dest/scores.csv`` (one row per scored cell, in :func:`job_order`: ``arch``,
    ``order``, NASLib's ``val_accuracy``, one column per metric, ``seconds``) and the
    folder's manifest (:func:`nascore.tables.export_files.write_table_files`); returns the frame."""
    from ..bench import load
    from .export_files import write_table_files

    records, order = stored_records(store, metrics, protocol=protocol), job_order()
    accuracy = load("nb101-zc", dataset="cifar10").set_index("arch").val_accuracy
    rows = [{"arch": arch, "order": position, "val_accuracy": accuracy[arch],
             **{m: records[arch]["values"][m] for m in metrics}, "seconds": records[arch]["seconds"]}
            for position, arch in enumerate(order) if arch in records]
    frame = pd.DataFrame(rows)
    write_table_files(dest, {"scores.csv": (frame, "%.9g")})
    return frame


#: The table's job (named by its registry record, :mod:`nascore.tables.catalogue`).
JOB = Job(Scoring, key_of, run_job, fill, export)
