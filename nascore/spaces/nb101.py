"""NAS-Bench-101 cell space: validated, pruned cell specs, their string form and NASLib's tuple.

Ying, Klein, Real, Christiansen, Murphy, Hutter, *NAS-Bench-101: Towards Reproducible
Neural Architecture Search* (ICML 2019), Sec. 2.1. A cell ("module") is a DAG on at most
7 vertices given by an upper-triangular 0/1 adjacency matrix (``matrix[i][j] = 1``: an
edge i -> j, so i < j and the graph has no cycle) with at most 9 edges, and one label
per vertex: vertex 0 is ``input``, the last is ``output``, every other one is one of
:data:`OPS`. The network built from a cell is in :mod:`nascore.spaces.nb101_network`.

Rules taken from the official code (google-research/nasbench @ b94247037ee4):

* Pruning (``nasbench/lib/model_spec.py`` ``ModelSpec._prune``, lines 77-126): a vertex
  not reachable from the input, or from which the output is not reachable, does no
  computation and is deleted with its edges; the kept vertices keep their order. A
  cell in which the output is not reachable from the input is not a network.
* Validity (``nasbench/api.py`` ``_check_spec``, lines 368-391, with ``module_vertices=7``
  and ``max_edges=9`` from ``nasbench/lib/config.py`` lines 46-52): the vertex and edge
  limits apply to the *pruned* cell, as the official API checks them; an unpruned
  matrix with more than 9 edges whose dangling part brings it down to 9 is accepted.

Two written forms:

* **Canonical string** (ours, the ``arch`` column of ``bench.load("nb101-zc")``): the
  rows of the pruned matrix as 0/1 strings joined by ``/``, a ``:``, then the labels of
  the interior vertices joined by ``,`` (``input`` and ``output`` are implied), e.g.
  ``"0110/0001/0001/0000:conv3x3-bn-relu,maxpool3x3"``. Every pruned labelled cell has
  exactly one string; cells that differ only by a renumbering of their interior
  vertices (isomorphic cells) have different strings: the numbering fixes which
  vertices get the extra channel of an uneven split, so their networks can differ in
  a few thousand weights, though NAS-Bench-101 stores one accuracy for them all
  (its isomorphism-invariant hash). :func:`isomorphism_key` names that class.
* **NASLib's tuple** (the keys of NASLib's ``zc_nasbench101.json``): the unpruned n x n
  matrix flattened row by row, then the n labels as indices into :data:`NASLIB_OPS`
  (NASLib ``naslib/search_spaces/nasbench101/conversions.py``, ``all_ops`` and
  ``convert_tuple_to_spec``); with n = 7 a 56-tuple.
"""
from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass

from ..messages import short

#: The interior operations, NAS-Bench-101's ``available_ops`` (``config.py`` line 52).
OPS = ("conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3")
INPUT, OUTPUT = "input", "output"
#: Label order of NASLib's tuple encoding (``conversions.py``, ``all_ops``).
NASLIB_OPS = (INPUT, OUTPUT, "maxpool3x3", "conv1x1-bn-relu", "conv3x3-bn-relu")
MAX_VERTICES = 7
MAX_EDGES = 9
EXAMPLE = "0110/0001/0001/0000:conv3x3-bn-relu,maxpool3x3"


@dataclass(frozen=True)
class Spec:
    """A pruned, valid NAS-Bench-101 cell: ``matrix`` (tuple of 0/1 row tuples, upper
    triangular) and ``ops`` (one label per vertex, ``input`` first, ``output`` last).
    Build one with :func:`spec`, :func:`parse` or :func:`from_naslib_tuple`."""

    matrix: tuple
    ops: tuple

    @property
    def num_vertices(self) -> int:
        return len(self.ops)

    @property
    def num_edges(self) -> int:
        return sum(map(sum, self.matrix))

    def edge(self, source: int, target: int) -> bool:
        return bool(self.matrix[source][target])

    def __str__(self) -> str:
        return to_string(self)


