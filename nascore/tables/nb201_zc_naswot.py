"""The table ``nb201-zc-naswot``: NASWOT and DAS's two terms of the zero-cost cells on MNIST digits.

NASWOT (Mellor et al., ICML 2021) is ``log|K_H|`` of the Hamming-agreement kernel of a
batch's activation codes; DAS (Liu, Li, Sun & Liu, arXiv 2212.12132) splits it into
``N log N_A + D``. The shipped zero-cost table holds NASLib's NASWOT on a CIFAR-10 batch
but not the two terms, so this job computes
:func:`nascore.training.probes.activation_summary` for every architecture of that table
(``nascore.bench.load("nb201-zc", dataset="cifar10")``) at full NAS-Bench-201 size
(``C=16, N=5``, 3 input channels, 10 classes) on MNIST-5k training digits zero-padded to
32x32 and repeated over 3 channels: a forward pass at initialisation, one fixed batch,
one weight draw per architecture. :mod:`nascore.bench.zc_naswot` defines the file and
reads it.

The unit of work is one architecture under one seed (:class:`Scoring`); each record is
filed in a results store (:mod:`nascore.tables.store`) under its content key
(:func:`key_of`) as soon as it exists, so a killed run resumes with the missing ones. A
value that is NaN or ``+inf`` makes the record a failed unit, never a row; ``-inf`` is a
value (``log 0``: the kernel, or one layer's, is singular). :func:`export` writes the
stored records as the shipped CSV (the zero-cost table's order, ``%.9g``); the chapters
read the shipped file, or under ``nascore reproduce --regenerate`` the table recomputed
into the store (:func:`regenerated`). The parts are named by :data:`JOB`;
``nascore bench zc-naswot`` runs them.
"""
from __future__ import annotations

import functools
import math
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
from torch.nn import functional as F

from ..bench.zc_naswot import BATCH_SIZE, COLUMNS, PATH
from ..fingerprint import result_key
from .export_files import without_integrity, write_table_files
from .jobs import Job, fill_missing
from .schema import Schema
from .store import ResultStore

#: The code a record depends on: this module's import closure (network, probes, data).
CODE = ("nascore.tables.nb201_zc_naswot",)
#: The full-size NAS-Bench-201 network every architecture is built as.
NETWORK = {"C": 16, "N": 5, "num_classes": 10, "in_channels": 3}
#: The log-determinant fields: a number, ``-inf`` allowed (a singular kernel), never NaN or ``+inf``.
LOG_DETS = ("naswot", "das_units", "das_distinguishing", "das_layerwise")


def value_problems(record: dict) -> list[str]:
    """The problems of a record's value fields: :data:`LOG_DETS` must be numbers that are
    not NaN or ``+inf``; ``n_units`` and ``seconds`` finite numbers."""
    out = []
    for name in (*LOG_DETS, "n_units", "seconds"):
        value = record.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            out.append(f"value {name!r} is not a number ({value!r})")
        elif math.isnan(value) or value == math.inf or (name not in LOG_DETS and not math.isfinite(value)):
            out.append(f"value {name!r} is not allowed ({value!r})")
    return out


#: What a stored record holds (checked on every write and read).
SCHEMA = Schema({"arch": str, "batch_size": int, "seed": int}, check=value_problems)


def open_store(root=None) -> ResultStore:
    """The results store of this table at ``root`` (default ``<cache>/results/nb201-zc-naswot``)."""
    from ..paths import cache_folder

    return ResultStore(root or cache_folder("results") / "nb201-zc-naswot", schema=SCHEMA)


@dataclass(frozen=True)
class Scoring:
    """The unit of work: one architecture scored with one seed on a batch of ``batch_size`` (picklable)."""

    arch: str
    seed: int = 0
    batch_size: int = BATCH_SIZE

    def __post_init__(self):
        from ..spaces import nb201

        nb201.parse(self.arch)  # a bad string is refused here, not on a worker
        for name, low, allowed in (("seed", 0, "a non-negative integer"), ("batch_size", 1, "a positive integer")):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be {allowed}, got {value!r}")


def key_of(unit: Scoring) -> str:
    """Store key of one record: this module's code closure, the network, the architecture,
    seed and batch size, the MNIST-5k file and the library versions
    (:func:`nascore.fingerprint.result_key`)."""
    from ..data import source_files

    return result_key("nb201-zc-naswot", code=CODE, data_files=source_files("mnist5k"),
                      params={"arch": unit.arch, "seed": unit.seed, "batch_size": unit.batch_size,
                              "network": NETWORK, "images": "mnist5k padded to 32x32, 3 channels"})


@functools.lru_cache(maxsize=4)
def mnist_as_cifar(batch_size: int = BATCH_SIZE, *, seed: int = 0) -> torch.Tensor:
    """``batch_size`` MNIST-5k training digits as ``(B, 3, 32, 32)`` (zero-padded, grey
    repeated; drawn once per process and shared, never modified)."""
    from .. import data

    x, _ = data.load("mnist5k").batch(batch_size, seed=seed)
    return F.pad(x, (2, 2, 2, 2)).repeat(1, 3, 1, 1)


def score_arch(arch: str, inputs: torch.Tensor, *, seed: int = 0) -> dict:
    """Activation-code scores of the full-size network of ``arch`` (weights from ``seed``)."""
    from ..spaces import nb201
    from ..training.probes import activation_summary

    start = time.perf_counter()
    net = nb201.Network(arch, **NETWORK, seed=seed)
    values = activation_summary(net, inputs)
    return {"arch": arch, **values, "batch_size": inputs.shape[0], "seed": seed,
            "seconds": time.perf_counter() - start}


