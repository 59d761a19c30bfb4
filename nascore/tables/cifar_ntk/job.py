"""The job of the real-CIFAR NTK table (its command: ``nascore bench cifar-ntk stats`` /
``train``, :mod:`nascore.cli.cifar_ntk`): units of work, content keys, compute and fill.

Every finished unit is one record of the table's results store (:mod:`.results`; atomic
files, several processes may share one store), so a killed run keeps what it finished and
a rerun skips it. ``--shard i/n`` splits the architectures between processes sharing a
GPU; ``--skip-table`` leaves out the architectures a shipped CSV holds. Turning a store into
the CSV files of ``data/nb201-cifar-ntk/`` is :mod:`.export`.

The parts are named by :data:`JOB`: unit :class:`Statistics` (one group's statistics of one
architecture at initialisation, :mod:`.statistics`), :func:`key_of`, :func:`compute`,
:func:`fill` and the export of the main tables; :data:`LGA_POPULATION_JOB` and
:data:`ZHU_UNIFORM_JOB` are the same job with the export of their own file. The
after-one-epoch columns come from a second kind of unit, :class:`Training`
(:mod:`.after_epoch`), with the same :func:`key_of` and :func:`compute`, filled by
:func:`fill_trained`. :func:`run_stats` and :func:`run_train` are the command's calls: a
fill in this process.

    nascore bench cifar-ntk stats --dataset cifar10 --archs zc --store DIR --device cuda
    nascore bench cifar-ntk train --archs stratified:200 --store DIR --device cuda
    nascore bench cifar-ntk batch-study --archs sample:50 --batches 16 32 64 --store DIR
"""
from __future__ import annotations

import platform
from dataclasses import dataclass, replace
from typing import ClassVar

import pandas as pd

from ..executors import LocalExecutor
from ..jobs import Job, fill_missing
from . import after_epoch, export, statistics
from .results import open_store

#: The code a record depends on: the import closure of these modules (content-addressed,
#: :func:`nascore.fingerprint.result_key`); editing any file in it misses the store.
CODE = ("nascore.tables.cifar_ntk.statistics", "nascore.tables.cifar_ntk.after_epoch")
TABLE = "nb201-cifar-ntk"


def _positive(name, value, *, none_allowed=False):
    if none_allowed and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer{' or None' if none_allowed else ''}, got {value!r}")


@dataclass(frozen=True)
class Statistics:
    """The unit of work: the statistics of one ``group`` (``hnas``, ``tenas``, ``zhu``,
    ``lga``) of one architecture on ``dataset`` at ``batch``, batch seed ``seed``, averaged
    over ``repeats`` draws (TE-NAS only), on ``device`` (picklable for the executors)."""

    arch: str
    dataset: str
    group: str
    batch: int
    seed: int = 0
    repeats: int = 1
    device: str = "cpu"
    kind: ClassVar[str] = "stats"

    def __post_init__(self):
        if self.group not in statistics.GROUPS:
            raise ValueError(f"unknown group {self.group!r}; allowed: {', '.join(statistics.GROUPS)}")
        statistics.num_classes(self.dataset)  # names an unknown dataset
        _positive("batch", self.batch)
        _positive("repeats", self.repeats)
        if self.repeats != 1 and self.group != "tenas":
            raise ValueError(f"repeats {self.repeats} for group {self.group!r}: only tenas averages draws")

    def params(self) -> dict:
        """What the record stores besides ``arch`` and ``dataset`` (and its key's parameters)."""
        return {"group": self.group, "batch": self.batch, "seed": self.seed, "repeats": self.repeats}


@dataclass(frozen=True)
class Training:
    """The other unit: one architecture trained one epoch on CIFAR-10, then scored
    (:func:`.after_epoch.trained_stats`; ``limit``: the first shuffled images only)."""

    arch: str
    batch: int = after_epoch.TRAIN_BATCH
    seed: int = 0
    limit: int | None = None
    held_out: int = after_epoch.HELD_OUT
    device: str = "cpu"
    kind: ClassVar[str] = "train"
    dataset: ClassVar[str] = "cifar10"

    def __post_init__(self):
        _positive("batch", self.batch)
        _positive("held_out", self.held_out)
        _positive("limit", self.limit, none_allowed=True)

    def params(self) -> dict:
        return {"batch": self.batch, "seed": self.seed, "limit": self.limit, "held_out": self.held_out}


def key_of(unit: Statistics | Training) -> str:
    """Store key of one unit's record: its kind, arch, dataset and :meth:`params`, the code
    closure of :data:`CODE`, the CIFAR files' SHA-256 and the numeric libraries' versions
    (:func:`nascore.fingerprint.result_key`). The device is not part of it."""
    from nascore.data import source_files
    from nascore.fingerprint import result_key

    files = source_files("cifar10") + (source_files("cifar100") if unit.dataset == "cifar100" else [])
    return result_key(f"{TABLE}/{unit.kind}", code=CODE, data_files=files,
                      params={"arch": unit.arch, "dataset": unit.dataset, **unit.params()})


def environment(device) -> dict:
    """What a record keeps of the machine that computed it: device, its name, torch's
    version and whether cuDNN's TF32 was on."""
    import torch

    gpu = device != "cpu" and torch.cuda.is_available()
    name = torch.cuda.get_device_name() if gpu else platform.processor()
    return {"device": device, "device_name": name or platform.machine(), "torch": torch.__version__,
            "cudnn_tf32": bool(gpu and torch.backends.cudnn.allow_tf32)}


