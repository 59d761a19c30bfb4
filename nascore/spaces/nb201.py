"""NAS-Bench-201 cell space: architecture strings, op-index tuples and the network.

A cell has 4 nodes (node 0 is the cell input) and 6 edges i -> j (i < j), each carrying
one of five operations. NAS-Bench-201 writes an architecture as

    |op~0|+|op~0|op~1|+|op~0|op~1|op~2|

where the k-th group lists the edges into node k+1, each ``op~i`` naming its source i.

The shipped NASLib tables key architectures by an *op-index tuple*
``(t0, t1, t2, t3, t4, t5)``: one integer per edge in NASLib's edge order
``(1,2), (1,3), (1,4), (2,3), (2,4), (3,4)`` (nodes numbered from 1) and op indices
into :data:`NASLIB_OPS`. Since the string lists edges grouped by *target* node, the
tuple reads as ``|t0~0|+|t1~0|t3~1|+|t2~0|t4~1|t5~2|``: t2 and t3 swap places.

The network (:class:`Network`): a searched cell stacked in a fixed ResNet-like skeleton.

Dong & Yang, *NAS-Bench-201: Extending the scope of reproducible neural architecture
search* (ICLR 2020), Sec. 2.1 and Fig. 1.  The macro skeleton, for width ``C`` and ``N``
cells per stage:

    stem:   conv 3x3 (in_channels -> C, no bias) + BN
    stage 1: N cells, C channels, full resolution
    reduction: residual block C -> 2C, stride 2
    stage 2: N cells, 2C channels
    reduction: residual block 2C -> 4C, stride 2
    stage 3: N cells, 4C channels
    head:   BN + ReLU, global average pool, linear classifier (4C -> num_classes)

The residual reduction block is a ResNet basic block with stride 2:
``ReLU-Conv3x3(stride 2)-BN -> ReLU-Conv3x3-BN`` plus a shortcut ``AvgPool 2x2 -> Conv1x1``
(no BN on the shortcut), the two branches summed.

A cell is a DAG on 4 nodes; node 0 is the cell input, node j (j = 1, 2, 3) is the sum over
i < j of op_{i,j}(node i), and node 3 is the cell output.  Each edge carries one of

    none           the zero map (the edge is absent)
    skip_connect   identity
    nor_conv_1x1   ReLU - Conv 1x1 - BN
    nor_conv_3x3   ReLU - Conv 3x3 (padding 1) - BN
    avg_pool_3x3   3x3 average pooling, stride 1, padding 1 (padding not counted)

Convolutions have no bias; every BN is affine with running statistics.  Initialisation
is PyTorch's default, as in NAS-Bench-201's training code.  With ``C=16, N=5`` and 10
classes the parameter count equals NAS-Bench-201's ``params`` column
(``tests/test_nb201_network.py``).

``convention="zero-cost-nas"`` builds the model that zero-cost-nas scores (Abdelfattah et
al. 2021; SamsungLabs/zero-cost-nas at a43bfbc, ``foresight/models/nasbench2.py:59-63``
and ``nasbench2_ops.py:30-31``): the same skeleton, but each *cell* convolution has a
bias (``bias=not affine``) and each cell BN is ``affine=False, track_running_stats=False``;
the stem, the reductions and the head are as above. At initialisation the two compute the
same function in train mode (a bias before a batch-statistics BN cancels), so a proxy of
the weights' gradients (grad_norm, snip, grasp, jacov, NASWOT) is the same; a proxy that
reads the layer outputs themselves or removes the BN sees the biases: Fisher (a cell whose
conv input is all zero, behind ``none`` edges, outputs its bias, and the BN backward of a
constant scales the gradient by ``1/sqrt(eps)``) and SynFlow (BN removed, biases summed
in). Under one seed both conventions draw the same weights; the biases are drawn after
all weights (PyTorch's default conv bias, ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``).
"""
from __future__ import annotations

import itertools
import numbers
import re

import numpy as np
import torch
from torch import nn

from ..messages import short
from .building import check_sizes, seeded_build


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

#: NASLib's tuple key: six single ASCII digits, e.g. ``"(0, 2, 3, 2, 3, 1)"``.
_TUPLE_KEY = re.compile(r"\(([0-9](?:, ?[0-9])*)\)", re.ASCII)
EXAMPLE = "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"


