"""The table ``nb201-mnist5k``: small NAS-Bench-201 networks trained on MNIST-5k, probed along training.

DAS and LGA are about cell-based convolutional networks, so both chapters need trained
accuracies of such networks *and* the weights along training. This job trains the
first ``n`` architectures of a fixed random order of the NAS-Bench-201 cell space
(:mod:`nascore.spaces.nb201`; same 5 operations and 6 edges, a reduced skeleton: width
``C`` and ``N`` cells per stage) on a downsampled MNIST-5k with the project's trainer
(:func:`nascore.training.train`) and, through the trainer's checkpoint hook, probes every
network at initialisation and after each checkpoint epoch with NASWOT, the two DAS
terms and the NTK metrics (:mod:`nascore.training.probes`).

Each (architecture, seed) result is stored as soon as it exists (:mod:`nascore.tables.store`), so a
killed run resumes; the executors of :mod:`nascore.tables.executors` run the units. All architectures
of one seed see the same mini-batch order (common random numbers); the weight draw
comes from the seed too, though networks of different shapes consume it differently.
The parts are named by :data:`JOB` (unit :class:`Run`, :func:`key_of`, :func:`run_job`,
:func:`fill`, :func:`export`); the chapters read the table through
:func:`nascore.bench.conv_table`.

Run ``nascore bench conv-table --help`` to regenerate the table.
"""
from __future__ import annotations

import functools
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch.nn import functional as F

from ..fingerprint import code_digest, result_key
from ..paths import DATA_DIR
from ..spaces import nb201
from ..training import Protocol, TrainData
from .jobs import Job, fill_missing, store_trained
from .executors import torch_threads
from .store import ResultStore

#: The code a result depends on: this module's import closure (trainer, network, probes).
CODE = ("nascore.tables.nb201_mnist5k",)

TABLE_DIR = DATA_DIR / "nb201-mnist5k"
#: The training protocol of the shipped table (NAS-Bench-201's optimiser settings, far
#: fewer epochs: the budget was 40 minutes of one shared CPU core for 400 runs).
CONV_PROTOCOL = Protocol(optimizer="sgd", lr=0.1, momentum=0.9, weight_decay=5e-4,
                         schedule="cosine", epochs=6, batch_size=128, checkpoints=(1, 2, 5),
                         inputs="image")
#: Epochs at which the networks are probed besides 0 (initialisation).
PROBE_EPOCHS = (1, 2, 5)


