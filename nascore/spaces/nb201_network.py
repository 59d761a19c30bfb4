"""The NAS-Bench-201 network: a searched cell stacked in a fixed ResNet-like skeleton.

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
"""
from __future__ import annotations

import threading

import torch
from torch import nn

from .nb201 import STRING_EDGES, from_op_indices, parse

#: Seeded construction reseeds torch's global generator for a moment: one network at a time,
#: so that threads building networks (e.g. Dask workers in one process) get their own weights.
_SEEDED_BUILD = threading.Lock()


class ReLUConvBN(nn.Sequential):
    """ReLU, then a bias-free convolution, then affine batch norm (NAS-Bench-201's ``nor_conv``)."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, stride: int = 1):
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=kernel_size // 2, bias=False),
            nn.BatchNorm2d(c_out),
        )


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


class Network(nn.Module):
    """NAS-Bench-201 network for an architecture string (or a NASLib op-index tuple).

    ``C``: width of the first stage; ``N``: cells per stage; ``seed``: if given, the
    initial weights come from it (global random state untouched, safe across threads);
    otherwise from the global generator.

    >>> net = Network("|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|", C=4, N=1)
    >>> net(torch.zeros(2, 3, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, arch_str, C: int = 16, N: int = 5, num_classes: int = 10,
                 in_channels: int = 3, *, seed: int | None = None):
        super().__init__()
        if not isinstance(arch_str, str):
            arch_str = from_op_indices(arch_str)
        parse(arch_str)  # validates, with a clear message
        for name, value in (("C", C), ("N", N), ("num_classes", num_classes), ("in_channels", in_channels)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.arch_str, self.C, self.N = arch_str, C, N
        self.num_classes, self.in_channels = num_classes, in_channels
        if seed is None:
            self._build()
        else:
            with _SEEDED_BUILD, torch.random.fork_rng(devices=[]):
                torch.manual_seed(seed)
                self._build()

    def _build(self):
        C, N = self.C, self.N
        self.stem = nn.Sequential(nn.Conv2d(self.in_channels, C, 3, padding=1, bias=False), nn.BatchNorm2d(C))
        layers = []
        for stage, width in enumerate((C, 2 * C, 4 * C)):
            if stage > 0:
                layers.append(ResidualReduction(width // 2, width))
            layers.extend(Cell(self.arch_str, width) for _ in range(N))
        self.cells = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.BatchNorm2d(4 * C), nn.ReLU(inplace=False))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(4 * C, self.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features = self.head(self.cells(self.stem(x)))
        return self.classifier(self.pool(features).flatten(1))

    def extra_repr(self) -> str:
        return f"{self.arch_str!r}, C={self.C}, N={self.N}, num_classes={self.num_classes}"