def full_precision() -> None:
    """Turn off TF32 on GPUs (cuDNN convolutions use it by default): a kernel's smallest
    eigenvalues are sensitive to it. The records of the first GPU run (before this
    switch, ``cudnn_tf32`` absent) had it on: HNAS's M and kappa recomputed on the CPU
    for 30 of them differ by a median 0.06 % and 0.5 % (Spearman 0.9996 and 0.999)."""
    import torch

    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False


def compute(unit: Statistics | Training) -> dict:
    """Run one unit (on a worker) and return its record: kind, arch, dataset, the unit's
    parameters, the values (with their seconds) and :func:`environment`. On a GPU it
    switches TF32 off first (:func:`full_precision`), so a worker process does too."""
    if unit.device != "cpu":
        full_precision()
    if isinstance(unit, Training):
        values = after_epoch.trained_stats(unit.arch, device=unit.device, seed=unit.seed, batch=unit.batch,
                                           held_out=unit.held_out, limit=unit.limit)
    else:
        values = statistics.group_stats(unit.group, unit.arch, unit.dataset, batch=unit.batch, seed=unit.seed,
                                        device=unit.device, tenas_repeats=unit.repeats)
    return {"kind": unit.kind, "arch": unit.arch, "dataset": unit.dataset, **unit.params(), **values,
            **environment(unit.device)}


def _compute_missing(store, executor, units, log) -> int:
    """Compute the ``units`` whose key ``store`` lacks, storing each record as it arrives
    (``put_checked``: a non-finite value is stored as a failure); how many were computed."""
    def before(stored, missing):
        if log and missing < len(units):
            log(f"{stored} of {len(units)} results already stored")

    def after_each(i, n, unit, record, valid):
        if log:
            log(_progress(unit, record, f"{i}/{n}"))

    return fill_missing(store, executor, compute, units, key_of, is_stored=lambda u: key_of(u) in store,
                        before=before, after_each=after_each, desc=units[0].kind if units else "jobs")


def _progress(unit, record, count: str) -> str:
    if isinstance(unit, Training):
        seconds = [record.get("seconds_train"), record.get("seconds_score")]
        if all(isinstance(s, (int, float)) for s in seconds):
            return f"[{count}] trained in {seconds[0]:.0f} s, scored in {seconds[1]:.0f} s: {unit.arch}"
        return f"[{count}] trained {unit.arch}"
    return f"[{unit.group} {count}] {unit.dataset} b={unit.batch} {record['seconds']:.2f}s {unit.arch}"


def statistics_units(archs, seeds, *, groups=statistics.GROUPS, dataset="cifar10", batches=None,
                     tenas_repeats=1, device="cpu") -> list[Statistics]:
    """The units of ``groups`` x ``seeds`` x ``archs``, group-major (the cheap statistics
    complete for every architecture first); ``batches``: per-group batch (default official)."""
    batches = dict(batches or {})
    return [Statistics(arch, dataset, group, batches.get(group) or statistics.OFFICIAL_BATCH[group], int(seed),
                       tenas_repeats if group == "tenas" else 1, device)
            for group in groups for seed in seeds for arch in archs]


def fill(store, executor, archs, seeds=(0,), *, log=None, **options) -> pd.DataFrame:
    """Compute the statistics ``store`` lacks over ``executor``; the stored records of every
    requested unit (``options``: those of :func:`statistics_units`)."""
    units = statistics_units(archs, seeds, **options)
    _compute_missing(store, executor, units, log)
    return store.frame([key_of(u) for u in units])


def fill_trained(store, executor, archs, seeds=(0,), *, log=None, **options) -> pd.DataFrame:
    """Train and score the architectures ``store`` lacks over ``executor`` (``options``:
    :class:`Training`'s ``batch``, ``limit``, ``held_out``, ``device``); their records."""
    units = [Training(arch, seed=int(seed), **options) for seed in seeds for arch in archs]
    _compute_missing(store, executor, units, log)
    return store.frame([key_of(u) for u in units])


def _here(progress):
    """This process, in order, no progress bar (the command prints a line per result)."""
    return LocalExecutor(1, threads=None, progress=False), (lambda line: print(line, flush=True)) if progress else None


def run_stats(store_dir, *, groups, dataset, archs, device="cpu", batches=None, seed=0, tenas_repeats=1,
              progress=True) -> int:
    """Compute the missing (arch, group) statistics into the store; returns how many were new."""
    executor, log = _here(progress)
    units = statistics_units(archs, [seed], groups=groups, dataset=dataset, batches=batches,
                             tenas_repeats=tenas_repeats, device=device)
    return _compute_missing(open_store(store_dir), executor, units, log)


def run_train(store_dir, *, archs, device="cpu", seed=0, batch=None, limit=None, held_out=None,
              progress=True) -> int:
    """LGA / NASWOT / DAS after one epoch (:mod:`.after_epoch`) for the missing archs."""
    executor, log = _here(progress)
    units = [Training(arch, batch or after_epoch.TRAIN_BATCH, seed, limit, held_out or after_epoch.HELD_OUT, device)
             for arch in archs]
    return _compute_missing(open_store(store_dir), executor, units, log)


#: The table's job (named by the registry records of ``nb201-cifar-ntk`` and
#: ``nb201-cifar-ntk-hnas``, :mod:`nascore.tables.catalogue`).
JOB = Job(Statistics, key_of, compute, fill, export.export)
#: The same job, exporting LGA's population (``nb201-cifar-ntk-lga1000``).
LGA_POPULATION_JOB = replace(JOB, export=export.export_lga_population)
#: The same job, exporting Zhu's lambda_min on the uniform sample (``nb201-cifar-ntk-zhu-uniform``).
ZHU_UNIFORM_JOB = replace(JOB, export=export.export_zhu_uniform)
