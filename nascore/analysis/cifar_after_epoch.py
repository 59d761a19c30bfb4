"""Scores after one epoch of training on real CIFAR-10 against NB201 accuracy.

Reads the ``*_after_1_epoch`` columns of ``data/nb201-cifar-ntk/cifar10.csv`` (LGA's
official protocol, naver-ai/demystifying-ntk ``ntk_nas_train/``: 1 epoch of SGD, lr
0.025, momentum 0.9, weight decay 3e-4, then the kernel of a held-out batch of 256;
NASWOT and DAS's terms on the same trained networks; README of the folder) and ranks
them against the LGA code's ground truth, NB201's 200-epoch CIFAR-10 test accuracy
(``data/nasbench201-test/``), over the architectures where each was computed. Two samples
were trained (:data:`SAMPLES`): 200 cells stratified by accuracy, and the first 200 of
LGA's own population in a fixed random order (``lga_first1000_cifar10.csv``); the folder's
README says how many of each are in. NASLib's validation accuracy is the labelled option
``truth="val_accuracy"``.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

#: The accuracies a score may be ranked against: the default (LGA's official ground truth) first.
TRUTHS = ("test_accuracy", "val_accuracy")
#: Score columns after one epoch, and the sign that makes "higher is better".
COLUMNS = {"lga_after_1_epoch": 1, "ntk_mean_after_1_epoch": 1, "ntk_frobenius_after_1_epoch": 1,
           "naswot_after_1_epoch": 1, "das_distinguishing_after_1_epoch": 1, "das_units_after_1_epoch": 1}
#: The samples of trained cells: LGA's own population (a uniform sample of NB201 cells 0..999,
#: ``lga_first1000_cifar10.csv``; ``run_gpu.sh``: ``train --archs first1000,first:200``), the
#: sample stratified by accuracy (``cifar10.csv``; ``train --archs stratified:200``), or both.
SAMPLES = ("all", "population", "stratified")
_TABLES = {"population": "nb201-cifar-ntk-lga1000", "stratified": "nb201-cifar-ntk"}


#: LGA at init (batch 32) of each trained cell, from the same table as its after-one-epoch values.
AT_INIT = "lga_b32"


def _trained_rows(table: pd.DataFrame, sample: str) -> pd.DataFrame:
    """``arch``, :data:`COLUMNS`, :data:`AT_INIT` (NaN where the table lacks it) and ``sample``
    of the rows of ``table`` with any after-one-epoch value (none when the table has no such
    column yet)."""
    present = [c for c in COLUMNS if c in table]
    rows = table.reindex(columns=["arch", *COLUMNS, AT_INIT])
    rows = rows[rows[present].notna().any(axis=1)] if present else rows.iloc[:0]
    return rows.assign(sample=sample)


def trained_frame(sample: str = "all") -> pd.DataFrame:
    """NB201 CIFAR-10 cells trained for one epoch under the LGA code's protocol, from the
    tables of ``sample`` (one of :data:`SAMPLES`; a cell in both counts once, as a population
    cell), with their after-one-epoch columns, LGA at init (:data:`AT_INIT`, from the same
    table as the cell's after-one-epoch values), ``sample``, and both accuracies of
    :data:`TRUTHS` (200-epoch test accuracy from ``bench.load("nb201")``, NASLib's
    validation accuracy)."""
    from .. import bench

    if sample not in SAMPLES:
        raise ValueError(f"sample={sample!r} is not known; allowed: {', '.join(SAMPLES)}")
    names = list(_TABLES) if sample == "all" else [sample]
    parts = [_trained_rows(bench.load(_TABLES[name], dataset="cifar10"), name) for name in names]
    trained = pd.concat(parts, ignore_index=True).drop_duplicates("arch", keep="first")
    truth = bench.load("nb201", dataset="cifar10")[["arch", *TRUTHS]]
    return truth.merge(trained, on="arch", how="inner").reset_index(drop=True)


def claim_frame(trained: pd.DataFrame) -> pd.DataFrame:
    """The trained cells a verdict rests on, one sample, never pooled: LGA's own population
    (the official one, uniform) once it holds :data:`nascore.claims.MIN_POPULATION` cells,
    else the larger of the two samples (a tie goes to the population). ``trained`` from
    :func:`trained_frame` with ``sample="all"``. Pooling would mislead where the samples
    cover different accuracy ranges (as shipped on 2026-12-02: the 24 stratified cells
    trained lay below 83 % test accuracy, the 17 population cells averaged 89 %), so that
    their union ranks by which sample a cell came from."""
    from ..claims import MIN_POPULATION

    population = trained[trained["sample"] == "population"]
    stratified = trained[trained["sample"] == "stratified"]
    if len(population) >= MIN_POPULATION or len(population) >= len(stratified):
        return population
    return stratified


def sample_text(trained: pd.DataFrame) -> str:
    """How many cells of each sample ``trained`` holds, in words, e.g. "30 of LGA's population
    (uniform among NB201 cells 0..999) and 24 of the sample stratified by accuracy"."""
    counts = trained["sample"].value_counts()
    words = {"population": "of LGA's population (uniform among NB201 cells 0..999)",
             "stratified": "of the sample stratified by accuracy"}
    parts = [f"{int(counts[name])} {words[name]}" for name in _TABLES if counts.get(name, 0)]
    return " and ".join(parts) if parts else "no cells"


def correlations(frame: pd.DataFrame, columns=None, *, method: str = "kendall", n_boot: int = 1000,
                 seed: int = 0, truth: str = "test_accuracy") -> pd.DataFrame:
    """Rank correlation of each column with ``truth`` (one of :data:`TRUTHS`; default the
    200-epoch test accuracy) over the rows where that column is finite (``nascore.stats``
    ranks NaN lowest, so they are dropped first), with a bootstrap interval; one row per
    column (``score``, ``method``, ``truth``, ``value``, ``low``, ``high``, ``n``)."""
    from ..stats import rank_correlation

    if truth not in TRUTHS:
        raise ValueError(f"truth={truth!r} is not known; allowed: {', '.join(TRUTHS)}")
    if truth not in frame:
        raise ValueError(f"the frame has no {truth} column; has {list(frame.columns)}")
    columns = list(COLUMNS) if columns is None else list(columns)
    unknown = [c for c in columns if c not in frame]
    if unknown:
        raise ValueError(f"columns {unknown} not in the frame; available: {list(frame.columns)}")
    rows = []
    for column in columns:
        values = frame[column].to_numpy(float)
        keep = np.isfinite(values)
        r = rank_correlation(COLUMNS.get(column, 1) * values[keep], frame[truth].to_numpy(float)[keep],
                             method, n_boot=n_boot, seed=seed)
        rows.append({"score": column, "method": method, "truth": truth, "value": r.value, "low": r.low, "high": r.high,
                     "n": int(keep.sum())})
    return pd.DataFrame(rows)
