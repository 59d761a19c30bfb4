"""Picks that round-off cannot flip: argmax with a tolerance and a fixed tie rule.

A search decides by comparing floating-point numbers (scores, accuracies, expected
improvements, marginal likelihoods). The last bits of those numbers depend on the CPU
(OpenBLAS picks its kernels per CPU; NumPy's SIMD paths differ), so an exact ``argmax``
over two values that differ only by round-off picks by chance, and one flipped pick
changes every later step of a search. Every pick of :mod:`nascore.search` and of the
selection helpers in :mod:`nascore.studies` goes through this module instead:

- two values within a relative :data:`REL_TOL` (``|a - b| <= 1e-9 * max(|a|, |b|)``) are
  a *tie*; a tie goes to the first candidate in a fixed order (the table position, the
  sampling order, ...), never to the one that round-off made larger;
- non-finite values rank after every finite one (NaN counts as the worst);
- :func:`climb` replaces gradient optimisers (whose result moves with round-off through
  their stopping tests and finite differences) by a coordinate search on fixed steps that
  moves only on an improvement larger than the tolerance.

Round-off is about 1e-16 relative; two genuinely different values closer than 1e-9 are
treated as equal, a resolution no published number of this project needs.
"""
from __future__ import annotations

import heapq

import numpy as np

#: Relative tolerance below which two values are a tie.
REL_TOL = 1e-9


def _oriented(values, higher: bool) -> np.ndarray:
    """Values with larger meaning better; every non-finite value becomes ``-inf``."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values if higher else -values, -np.inf)


def _threshold(best: float, rel_tol: float) -> float:
    """The smallest value that ties with ``best``."""
    return best - rel_tol * abs(best) if np.isfinite(best) else best


def argbest(values, *, higher: bool = True, then=None, order=None, rel_tol: float = REL_TOL) -> int:
    """Index of the best of ``values`` (the largest, or the smallest with ``higher=False``).

    Every value within ``rel_tol`` of the best is a tie; among the ties, ``then`` (an
    array of the same length, larger is better, same tolerance) decides, then the
    smallest ``order`` (default: the position). With no finite value, the first in
    ``order``.

    >>> argbest([1.0, 3.0, 3.0 + 1e-14, 2.0])          # 3 and 3 + 1e-14 tie: the first
    1
    >>> argbest([5.0, 1.0, 1.0], higher=False, order=[0, 9, 4])
    2
    >>> argbest([2.0, 2.0, 1.0], then=[0.1, 0.5, 9.0])  # a tie on values, then by ``then``
    1
    """
    key = _oriented(values, higher)
    if key.ndim != 1 or key.size == 0:
        raise ValueError(f"argbest needs a non-empty 1-D array, got shape {key.shape}")
    order = np.arange(key.size) if order is None else np.asarray(order)
    if order.shape != key.shape:
        raise ValueError(f"order must have the shape of values {key.shape}, got {order.shape}")
    tied = _ties(key, rel_tol)
    if then is not None and tied.size > 1:
        second = np.asarray(then, dtype=float)
        if second.shape != key.shape:
            raise ValueError(f"then must have the shape of values {key.shape}, got {second.shape}")
        tied = tied[_ties(_oriented(second[tied], True), rel_tol)]
    return int(tied[np.argmin(order[tied])])


def _ties(key: np.ndarray, rel_tol: float) -> np.ndarray:
    return np.flatnonzero(key >= _threshold(key.max(), rel_tol))


def ranked(values, k: int | None = None, *, higher: bool = True, order=None,
           rel_tol: float = REL_TOL) -> np.ndarray:
    """Indices of the ``k`` best of ``values`` (default all), best first: what repeated
    :func:`argbest` on the values not yet taken returns, in O(n log n).

    >>> ranked([1.0, 3.0, 3.0 * (1 + 1e-12), 2.0]).tolist()
    [1, 2, 3, 0]
    >>> ranked([1.0, 3.0, 3.0 * (1 - 1e-12), 2.0]).tolist()
    [1, 2, 3, 0]
    """
    key = _oriented(values, higher)
    n = key.size
    k = n if k is None else max(0, min(int(k), n))
    order = np.arange(n) if order is None else np.asarray(order)
    if order.shape != key.shape:
        raise ValueError(f"order must have the shape of values {key.shape}, got {order.shape}")
    # Sorted by value, best first (ties by order). The best value left only decreases, so
    # the values tying with it form a window of this list that only grows to the right.
    by_value = np.lexsort((order, -key))
    taken = np.zeros(n, dtype=bool)
    out, window, lo, hi = [], [], 0, 0
    while len(out) < k:
        while taken[by_value[lo]]:
            lo += 1
        floor = _threshold(key[by_value[lo]], rel_tol)
        while hi < n and key[by_value[hi]] >= floor:
            heapq.heappush(window, (order[by_value[hi]], int(by_value[hi])))
            hi += 1
        _, pick = heapq.heappop(window)
        taken[pick] = True
        out.append(pick)
    return np.array(out, dtype=np.int64)


def improves(new: float, old: float, *, higher: bool = True, rel_tol: float = REL_TOL) -> bool:
    """Whether ``new`` is better than ``old`` by more than the tolerance (a tie is not)."""
    new, old = (float(v) for v in _oriented([new, old], higher))
    if not np.isfinite(new) or old == np.inf:
        return False
    return old == -np.inf or new - old > rel_tol * max(abs(new), abs(old))


def climb(f, start, bounds, steps, *, max_moves: int = 200, rel_tol: float = REL_TOL):
    """Maximise ``f`` by a coordinate search: from ``start``, for each step size in
    ``steps`` (one per step level: a scalar or one per coordinate), move to the best of
    the ``2 d`` neighbours ``x +- step * e_i`` (clipped to ``bounds``, rows ``(low,
    high)``) while it :func:`improves` on the current value. ``f`` takes an ``(m, d)``
    array and returns ``m`` values. Returns ``(x, f(x))``.

    Every comparison has the tolerance of :func:`argbest` and ties go to the first
    neighbour (coordinate order, minus before plus), so a perturbation of ``f`` by
    round-off leaves the path, and the result, unchanged.
    """
    bounds = np.asarray(bounds, dtype=float)
    x = np.clip(np.asarray(start, dtype=float), bounds[:, 0], bounds[:, 1])
    value = float(np.asarray(f(x[None, :]), dtype=float)[0])
    d, moves = x.size, 0
    for step in steps:
        step = np.broadcast_to(np.asarray(step, dtype=float), (d,))
        while moves < max_moves:
            shifts = np.concatenate([-np.diag(step), np.diag(step)]).reshape(2, d, d).transpose(1, 0, 2).reshape(2 * d, d)
            near = np.clip(x + shifts, bounds[:, 0], bounds[:, 1])
            near = near[np.any(near != x, axis=1)]
            if not len(near):
                break
            values = np.asarray(f(near), dtype=float)
            best = argbest(values, rel_tol=rel_tol)
            if not improves(values[best], value, rel_tol=rel_tol):
                break
            x, value, moves = near[best], float(values[best]), moves + 1
    return x, value
