"""What determines a supernet training run: size, BigNAS switches, optimiser, schedule.

Each BigNAS technique (Yu et al., *BigNAS: Scaling up neural architecture search with
big single-stage models*, ECCV 2020) is one switch, so that the ablations differ from
the full method in exactly one field:

- ``sandwich`` (Sec. 3.1, "Sandwich Rule"): each step trains the largest child, the
  smallest child and ``k_random`` random children, gradients summed (:mod:`.sandwich`);
  off: ``k_random + 2`` random children, so every variant runs the same number of
  children per step;
- ``distillation`` (Sec. 3.1, "Inplace Distillation"): the step's teacher (the largest
  child under the sandwich rule, else the largest of the drawn children) learns from
  the labels, the others from its detached soft predictions; off: all from the labels;
- ``zero_init_residual`` (Sec. 3.1, "Initialization"): zero gamma of the last BN of each
  residual block (:meth:`.network.Supernet.zero_init_residual`);
- ``decay_teacher_only`` (Sec. 3.1, "Regularization"): weight decay acts only through
  the teacher's loss; off: ordinary weight decay on every weight in every step;
- ``schedule="bignas"`` (Sec. 3.1, "Convergence Behavior"): exponential decay with a
  constant ending (:mod:`.schedule`); ``"cosine"``: NAS-Bench-201's schedule.

``only_child`` is not a BigNAS technique but a sanity check of the machinery: every step
trains that one child, from the labels, and draws no random children, so with the
stand-alone recipe (cosine schedule, ordinary weight decay, no zero-init) the supernet
must end with the weights of that child trained alone (:mod:`.standalone`) from the same
initial weights, data order and augmentation. Its variant is ``one_child``.

BN recalibration before evaluation (Sec. 3.1, "Batch Norm Calibration") belongs to
evaluation (:mod:`.evaluate`), not to training.

:data:`VARIANTS` names the four trainings the chapter compares.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

SCHEDULES = ("bignas", "cosine")
#: Ablation variants: name -> (sandwich, distillation).
VARIANTS = {"full": (True, True), "no_sandwich": (False, True),
            "no_distillation": (True, False), "neither": (False, False)}


@dataclass(frozen=True)
class Recipe:
    """Everything that determines the trained weights (with the data and the code).

    Defaults: NAS-Bench-201's training hyper-parameters (SGD with Nesterov momentum 0.9,
    peak learning rate 0.1, weight decay 5e-4, batch 256; Dong & Yang, ICLR 2020) and
    BigNAS's techniques all on. ``C=16, N=1``: NAS-Bench-201's width with one cell per
    stage, the CPU-scale skeleton: ``benchmarks/supernet.py`` measured about 100 CPU
    seconds per epoch of 10,000 images on one core (x86-64, torch 2.13; C=8, N=1: 45 s;
    C=8, N=2: 74 s), a supernet step costing 4.3 single-child steps. On a GPU these
    sizes are bound by kernel launches, so width costs little there.
    """


    C: int = 16
    N: int = 1
    epochs: int = 10
    batch_size: int = 256
    seed: int = 0
    sandwich: bool = True
    distillation: bool = True
    k_random: int = 2
    zero_init_residual: bool = True
    decay_teacher_only: bool = True
    weight_decay: float = 5e-4
    lr: float = 0.1
    momentum: float = 0.9
    schedule: str = "bignas"
    lr_floor: float = 0.05
    decay_fraction: float = 2 / 3
    train_images: int | None = None
    only_child: str | None = None

    def __post_init__(self):
        for name in ("C", "N", "epochs", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if isinstance(self.k_random, bool) or not isinstance(self.k_random, int) or self.k_random < 0:
            raise ValueError(f"k_random must be a non-negative integer, got {self.k_random!r}")
        if not self.sandwich and self.k_random + 2 < 1:
            raise ValueError("without the sandwich rule at least one child must be drawn")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"unknown schedule {self.schedule!r}; allowed: {', '.join(SCHEDULES)}")
        if not 0 < self.lr_floor <= 1 or not 0 < self.decay_fraction <= 1:
            raise ValueError(f"lr_floor and decay_fraction must be in (0, 1], got "
                             f"{self.lr_floor!r} and {self.decay_fraction!r}")
        if self.lr <= 0 or self.weight_decay < 0 or not 0 <= self.momentum < 1:
            raise ValueError(f"need lr > 0, weight_decay >= 0, 0 <= momentum < 1; got lr={self.lr!r}, "
                             f"weight_decay={self.weight_decay!r}, momentum={self.momentum!r}")
        if self.train_images is not None and (isinstance(self.train_images, bool) or
                                              not isinstance(self.train_images, int) or self.train_images < 1):
            raise ValueError(f"train_images must be a positive integer or None, got {self.train_images!r}")
        if self.only_child is not None:
            from ..spaces import nb201

            nb201.parse(self.only_child)  # a clear message for a bad string
            if self.sandwich or self.distillation:
                raise ValueError("only_child trains one child from the labels: it needs sandwich=False and "
                                 "distillation=False")

    @property
    def variant(self) -> str:
        """``full``, ``no_sandwich``, ``no_distillation``, ``neither``, or ``one_child``
        (``only_child`` set)."""
        if self.only_child is not None:
            return "one_child"
        return next(name for name, flags in VARIANTS.items() if flags == (self.sandwich, self.distillation))

    @classmethod
    def for_variant(cls, variant: str, **fields) -> "Recipe":
        """The recipe of an ablation variant (:data:`VARIANTS`), other fields as given."""
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r}; allowed: {', '.join(VARIANTS)}")
        sandwich, distillation = VARIANTS[variant]
        return cls(sandwich=sandwich, distillation=distillation, **fields)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, fields: dict) -> "Recipe":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(fields) - known)
        if unknown:
            raise ValueError(f"unknown recipe field(s) {unknown}; known: {sorted(known)}")
        return cls(**fields)
