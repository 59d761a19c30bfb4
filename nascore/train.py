"""Ground-truth training (public entry point; the code lives in :mod:`nascore.training`).

>>> from nascore.train import Protocol
>>> Protocol(epochs=2, checkpoints=(1,)).eval_epochs
(1, 2)
"""
from .training import *  # noqa: F401,F403
from .training import __all__  # noqa: F401
