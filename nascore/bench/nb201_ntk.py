"""NTK trace and condition number of the NAS-Bench-201 zero-cost architectures.

The shipped zero-cost table (``load("nb201-zc", ...)``) holds grad_norm, SNIP and GraSP
computed on real CIFAR batches, but not the two NTK quantities HNAS needs (Shu, Dai,
Wu & Low, NeurIPS 2022): the NTK trace norm ``M_trace = sqrt(tr Θ / N)`` and the
condition number ``κ = λ_max(Θ) / λ_min(Θ)``. This module computes them once for the
725 architectures of that table and ships them in ``data/nb201-ntk/`` (one CSV per
*variant*, with a provenance README); :func:`load_nb201_ntk` reads them back. This module
defines the table (its variants, its architecture order) and reads it; the library's job
:mod:`nascore.tables.nb201_ntk` (``nascore bench nb201-ntk VARIANT``) computes it.

Conventions (each one a choice, stated in the data README and the book):

- network: the full-size NAS-Bench-201 network (``C=16, N=5``, 10 classes, 3 input
  channels), weights from ``Network(arch, seed=init_seed)``; the CIFAR-100 and
  ImageNet16-120 networks differ only in the classifier's width, which we do not vary;
- kernel: the true-class-logit empirical NTK (``output="target"``, HNAS's
  ``ntk_trace.py`` / ``condnum.py``) in training mode (batch-norm with batch
  statistics, :mod:`nascore.ntk`), over the convolution and linear parameters only:
  HNAS's per-sample-gradient hooks skip batch-norm's affine parameters, so we freeze
  them. Both quantities come from the same kernel;
- images: no CIFAR ships with the project, so the closest real images are MNIST-5k
  digits (``"mnist32"``: 28x28 resized bilinearly to 32x32, repeated over 3 channels,
  standardised with the training split's mean and standard deviation) or
  scikit-learn's 8x8 digits upsampled the same way (``"digits32"``, the sensitivity
  variant); a class-balanced batch drawn with a fixed seed.

The computation is resumable: each finished kernel is kept in a results store, and a
restart computes only the missing ones. Architectures are computed and written in a fixed
random order (:func:`arch_order`), so a partial table is a uniform sample of the whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..paths import DATA_DIR
from ..manifest import note_read

NTK_DIR = DATA_DIR / "nb201-ntk"
COLUMNS = ("arch", "ntk_trace", "ntk_condition", "lambda_min", "lambda_max", "params", "seconds")


@dataclass(frozen=True)
class Variant:
    """What determines one NTK table: images, batch, seeds, network size."""

    name: str
    images: str          # a nascore.data dataset name
    batch: int           # images per kernel (a multiple of 10: class-balanced)
    batch_seed: int = 0
    init_seed: int = 0
    size: int = 32
    C: int = 16
    N: int = 5
    num_classes: int = 10
    limit: int | None = None   # compute only the first ``limit`` archs of arch_order()

    @property
    def path(self) -> Path:
        return NTK_DIR / f"ntk_{self.name}.csv"


#: The shipped variants. ``mnist32`` is the main table (all 725 architectures);
#: ``digits32`` repeats the first 100 architectures of the same order on other images.
VARIANTS = {
    "mnist32": Variant("mnist32", images="mnist5k", batch=10),
    "digits32": Variant("digits32", images="digits", batch=10, limit=100),
}


def get_variant(variant) -> Variant:
    """The :class:`Variant` named ``variant`` (or ``variant`` itself)."""
    if isinstance(variant, Variant):
        return variant
    if variant not in VARIANTS:
        raise ValueError(f"unknown NTK variant {variant!r}; allowed: {', '.join(sorted(VARIANTS))}")
    return VARIANTS[variant]


def arch_order(seed: int = 0) -> list[str]:
    """The union of the zero-cost table's architectures (725) in a fixed random order."""
    from ..tables.naslib_nb201 import DATASETS, zc_table

    archs = sorted(set().union(*(zc_table(d).arch for d in DATASETS)))
    order = np.random.default_rng(seed).permutation(len(archs))
    return [archs[i] for i in order]


def load_nb201_ntk(variant: str = "mnist32") -> pd.DataFrame:
    """The shipped NTK table of ``variant``, one row per architecture, indexed by ``arch``.

    Columns: ``ntk_trace``, ``ntk_condition`` (NaN where the kernel was singular),
    ``lambda_min``, ``lambda_max``, ``params`` (conv + linear parameters),
    ``seconds`` (time to compute that kernel).
    """
    v = get_variant(variant)
    if not v.path.exists():
        raise FileNotFoundError(f"{v.path} is missing; compute it with "
                                f"`nascore bench nb201-ntk {v.name}`")
    note_read(v.path)
    frame = pd.read_csv(v.path)
    frame = frame.drop_duplicates("arch", keep="last").set_index("arch")
    return frame


def table_with_ntk(dataset: str = "cifar10", variant: str = "mnist32") -> pd.DataFrame:
    """The zero-cost table of ``dataset`` joined with the NTK table of ``variant``.

    Keeps the architectures present in both (inner join on ``arch``); the NTK columns are
    added as ``ntk_trace`` and ``ntk_condition`` (and ``ntk_lambda_min``).
    """
    from ..tables.registry import get  # the module, not the package: the package's catalogue reads this one

    ntk = load_nb201_ntk(variant)[["ntk_trace", "ntk_condition", "lambda_min"]]
    ntk = ntk.rename(columns={"lambda_min": "ntk_lambda_min"})
    frame = get("nb201-zc").load(dataset).join(ntk, on="arch", how="inner")
    return frame.reset_index(drop=True)


