"""Building a search space's network: seeded construction and checked sizes, shared by
every space's networks (NAS-Bench-201, NAS-Bench-101, the weight-sharing supernet)."""
from __future__ import annotations

import threading

import torch

#: Seeded construction reseeds torch's global generator for a moment: one network at a time,
#: so that threads building networks (e.g. Dask workers in one process) get their own weights.
_SEEDED_BUILD = threading.Lock()


def seeded_build(seed: int | None, build) -> None:
    """Call ``build()``; with a ``seed``, its random draws come from that seed and the
    global random state is left untouched (one lock: parallel builds cannot interleave)."""
    if seed is None:
        build()
        return
    with _SEEDED_BUILD, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        build()


def check_sizes(**sizes) -> None:
    """Refuse a size (C, N, classes, channels) that is not a positive integer, naming it."""
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
