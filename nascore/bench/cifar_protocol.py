"""The zero-cost scoring protocol on the shipped CIFAR images: which batch, which network.

What the official code does (SamsungLabs/zero-cost-nas at a43bfbc, the code of
Abdelfattah et al. 2021; NASLib at 0b51bc1, which computed the shipped NAS-Bench-Suite-Zero
table ``data/nasbench201-zc``):

================  ==================================================  ==============================================
                  zero-cost-nas (``nasbench2_pred.py``)               NASLib (``naslib/runners/zc/benchmarks``)
================  ==================================================  ==============================================
batch size        64 (``:36``)                                        32 (``scripts/zc/create_configs_benchmarks.py:46``)
batch drawn       first batch of a fresh iterator over the shuffled   same rule (``predictive.py:62-65``) over a
                  CIFAR *training* set (``dataset.py:82-87``,          ``SubsetRandomSampler`` of the first 70 % of
                  ``p_utils.py:23-32``): a new random batch for every  the training set (``dataset.py:166-177``), drawn
                  architecture                                        anew for every architecture *and proxy*
augmentation      random crop 32, zero padding 4; horizontal flip     the same (``dataset.py:205-212``); no cutout
                  (``dataset.py:49-55``)
normalisation     mean (0.4914, 0.4822, 0.4465), std (0.2023,         CIFAR-10: (0.4914, 0.4822, 0.4465) /
                  0.1994, 0.2010) for both CIFARs (``dataset.py:31-33``) (0.2470, 0.2435, 0.2616); CIFAR-100: (0.5071,
                                                                      0.4865, 0.4409) / (0.2673, 0.2564, 0.2762)
                                                                      (``dataset.py:202-203, 252-253``)
initialisation    PyTorch's default (``--init_w_type none``, ``:34``);  PyTorch's default; the network is built anew
                  one network per architecture, each proxy on a copy  for every proxy (one job per proxy,
                  holding the same weights (``measures/__init__.py:25``) ``runner.py:41-59``)
seed              ``torch.manual_seed(42)`` once (``:42, :60``)       ``set_seed(9000)`` once (``run_nb201.sh:5``)
network           its own model (``foresight/models/nasbench2.py:     NASLib's graph: bias-free cell convolutions,
                  59-63``, ``nasbench2_ops.py:30-31``): cell          cell BN ``affine=False`` (``search_spaces/
                  convolutions with a bias, cell BN ``affine=False,   nasbench201/graph.py:335-336``,
                  track_running_stats=False``                         ``core/primitives.py:538-546``)
BatchNorm         train mode, batch statistics (``nasbench2.py:86``); the same (``predictive.py:31-37``)
                  SynFlow removes it (``synflow.py:22``, ``bn=False``)
loss              mean cross-entropy (``predictive.py:38``)           the same (``graph.py:305-306``)
================  ==================================================  ==============================================

Our default :class:`ScoringProtocol` follows zero-cost-nas: its model
(``model="zero-cost-nas"``, :data:`nascore.spaces.nb201.CONVENTIONS`), batch 64, crop
and flip, its normalisation, PyTorch's default initialisation, one network per
architecture shared by all proxies, a fresh random batch per architecture.
``model="nb201"`` scores NAS-Bench-201's own model (bias-free convolutions, affine BN
everywhere), as the shipped table ``data/nb201-cifar-scores`` was scored: at
initialisation the two models compute the same function and the same weight gradients,
so only Fisher (which reads the layer outputs, bias included) and SynFlow (which removes
the BN) can tell them apart. On the 1,000 CIFAR-10 cells scored on both models
(``data/nb201-cifar-scores-zcnas-model``) SynFlow ranks them alike (Spearman 1.000 between
the two scorings), Fisher does not (0.73). Instead of one global random stream
(whose draws depend on the order of the architectures) the batch and the weights of an
architecture come from seeds derived from ``(seed, architecture[, dataset])``, so any
architecture can be scored alone, in any order, on any worker, with the same result.
Where the shipped images force a difference we say so: CIFAR-10 batches come from the
10,000 shipped training images (JPEG re-encoded, :mod:`nascore.cifar`); CIFAR-100 has no
training split here, so its batches come from the 916 shipped test images.

The images, the crop and flip (draw order ``"per-image"``), the normalisation constants
(:data:`nascore.inputs.NORMALISATIONS`) and the SHA-256 seeds are :mod:`nascore.inputs`'
(the record ``PROTOCOLS["zero-cost-nas"]``), the one pipeline every CIFAR table uses.
The ``nb201`` normalisation divides NB201's 0-255 constants by 255 in float32, as the NTK
and supernet tables do (before the pipeline was one, this option divided in double
precision: one unit in the last place on 4 of 12 constants; no shipped table used it).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

import torch

from ..inputs import DATASETS, NORMALISATIONS, NUM_CLASSES, PROTOCOLS, check_dataset, draw_batch, seed_for

BATCHES = ("per-arch", "fixed")
#: Where batches come from: ``shipped`` (CIFAR-10's 10,000 JPEG-re-encoded training images,
#: CIFAR-100's 916 test images: the inputs of the shipped score table) or
#: ``lossless-train`` (training images with their original bytes: CIFAR-10's 5,438 and
#: CIFAR-100's 1,117, :func:`nascore.cifar.lossless_train_images`).
IMAGE_SOURCES = ("shipped", "lossless-train")
#: Which NAS-Bench-201 model a protocol scores (:data:`nascore.spaces.nb201.CONVENTIONS`).
MODELS = ("zero-cost-nas", "nb201")


@dataclass(frozen=True)
class ScoringProtocol:
    """Batch and network of one architecture (defaults: zero-cost-nas, see the module docstring).

    ``batch``: ``"per-arch"`` (a fresh random batch per architecture, the official rule)
    or ``"fixed"`` (one batch per dataset for every architecture, common random numbers).
    ``C``, ``N``: NAS-Bench-201's width and cells per stage (16 and 5: the benchmark's size).
    """

    batch_size: int = 64
    augment: bool = True
    normalisation: str = "zero-cost-nas"
    batch: str = "per-arch"
    seed: int = 42
    C: int = 16
    N: int = 5
    images: str = "shipped"
    model: str = "zero-cost-nas"

    def __post_init__(self):
        for name in ("batch_size", "C", "N"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed must be an integer, got {self.seed!r}")
        if self.normalisation not in NORMALISATIONS:
            raise ValueError(f"unknown normalisation {self.normalisation!r}; allowed: {', '.join(NORMALISATIONS)}")
        if self.batch not in BATCHES:
            raise ValueError(f"unknown batch rule {self.batch!r}; allowed: {', '.join(BATCHES)}")
        if self.images not in IMAGE_SOURCES:
            raise ValueError(f"unknown image source {self.images!r}; allowed: {', '.join(IMAGE_SOURCES)}")
        if self.model not in MODELS:
            raise ValueError(f"unknown model {self.model!r}; allowed: {', '.join(MODELS)}")

    def to_dict(self) -> dict:
        """The fields; ``images`` only when not ``shipped`` and ``model`` only when not
        ``nb201``: the shipped tables, scored before those fields existed (on NB201's model),
        keep the digest (and the store keys) they had."""
        out = asdict(self)
        if out["images"] == "shipped":
            del out["images"]
        if out["model"] == "nb201":
            del out["model"]
        return out

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:12]

    def batch_for(self, arch: str, dataset: str) -> tuple[torch.Tensor, torch.Tensor]:
        """The normalised batch ``(x, y)`` architecture ``arch`` is scored on."""
        protocol = PROTOCOLS["zero-cost-nas"].replace(
            batch_size=self.batch_size, normalisation=self.normalisation, batch=self.batch,
            augment="per-image" if self.augment else None, split=self.images)
        return draw_batch(protocol, check_dataset(dataset), arch, seed=self.seed)

    def network(self, arch: str, dataset: str) -> torch.nn.Module:
        """The full-size NAS-Bench-201 network of ``arch`` (``model``) with PyTorch's
        default initialisation, its weights drawn from a seed derived from ``(seed, arch)``
        (the same weights for both models)."""
        from ..spaces import nb201

        return nb201.Network(arch, C=self.C, N=self.N, num_classes=NUM_CLASSES[check_dataset(dataset)],
                             in_channels=3, seed=seed_for("weights", self.seed, arch, rule="sha256"),
                             convention=self.model)
