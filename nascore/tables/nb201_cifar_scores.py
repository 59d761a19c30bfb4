"""The job of the table ``nb201-cifar-scores``: our training-free scores of NAS-Bench-201
architectures on the shipped CIFAR images.

One unit (:class:`Scoring`) scores one architecture on one dataset with a set of metrics, through
:func:`nascore.metrics.score_many` (one forward and shared backward passes), on the
batch and network :class:`~nascore.bench.cifar_protocol.ScoringProtocol` defines. Each
result is filed in a :class:`~nascore.tables.store.ResultStore` under a key hashing the
architecture, dataset, protocol, metric set and code version, written atomically as
soon as it arrives: a killed or time-limited run keeps every finished architecture and
a rerun scores only the rest. Jobs run on local worker processes or a Dask cluster
(:mod:`nascore.tables.executors`), on the CPU or on a GPU (``device="cuda"``: several
worker processes can share one GPU). :func:`records_frame` reads the store (every
record of the table's kind and protocol, whatever its key), and the export
(:func:`nascore.tables.nb201_cifar_scores_export.export`) writes the table that
``nascore.bench.load("nb201-cifar-scores", dataset=...)`` reads. The parts are named by
:data:`JOB`; the metric sets and architecture selections are
:mod:`nascore.bench.cifar_scores`.

Command line: ``nascore bench cifar-scores --help`` (:mod:`nascore.cli.cifar_scores`).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..bench.cifar_protocol import ScoringProtocol, check_dataset
from ..bench.cifar_scores import METRIC_SETS, ZC_METRICS
from ..fingerprint import result_key
from .jobs import Job, fill_missing
from .nb201_cifar_scores_export import PROTOCOL_FILE, export
from .schema import Schema
from .store import ResultStore

KIND = "nb201-cifar-scores"
DEVICES = ("cpu", "cuda")
#: Timed steps of :func:`nascore.metrics.score_many` and their table columns (seconds).
STEP_COLUMNS = {"forward+backward": "seconds_shared", "grasp": "seconds_grasp", "synflow": "seconds_synflow",
                "flops": "seconds_flops", "params": "seconds_params"}


@dataclass(frozen=True)
class Scoring:
    """The unit of work: one architecture on one dataset (picklable for worker processes and Dask)."""

    arch: str
    dataset: str
    metrics: tuple
    protocol: ScoringProtocol = field(default_factory=ScoringProtocol)
    device: str = "cpu"


#: The code a score depends on: the import closure of the protocol module (the metrics,
#: the network, the NTK package, the data loader; :func:`nascore.fingerprint.code_digest`).
CODE = ("nascore.bench.cifar_protocol", "nascore.metrics")


def key_of(job: Scoring) -> str:
    """The store key of ``job``'s result (device-independent: a GPU result answers a CPU request)."""
    from ..data import source_files

    files = source_files("cifar10") + (source_files("cifar100") if job.dataset == "cifar100" else [])
    return result_key(KIND, code=CODE, data_files=files,
                      params={"arch": job.arch, "dataset": job.dataset, "metrics": sorted(job.metrics),
                              "protocol": job.protocol.to_dict()})


def run_job(job: Scoring) -> dict:
    """Score ``job``: a JSON-ready record of values (``None`` where a metric failed), errors, timings."""
    import math

    import torch

    from ..metrics import score_many

    if job.device not in DEVICES:
        raise ValueError(f"unknown device {job.device!r}; allowed: {', '.join(DEVICES)}")
    start = time.perf_counter()
    x, y = job.protocol.batch_for(job.arch, job.dataset)
    net = job.protocol.network(job.arch, job.dataset)
    device = torch.device(job.device)
    # No TF32 on GPUs: the activation codes are signs of pre-activations near zero.
    with torch.backends.cudnn.flags(enabled=True, benchmark=False, deterministic=True, allow_tf32=False):
        scores = score_many(job.metrics, net.to(device), x.to(device), y.to(device), on_error="nan")
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    values = {m: (float(v) if math.isfinite(v) else None) for m, v in scores.items()}
    errors = dict(scores.errors)
    errors.update({m: f"non-finite value {v}" for m, v in scores.items() if not math.isfinite(v) and m not in errors})
    return {"kind": KIND, "arch": job.arch, "dataset": job.dataset, "metrics": sorted(job.metrics),
            "values": values, "errors": errors, "seconds": time.perf_counter() - start,
            "seconds_by_step": {k: round(v, 6) for k, v in scores.seconds.items()},
            "device": job.device, "torch": torch.__version__, "protocol": job.protocol.to_dict()}


