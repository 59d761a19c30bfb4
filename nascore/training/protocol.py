"""The training protocol: every choice that determines a trained accuracy, in one record.

A :class:`Protocol` is frozen and hashable so that it can be part of a cache key
(see :mod:`nascore.tables.store`): two runs with equal protocols, seeds, architectures
and code revision produce the same numbers.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

#: Bump when the meaning of a protocol changes (loop order, loss, evaluation), so that
#: results cached by an older trainer are not silently reused.

OPTIMIZERS = ("sgd", "adam")
SCHEDULES = ("constant", "cosine")
INPUTS = ("flat", "flat_unit", "image")
DTYPES = ("float32", "float64")


def _one_of(name, value, allowed):
    if value not in allowed:
        raise ValueError(f"unknown {name} {value!r}; allowed: {', '.join(map(str, allowed))}")


@dataclass(frozen=True)
class Protocol:
    """How a network is trained and evaluated.

    - ``optimizer``: ``"sgd"`` (with ``momentum``) or ``"adam"``; ``lr`` its step size and
      ``weight_decay`` its L2 penalty (coupled, as in ``torch.optim``).
    - ``schedule``: ``"constant"`` or ``"cosine"`` (learning rate annealed per step to 0
      over ``epochs``).
    - ``epochs``, ``batch_size``: mini-batch SGD over the training split, reshuffled
      every epoch from the seed; the last, smaller batch is kept.
    - ``checkpoints``: epochs after which test accuracy is also recorded (DAS's fast
      training and LGA look at nets after 1, 2, 5 epochs). The final epoch is always
      evaluated.
    - ``inputs``: ``"flat"`` (pixels in [0, 1] as a vector), ``"flat_unit"`` (the same
      scaled to unit norm, Zhu et al.'s assumption) or ``"image"`` (``(C, H, W)``).
    - ``augmentation``: always ``"none"``; recorded so that the table says so.
    - ``dtype``: ``"float32"``; ``"float64"`` is for tests that compare two code paths.
    """

    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.9
    weight_decay: float = 0.0
    schedule: str = "cosine"
    epochs: int = 10
    batch_size: int = 128
    checkpoints: tuple[int, ...] = field(default=(1, 2, 5))
    inputs: str = "flat"
    augmentation: str = "none"
    dtype: str = "float32"

    def __post_init__(self):
        _one_of("optimizer", self.optimizer, OPTIMIZERS)
        _one_of("schedule", self.schedule, SCHEDULES)
        _one_of("inputs", self.inputs, INPUTS)
        _one_of("dtype", self.dtype, DTYPES)
        _one_of("augmentation", self.augmentation, ("none",))
        for name in ("epochs", "batch_size"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        largest = {"float32": 3.4028234663852886e38, "float64": 1.7976931348623157e308}[self.dtype]
        if not (isinstance(self.lr, (int, float)) and not isinstance(self.lr, bool) and 0 < self.lr <= largest):
            raise ValueError(f"lr must be a finite positive number (at most {largest:.4g}, the largest "
                             f"{self.dtype}), got {self.lr!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be in [0, 1), got {self.momentum!r}")
        if self.weight_decay < 0:
            raise ValueError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        checkpoints = tuple(sorted({int(c) for c in self.checkpoints}))
        bad = [c for c in checkpoints if not 1 <= c <= self.epochs]
        if bad:
            raise ValueError(f"checkpoints {bad} outside 1..epochs={self.epochs}")
        object.__setattr__(self, "checkpoints", checkpoints)

    @property
    def eval_epochs(self) -> tuple[int, ...]:
        """Checkpoints plus the final epoch, sorted."""
        return tuple(sorted(set(self.checkpoints) | {self.epochs}))

    def to_dict(self) -> dict:
        """Plain JSON-able fields (tuples become lists)."""
        out = asdict(self)
        out["checkpoints"] = list(self.checkpoints)
        return out

    @classmethod
    def from_dict(cls, fields: dict) -> "Protocol":
        fields = dict(fields)
        if "checkpoints" in fields:
            fields["checkpoints"] = tuple(fields["checkpoints"])
        return cls(**fields)

    def digest(self) -> str:
        """Short SHA-256 of the protocol's fields (the code that runs it is hashed
        separately, by :func:`nascore.fingerprint.code_digest`, in every result key)."""
        text = json.dumps(self.to_dict(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]
