"""Training-free selection as the NASWOT / TE-NAS / EigenNAS tables report it.

Those papers draw ``N`` cells uniformly from the space, score each at initialisation,
keep the best-scored one and report its 200-epoch test accuracy, as mean ± std over
repeated draws (NASWOT: N = 10 and 100, 500 repeats; EigenNAS: N = 100 and 1,000). No
query is made. :func:`best_of_n` does the drawing and the choosing; the order of the
draws and the tie rule are fixed, so the picks are the same on any machine.

**Ties.** Scores equal to within a relative :data:`TIE_TOLERANCE` (round-off between two
BLAS libraries is far below it) count as equal; among equals the cell that comes first
in the given ``keys`` order (e.g. the architecture string) is picked. Missing scores
(NaN) rank last; a draw of only missing scores picks by the same key order.
"""
from __future__ import annotations

import numpy as np

from .picks import REL_TOL, argbest

#: Relative difference below which two scores are the same score (the one rule of
#: :mod:`nascore.search.picks`).
TIE_TOLERANCE = REL_TOL


def best_of_n(scores, n: int, repeats: int, *, seed: int = 0, higher_is_better: bool = True, keys=None) -> np.ndarray:
    """Rows picked by ``repeats`` independent draws of ``n`` cells without replacement
    (uniform over the rows of ``scores``), each keeping its best-scored cell.

    ``keys`` (default: row order) fixes the tie rule (:func:`~nascore.search.picks.argbest`).
    """
    scores = np.asarray(scores, float)
    if not (isinstance(n, (int, np.integer)) and 1 <= n <= len(scores)):
        raise ValueError(f"n must be an integer between 1 and the {len(scores)} scored cells, got {n!r}")
    if not (isinstance(repeats, (int, np.integer)) and repeats >= 1):
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    keys = np.arange(len(scores)) if keys is None else np.asarray(keys)
    if len(keys) != len(scores):
        raise ValueError(f"keys has {len(keys)} entries for {len(scores)} scores")
    rank = np.argsort(np.argsort(keys, kind="stable"), kind="stable")
    signed = scores if higher_is_better else -scores
    rng = np.random.default_rng(seed)
    picks = np.empty(repeats, dtype=np.int64)
    for r in range(repeats):
        rows = rng.choice(len(scores), size=n, replace=False)
        picks[r] = rows[argbest(signed[rows], order=rank[rows])]
    return picks


def against_random(populations: dict, scores, ns, repeats: int, *, accuracy: str = "val_accuracy",
                   n_boot: int = 1000, seed: int = 0) -> "pd.DataFrame":
    """Training-free selection beside random search on several populations (spaces).

    ``populations`` maps a label to a table with ``arch``, ``accuracy`` and the ``scores``
    columns it has. For each population and ``N`` in ``ns``: random search with ``N``
    queries (the best ``accuracy`` among ``N`` uniform draws: it sees what it queries) and
    the best-of-``N`` pick of each score (:func:`best_of_n`, ties by ``arch``), every pick
    reported by its ``accuracy``; ``repeats`` draws, mean and 95 % interval of the mean
    (:func:`nascore.search.report.summarise`), the population's ``optimum`` and ``size``.
    Scores a population lacks (or has only NaN for) are left out of its rows.
    """
    import pandas as pd

    from .. import metrics
    from .report import summarise

    rows = []
    for label, frame in populations.items():
        frame = frame.dropna(subset=[accuracy]).sort_values("arch", ignore_index=True)
        truth, keys = frame[accuracy].to_numpy(float), frame.arch.to_numpy()
        methods = {"random search": (truth, True)}
        for score in scores:
            if score in frame and frame[score].notna().any():
                methods[score] = (frame[score].to_numpy(float), metrics.info(score).higher_is_better)
        for n in ns:
            if n > len(frame):
                continue
            for method, (values, higher) in methods.items():
                picks = best_of_n(values, int(n), int(repeats), seed=seed, higher_is_better=higher, keys=keys)
                summary = summarise(truth[picks], n_boot=n_boot, seed=seed)
                rows.append({"population": label, "method": method, "n": int(n), "repeats": int(repeats),
                             "mean": summary["mean"], "low": summary["low"], "high": summary["high"],
                             "optimum": float(truth.max()), "size": len(frame)})
    return pd.DataFrame(rows)
