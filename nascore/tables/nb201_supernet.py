"""The job of the table ``nb201-supernet``: children evaluated by a trained supernet, and
children trained alone, each one result of a results store.

The table is made in three stages (``data/nb201-supernet/run_gpu.sh``): supernets are
trained (:func:`nascore.supernet.trainer.train`, resumable from its checkpoint per epoch,
not a unit of a store), their children are evaluated with the shared weights, and a few
children are trained alone under the same budget; :func:`nascore.supernet.runs.collect`
gathers the run folders and :func:`nascore.supernet.table.build_table` writes the table.

The two last stages are jobs here. One unit of :data:`JOB` is one child evaluated by one
supernet (:class:`Child`): BN statistics recalibrated, then its test accuracy
(:func:`nascore.supernet.evaluate.child_accuracy`); its content key covers the code, the
supernet's weights (:func:`weights_digest`), the calibration and test images
(:func:`tensor_digest`), the architecture and the calibration batch. One unit of
:data:`STANDALONE_JOB` is one child trained alone (:class:`StandaloneChild`,
:func:`nascore.supernet.standalone.train_child`), keyed by its recipe and images. Neither
key names the device: a result computed on a GPU answers a CPU request.

Each result is stored as soon as it exists (:meth:`ResultStore.put_checked`: a value that
is not finite becomes a failed record, never a row, and is not retried), so a killed run
loses no finished child and a rerun computes only the missing ones. The CSV a run folder
holds (``children-<spec>.csv``: ``arch``, ``supernet_accuracy``, ``seconds``; a stand-alone
shard's ``children-<i>of<n>.csv``: ``arch``, ``standalone_accuracy``, ``seconds``,
``epochs``) is an export of the store (:func:`write_csv`), one row per stored child in the
order asked, written as the CSV appended row by row used to be; it is rewritten at least
every :data:`EXPORT_SECONDS` while a job runs and when it ends.

The store of a CSV is the folder :data:`STORE` beside it (a run folder's children share
one; the shards of one stand-alone seed share one).
"""
from __future__ import annotations

import csv
import functools
import hashlib
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from ..fingerprint import result_key
from ..supernet.evaluate import child_accuracy
from ..supernet.standalone import train_child
from ..supernet.table import build_table
from .executors import LocalExecutor
from .jobs import Job, fill_missing
from .schema import Schema
from .store import ResultStore

#: The store's folder, beside the CSV it exports.
STORE = "store"
#: While a job runs, its CSV is rewritten from the store at most this often (seconds).
EXPORT_SECONDS = 60.0
CHILD_COLUMNS = ("arch", "supernet_accuracy", "seconds")
STANDALONE_COLUMNS = ("arch", "standalone_accuracy", "seconds", "epochs")
CHILD_SCHEMA = Schema({"arch": str, "supernet_accuracy": float, "seconds": float},
                      finite=("supernet_accuracy", "seconds"))
STANDALONE_SCHEMA = Schema({"arch": str, "standalone_accuracy": float, "seconds": float, "epochs": int},
                           finite=("standalone_accuracy", "seconds"))