def parse(arch_str: str) -> dict[tuple[int, int], str]:
    """Map each edge (source, target) of an architecture string to its operation.

    Only the canonical spelling is accepted: group ``k`` lists the edges into node ``k``
    from sources ``0 .. k-1`` in that order, each source one ASCII digit, so that every
    architecture has exactly one string (``~00``, ``~٠`` or ``~²`` are refused, not read
    as 0 or 2).

    >>> parse("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|")[(1, 3)]
    'nor_conv_1x1'
    """
    if not isinstance(arch_str, str):
        raise ValueError(f"architecture string must be a str, got {type(arch_str).__name__}")
    groups = arch_str.split("+")
    if len(groups) != 3:
        raise ValueError(f"bad NAS-Bench-201 architecture string {short(arch_str)}: expected 3 groups "
                         f"separated by '+', like {EXAMPLE!r}")
    edges: dict[tuple[int, int], str] = {}
    for target, group in enumerate(groups, start=1):
        framed = len(group) >= 2 and group[0] == group[-1] == "|"
        items = group[1:-1].split("|") if framed else []
        if len(items) != target:
            raise ValueError(f"bad NAS-Bench-201 architecture string {short(arch_str)}: group {target} "
                             f"({short(group)}) must list {target} edge(s) as '|op~source|'")
        for source, item in enumerate(items):
            op, _, written = item.partition("~")
            if op not in OPS:
                raise ValueError(f"unknown operation {short(op)} in {short(arch_str)}; allowed: {', '.join(OPS)}")
            if written != str(source):
                raise ValueError(f"bad edge source {short(written)} in {short(item)} of {short(arch_str)}: "
                                 f"group {target} lists sources 0..{target - 1} in order, so this one must "
                                 f"be {source} (one ASCII digit)")
            edges[(source, target)] = op
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
    try:
        indices = tuple(indices)
    except TypeError:
        raise ValueError(f"op-index tuple must be 6 integers, got {short(indices)}") from None
    whole = all(isinstance(i, numbers.Integral) and not isinstance(i, bool) for i in indices)
    if len(indices) != NUM_EDGES or not whole or not all(0 <= i < len(NASLIB_OPS) for i in indices):
        raise ValueError(
            f"op-index tuple must be 6 integers in 0..{len(NASLIB_OPS) - 1}, got {short(indices)}"
        )
    indices = tuple(int(i) for i in indices)
    ops = dict(zip(TUPLE_EDGES, (NASLIB_OPS[i] for i in indices)))
    groups = []
    for target in (1, 2, 3):
        groups.append("|" + "|".join(f"{ops[(s, target)]}~{s}" for s in range(target)) + "|")
    return "+".join(groups)


def parse_tuple_key(key: str) -> tuple[int, ...]:
    """Parse NASLib's tuple key, e.g. ``"(0, 2, 3, 2, 3, 1)"``."""
    match = _TUPLE_KEY.fullmatch(key) if isinstance(key, str) else None
    if match is None:
        raise ValueError(f"bad op-index key {short(key)}: expected like '(0, 2, 3, 2, 3, 1)'")
    indices = tuple(int(part) for part in match.group(1).split(","))
    from_op_indices(indices)  # validates
    return indices


def all_architectures() -> list[str]:
    """Every architecture string of the space (15,625), in op-index tuple order."""
    return [from_op_indices(t) for t in itertools.product(range(len(NASLIB_OPS)), repeat=NUM_EDGES)]


def sample(n: int, *, seed: int = 0) -> list[str]:
    """``n`` architecture strings drawn uniformly with replacement."""
    import numpy as np

    for name, value in (("n", n), ("seed", seed)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {short(value)}")
    rng = np.random.default_rng(int(seed))
    draws = rng.integers(0, len(NASLIB_OPS), size=(n, NUM_EDGES))
    return [from_op_indices(tuple(int(v) for v in row)) for row in draws]


# ----------------------------------------------------------------------------- the network
class ReLUConvBN(nn.Sequential):
    """ReLU, then a bias-free convolution, then affine batch norm (NAS-Bench-201's ``nor_conv``)."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int = 1):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out),
        )


#: Which model a network follows: NAS-Bench-201's own (``nb201``) or zero-cost-nas's
#: ``nasbench2`` model (``zero-cost-nas``; see the module docstring).
CONVENTIONS = ("nb201", "zero-cost-nas")


def to_zero_cost_cells(net: nn.Module) -> None:
    """Turn the cell convolutions of ``net`` (a :class:`Network`) into zero-cost-nas's
    (``nasbench2_ops.py:30-31``): a bias drawn from PyTorch's default conv bias
    distribution (from the global generator) and a BN without affine parameters or running
    statistics. The weights stay as they are."""
    for cell in net.cells:
        if not isinstance(cell, Cell):
            continue  # a residual reduction: affine BN, no bias, in both models
        for op in cell.ops:
            if not isinstance(op, ReLUConvBN):
                continue
            conv = op[1]
            fan_in = conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
            bound = 1.0 / fan_in ** 0.5
            conv.bias = nn.Parameter(torch.empty(conv.out_channels).uniform_(-bound, bound))
            op[2] = nn.BatchNorm2d(conv.out_channels, affine=False, track_running_stats=False)


class Zero(nn.Module):
    """The ``none`` operation: an all-zero output of the input's shape."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x.mul(0.0)


def make_op(name: str, channels: int) -> nn.Module:
    """One cell operation on ``channels`` channels (stride 1, as all cell edges are)."""
    if name == "none":
        return Zero()
    if name == "skip_connect":
        return nn.Identity()
    if name == "nor_conv_1x1":
        return ReLUConvBN(channels, channels, 1)
    if name == "nor_conv_3x3":
        return ReLUConvBN(channels, channels, 3)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)
    raise ValueError(f"unknown operation {name!r}")