def compute(unit: Scoring) -> dict:
    """The record of one unit (runs on a worker): :func:`score_arch` on the unit's batch."""
    return score_arch(unit.arch, mnist_as_cifar(unit.batch_size, seed=unit.seed), seed=unit.seed)


def table_archs() -> list[str]:
    """The architectures of the table, in its order: those of the zero-cost table's CIFAR-10 file."""
    from .naslib_nb201 import zc_table

    return zc_table("cifar10")["arch"].tolist()


def fill(store: ResultStore, executor, archs=None, seeds=(0,), *, batch_size: int = BATCH_SIZE,
         log=print) -> pd.DataFrame:
    """Score the units of ``archs`` (default :func:`table_archs`) x ``seeds`` not yet in
    ``store``, storing each as it arrives (:meth:`ResultStore.put_checked`); returns the
    stored rows (:func:`collect`)."""
    archs = table_archs() if archs is None else list(archs)
    units = [Scoring(a, s, batch_size) for s in seeds for a in archs]
    def say_failed(i, n, unit, record, valid):
        if not valid:
            log(f"{unit.arch} seed {unit.seed}: stored as failed, never exported "
                f"({', '.join(value_problems(record))})")

    fill_missing(store, executor, compute, units, key_of, desc="score", unit="arch", after_each=say_failed,
                 before=lambda stored, missing: log(f"{stored} of {len(units)} architectures already stored; "
                                                    f"{missing} to score on {executor!r}"))
    return pd.concat([collect(store, archs, seed=s, batch_size=batch_size) for s in seeds], ignore_index=True)


def collect(store: ResultStore, archs=None, *, seed: int = 0, batch_size: int = BATCH_SIZE) -> pd.DataFrame:
    """The stored rows (:data:`nascore.bench.zc_naswot.COLUMNS`) of ``archs`` (default
    :func:`table_archs`) in that order; absent and failed units are left out."""
    archs = table_archs() if archs is None else list(archs)
    frame = store.frame([key_of(Scoring(a, seed, batch_size)) for a in archs])
    return pd.DataFrame(frame, columns=list(COLUMNS)) if frame.empty else frame[list(COLUMNS)]


def regenerated(*, store=None, jobs: int = 1, log=print) -> pd.DataFrame:
    """The table as ``nascore reproduce --regenerate`` recomputes it: every architecture of
    the table not yet in the results ``store`` (default :func:`open_store`'s; about 35
    minutes of one CPU core from scratch, resumable) is scored, and the rows are returned
    from the store (the shipped file is left alone)."""
    from .executors import make_executor

    return fill(open_store(store), make_executor(jobs, threads=1, progress=False), log=log)


def export(store: ResultStore, folder=PATH.parent, *, command: str = "", archs=None) -> list:
    """Write ``zc_naswot.csv`` from ``store`` (:func:`collect`'s rows, floats ``%.9g``) into
    ``folder``, replace its provenance line in the folder's README (which the conv table
    ``nb201-mnist5k`` shares; its integrity note stays last) and rewrite the manifest
    (:func:`nascore.tables.export_files.write_table_files`); returns the paths written."""
    frame = collect(store, archs)
    if frame.empty:
        raise ValueError(f"the store {store.root} holds no record of this table: nothing to export")
    readme = Path(folder) / "README.md"
    note = readme_note(frame, command)
    if readme.exists():
        lines = without_integrity(readme.read_text().split("\n"))
        at = next((i for i, line in enumerate(lines) if line.startswith(f"- `{PATH.name}`")), None)
        if at is None:  # the conv table's README without the note: it goes above its columns
            at = next((i for i, line in enumerate(lines) if line == "## Columns"), len(lines))
            lines[at:at] = [note, ""]
        else:
            lines[at] = note
    else:
        lines = ["# NASWOT and DAS's terms of the zero-cost cells on MNIST-5k", "", note, ""]
    return write_table_files(folder, {PATH.name: (frame, "%.9g")}, readme=lines)


def readme_note(frame: pd.DataFrame, command: str = "") -> str:
    """The README's provenance line of ``zc_naswot.csv`` with the rows ``frame``."""
    from .. import provenance

    info = provenance.snapshot()
    return (f"- `{PATH.name}` (same folder): NASWOT, the DAS terms and N_A of {len(frame)} "
            "NAS-Bench-Suite-Zero architectures at full size (C=16, N=5, 3 channels), one weight draw "
            f"(seed {', '.join(str(s) for s in sorted(set(frame.seed.tolist())))}), on "
            f"{int(frame.batch_size.iloc[0])} MNIST-5k "
            "training digits zero-padded to 32x32 and repeated over 3 channels; forward pass only; "
            f"job `nascore.tables.nb201_zc_naswot`, command `{command or 'nascore bench zc-naswot'}`, "
            f"commit {info['commit']}, {info['date']}, {info['machine']}, {info['versions']}; "
            f"{frame.seconds.sum() / 60:.1f} min summed over rows (`seconds`); load with "
            "`nascore.bench.zc_naswot.load_zc_naswot()`")


#: The table's job (named by its registry record, :mod:`nascore.tables.catalogue`).
JOB = Job(Scoring, key_of, compute, fill, export)