def _as_matrix(matrix) -> list[list[int]]:
    """``matrix`` as a list of 0/1 int rows; ``ValueError`` if it is not a square 0/1 array."""
    try:
        rows = [list(row) for row in (matrix.tolist() if hasattr(matrix, "tolist") else matrix)]
    except TypeError:
        raise ValueError(f"adjacency matrix must be a square 0/1 array, got {short(matrix)}") from None
    n = len(rows)
    if n == 0 or any(len(row) != n for row in rows):
        raise ValueError(f"adjacency matrix must be square (n x n), got row lengths "
                         f"{[len(row) for row in rows]}")
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value not in (0, 1):
                raise ValueError(f"adjacency matrix entry [{i}][{j}] is {short(value)}; allowed: 0 or 1")
    return [[int(v) for v in row] for row in rows]


def _reachable(matrix, start: int, forward: bool) -> set[int]:
    """Vertices reachable from ``start`` along edges (``forward``) or against them."""
    n, seen, stack = len(matrix), {start}, [start]
    while stack:
        v = stack.pop()
        for w in range(n):
            linked = matrix[v][w] if forward else matrix[w][v]
            if linked and w not in seen:
                seen.add(w)
                stack.append(w)
    return seen


def spec(matrix, ops) -> Spec:
    """Check a cell (``matrix``: n x n 0/1, ``ops``: n labels) and return it pruned.

    One ``ValueError`` per kind of fault, naming the bad value and what is allowed: not
    square or not 0/1; more than 7 vertices; ``ops`` of the wrong length, not starting
    with ``input`` / ending with ``output``, or an unknown label; an entry on or below the
    diagonal (a self-loop, a backward edge, hence any cycle); no path input -> output;
    more than 9 edges after pruning.

    >>> s = spec([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0], [0, 0, 0, 0]],
    ...          ["input", "conv3x3-bn-relu", "maxpool3x3", "output"])
    >>> str(s)  # vertex 2 leads nowhere: pruned
    '010/001/000:conv3x3-bn-relu'
    """
    rows = _as_matrix(matrix)
    n = len(rows)
    if n > MAX_VERTICES:
        raise ValueError(f"a NAS-Bench-101 cell has at most {MAX_VERTICES} vertices, got a {n} x {n} matrix")
    if n < 2:
        raise ValueError(f"a cell needs at least the input and the output vertex, got a {n} x {n} matrix")
    if isinstance(ops, str):
        raise ValueError(f"ops must be a list of {n} labels, got the string {short(ops)}")
    ops = list(ops)
    if len(ops) != n:
        raise ValueError(f"ops has {len(ops)} labels for a {n} x {n} matrix; one label per vertex is needed")
    if ops[0] != INPUT or ops[-1] != OUTPUT:
        raise ValueError(f"ops must start with 'input' and end with 'output', got {short(ops[0])} ... "
                         f"{short(ops[-1])}")
    for v, op in enumerate(ops[1:-1], start=1):
        if op not in OPS:
            raise ValueError(f"unknown operation {short(op)} at vertex {v}; allowed: {', '.join(OPS)}")
    for i in range(n):
        for j in range(i + 1):
            if rows[i][j]:
                raise ValueError(f"adjacency matrix entry [{i}][{j}] is 1 but must be 0: the matrix must be "
                                 "strictly upper triangular (edges i -> j with i < j only, so no cycle)")
    kept = sorted(_reachable(rows, 0, True) & _reachable(rows, n - 1, False))
    if n - 1 not in kept:  # the output is not reachable from the input
        raise ValueError("no path from the input to the output: the cell computes nothing "
                         "(NAS-Bench-101 needs input -> ... -> output)")
    pruned = tuple(tuple(rows[i][j] for j in kept) for i in kept)
    edges = sum(map(sum, pruned))
    if edges > MAX_EDGES:
        raise ValueError(f"a NAS-Bench-101 cell has at most {MAX_EDGES} edges, got {edges} after pruning")
    return Spec(pruned, tuple(ops[i] for i in kept))


