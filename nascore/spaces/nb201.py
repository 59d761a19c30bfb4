"""NAS-Bench-201 cell space: architecture strings and op-index tuples.

A cell has 4 nodes (node 0 is the cell input) and 6 edges i -> j (i < j), each carrying
one of five operations. NAS-Bench-201 writes an architecture as

    |op~0|+|op~0|op~1|+|op~0|op~1|op~2|

where the k-th group lists the edges into node k+1, each ``op~i`` naming its source i.

The shipped NASLib tables key architectures by an *op-index tuple*
``(t0, t1, t2, t3, t4, t5)``: one integer per edge in NASLib's edge order
``(1,2), (1,3), (1,4), (2,3), (2,4), (3,4)`` (nodes numbered from 1) and op indices
into :data:`NASLIB_OPS`. Since the string lists edges grouped by *target* node, the
tuple reads as ``|t0~0|+|t1~0|t3~1|+|t2~0|t4~1|t5~2|``: t2 and t3 swap places.
"""
from __future__ import annotations

import itertools
import re

#: Operation names in NASLib's op-index order (the order of the shipped tables).
NASLIB_OPS = ("skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3")
#: The five operations of the cell, in NAS-Bench-201's own order.
OPS = ("none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3")
#: Edges (source, target) with nodes numbered from 0, in NASLib's tuple order.
TUPLE_EDGES = ((0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3))
#: Edges in the order they appear in an architecture string (grouped by target node).
STRING_EDGES = ((0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3))
NUM_EDGES = 6
NUM_ARCHITECTURES = len(OPS) ** NUM_EDGES  # 15,625

_GROUP = re.compile(r"^\|(.+)\|$")


def parse(arch_str: str) -> dict[tuple[int, int], str]:
    """Map each edge (source, target) of an architecture string to its operation.

    >>> parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|")[(1, 3)]
    'nor_conv_1x1'
    """
    if not isinstance(arch_str, str):
        raise ValueError(f"architecture string must be a str, got {type(arch_str).__name__}")
    groups = arch_str.split("+")
    if len(groups) != 3:
        raise ValueError(
            f"bad NAS-Bench-201 architecture string {arch_str!r}: expected 3 groups "
            "separated by '+', like '|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|'"
        )
    edges: dict[tuple[int, int], str] = {}
    for target, group in enumerate(groups, start=1):
        match = _GROUP.match(group)
        items = match.group(1).split("|") if match else []
        if len(items) != target:
            raise ValueError(
                f"bad NAS-Bench-201 architecture string {arch_str!r}: group {target} "
                f"({group!r}) must list {target} edge(s) as '|op~source|'"
            )
        for item in items:
            op, _, source = item.partition("~")
            if op not in OPS:
                raise ValueError(f"unknown operation {op!r} in {arch_str!r}; allowed: {', '.join(OPS)}")
            if not source.isdigit() or int(source) >= target:
                raise ValueError(f"bad edge source {item!r} in {arch_str!r}: must be 0..{target - 1}")
            edges[(int(source), target)] = op
    if len(edges) != NUM_EDGES:
        raise ValueError(f"bad NAS-Bench-201 architecture string {arch_str!r}: repeated edge")
    return edges


def to_op_indices(arch_str: str) -> tuple[int, ...]:
    """NASLib op-index tuple of an architecture string (see the module docstring)."""
    edges = parse(arch_str)
    return tuple(NASLIB_OPS.index(edges[edge]) for edge in TUPLE_EDGES)


def from_op_indices(indices) -> str:
    """Architecture string of a NASLib op-index tuple (inverse of :func:`to_op_indices`).

    >>> from_op_indices((0, 2, 3, 2, 3, 1))
    '|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|'
    """
    indices = tuple(indices)
    if len(indices) != NUM_EDGES or not all(isinstance(i, int) and 0 <= i < len(NASLIB_OPS) for i in indices):
        raise ValueError(
            f"op-index tuple must be 6 integers in 0..{len(NASLIB_OPS) - 1}, got {indices!r}"
        )
    ops = dict(zip(TUPLE_EDGES, (NASLIB_OPS[i] for i in indices)))
    groups = []
    for target in (1, 2, 3):
        groups.append("|" + "|".join(f"{ops[(s, target)]}~{s}" for s in range(target)) + "|")
    return "+".join(groups)


def parse_tuple_key(key: str) -> tuple[int, ...]:
    """Parse NASLib's tuple key, e.g. ``"(0, 2, 3, 2, 3, 1)"``."""
    try:
        indices = tuple(int(part) for part in key.strip("() ").split(","))
    except ValueError:
        raise ValueError(f"bad op-index key {key!r}: expected like '(0, 2, 3, 2, 3, 1)'") from None
    from_op_indices(indices)  # validates
    return indices


def all_architectures() -> list[str]:
    """Every architecture string of the space (15,625), in op-index tuple order."""
    return [from_op_indices(t) for t in itertools.product(range(len(NASLIB_OPS)), repeat=NUM_EDGES)]


def sample(n: int, *, seed: int = 0) -> list[str]:
    """``n`` architecture strings drawn uniformly with replacement."""
    import numpy as np

    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(NASLIB_OPS), size=(n, NUM_EDGES))
    return [from_op_indices(tuple(int(v) for v in row)) for row in draws]


from .nb201_network import Network  # noqa: E402
