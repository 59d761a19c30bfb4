"""Our training-free scores of NAS-Bench-101 networks on the shipped CIFAR-10 images.

The protocol is the NB201 one (:mod:`nascore.bench.cifar_protocol`, zero-cost-nas's
conventions): a batch of 64 CIFAR-10 training images, random crop and flip, zero-cost-nas's
normalisation, a fresh batch per architecture drawn from a seed derived from
``(seed, architecture)``, PyTorch's default initialisation with weights from a derived
seed, batch norm in train mode (batch statistics), one network per architecture shared by
all metrics (:func:`nascore.metrics.score_many`). Only the network differs: the full-size
NAS-Bench-101 network of the cell (:class:`nascore.spaces.nb101_network.Network`), as
zero-cost-nas scores NB101 (``nasbench1_pred.py`` builds the PyTorch port at full size:
128 stem channels, 3 stacks of 3 cells). One difference is deliberate: that script's
default batch is 256 images (its ``--batch_size``), its NB201 script's 64; we keep 64,
the batch of our NB201 scores, so that the two spaces are scored alike
(``NB101Protocol(batch_size=256)`` gives the other).

:func:`score_architecture` scores one cell and returns a record like
:func:`nascore.tables.nb201_cifar_scores.run_job`'s; the resumable job over the 301 cells
of ``bench.load("nb101-zc")`` and its export are :mod:`nascore.tables.nb101_cifar_scores`.
The cost per architecture: ``benchmarks/nb101_scores.py``.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import torch

from .cifar_protocol import NUM_CLASSES, ScoringProtocol, check_dataset
from ..inputs import seed_for

#: The registry metrics the NB101 table is to hold (the NB201 zero-cost set but GraSP,
#: whose Hessian-vector product is the dearest; NASWOT and the two DAS terms included).
METRICS = ("params", "flops", "grad_norm", "snip", "fisher", "jacov", "synflow", "naswot",
           "das", "das_units", "das_distinguishing")


@dataclass(frozen=True)
class NB101Protocol:
    """Batch and network of one NB101 cell; the batch rule is :class:`ScoringProtocol`'s
    (same fields, same defaults), keyed by the cell's canonical string."""

    batch_size: int = 64
    augment: bool = True
    normalisation: str = "zero-cost-nas"
    batch: str = "per-arch"
    seed: int = 42

    def __post_init__(self):
        self._batches()  # validates the fields

    def _batches(self) -> ScoringProtocol:
        return ScoringProtocol(batch_size=self.batch_size, augment=self.augment,
                               normalisation=self.normalisation, batch=self.batch, seed=self.seed)

    def to_dict(self) -> dict:
        return {"space": "nb101", **asdict(self)}

    def batch_for(self, arch: str, dataset: str = "cifar10") -> tuple[torch.Tensor, torch.Tensor]:
        """The normalised batch ``(x, y)`` the cell ``arch`` (canonical string) is scored on."""
        from ..spaces import nb101

        return self._batches().batch_for(str(nb101.parse(arch)), dataset)

    def network(self, arch: str, dataset: str = "cifar10") -> torch.nn.Module:
        """The full-size NB101 network of ``arch``, weights from a seed derived from ``(seed, arch)``."""
        from ..spaces.nb101_network import Network

        return Network(arch, num_classes=NUM_CLASSES[check_dataset(dataset)],
                       seed=seed_for("weights", "nb101", self.seed, arch, rule="sha256"))


def score_architecture(arch: str, metrics=METRICS, *, dataset: str = "cifar10",
                       protocol: NB101Protocol | None = None, device: str = "cpu") -> dict:
    """Score one cell with ``metrics``: a JSON-ready record of ``values`` (``None`` where a
    metric failed, its message in ``errors``), ``seconds`` (batch, build and scoring) and
    ``seconds_by_step`` (:func:`nascore.metrics.score_many`'s timings)."""
    from ..metrics import score_many

    protocol = protocol or NB101Protocol()
    start = time.perf_counter()
    x, y = protocol.batch_for(arch, dataset)
    net = protocol.network(arch, dataset).to(device)
    with torch.backends.cudnn.flags(enabled=True, benchmark=False, deterministic=True, allow_tf32=False):
        scores = score_many(tuple(metrics), net, x.to(device), y.to(device), on_error="nan")
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize(device)
    values = {m: (float(v) if math.isfinite(v) else None) for m, v in scores.items()}
    errors = dict(scores.errors)
    errors.update({m: f"non-finite value {v}" for m, v in scores.items() if not math.isfinite(v) and m not in errors})
    return {"kind": "nb101-cifar-scores", "arch": arch, "dataset": dataset, "metrics": sorted(metrics),
            "values": values, "errors": errors, "seconds": time.perf_counter() - start,
            "seconds_by_step": {k: round(v, 6) for k, v in scores.seconds.items()},
            "device": device, "torch": torch.__version__, "protocol": protocol.to_dict()}