def _supersets(metrics) -> list[tuple]:
    return [tuple(s) for s in METRIC_SETS.values() if set(metrics) < set(s)]


def _score_problems(record) -> list[str]:
    from .schema import explained_values

    return explained_values(record.get("values"), record.get("errors"), record.get("metrics") or ())


#: A stored record: every metric it names is a finite number, or None with its error.
STORE_SCHEMA = Schema({"arch": str, "dataset": str, "metrics": list, "seconds": float}, finite=("seconds",),
                      check=_score_problems)


def open_store(path) -> ResultStore:
    """The results store of this table at ``path``, checking :data:`STORE_SCHEMA`."""
    return ResultStore(path, schema=STORE_SCHEMA)


def stored(store: ResultStore, job: Scoring) -> dict | None:
    """``job``'s record, or that of the same architecture scored with a superset of its metrics."""
    for metrics in [job.metrics, *_supersets(job.metrics)]:
        record = store.get(key_of(Scoring(job.arch, job.dataset, metrics, job.protocol)))
        if record is not None:
            return record
    return None


def fill(store: ResultStore, executor, archs, datasets=("cifar10",), metrics=ZC_METRICS, *,
         protocol: ScoringProtocol | None = None, device: str = "cpu", max_seconds: float | None = None,
         log=print) -> dict:
    """Score every (architecture, dataset) not yet in ``store``; returns counts (the fourth
    argument is the datasets: a score has one seed, the protocol's).

    Results are stored one by one as they arrive. ``max_seconds``: stop handing out new
    jobs after this long (the jobs already running finish and are stored), so a run
    fits a time limit and the next run resumes.
    """
    protocol = protocol or ScoringProtocol()
    metrics = tuple(metrics)
    if device not in DEVICES:
        raise ValueError(f"unknown device {device!r}; allowed: {', '.join(DEVICES)}")
    from ..metrics import info

    for name in metrics:
        info(name)
    for dataset in datasets:
        check_dataset(dataset)
    units = [Scoring(arch, dataset, metrics, protocol, device) for dataset in datasets for arch in archs]
    counts = {}

    def before(done, missing):
        counts.update(stored_before=done, missing=missing)
        log(f"{done} stored, {missing} to score ({', '.join(datasets)}; {len(metrics)} metrics; {device})")

    scored = fill_missing(store, executor, run_job, units, key_of, is_stored=lambda u: stored(store, u) is not None,
                          before=before, max_seconds=max_seconds, desc="scoring", unit="arch")
    if scored < counts["missing"]:
        log(f"time budget reached after {scored} architectures; rerun to resume")
    return {"stored_before": counts["stored_before"], "scored": scored, "remaining": counts["missing"] - scored}


def records_frame(store: ResultStore, protocol: ScoringProtocol | None = None) -> pd.DataFrame:
    """One row per (architecture, dataset) in ``store`` scored under ``protocol``.

    Where one architecture was scored with two metric sets (the zero-cost set and the
    full-space set), the record with more metrics wins and the other fills its gaps.
    """
    protocol = protocol or ScoringProtocol()
    wanted = protocol.to_dict()
    rows = {}
    for record in store.records():
        if record.get("kind") != KIND or record.get("protocol") != wanted:
            continue
        key = (record["arch"], record["dataset"])
        row = {"arch": record["arch"], "dataset": record["dataset"],
               **{m: np.nan if v is None else v for m, v in record["values"].items()},
               "n_metrics": len(record["values"]), "seconds": record["seconds"],
               **{STEP_COLUMNS[k]: v for k, v in record.get("seconds_by_step", {}).items() if k in STEP_COLUMNS},
               "device": record["device"], "torch": record["torch"]}
        rows[key] = row if key not in rows else _combine(rows[key], row)
    return _table(rows.values())


