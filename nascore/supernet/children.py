"""The children of the NAS-Bench-201 supernet: which edges compute, their cost, and the
largest, smallest and random children that BigNAS's sandwich rule trains.

A child is one NAS-Bench-201 cell (an architecture string), repeated in every cell of
the skeleton. An edge is *effective* when it is not ``none`` and lies on a path of
non-``none`` edges from the cell input (node 0) to the cell output (node 3); only
effective edges change the output, so only they are run and counted. A child is
*connected* when it has at least one effective edge; a disconnected child's cells output
zeros and its predictions do not depend on the image (ranking it is trivial, training
it useless).

Cost is counted in multiply-accumulates (MACs) of the cell convolutions, the unit of
NAS-Bench-201's ``flops`` column: per cell at resolution ``H x W`` with ``c`` channels,
``nor_conv_3x3`` costs ``9 c^2 H W``, ``nor_conv_1x1`` costs ``c^2 H W``,
``avg_pool_3x3`` costs ``9 c H W`` additions (counted as MACs here so that a pool is
dearer than a skip), ``skip_connect`` and ``none`` cost nothing. The skeleton (stem,
reductions, head) is the same for every child, so it never changes an order and is left
out. Each stage doubles ``c`` and halves ``H`` and ``W``, so a convolution costs the same
in every stage and a pool half as much per stage down.

BigNAS (Yu et al., ECCV 2020, Sec. 3.1, "Sandwich Rule") trains the *biggest* and the
*smallest* child in every step. In this space we define, among connected children:

- the **largest** child: the most MACs, i.e. ``nor_conv_3x3`` on all six edges (unique);
- the **smallest** child: the fewest MACs; many children cost 0 (only skip connections
  effective), so ties are broken by fewer effective edges, then fewer non-``none``
  edges, then by the NASLib op-index tuple. The result is the single skip connection from input to output,
  ``|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|`` (the skeleton alone).

Random children are drawn uniformly among the connected children
(:func:`sample_connected`).
"""
from __future__ import annotations

import functools

import torch

from ..spaces import nb201

#: Parameter-free operations; the other two (the convolutions) hold weights.
FREE_OPS = ("none", "skip_connect", "avg_pool_3x3")


def effective_edges(arch: str) -> dict[tuple[int, int], str]:
    """The edges of ``arch`` that change its output, with their operations.

    >>> effective_edges("|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|")
    {(0, 3): 'skip_connect'}
    """
    return dict(_effective(arch))


@functools.lru_cache(maxsize=None)
def _effective(arch: str) -> tuple:
    ops = nb201.parse(arch)
    live = {e: op for e, op in ops.items() if op != "none"}
    from_input, to_output = {0}, {3}
    for target in (1, 2, 3):
        if any(s in from_input for (s, t) in live if t == target):
            from_input.add(target)
    for source in (2, 1, 0):
        if any(t in to_output for (s, t) in live if s == source):
            to_output.add(source)
    return tuple((e, op) for e, op in live.items() if e[0] in from_input and e[1] in to_output)


def is_connected(arch: str) -> bool:
    """Whether the cell output depends on its input (some path of non-``none`` edges)."""
    return bool(_effective(arch))


def cell_macs(arch: str, C: int, N: int, resolution: int = 32) -> int:
    """MACs of the cells of ``arch`` in the skeleton of width ``C``, ``N`` cells per stage,
    on ``resolution x resolution`` inputs (effective edges only; see the module docstring).

    >>> cell_macs("|nor_conv_1x1~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|", C=2, N=1, resolution=4)
    384
    """
    for name, value in (("C", C), ("N", N), ("resolution", resolution)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    ops = [op for _, op in _effective(arch)]
    total = 0
    for stage in range(3):
        c, side = C * 2**stage, resolution // 2**stage
        hw = side * side
        per_op = {"nor_conv_3x3": 9 * c * c * hw, "nor_conv_1x1": c * c * hw,
                  "avg_pool_3x3": 9 * c * hw, "skip_connect": 0}
        total += N * sum(per_op[op] for op in ops)
    return total


@functools.lru_cache(maxsize=None)
def connected_architectures() -> tuple[str, ...]:
    """Every connected child, in NASLib op-index tuple order."""
    return tuple(a for a in nb201.all_architectures() if is_connected(a))


@functools.lru_cache(maxsize=None)
def largest(C: int = 16, N: int = 1) -> str:
    """The connected child with the most cell MACs (all ``nor_conv_3x3``; ties, which do
    not occur for ``C > 1``, go to the lower op-index tuple)."""
    return _extreme(lambda a: (-cell_macs(a, C, N),))


@functools.lru_cache(maxsize=None)
def smallest(C: int = 16, N: int = 1) -> str:
    """The connected child with the fewest cell MACs; ties: fewer effective edges, then
    fewer non-``none`` edges, then the lower op-index tuple."""
    return _extreme(lambda a: (cell_macs(a, C, N), len(_effective(a)), 6 - a.count("none~")))


def _extreme(key) -> str:
    """The connected child minimising ``key``, ties broken by the op-index tuple (only
    the tied ones are parsed again)."""
    keys = {a: key(a) for a in connected_architectures()}
    best = min(keys.values())
    return min((a for a, k in keys.items() if k == best), key=nb201.to_op_indices)


def sample_connected(n: int, generator: torch.Generator) -> list[str]:
    """``n`` connected children drawn uniformly with replacement, from ``generator``."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative integer, got {n!r}")
    pool = connected_architectures()
    picks = torch.randint(len(pool), (n,), generator=generator)
    return [pool[int(i)] for i in picks]


def uniform_sample(n: int, *, seed: int = 0) -> list[str]:
    """``n`` distinct architectures drawn uniformly without replacement from all 15,625
    (connected or not): the first ``n`` of :func:`nascore.spaces.nb201.uniform_order`, the
    same rule as the CIFAR score table's
    ``sample:N`` (:func:`nascore.bench.cifar_scores.select_archs`), so the supernet's
    uniform sample has training-free scores."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= nb201.NUM_ARCHITECTURES:
        raise ValueError(f"n must be an integer in 0..{nb201.NUM_ARCHITECTURES}, got {n!r}")
    return nb201.uniform_order(seed)[:n]
