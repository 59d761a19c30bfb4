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
