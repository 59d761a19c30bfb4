"""The table ``mixed-mnist5k``: Zhu et al.'s mixed-activation networks trained on MNIST-5k.

How the table is made (``nascore bench train`` runs it; the chapters read it through
:func:`nascore.bench.load`): take the first ``n`` architectures of a fixed random order of
the space (so that a larger ``n`` extends a smaller one), train each under one fixed
:class:`~nascore.training.Protocol` for every seed, store every result as soon as it is
finished (:mod:`nascore.tables.store`), and export the table with its provenance. The
parts are named by :data:`JOB` (unit :class:`Stack`, :func:`key_of`, :func:`run_job`,
:func:`fill`, :func:`export`).

Architectures that share a seed are trained in stacks of ``batch_nets`` (one optimiser
step for the whole stack, see :mod:`nascore.training.stacked`). All nets of one seed
start from the *same* weight draw and see the same mini-batch order (the seed fixes
both), so that architectures are compared under common random numbers; a second seed
redraws both, and the agreement between seeds is the noise ceiling of any rank
correlation against this table.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..spaces import mixed
from ..training import Protocol, prepare, train_many
from ..bench.agreement import seed_agreement
from ..bench.licence import TRAINED_TABLE_LICENCE
from ..fingerprint import code_digest, result_key
from .export_files import command_line, provenance_lines, replacing, write_table_files
from .jobs import Job, fill_missing, store_trained
from .schema import Schema
from .store import ResultStore

#: The code a trained result depends on: this module's import closure (the trainer, the
#: space, the data loader, ...). Editing any of those files misses the stored results.
CODE = ("nascore.tables.mixed_mnist5k",)
#: scikit-learn ships the digits dataset, so its version is part of a result's identity.
LIBRARIES = ("torch", "numpy", "scipy", "scikit-learn")

SPACES = ("mixed",)
DATASETS = ("mnist5k", "digits")

#: The protocol of the shipped table (NTK parameterisation needs a large step size:
#: each layer's output is divided by sqrt(fan-in), so gradients are small).
MIXED_PROTOCOL = Protocol(optimizer="sgd", lr=8.0, momentum=0.9, weight_decay=0.0,
                          schedule="cosine", epochs=8, batch_size=128, checkpoints=(1, 2, 5),
                          inputs="flat")


#: What a stored mixed-space result must hold (checked on every write and read): a run
#: whose loss or accuracy is not finite is stored as failed instead (:func:`fill`).
RESULT_SCHEMA = Schema({"arch": str, "seed": int, "acc_final": float, "train_loss": float},
                       finite=("acc_final", "train_loss"))


@dataclass(frozen=True)
class MixedSpace:
    """The slice of Zhu et al.'s space the table covers: depth, width, skip slots."""

    hidden_layers: int = 3
    width: int = 128
    skip_slots: str = "adjacent"

    def __post_init__(self):
        for name in ("hidden_layers", "width"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.skip_slots not in ("adjacent", "all"):
            raise ValueError(f"unknown skip_slots {self.skip_slots!r}; allowed: 'adjacent', 'all'")

    def to_dict(self) -> dict:
        return {"hidden_layers": self.hidden_layers, "width": self.width,
                "skip_slots": self.skip_slots}

    def architectures(self, n: int | None = None, *, order_seed: int = 0):
        """The first ``n`` architectures (default: all) in a fixed random order."""
        archs = mixed.all_architectures(self.hidden_layers, skip_slots=self.skip_slots)
        if n is not None and not (isinstance(n, int) and 1 <= n <= len(archs)):
            raise ValueError(f"n must be an integer in 1..{len(archs)} for this space, got {n!r}")
        order = np.random.default_rng(order_seed).permutation(len(archs))
        return [archs[i] for i in order[:n]]


@dataclass(frozen=True)
class Stack:
    """The unit of work: one stack of architectures trained together with one seed (picklable)."""

    dataset: str
    space: MixedSpace
    protocol: Protocol
    seed: int
    arch_keys: tuple[str, ...]
    batched: bool = True
    threads: int | None = 1


def key_of(dataset: str, space: MixedSpace, protocol: Protocol, seed: int, arch_key: str) -> str:
    """Store key: everything that determines one trained result — the code of this module
    and all it imports (trainer, space, data loader), the parameters, the dataset's files
    and the numeric libraries' versions (:func:`nascore.fingerprint.result_key`)."""
    from ..data import source_files

    return result_key("trained-mixed", code=CODE, data_files=source_files(dataset),
                      libraries=LIBRARIES,
                      params={"space_options": space.to_dict(), "arch": arch_key, "dataset": dataset,
                              "protocol": protocol.to_dict(), "seed": int(seed)})


@functools.lru_cache(maxsize=4)
def _data(dataset: str, protocol: Protocol):
    from .. import data

    return prepare(data.load(dataset), protocol)


def run_job(job: Stack) -> list[dict]:
    """Train the job's stack; one flat record per architecture (runs on a worker)."""
    from .executors import torch_threads

    with torch_threads(job.threads):
        return _run_job(job)


def _run_job(job: Stack) -> list[dict]:
    import torch

    data = _data(job.dataset, job.protocol)
    input_dim, classes = data.x_train.shape[1], int(data.y_train.max()) + 1
    archs = [mixed.from_key(k) for k in job.arch_keys]
    factories = [functools.partial(_build, arch, input_dim, job.space.width, classes)
                 for arch in archs]
    results = train_many(factories, data, job.protocol, seed=job.seed, batched=job.batched)
    records = []
    for arch, result in zip(archs, results):
        record = {"arch": arch.key(), "seed": job.seed, "dataset": job.dataset,
                  "space": "mixed", **{k: v for k, v in job.space.to_dict().items()},
                  "protocol": job.protocol.digest(), "code": code_digest(*CODE)[:16],
                  "stack": len(archs), "threads": torch.get_num_threads(),
                  "train_loss": result.train_loss, "seconds": result.seconds}
        for epoch, acc in sorted(result.test_accuracy.items()):
            record[f"acc_e{epoch}"] = acc
        record["acc_final"] = result.final_accuracy
        if result.failure:
            record["failure"] = result.failure
        records.append(record)
    return records


def _build(arch, input_dim, width, classes, seed):
    return arch.build(input_dim, width, classes, seed=seed)


def plan(store: ResultStore, archs, seeds, *, dataset: str, space: MixedSpace,
         protocol: Protocol, batch_nets: int = 32, batched: bool = True,
         threads: int | None = 1):
    """The stacks to train for the (architecture, seed) pairs not yet in ``store``, and all their keys."""
    if dataset not in DATASETS:
        raise ValueError(f"unknown dataset {dataset!r}; allowed: {', '.join(DATASETS)}")
    if not isinstance(batch_nets, int) or batch_nets < 1:
        raise ValueError(f"batch_nets must be a positive integer, got {batch_nets!r}")
    keys, jobs = {}, []
    for seed in seeds:
        todo = []
        for arch in archs:
            key = key_of(dataset, space, protocol, seed, arch.key())
            keys[(arch.key(), seed)] = key
            if key not in store:
                todo.append(arch.key())
        for first in range(0, len(todo), batch_nets):
            jobs.append(Stack(dataset, space, protocol, int(seed),
                            tuple(todo[first:first + batch_nets]), batched, threads))
    return jobs, keys


def fill(store: ResultStore, executor, archs, seeds, *, dataset: str = "mnist5k",
         space: MixedSpace = MixedSpace(), protocol: Protocol = MIXED_PROTOCOL,
         batch_nets: int = 32, batched: bool = True, threads: int | None = 1,
         log=print) -> pd.DataFrame:
    """Train what is missing, storing each result as it arrives; return all requested rows."""
    start = time.perf_counter()
    jobs, keys = plan(store, archs, seeds, dataset=dataset, space=space, protocol=protocol,
                      batch_nets=batch_nets, batched=batched, threads=threads)
    missing = sum(len(job.arch_keys) for job in jobs)
    failed_before = sum(store.status(k) == "failed" for k in keys.values()) if missing < len(keys) else 0
    log(f"{len(keys) - missing} of {len(keys)} results already stored"
        + (f" ({failed_before} of them failed runs, not retried)" if failed_before else "")
        + f"; {missing} to train in {len(jobs)} jobs on {executor!r}")
    failures = []

    def file_records(job, records):
        for record in records:
            reason = store_trained(store, keys[(record["arch"], record["seed"])], record)
            if reason:
                failures.append(f"{record['arch']} seed {record['seed']}: {reason}")

    # plan() made stacks of the missing pairs only: no stack is stored as a whole
    fill_missing(store, executor, run_job, jobs, key_of=None, is_stored=lambda job: False, file_result=file_records,
                 desc="train", unit="net", size=lambda job: len(job.arch_keys))
    if failures:
        log(f"{len(failures)} runs failed, stored as failed and never exported: "
            + "; ".join(failures[:3]) + ("; ..." if len(failures) > 3 else ""))
    frame = store.frame(keys.values())
    log(f"done in {time.perf_counter() - start:.1f} s")
    if frame.empty:
        return frame
    return frame.drop(columns="key").sort_values(["seed", "arch"]).reset_index(drop=True)


def export(frame: pd.DataFrame, folder, *, space: MixedSpace, protocol: Protocol, dataset: str,
           wall_seconds: float, command: str = "") -> list:
    """Write ``results.csv`` (and ``results.parquet`` when pyarrow is installed) and a
    provenance ``README.md`` into ``folder``
    (:func:`nascore.tables.export_files.write_table_files`); returns the paths written."""
    from pathlib import Path

    from ..data import MNIST5K_SHA256

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frame = frame.sort_values(["seed", "arch"]).reset_index(drop=True)
    accuracy = sorted((c for c in frame.columns if c.startswith("acc_e")), key=lambda c: int(c[5:]))
    first = ["arch", "seed", *accuracy, "acc_final", "train_loss", "seconds"]
    frame = frame[first + sorted(c for c in frame.columns if c not in first)]
    parquet = []
    try:
        with replacing(folder / "results.parquet") as tmp:
            frame.to_parquet(tmp, index=False)
        parquet.append(folder / "results.parquet")
    except ImportError:
        pass
    tau = seed_agreement(frame)
    accs = frame["acc_final"]
    lines = [
        f"# Trained ground truth: Zhu et al.'s mixed-activation space on {dataset}", "",
        "Produced by `nascore.tables.mixed_mnist5k` (load with "
        f"`nascore.bench.load_mixed({dataset!r})`).", "",
        command_line(command),
        f"- architectures: {frame['arch'].nunique()} (first of a fixed random order of the space), "
        f"seeds: {sorted(frame['seed'].unique().tolist())}, rows: {len(frame)}",
        f"- space: {space.hidden_layers} hidden layers of width {space.width}, activations "
        f"{', '.join(sorted(mixed.ACTIVATIONS))}, skips: {space.skip_slots} slots on/off; "
        "NTK parameterisation, no biases (`nascore.spaces.mixed`)",
        f"- protocol (digest `{protocol.digest()}`; code digest `{code_digest(*CODE)[:16]}`): "
        + ", ".join(f"{k}={v}" for k, v in protocol.to_dict().items()),
        "- common random numbers: all architectures of one seed share the initial weight "
        "draw and the mini-batch order",
        f"- test split: the held-out split of `nascore.data.load({dataset!r})`"
        + (f" (data file SHA-256 {MNIST5K_SHA256}, checked on load)" if dataset == "mnist5k" else ""),
        *provenance_lines(),
        f"- time taken: {wall_seconds / 60:.1f} min wall for the last run; "
        f"{frame['seconds'].sum() / 60:.1f} min of training summed over results",
        "", "## Summary", "",
        f"- final test accuracy: min {accs.min():.3f}, median {accs.median():.3f}, "
        f"max {accs.max():.3f}, std {accs.std():.3f}; {int((accs < 0.5).sum())} of {len(accs)} rows "
        "below 50% (nets whose training stalled, kept as measured)",
        f"- seed-to-seed Kendall tau of final accuracy (noise ceiling): {tau:.3f}",
        "- seed-to-seed Kendall tau after each checkpoint: "
        + ", ".join(f"{c}: {seed_agreement(frame, c):.3f}" for c in accuracy),
        "", "## Columns", "",
        "`arch` (architecture key, `nascore.spaces.mixed.from_key`), `seed`, `acc_e<k>` (test "
        "accuracy after epoch k), `acc_final`, `train_loss` (mean over the last epoch), "
        "`seconds` (training time per net; a stack's time is split evenly), `stack` (nets "
        "trained together), `threads`, and the space/protocol columns.", "",
        *TRAINED_TABLE_LICENCE,
    ]
    csv, *rest = write_table_files(folder, {"results.csv": (frame, "%.6g")}, readme=lines)
    return [csv, *parquet, *rest]


#: The table's job (named by its registry record, :mod:`nascore.tables.catalogue`).
JOB = Job(Stack, key_of, run_job, fill, export)
