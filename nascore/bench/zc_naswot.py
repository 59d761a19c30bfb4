"""NASWOT and the DAS terms of the NAS-Bench-Suite-Zero architectures, on our own images.

The shipped zero-cost table (``nascore.bench.load("nb201-zc")``) holds NASWOT (``nwot``)
computed by NASLib on a real CIFAR-10 batch. To ask how much the data matter, and to
split NASWOT into DAS's two atomic terms (which the table cannot), this module computes
:func:`nascore.metrics_over_training.activation_summary` for the same architectures at
full NAS-Bench-201 size (``C=16, N=5``, 3 input channels, 10 classes) on MNIST-5k
digits zero-padded to 32x32 and repeated over 3 channels: a forward pass only, at
initialisation, one fixed batch, one weight draw per architecture.

Results go to ``data/nb201-mnist5k/zc_naswot.csv``; a killed run resumes (rows already
in the file are skipped). ``python -m nascore.bench.zc_naswot`` regenerates it.
"""
from __future__ import annotations

import time

import pandas as pd
import torch
from torch.nn import functional as F

from ..paths import DATA_DIR

PATH = DATA_DIR / "nb201-mnist5k" / "zc_naswot.csv"
BATCH_SIZE = 64
COLUMNS = ("arch", "naswot", "das_units", "das_distinguishing", "das_layerwise", "n_units",
           "batch_size", "seed", "seconds")


def mnist_as_cifar(batch_size: int = BATCH_SIZE, *, seed: int = 0) -> torch.Tensor:
    """``batch_size`` MNIST-5k training digits as ``(B, 3, 32, 32)`` (zero-padded, grey repeated)."""
    from .. import data

    x, _ = data.load("mnist5k").batch(batch_size, seed=seed)
    return F.pad(x, (2, 2, 2, 2)).repeat(1, 3, 1, 1)


def score_arch(arch: str, inputs: torch.Tensor, *, seed: int = 0) -> dict:
    """Activation-code scores of the full-size network of ``arch`` (weights from ``seed``)."""
    from ..metrics_over_training import activation_summary
    from ..spaces import nb201

    start = time.perf_counter()
    net = nb201.Network(arch, C=16, N=5, num_classes=10, in_channels=3, seed=seed)
    values = activation_summary(net, inputs)
    return {"arch": arch, **values, "batch_size": inputs.shape[0], "seed": seed,
            "seconds": time.perf_counter() - start}


def fill(path=PATH, *, batch_size: int = BATCH_SIZE, seed: int = 0, log=print) -> pd.DataFrame:
    """Score every architecture of the zero-cost table not yet in ``path``, appending rows."""
    from pathlib import Path

    from . import load

    path = Path(path)
    archs = load("nb201-zc", dataset="cifar10")["arch"].tolist()
    done = set(pd.read_csv(path)["arch"]) if path.exists() else set()
    todo = [a for a in archs if a not in done]
    log(f"{len(done)} stored, {len(todo)} to score")
    inputs = mnist_as_cifar(batch_size, seed=seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    for i, arch in enumerate(todo):
        row = pd.DataFrame([score_arch(arch, inputs, seed=seed)], columns=list(COLUMNS))
        row.to_csv(path, mode="a", header=not path.exists(), index=False, float_format="%.9g")
        if i % 50 == 0:
            log(f"{i + 1}/{len(todo)}")
    return load_zc_naswot(path)


def load_zc_naswot(path=PATH) -> pd.DataFrame:
    """The shipped scores: one row per zero-cost-table architecture (see :data:`COLUMNS`)."""
    from pathlib import Path

    from ..paths import note_read

    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path} is missing: run python -m nascore.bench.zc_naswot")
    note_read(path)
    return pd.read_csv(path).drop_duplicates("arch", keep="last").reset_index(drop=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    fill()
