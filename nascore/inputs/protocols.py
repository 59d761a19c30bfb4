"""The input protocol of each convention the project reproduces, as one record each, and
the one function that draws a scoring batch from a record.

A :class:`Protocol` names where the images come from, the batch size, the normalisation
(:mod:`.normalisation`), the crop-and-flip draw order (:mod:`.augmentation`), how batches are
chosen and how their seeds are derived (:mod:`.seeds`). :data:`PROTOCOLS` holds the
records of zero-cost-nas, NASLib, NAS-Bench-201, HNAS, TE-NAS, Zhu et al. and LGA (at
initialisation and after one epoch), each with the official code it follows and the
shipped table computed with it.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from .augmentation import ORDERS, augment
from .shipped import batch_images, check_dataset, images
from .normalisation import CONVENTIONS, normalise
from .seeds import seed_for

SPLITS = ("shipped", "lossless-train")
BATCHES = ("per-arch", "fixed", "epoch")
SEED_RULES = ("sha256", "crc32", "stream")
GENERATORS = ("numpy", "torch")


@dataclass(frozen=True)
class Protocol:
    """How one convention feeds CIFAR images to a network.

    ``split``: ``"shipped"`` (CIFAR-10's 10,000 training JPEGs, CIFAR-100's 916 test
    images: :data:`nascore.inputs.shipped.BATCH_SPLIT`) or ``"lossless-train"``.
    ``normalisation``: a key of :data:`nascore.inputs.normalisation.NORMALISATIONS`.
    ``augment``: the crop-and-flip draw order (:data:`nascore.inputs.augmentation.ORDERS`), or
    ``None`` for no augmentation. ``batch``: ``"per-arch"`` (a fresh batch for every
    architecture), ``"fixed"`` (one batch for every architecture) or ``"epoch"`` (a
    training loop's shuffled passes). ``seeds``: ``"sha256"`` or ``"crc32"``
    (:func:`batch_seed`), or ``"stream"`` (one generator, seeded once, for a whole
    training run). ``generator``: the kind of random generator the draws come from.
    """

    name: str
    batch_size: int
    normalisation: str
    augment: str | None
    batch: str
    seeds: str
    generator: str = "numpy"
    split: str = "shipped"
    source: str = ""
    tables: str = ""

    def __post_init__(self):
        if isinstance(self.batch_size, bool) or not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {self.batch_size!r}")
        for field, allowed in (("normalisation", CONVENTIONS), ("batch", BATCHES), ("seeds", SEED_RULES),
                               ("generator", GENERATORS), ("split", SPLITS)):
            value = getattr(self, field)
            if value not in allowed:
                label = {"batch": "batch rule", "split": "image source"}.get(field, field)
                raise ValueError(f"unknown {label} {value!r}; allowed: {', '.join(allowed)}")
        if self.augment is not None and self.augment not in ORDERS:
            raise ValueError(f"unknown augmentation order {self.augment!r}; allowed: None, {', '.join(ORDERS)}")

    def replace(self, **changes) -> "Protocol":
        """A copy with ``changes`` (checked again)."""
        return dataclasses.replace(self, **changes)


PROTOCOLS = {p.name: p for p in (
    Protocol("zero-cost-nas", 64, "zero-cost-nas", "per-image", "per-arch", "sha256",
             source="SamsungLabs/zero-cost-nas nasbench2_pred.py l.36 (batch 64), foresight/dataset.py "
                    "l.31-33, 49-55, p_utils.py l.23-32 (a fresh shuffled batch per architecture)",
             tables="data/nb201-cifar-scores, nb201-cifar-scores-lossless (split lossless-train), "
                    "nb101-cifar-scores"),
    Protocol("naslib", 32, "naslib", "per-image", "per-arch", "sha256",
             source="NASLib scripts/zc/create_configs_benchmarks.py l.46 (batch 32), dataset.py l.202-212; "
                    "officially the first 70 % of the training set and a new batch per proxy",
             tables="none (the NASLib option of nascore bench cifar-scores)"),
    Protocol("nb201", 256, "nb201", "rows-then-cols", "epoch", "stream", generator="torch",
             source="NAS-Bench-201's training pipeline (crop 32 with padding 4, flip, its normalisation); "
                    "batch 256 as the BigNAS-style recipe",
             tables="data/nb201-supernet"),
    Protocol("hnas", 64, "zero-cost-nas", "rows-then-cols", "per-arch", "crc32",
             source="shuyao95/HNAS nasbench/nasbench2_pred.py l.36, foresight/dataset.py l.31-33, 49-55",
             tables="data/nb201-cifar-ntk (group hnas)"),
    Protocol("tenas", 72, "nb201", "rows-then-cols", "per-arch", "crc32",
             source="VITA-Group/TENAS prune_launch.py l.32 (batch 72 on NAS-Bench-201), NB201 normalisation",
             tables="data/nb201-cifar-ntk (group tenas)"),
    Protocol("zhu", 72, "nb201", "rows-then-cols", "per-arch", "crc32",
             source="Zhu et al. publish no code: the TE-NAS batch (our choice)",
             tables="data/nb201-cifar-ntk (group zhu)"),
    Protocol("lga", 256, "zero-cost-nas", "rows-then-cols", "fixed", "crc32",
             source="naver-ai/demystifying-ntk ntk_nas_init/nasbench2_pred.py l.45 (batch 256), l.102-121 "
                    "(seeds reset before every network: one batch for all)",
             tables="data/nb201-cifar-ntk (group lga)"),
    Protocol("lga-train", 205, "zero-cost-nas", "rows-then-cols", "epoch", "stream",
             source="naver-ai/demystifying-ntk ntk_nas_train (batch 1024 on 50,000 images, 49 steps; "
                    "205 on our 10,000 gives the same 49 steps)",
             tables="data/nb201-cifar-ntk (the after-one-epoch columns)"),
)}


def batch_seed(protocol: Protocol, dataset: str, arch: str, seed: int) -> int:
    """The seed of the generator that draws ``arch``'s batch under ``protocol``.

    ``sha256``: ``seed_for("batch", seed, arch, dataset)`` per architecture,
    ``seed_for("batch", seed, dataset)`` for a fixed batch. ``crc32``:
    ``seed_for(arch, seed, rule="crc32")`` per architecture, ``seed`` itself for a fixed
    batch (LGA resets its seed before every network).
    """
    fixed = protocol.batch == "fixed"
    if protocol.seeds == "sha256":
        key = ("batch", seed, dataset) if fixed else ("batch", seed, arch, dataset)
        return seed_for(*key, rule="sha256")
    if protocol.seeds == "crc32":
        return seed if fixed else seed_for(arch, seed, rule="crc32")
    raise ValueError(f"protocol {protocol.name!r} draws from one stream (seeds {protocol.seeds!r}): "
                     "it has no per-batch seed")


def draw_batch(protocol: Protocol, dataset: str, arch: str, *, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The normalised batch ``(x, y)`` that ``arch`` is scored on under ``protocol``.

    One numpy generator seeded by :func:`batch_seed` draws ``batch_size`` distinct images
    (``choice(..., replace=False)``), then, from the same generator, their crops and flips
    (:func:`nascore.inputs.augmentation.augment`, the protocol's order); the batch is then
    normalised (:func:`nascore.inputs.normalisation.normalise`).
    """
    if protocol.batch not in ("per-arch", "fixed") or protocol.generator != "numpy":
        raise ValueError(f"protocol {protocol.name!r} is a training protocol (batch {protocol.batch!r}); "
                         "draw_batch serves the scoring protocols ('per-arch' or 'fixed', numpy)")
    check_dataset(dataset)
    x_all, y_all = batch_images(dataset) if protocol.split == "shipped" else images(dataset, protocol.split)
    if protocol.batch_size > len(y_all):
        raise ValueError(f"batch_size {protocol.batch_size} exceeds the {len(y_all)} {dataset} images")
    rng = np.random.default_rng(batch_seed(protocol, dataset, arch, seed))
    rows = torch.as_tensor(rng.choice(len(y_all), protocol.batch_size, replace=False))
    x = x_all[rows]
    if protocol.augment is not None:
        x = augment(x, rng, order=protocol.augment)
    return normalise(x, protocol.normalisation, dataset), y_all[rows]
