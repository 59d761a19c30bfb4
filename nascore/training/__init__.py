"""Training: one loop with options, the ground-truth protocol, stacked same-shaped nets.

Public entry: this package, :mod:`nascore.training` (the one name for training).

- :mod:`.loop`         :func:`run_epochs`, the one training loop every trainer calls: epochs
  of a pluggable step over a batch source, the learning rate set before each step,
  hooks after each epoch; :func:`shuffled_batches`, the in-memory batch source
- :mod:`.steps`        the plain steps: cross-entropy on one net or on a stack of nets
- :mod:`.ground_truth` :func:`train` (one net) and :func:`train_many` (stacked when
  possible) under a :class:`Protocol`: the ground-truth tables
- :mod:`.protocol`     the frozen :class:`Protocol` (optimiser, schedule, epochs, ...)
- :mod:`.stacked`      stacking same-shaped nets into one module (grouped matmuls)
- :mod:`.epochs`       augmented CIFAR batches (:func:`~.epochs.epoch_batches`) and
  :func:`~.epochs.fit_epochs` (supernet, stand-alone children, LGA's one epoch)
- :mod:`.probes`       metrics measured along training, kernel movement

Who calls :func:`run_epochs`: the ground-truth trainer (:func:`train`, :func:`train_many`,
and through them :func:`.probes.train_with_probes`), :func:`.epochs.fit_epochs` (the
stand-alone children, LGA's one epoch) and the supernet trainer
(:func:`nascore.supernet.trainer.train`, with its sandwich step, checkpoints and deadline).
One loop stays apart: :func:`nascore.supernet.cost.step_seconds` times blocks of single
steps (a supernet step against a one-child step, alternated, batches drawn with
replacement by ``torch.randint``); it measures what a step costs and trains nothing
that is kept, so it has no epochs for the loop to run.
"""
from .ground_truth import (CheckpointHook, Factory, TrainData, TrainResult, prepare, train,
                           train_many)
from .loop import EpochEnd, run_epochs, shuffled_batches
from .protocol import Protocol
from .stacked import Stacked, StackedMixedNets, register, stack

__all__ = ["CheckpointHook", "EpochEnd", "Factory", "Protocol", "Stacked", "StackedMixedNets",
           "TrainData", "TrainResult", "prepare", "register", "run_epochs",
           "shuffled_batches", "stack", "train", "train_many"]