@dataclass(frozen=True)
class ConvSpace:
    """The reduced NAS-Bench-201 skeleton and the data it is trained on.

    ``C``: first-stage width; ``N``: cells per stage; ``resolution``: MNIST digits are
    cropped to their central 24x24 pixels and average-pooled to ``resolution`` (a
    divisor of 24); ``train_size``: the first ``train_size / 10`` training images of
    each class; ``probe_size``: the fixed class-balanced training batch every metric is
    measured on (``probe_size / 10`` per class).
    """

    C: int = 4
    N: int = 1
    resolution: int = 8
    train_size: int = 2000
    probe_size: int = 40

    def __post_init__(self):
        for name in ("C", "N", "resolution", "train_size", "probe_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if 24 % self.resolution or self.resolution < 4:
            raise ValueError(f"resolution must divide 24 and be >= 4, got {self.resolution}")
        if self.train_size % 10 or self.probe_size % 10 or not 20 <= self.probe_size <= 4000:
            raise ValueError("train_size and probe_size must be multiples of 10 (probe_size >= 20)")

    def to_dict(self) -> dict:
        return {"C": self.C, "N": self.N, "resolution": self.resolution,
                "train_size": self.train_size, "probe_size": self.probe_size}

    def build(self, arch: str, seed: int) -> torch.nn.Module:
        return nb201.Network(arch, C=self.C, N=self.N, num_classes=10, in_channels=1, seed=seed)

    def architectures(self, n: int | None = None, *, order_seed: int = 0) -> list[str]:
        """The first ``n`` (default all 15,625) architecture strings of a fixed random order."""
        archs = nb201.all_architectures()
        if n is not None and not (isinstance(n, int) and 1 <= n <= len(archs)):
            raise ValueError(f"n must be an integer in 1..{len(archs)}, got {n!r}")
        order = np.random.default_rng(order_seed).permutation(len(archs))
        return [archs[i] for i in order[:n]]


def downsample(images: torch.Tensor, resolution: int) -> torch.Tensor:
    """Central 24x24 crop of 28x28 images, average-pooled to ``resolution`` pixels a side."""
    if images.shape[-2:] != (28, 28):
        raise ValueError(f"expected 28x28 images, got {tuple(images.shape[-2:])}")
    return F.avg_pool2d(images[..., 2:26, 2:26], 24 // resolution)


@functools.lru_cache(maxsize=4)
def prepared(space: ConvSpace):
    """``(TrainData, probe_inputs, probe_targets)`` of MNIST-5k for ``space``."""
    from .. import data

    ds = data.load("mnist5k")
    per_class = space.train_size // 10
    labels = ds.y_train.numpy()
    rows = np.concatenate([np.flatnonzero(labels == c)[:per_class] for c in range(10)])
    if len(rows) != space.train_size:
        raise ValueError(f"train_size {space.train_size} exceeds the {len(labels)} training images")
    rows = torch.as_tensor(np.sort(rows))
    train = TrainData(downsample(ds.x_train[rows], space.resolution), ds.y_train[rows],
                      downsample(ds.x_test, space.resolution), ds.y_test)
    px, py = ds.batch(space.probe_size, seed=0, per_class=True)
    return train, downsample(px, space.resolution), py


@dataclass(frozen=True)
class Run:
    """The unit of work: one (architecture, seed) training run (picklable for the executors)."""

    space: ConvSpace
    protocol: Protocol
    seed: int
    arch: str
    threads: int | None = 1


def key_of(space: ConvSpace, protocol: Protocol, seed: int, arch: str) -> str:
    """Store key: everything that determines one result (code closure of this module,
    parameters, the MNIST-5k file, library versions: :func:`nascore.fingerprint.result_key`)."""
    from ..data import source_files

    return result_key("trained-nb201-conv", code=CODE, data_files=source_files("mnist5k"),
                      params={"space_options": space.to_dict(), "arch": arch, "dataset": "mnist5k",
                              "protocol": protocol.to_dict(), "seed": int(seed),
                              "probe": {"output": "target", "mode": "train", "epochs": list(PROBE_EPOCHS)}})


def run_job(job: Run) -> dict:
    """Train one network, probing it at init and at every evaluated epoch; one flat record."""
    from ..training.probes import train_with_probes

    with torch_threads(job.threads):
        data, px, py = prepared(job.space)
        result, probes, probe_seconds = train_with_probes(
            functools.partial(_build, job.space, job.arch), data, job.protocol, seed=job.seed,
            probe_inputs=px, probe_targets=py, probe_epochs=PROBE_EPOCHS)
        record = {"arch": job.arch, "seed": job.seed, **job.space.to_dict(),
                  "protocol": job.protocol.digest(), "code": code_digest(*CODE)[:16],
                  "threads": torch.get_num_threads(), "train_loss": result.train_loss,
                  "seconds_train": result.seconds - sum(t for e, t in probe_seconds.items() if e),
                  "seconds_probe": sum(probe_seconds.values()), "seconds_probe_init": probe_seconds[0]}
    for epoch, acc in sorted(result.test_accuracy.items()):
        record[f"acc_e{epoch}"] = acc
    record["acc_final"] = result.final_accuracy
    if result.failure:
        record["failure"] = result.failure
    for epoch, values in sorted(probes.items()):
        for name, value in values.items():
            record[f"{name}_e{epoch}"] = value
    return record


def _build(space, arch, seed):
    return space.build(arch, seed)


def fill(store: ResultStore, executor, archs, seeds, *, space: ConvSpace = ConvSpace(),
         protocol: Protocol = CONV_PROTOCOL, threads: int | None = 1, log=print) -> pd.DataFrame:
    """Train what is missing from ``store``, storing each result as it arrives.

    Architecture-major order (every seed of one architecture, then the next), so that a
    run stopped early leaves complete architectures.
    """
    start = time.perf_counter()
    runs = [Run(space, protocol, int(seed), arch, threads) for arch in archs for seed in seeds]

    def run_key(run):
        return key_of(run.space, run.protocol, run.seed, run.arch)

    def file_result(run, record):
        return store_trained(store, run_key(run), record)

    def after_each(i, n, run, record, reason):
        if reason:
            log(f"{record['arch']} seed {record['seed']} failed (stored as failed, never exported): {reason}")

    fill_missing(store, executor, run_job, runs, run_key, is_stored=lambda run: run_key(run) in store,
                 file_result=file_result, after_each=after_each, desc="train",
                 before=lambda stored, missing: log(f"{stored} of {len(runs)} results already stored; {missing} to "
                                                    f"train on {executor!r}"))
    log(f"done in {time.perf_counter() - start:.1f} s")
    return collect(store, archs, seeds, space=space, protocol=protocol)


def collect(store: ResultStore, archs, seeds, *, space: ConvSpace = ConvSpace(),
            protocol: Protocol = CONV_PROTOCOL, complete: bool = True) -> pd.DataFrame:
    """The stored results of ``archs`` x ``seeds`` (no training); with ``complete``, only
    architectures that have every seed (what a run stopped early leaves is still usable)."""
    seeds = [int(s) for s in seeds]
    frame = store.frame([key_of(space, protocol, s, a) for a in archs for s in seeds])
    if frame.empty:
        return frame
    frame = frame.drop(columns="key")
    if complete:
        counts = frame.groupby("arch")["seed"].nunique()
        frame = frame[frame["arch"].isin(counts[counts == len(seeds)].index)]
    return frame.sort_values(["seed", "arch"]).reset_index(drop=True)


#: Size of the shipped table: the first 200 architectures of the fixed order, seeds 0 and 1.
TABLE_ARCHS, TABLE_SEEDS = 200, (0, 1)


def export(frame: pd.DataFrame, folder=TABLE_DIR, *, space: ConvSpace, protocol: Protocol,
           wall_seconds: float, command: str = "", notes=()) -> list:
    """Write ``results.csv`` and a provenance ``README.md`` (plus ``notes`` lines) into ``folder``
    (:func:`nascore.tables.export_files.write_table_files`); returns the paths written."""
    from ..bench.agreement import seed_agreement
    from ..bench.licence import TRAINED_TABLE_LICENCE
    from .export_files import command_line, provenance_lines, write_table_files

    frame = frame.sort_values(["seed", "arch"]).reset_index(drop=True)
    accs = frame["acc_final"]
    lines = [
        "# Trained ground truth: small NAS-Bench-201 networks on MNIST-5k", "",
        "Produced by `nascore.tables.nb201_mnist5k` (load with "
        "`nascore.bench.load_conv()`).", "",
        command_line(command),
        f"- architectures: {frame['arch'].nunique()} (the first of a fixed random order of the "
        f"15,625 NAS-Bench-201 cells, order seed 0), seeds: {sorted(frame['seed'].unique().tolist())}, "
        f"rows: {len(frame)}",
        f"- network: NAS-Bench-201 skeleton with C={space.C}, N={space.N} cell(s) per stage, "
        "1 input channel, 10 classes (`nascore.spaces.nb201.Network`)",
        f"- data: MNIST-5k, central 24x24 crop average-pooled to {space.resolution}x{space.resolution}; "
        f"training on the first {space.train_size // 10} training images of each class "
        f"({space.train_size}), test accuracy on the 1,000 held-out images",
        f"- protocol (digest `{protocol.digest()}`; code digest `{code_digest(*CODE)[:16]}`): "
        + ", ".join(f"{k}={v}" for k, v in protocol.to_dict().items()),
        "- the trainer evaluates in training mode: batch norm normalises the test set with its "
        "own statistics",
        f"- probes: a fixed class-balanced batch of {space.probe_size} training images; at init "
        "(epoch 0) and after every evaluated epoch: NASWOT and DAS terms (one forward pass), "
        "and the empirical NTK of the true-class logit in train mode, from which trace, condition "
        "number, lambda_min, Frobenius norm, mean, LGA and the relative distance from the initial "
        "kernel (`nascore.training.probes`)",
        *provenance_lines(),
        f"- time: {wall_seconds / 60:.1f} min wall for the last run; "
        f"{frame['seconds_train'].sum() / 60:.1f} min training + {frame['seconds_probe'].sum() / 60:.1f} "
        "min probing summed over rows (one thread each, on a shared machine)",
        "", "## Summary", "",
        f"- final test accuracy: min {accs.min():.3f}, median {accs.median():.3f}, "
        f"max {accs.max():.3f}, std {accs.std():.3f}",
        f"- seed-to-seed Kendall tau of final accuracy (noise ceiling): {seed_agreement(frame):.3f}",
        *[f"- {note}" for note in notes],
        "", "## Columns", "",
        "`arch` (NAS-Bench-201 string), `seed`, `acc_e<k>` (test accuracy after epoch k), "
        "`acc_final`, `train_loss` (last epoch), `<metric>_e<k>` (metric at epoch k, 0 = init), "
        "`seconds_train`, `seconds_probe`, and the space/protocol columns.", "",
        *TRAINED_TABLE_LICENCE,
    ]
    return write_table_files(folder, {"results.csv": (frame, "%.7g")}, readme=lines)


#: The table's job (named by its registry record, :mod:`nascore.tables.catalogue`).
JOB = Job(Run, key_of, run_job, fill, export)