class Cell(nn.Module):
    """A NAS-Bench-201 cell: node j = sum_{i<j} op_{i,j}(node i), output = node 3."""

    def __init__(self, arch_str: str, channels: int):
        super().__init__()
        ops = parse(arch_str)
        self.edges = STRING_EDGES
        self.ops = nn.ModuleList(make_op(ops[edge], channels) for edge in self.edges)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        nodes = [x]
        for target in (1, 2, 3):
            nodes.append(sum(op(nodes[source]) for (source, t), op in zip(self.edges, self.ops)
                             if t == target))
        return nodes[3]


class ResidualReduction(nn.Module):
    """ResNet basic block with stride 2 between stages (halves resolution, c_in -> c_out)."""

    def __init__(self, c_in: int, c_out: int):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, stride=2)
        self.conv_b = ReLUConvBN(c_out, c_out, 3)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, stride=2),
                                      nn.Conv2d(c_in, c_out, 1, bias=False))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv_b(self.conv_a(x)) + self.shortcut(x)


def uniform_order(seed: int = 0) -> list[str]:
    """All 15,625 architecture strings in one fixed random order (NumPy
    ``default_rng(seed).permutation`` of :func:`all_architectures`). Its first ``K`` are a
    uniform sample of ``K``; a larger sample extends a smaller one."""
    pool = all_architectures()
    return [pool[int(i)] for i in np.random.default_rng(seed).permutation(len(pool))]


def build_skeleton(module: nn.Module, make_cell, container=nn.ModuleList) -> None:
    """NAS-Bench-201's macro skeleton on ``module`` (which has ``C``, ``N``,
    ``in_channels``, ``num_classes``): a 3x3 conv + BN stem, three stages of ``N`` cells
    ``make_cell(width)`` at widths C, 2C, 4C with a :class:`ResidualReduction` between
    stages (``container(layers)``), then BN + ReLU, global average pooling and a linear
    classifier. Shared by :class:`Network` and the weight-sharing supernet."""
    C, N = module.C, module.N
    module.stem = nn.Sequential(nn.Conv2d(module.in_channels, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
    layers = []
    for stage, width in enumerate((C, 2 * C, 4 * C)):
        if stage > 0:
            layers.append(ResidualReduction(width // 2, width))
        layers.extend(make_cell(width) for _ in range(N))
    module.cells = container(layers)
    module.head = nn.Sequential(nn.BatchNorm2d(4 * C), nn.ReLU(inplace=False))
    module.pool = nn.AdaptiveAvgPool2d(1)
    module.classifier = nn.Linear(4 * C, module.num_classes)


class Network(nn.Module):
    """NAS-Bench-201 network for an architecture string (or a NASLib op-index tuple).

    ``C``: width of the first stage; ``N``: cells per stage; ``seed``: if given, the
    initial weights come from it (global random state untouched); otherwise from the
    global generator. ``convention``: one of :data:`CONVENTIONS` (``nb201``, the default;
    ``zero-cost-nas``: cell convolutions with biases and non-affine BN, see the module
    docstring).

    >>> net = Network("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|", C=4, N=1)
    >>> net(torch.zeros(2, 3, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, arch_str, C: int = 16, N: int = 5, num_classes: int = 10,
                 in_channels: int = 3, *, seed: int | None = None, convention: str = "nb201"):
        super().__init__()
        if not isinstance(arch_str, str):
            arch_str = from_op_indices(arch_str)
        parse(arch_str)  # validates, with a clear message
        check_sizes(C=C, N=N, num_classes=num_classes, in_channels=in_channels)
        if convention not in CONVENTIONS:
            raise ValueError(f"unknown network convention {convention!r}; allowed: {', '.join(CONVENTIONS)}")
        self.arch_str, self.C, self.N, self.convention = arch_str, C, N, convention
        self.num_classes, self.in_channels = num_classes, in_channels

        def build():
            build_skeleton(self, lambda width: Cell(self.arch_str, width), lambda layers: nn.Sequential(*layers))
            if convention == "zero-cost-nas":
                to_zero_cost_cells(self)  # after every weight: the weights stay those of nb201

        seeded_build(seed, build)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.head(self.cells(self.stem(x)))
        return self.classifier(self.pool(features).flatten(1))

    def extra_repr(self) -> str:
        extra = "" if self.convention == "nb201" else f", convention={self.convention!r}"
        return f"{self.arch_str!r}, C={self.C}, N={self.N}, num_classes={self.num_classes}{extra}"