#: The columns :func:`~nascore.bench.cifar_scores.with_accuracy` adds to an export.
DERIVED = ("op_indices", "val_accuracy", "in_zc")
#: The columns of an exported score table, before :func:`~nascore.bench.cifar_scores.with_accuracy`.
COLUMNS = ["arch", "dataset", *ZC_METRICS, "seconds", *STEP_COLUMNS.values(), "device", "torch"]


def _combine(old: dict, row: dict) -> dict:
    """One architecture scored twice: the row with more metrics (``n_metrics``; a tie keeps
    ``old``) wins and the other fills its gaps. The total ``seconds`` is the winner's (it
    timed that job); a step's time (``seconds_grasp``, ...) comes with the step, so where the
    winner did not run a step the other row's time of it fills the gap, as its values do."""
    first, second = sorted([old, row], key=lambda r: -r["n_metrics"])
    out = {**second, **{k: v for k, v in first.items() if not _missing(v)}}
    out["seconds"] = first.get("seconds", np.nan)
    return out


def _table(rows) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows))
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    for column in COLUMNS:
        if column not in frame:
            frame[column] = np.nan
    return frame[COLUMNS].sort_values(["dataset", "arch"], ignore_index=True)


def merged_with_table(frame: pd.DataFrame, folder, protocol: ScoringProtocol) -> pd.DataFrame:
    """``frame`` (:func:`records_frame` under ``protocol``) merged into the score table of
    ``folder`` (its ``scores.csv``), so that exporting a store that holds only new work keeps
    every shipped row. An architecture in both is combined as in :func:`records_frame`, except
    that a tie goes to ``frame`` (a re-scored cell replaces the table's): the row with more
    metrics wins and the other fills its gaps. Rows of either alone are kept.

    The table must have been exported under the same protocol (its ``protocol.json``,
    :data:`~nascore.tables.nb201_cifar_scores_export.PROTOCOL_FILE`); a missing or different one, or a column the export does not
    write, raises ``ValueError``. No ``scores.csv`` in ``folder``: ``frame`` as it is."""
    import json
    from pathlib import Path

    path = Path(folder) / "scores.csv"
    if not path.is_file():
        return frame
    recorded = Path(folder) / PROTOCOL_FILE
    if not recorded.is_file():
        raise ValueError(f"{recorded} is missing: cannot tell which protocol the rows of {path} were scored "
                         "under; export with --replace, or write that file")
    theirs, ours = json.loads(recorded.read_text()), protocol.to_dict()
    if theirs != ours:
        fields = sorted(k for k in set(theirs) | set(ours) if theirs.get(k) != ours.get(k))
        differ = ", ".join(f"{k}: {theirs.get(k)!r} there, {ours.get(k)!r} here" for k in fields)
        raise ValueError(f"{path} was scored under another protocol ({differ}); export it to another folder, "
                         "or with --replace")
    shipped = pd.read_csv(path)
    missing = [c for c in ("arch", "dataset") if c not in shipped]
    if missing:
        raise ValueError(f"{path} is not a score table: it has no {', '.join(missing)} column")
    unknown = sorted(set(shipped.columns) - set(COLUMNS) - set(DERIVED))
    if unknown:
        raise ValueError(f"{path} has columns an export does not write ({', '.join(unknown)}); they would be lost")
    rows = {}
    for source in (shipped.reindex(columns=COLUMNS), frame.reindex(columns=COLUMNS)):
        for row in source.to_dict("records"):
            row["n_metrics"] = sum(not _missing(row[m]) for m in ZC_METRICS)
            key = (row["arch"], row["dataset"])
            rows[key] = row if key not in rows else _combine(row, rows[key])  # a tie: the new row
    return _table(rows.values())


def _missing(value) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))



#: The table's job (named by its registry record, :mod:`nascore.tables.catalogue`).
JOB = Job(Scoring, key_of, run_job, fill, export)