def to_string(cell: Spec) -> str:
    """The canonical string of a pruned cell (see the module docstring)."""
    rows = "/".join("".join(str(v) for v in row) for row in cell.matrix)
    return f"{rows}:{','.join(cell.ops[1:-1])}"


def parse(arch: str) -> Spec:
    """The cell of a canonical string; refuses a string that is not canonical (a cell
    with dangling vertices, spelled otherwise), naming the canonical form.

    >>> parse("0110/0001/0001/0000:conv3x3-bn-relu,maxpool3x3").ops[1]
    'conv3x3-bn-relu'
    """
    if not isinstance(arch, str):
        raise ValueError(f"NAS-Bench-101 architecture string must be a str, got {type(arch).__name__}")
    rows, colon, labels = arch.partition(":")
    if not colon or not rows or any(c not in "01" for c in rows.replace("/", "")):
        raise ValueError(f"bad NAS-Bench-101 architecture string {short(arch)}: expected 0/1 matrix rows "
                         f"joined by '/', ':', then the interior operations joined by ',', like {EXAMPLE!r}")
    matrix = [[int(c) for c in row] for row in rows.split("/")]
    interior = labels.split(",") if labels else []
    cell = spec(matrix, [INPUT, *interior, OUTPUT])
    if to_string(cell) != arch:
        raise ValueError(f"{short(arch)} is not canonical (dangling vertices are pruned): "
                         f"write it as {to_string(cell)!r}")
    return cell


def from_naslib_tuple(encoding) -> Spec:
    """The pruned cell of NASLib's tuple (n*n matrix entries, then n label indices into
    :data:`NASLIB_OPS`), e.g. the 56-tuples keying ``zc_nasbench101.json``."""
    try:
        values = tuple(encoding)
    except TypeError:
        raise ValueError(f"NASLib encoding must be a sequence of integers, got {short(encoding)}") from None
    n = (math.isqrt(4 * len(values) + 1) - 1) // 2
    if n < 2 or n * n + n != len(values):
        raise ValueError(f"NASLib encoding has {len(values)} values; it must have n*n + n "
                         f"(n*n matrix entries, then n labels), e.g. 56 for n = 7")
    labels = []
    for v, index in enumerate(values[n * n:]):
        if isinstance(index, bool) or not isinstance(index, numbers.Integral) or not 0 <= index < len(NASLIB_OPS):
            raise ValueError(f"NASLib label index {short(index)} at vertex {v}; allowed: 0..{len(NASLIB_OPS) - 1} "
                             f"for {', '.join(NASLIB_OPS)}")
        labels.append(NASLIB_OPS[index])
    matrix = [values[i * n:(i + 1) * n] for i in range(n)]
    return spec(matrix, labels)


def to_naslib_tuple(cell: Spec) -> tuple[int, ...]:
    """NASLib's tuple of a (pruned) cell: (n*n + n) integers for its n vertices."""
    return tuple(v for row in cell.matrix for v in row) + tuple(NASLIB_OPS.index(op) for op in cell.ops)


def as_spec(arch) -> Spec:
    """A :class:`Spec` from a :class:`Spec`, a canonical string or NASLib's tuple."""
    if isinstance(arch, Spec):
        return arch
    if isinstance(arch, str):
        return parse(arch)
    return from_naslib_tuple(arch)


