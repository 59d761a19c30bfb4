"""Ground-truth training: a fixed protocol, deterministic, batched for same-shaped nets.

Public entry: this package, :mod:`nascore.training` (the one name for training).

- :mod:`.protocol` the frozen :class:`Protocol` (optimiser, schedule, epochs, ...)
- :mod:`.loop`     :func:`train` (one net) and :func:`train_many` (stacked when possible)
- :mod:`.stacked`  stacking same-shaped nets into one module (grouped matmuls)
- :mod:`.epochs`   epochs of SGD on augmented CIFAR batches (supernet, stand-alone children, LGA)
"""
from .loop import CheckpointHook, Factory, TrainData, TrainResult, prepare, train, train_many
from .protocol import Protocol
from .stacked import Stacked, StackedMixedNets, register, stack

__all__ = ["CheckpointHook", "Factory", "Protocol", "Stacked", "StackedMixedNets",
           "TrainData", "TrainResult", "prepare", "register", "stack",
           "train", "train_many"]
