"""A BigNAS-style weight-sharing supernet over the NAS-Bench-201 cell space.

Yu et al., *BigNAS: Scaling up neural architecture search with big single-stage
models*, ECCV 2020: one set of shared weights holds every child architecture; training
uses the sandwich rule, inplace distillation, zero-initialised residual blocks,
regularisation of the biggest child only and an exponentially decaying learning rate
with a constant ending; children are evaluated with their inherited weights after
recalibrating batch-norm statistics, without retraining.

Modules, one job each:

- :mod:`.children`   connected children, cell MACs, largest / smallest / random children
- :mod:`.network`    the supernet (:class:`Supernet`) on NAS-Bench-201's skeleton
- :mod:`.recipe`     the training recipe and the ablation variants
- :mod:`.schedule`   learning-rate schedules
- :mod:`.sandwich`   one BigNAS step (sandwich rule, inplace distillation, decay)
- :mod:`.inputs`     the CIFAR-10 images for training, recalibration and testing
- :mod:`.checkpoint` atomic checkpoints
- :mod:`.trainer`    the resumable training loop
- :mod:`.evaluate`   BN recalibration and child accuracy (many children, one stored result
  each: :mod:`nascore.tables.nb201_supernet`)
- :mod:`.cost`       supernet step vs single-child step timing
- :mod:`.runs`       whole runs (train, time, evaluate) and collecting them
- :mod:`.table`      the shipped table ``data/nb201-supernet/``

The command line is ``nascore supernet`` (:mod:`nascore.cli.supernet`).
"""
from .network import Supernet, copy_child_into
from .recipe import VARIANTS, Recipe

__all__ = ["Recipe", "Supernet", "VARIANTS", "copy_child_into"]