def tensor_digest(*tensors: torch.Tensor) -> str:
    """SHA-256 of the tensors' dtypes, shapes and values (in order), wherever they live."""
    digest = hashlib.sha256()
    for tensor in tensors:
        if not isinstance(tensor, torch.Tensor):
            raise ValueError(f"tensor_digest takes tensors, not {type(tensor).__name__}")
        value = tensor.detach().to("cpu").contiguous()
        digest.update(f"{value.dtype}{tuple(value.shape)}\0".encode())
        digest.update(value.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


#: BN statistics: recomputed for every child before it is evaluated, so no part of a key.
_RECALIBRATED = ("running_mean", "running_var", "num_batches_tracked")


def weights_digest(net: torch.nn.Module) -> str:
    """:func:`tensor_digest` of a network's state by name, BN running statistics left out
    (recalibration recomputes them for every child, :func:`nascore.supernet.evaluate.recalibrate`)."""
    state = {k: v for k, v in net.state_dict().items() if not k.endswith(_RECALIBRATED)}
    names = sorted(state)
    return hashlib.sha256("\n".join(names).encode() + tensor_digest(*(state[k] for k in names)).encode()).hexdigest()


# -- children evaluated by a supernet ------------------------------------------------------
@dataclass(frozen=True)
class Child:
    """The unit of work: child ``arch`` of the supernet whose weights digest is ``weights``,
    recalibrated and tested on the images whose digest is ``images``."""

    arch: str
    weights: str
    images: str
    calibration_batch: int = 256


def key_of(unit: Child) -> str:
    """Store key of one evaluated child: the evaluation's code closure and the unit's fields."""
    return result_key("nb201-supernet-child", code=("nascore.supernet.evaluate",), params=asdict(unit))


def evaluate_child(unit: Child, *, net, calibration, x_test, y_test) -> dict:
    """One child's record (``arch``, ``supernet_accuracy`` in percent, ``seconds``): BN
    recalibrated on ``calibration``, then tested on ``(x_test, y_test)``."""
    start = time.perf_counter()
    acc = child_accuracy(net, unit.arch, calibration, x_test, y_test, calibration_batch=unit.calibration_batch)
    return {"arch": unit.arch, "supernet_accuracy": acc, "seconds": time.perf_counter() - start}


def fill(store: ResultStore, executor, archs, *, net, calibration, x_test, y_test, calibration_batch: int = 256,
         out_csv=None, desc: str = "children") -> list[dict]:
    """Evaluate the children of ``archs`` (duplicates once) not yet in ``store`` with
    ``net`` (in this process: the network and images stay on their device), storing each
    as it finishes; ``out_csv`` is rewritten from the store (:func:`write_csv`). Returns
    the records computed now. No seeds: the supernet's seed is in its weights."""
    units = [Child(a, weights_digest(net), tensor_digest(calibration, x_test, y_test), calibration_batch)
             for a in dict.fromkeys(archs)]
    compute = functools.partial(evaluate_child, net=net, calibration=calibration, x_test=x_test, y_test=y_test)
    return _run(store, executor, units, key_of, compute, out_csv, CHILD_COLUMNS, desc=desc)


def evaluate_children(net, archs, calibration, x_test, y_test, out_csv=None, *, calibration_batch: int = 256,
                      progress: bool = True, desc: str = "children") -> list[dict]:
    """:func:`fill` in this process, with the store beside ``out_csv`` (``<folder>/store``;
    without ``out_csv``, a throw-away store); returns the records computed now."""
    if out_csv is None:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            return evaluate_children(net, archs, calibration, x_test, y_test, Path(folder) / "children.csv",
                                     calibration_batch=calibration_batch, progress=progress, desc=desc)
    store = ResultStore(Path(out_csv).parent / STORE, schema=CHILD_SCHEMA)
    return fill(store, LocalExecutor(1, threads=None, progress=progress), archs, net=net, calibration=calibration,
                x_test=x_test, y_test=y_test, calibration_batch=calibration_batch, out_csv=out_csv, desc=desc)


# -- children trained alone ----------------------------------------------------------------
@dataclass(frozen=True)
class StandaloneChild:
    """The unit of work: ``arch`` trained alone as ``nb201.Network(arch, C, N)`` with this
    recipe on the training and test images whose digest is ``images``."""

    arch: str
    C: int
    N: int
    epochs: int
    batch_size: int
    lr: float
    weight_decay: float
    seed: int
    images: str


def standalone_key(unit: StandaloneChild) -> str:
    """Store key of one child trained alone: the training code's closure and the unit's fields."""
    return result_key("nb201-supernet-standalone", code=("nascore.supernet.standalone",), params=asdict(unit))


def train_alone(unit: StandaloneChild, *, images, test, device: str = "cpu") -> dict:
    """One stand-alone child's record (``arch``, ``standalone_accuracy`` in percent,
    ``seconds``, ``epochs``)."""
    start = time.perf_counter()
    acc = train_child(unit.arch, images, test, C=unit.C, N=unit.N, epochs=unit.epochs, batch_size=unit.batch_size,
                      lr=unit.lr, weight_decay=unit.weight_decay, seed=unit.seed, device=device)
    return {"arch": unit.arch, "standalone_accuracy": acc, "seconds": time.perf_counter() - start,
            "epochs": unit.epochs}


def fill_standalone(store: ResultStore, executor, archs, seeds=(0,), *, images, test, C: int, N: int, epochs: int,
                    batch_size: int = 256, lr: float = 0.1, weight_decay: float = 5e-4, device: str = "cpu",
                    out_csv=None, log=print) -> list[dict]:
    """Train the children of ``archs`` x ``seeds`` not yet in ``store`` alone, storing
    each as it finishes (``out_csv``, of one seed, rewritten from the store); returns the
    records computed now."""
    digest = tensor_digest(*images, *test)
    units = [StandaloneChild(a, C, N, epochs, batch_size, lr, weight_decay, int(s), digest)
             for s in seeds for a in dict.fromkeys(archs)]
    compute = functools.partial(train_alone, images=images, test=test, device=device)

    def report(i, total, record):
        log(f"stand-alone child {i}/{total}: {record['standalone_accuracy']:.2f} % in {record['seconds']:.1f} s")

    return _run(store, executor, units, standalone_key, compute, out_csv, STANDALONE_COLUMNS, report=report)


def train_children(archs, out_csv, images, test, *, seed: int = 0, progress_print: bool = True,
                   **options) -> list[dict]:
    """:func:`fill_standalone` in this process for one ``seed``, with the store beside
    ``out_csv``; ``options``: ``C``, ``N``, ``epochs``, and optionally ``batch_size``,
    ``lr``, ``weight_decay``, ``device``."""
    store = ResultStore(Path(out_csv).parent / STORE, schema=STANDALONE_SCHEMA)
    return fill_standalone(store, LocalExecutor(1, threads=None, progress=False), archs, (seed,), images=images,
                           test=test, out_csv=out_csv, log=_printed if progress_print else _silent, **options)


def _printed(text):
    print(text, flush=True)


def _silent(text):
    pass


# -- what both jobs share -------------------------------------------------------------------
def _run(store, executor, units, key, compute, out_csv, columns, *, desc="children", report=None) -> list[dict]:
    keys = [key(u) for u in units]
    rows, last_export = [], [time.monotonic()]

    def after_each(i, n, unit, record, valid):
        if valid:
            rows.append(record)
        if report is not None:
            report(i, n, record)
        if out_csv is not None and time.monotonic() - last_export[0] > EXPORT_SECONDS:
            write_csv(store, keys, out_csv, columns)
            last_export[0] = time.monotonic()

    try:
        fill_missing(store, executor, compute, units, key, after_each=after_each, desc=desc, unit="child")
    finally:
        if out_csv is not None:
            write_csv(store, keys, out_csv, columns)
    return rows


def write_csv(store: ResultStore, keys, path, columns) -> Path:
    """Write the stored results of ``keys`` (in that order; absent and failed ones left
    out) to the CSV ``path`` with ``columns``, as :class:`csv.DictWriter` writes rows
    (``\\r\\n`` line ends, floats as ``repr``); atomically. Returns ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for k in dict.fromkeys(keys):
            record = store.get(k)
            if record is not None:
                writer.writerow({c: record[c] for c in columns})
    os.replace(tmp, path)
    return path


#: The table's job: children evaluated by a supernet. Its shape differs from the trained
#: tables' in two ways: ``fill`` takes no seeds (the supernet's seed is in its weights) and
#: runs its units in the process that holds the network on its device; and the export,
#: :func:`nascore.supernet.table.build_table`, reads the folder
#: :func:`nascore.supernet.runs.collect` gathers from the run folders' CSVs (the exports of
#: their stores), together with the supernets' training facts, which are no store's units.
JOB = Job(Child, key_of, evaluate_child, fill, build_table)
#: The same table's second job: the children trained alone (``standalone.csv``).
STANDALONE_JOB = Job(StandaloneChild, standalone_key, train_alone, fill_standalone, build_table)