def vertex_channels(cell: Spec, in_channels: int, out_channels: int) -> list[int]:
    """Channels of every vertex of a cell with ``in_channels`` in and ``out_channels`` out.

    The official rule (``model_builder.py`` ``compute_vertex_channels``, lines 369-434):
    the output concatenates the k interior vertices that feed it, so each of them gets
    ``out_channels // k`` channels, the first ``out_channels % k`` of them (in vertex
    order) one more; every other interior vertex gets, going backwards, the largest count
    among the interior vertices it feeds. The input keeps ``in_channels``.

    >>> c = spec([[0, 1, 1, 1, 0], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0, 0, 0, 0, 1], [0] * 5],
    ...          ["input", "conv3x3-bn-relu", "conv3x3-bn-relu", "maxpool3x3", "output"])
    >>> vertex_channels(c, 64, 128)  # 128 = 43 + 43 + 42
    [64, 43, 43, 42, 128]
    """
    n = cell.num_vertices
    channels = [0] * n
    channels[0], channels[-1] = in_channels, out_channels
    feeders = [v for v in range(1, n - 1) if cell.edge(v, n - 1)]
    if not feeders:
        return channels
    share, extra = divmod(out_channels, len(feeders))
    for rank, v in enumerate(feeders):
        channels[v] = share + (rank < extra)
    for v in range(n - 2, 0, -1):
        if v not in feeders:
            channels[v] = max(channels[w] for w in range(v + 1, n - 1) if cell.edge(v, w))
    return channels


def isomorphism_key(cell: Spec) -> str:
    """One string per class of isomorphic cells (NAS-Bench-101's unit of accuracy, which
    its ``graph_util.hash_module`` identifies by a hash): the smallest canonical string
    over every renumbering of the interior vertices that keeps the matrix upper
    triangular. Exact (no hash collisions); at most 5! = 120 renumberings.

    >>> a = spec([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
    ...          ["input", "conv3x3-bn-relu", "maxpool3x3", "output"])
    >>> b = spec([[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]],
    ...          ["input", "maxpool3x3", "conv3x3-bn-relu", "output"])
    >>> isomorphism_key(a) == isomorphism_key(b), str(a) == str(b)
    (True, False)
    """
    n = cell.num_vertices
    best = None
    for middle in itertools.permutations(range(1, n - 1)):
        order = (0, *middle, n - 1)
        matrix = tuple(tuple(cell.matrix[order[i]][order[j]] for j in range(n)) for i in range(n))
        if any(matrix[i][j] for i in range(n) for j in range(i + 1)):
            continue  # not a topological order
        text = to_string(Spec(matrix, tuple(cell.ops[v] for v in order)))
        best = text if best is None or text < best else best
    return best


def adjacency_encoding(cell: Spec) -> tuple[int, ...]:
    """The cell as 26 integers: the 21 entries above the diagonal of its matrix padded to
    7 x 7, row by row (0/1), then the 5 interior labels as indices into :data:`OPS`.

    The "adjacency matrix" encoding of White, Neiswanger, Savani (BANANAS, AAAI 2021),
    Sec. 4, on the pruned cell: a cell with fewer than 7 vertices gets empty vertices
    (no edges, label index 0) inserted just before the output, so that equal cells encode
    equally. Used as the search genotype of NB101 tables (:mod:`nascore.search.tables`).

    >>> adjacency_encoding(parse("01/00:"))[:6], adjacency_encoding(parse("01/00:"))[-5:]
    ((0, 0, 0, 0, 0, 1), (0, 0, 0, 0, 0))
    """
    n = cell.num_vertices
    index = list(range(n - 1)) + [MAX_VERTICES - 1]  # where each vertex lands in 7 x 7
    padded = [[0] * MAX_VERTICES for _ in range(MAX_VERTICES)]
    for i in range(n):
        for j in range(n):
            padded[index[i]][index[j]] = cell.matrix[i][j]
    edges = tuple(padded[i][j] for i in range(MAX_VERTICES) for j in range(i + 1, MAX_VERTICES))
    labels = [OPS.index(op) for op in cell.ops[1:-1]] + [0] * (MAX_VERTICES - n)
    return edges + tuple(labels)


#: Values per position of :func:`adjacency_encoding`.
ENCODING_CHOICES = (2,) * (MAX_VERTICES * (MAX_VERTICES - 1) // 2) + (len(OPS),) * (MAX_VERTICES - 2)
