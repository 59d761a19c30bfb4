"""NASWOT and the DAS terms of the NAS-Bench-Suite-Zero architectures, on our own images.

The shipped zero-cost table (``nascore.bench.load("nb201-zc")``) holds NASWOT (``nwot``)
computed by NASLib on a real CIFAR-10 batch. To ask how much the data matter, and to
split NASWOT into DAS's two atomic terms (which the table cannot), the library's job
:mod:`nascore.tables.nb201_zc_naswot` computes
:func:`nascore.training.probes.activation_summary` for the same architectures at
full NAS-Bench-201 size (``C=16, N=5``, 3 input channels, 10 classes) on MNIST-5k
digits zero-padded to 32x32 and repeated over 3 channels: a forward pass only, at
initialisation, one fixed batch, one weight draw per architecture.

Results go to ``data/nb201-mnist5k/zc_naswot.csv``; a killed run resumes (each scored
architecture is kept in a results store). ``nascore bench zc-naswot`` regenerates it; this
module defines the table's file and columns and reads it (:func:`load_zc_naswot`).
"""
from __future__ import annotations

import pandas as pd

from ..paths import DATA_DIR

PATH = DATA_DIR / "nb201-mnist5k" / "zc_naswot.csv"
BATCH_SIZE = 64
COLUMNS = ("arch", "naswot", "das_units", "das_distinguishing", "das_layerwise", "n_units",
           "batch_size", "seed", "seconds")


def load_zc_naswot(path=PATH) -> pd.DataFrame:
    """The shipped scores: one row per zero-cost-table architecture (see :data:`COLUMNS`)."""
    from pathlib import Path

    from ..manifest import note_read

    path = Path(path)
    if not path.exists():
        raise ValueError(f"{path} is missing: run nascore bench zc-naswot")
    note_read(path)
    return pd.read_csv(path).drop_duplicates("arch", keep="last").reset_index(drop=True)


