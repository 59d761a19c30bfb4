"""The NAS-Bench-101 network of a cell (:mod:`nascore.spaces.nb101`), and its parameter count.

Ying et al., *NAS-Bench-101* (ICML 2019), Sec. 2.1 and Fig. 1, with every channel rule as
the official code has it (google-research/nasbench @ b94247037ee4,
``nasbench/lib/model_builder.py``):

    stem:    conv 3x3 (in_channels -> 128) + BN + ReLU                       (lines 56-60)
    stack 1: 3 cells, 128 channels
    stack 2: max-pool 2x2 stride 2, channels doubled, 3 cells at 256        (lines 64-76)
    stack 3: max-pool 2x2 stride 2, 3 cells at 512
    head:    global average pool, dense layer 512 -> num_classes (with bias) (lines 88-99)

Inside a cell (``build_module``, lines 243-335), with the channels of
:func:`nascore.spaces.nb101.vertex_channels`:

* an interior vertex sums its inputs: each interior predecessor cut to the vertex's
  channels (its first channels; the official ``truncate`` only ever drops one) and, if
  the cell input feeds it, a 1x1 projection (conv + BN + ReLU) of the input to the
  vertex's channels; then applies its operation: ``conv3x3-bn-relu`` / ``conv1x1-bn-relu``
  (bias-free conv + BN + ReLU, ``base_ops.py`` lines 32-58) or ``maxpool3x3`` (3x3
  max-pool, stride 1, padding 1, no weights);
* the output concatenates (in vertex order) the interior vertices that feed it, and adds
  a 1x1 projection of the cell input to the cell's channels when input -> output is an
  edge; a cell with no interior vertex is that projection alone.

So the count of trainable weights (the official ``trainable_parameters``, which counts
BN's gamma and beta as PyTorch does, and not its running statistics) is a closed form:
:func:`param_count`, checked against :class:`Network` and against the ``params`` column
of NASLib's NB101 table for all 500 architectures (``tests/test_spaces_nb101.py``).

Batch norm uses the official momentum 0.997 (PyTorch's ``momentum = 1 - 0.997``) and
epsilon 1e-5. Weights start from PyTorch's default initialisation, as in the PyTorch
port NASLib and the zero-cost-nas code score (the official TensorFlow code draws convs
from a variance-scaling normal); ``seed=`` fixes them without touching global state.
"""
from __future__ import annotations

import torch
from torch import nn

from .nb101 import OPS, Spec, as_spec, to_string, vertex_channels
from .building import check_sizes, seeded_build

BN_MOMENTUM = 1 - 0.997
BN_EPSILON = 1e-5
#: Macro skeleton of every NAS-Bench-101 network (``config.py`` lines 57-62).
STEM_CHANNELS, NUM_STACKS, CELLS_PER_STACK = 128, 3, 3


class ConvBnRelu(nn.Sequential):
    """Bias-free ``kernel`` x ``kernel`` convolution ('same' padding), BN, ReLU."""

    def __init__(self, c_in: int, c_out: int, kernel: int):
        super().__init__(nn.Conv2d(c_in, c_out, kernel, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(c_out, eps=BN_EPSILON, momentum=BN_MOMENTUM),
                         nn.ReLU(inplace=False))


def _operation(name: str, channels: int) -> nn.Module:
    if name == "conv3x3-bn-relu":
        return ConvBnRelu(channels, channels, 3)
    if name == "conv1x1-bn-relu":
        return ConvBnRelu(channels, channels, 1)
    if name == "maxpool3x3":
        return nn.MaxPool2d(3, stride=1, padding=1)
    raise ValueError(f"unknown operation {name!r}; allowed: {', '.join(OPS)}")


class Cell(nn.Module):
    """One NAS-Bench-101 cell ("module") from ``in_channels`` to ``out_channels``."""

    def __init__(self, cell: Spec, in_channels: int, out_channels: int):
        super().__init__()
        self.cell = cell
        n = cell.num_vertices
        self.channels = vertex_channels(cell, in_channels, out_channels)
        self.projections = nn.ModuleDict({str(t): ConvBnRelu(in_channels, self.channels[t], 1)
                                          for t in range(1, n) if cell.edge(0, t)})
        self.ops = nn.ModuleDict({str(t): _operation(cell.ops[t], self.channels[t]) for t in range(1, n - 1)})

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        cell, n, channels = self.cell, self.cell.num_vertices, self.channels
        values = [x]
        for t in range(1, n - 1):
            inputs = [values[s][:, :channels[t]] for s in range(1, t) if cell.edge(s, t)]
            if cell.edge(0, t):
                inputs.append(self.projections[str(t)](x))
            values.append(self.ops[str(t)](sum(inputs)))
        feeders = [values[v] for v in range(1, n - 1) if cell.edge(v, n - 1)]
        projected = self.projections[str(n - 1)](x) if cell.edge(0, n - 1) else None
        if not feeders:
            return projected
        out = torch.cat(feeders, dim=1) if len(feeders) > 1 else feeders[0]
        return out if projected is None else out + projected


def _cell_params(cell: Spec, c_in: int, c_out: int) -> int:
    channels = vertex_channels(cell, c_in, c_out)
    total = 0
    for t in range(1, cell.num_vertices):
        c = channels[t]
        if cell.edge(0, t):  # 1x1 projection of the input: conv weights + BN gamma, beta
            total += c_in * c + 2 * c
        op = cell.ops[t]
        if op in ("conv3x3-bn-relu", "conv1x1-bn-relu"):
            kernel = 3 if op == "conv3x3-bn-relu" else 1
            total += kernel * kernel * c * c + 2 * c
    return total


def param_count(arch, num_classes: int = 10, in_channels: int = 3) -> int:
    """Trainable parameters of :class:`Network` ``(arch, num_classes, in_channels)``,
    counted without building it (see the module docstring for each term)."""
    cell = as_spec(arch)
    check_sizes(num_classes=num_classes, in_channels=in_channels)
    c = STEM_CHANNELS
    total = in_channels * c * 9 + 2 * c
    c_in = c
    for stack in range(NUM_STACKS):
        c_out = STEM_CHANNELS * 2 ** stack
        for _ in range(CELLS_PER_STACK):
            total += _cell_params(cell, c_in, c_out)
            c_in = c_out
    return total + c_in * num_classes + num_classes


class Network(nn.Module):
    """The NAS-Bench-101 network of ``arch``: a :class:`~nascore.spaces.nb101.Spec`, a
    canonical string or NASLib's tuple (pruned first; bad cells raise ``ValueError``).

    >>> net = Network("0110/0001/0001/0000:conv3x3-bn-relu,maxpool3x3", seed=0)
    >>> net(torch.zeros(2, 3, 32, 32)).shape
    torch.Size([2, 10])
    """

    def __init__(self, arch, num_classes: int = 10, in_channels: int = 3, *, seed: int | None = None):
        super().__init__()
        self.cell = as_spec(arch)
        check_sizes(num_classes=num_classes, in_channels=in_channels)
        self.num_classes, self.in_channels = num_classes, in_channels
        seeded_build(seed, self._build)

    def _build(self) -> None:
        self.stem = ConvBnRelu(self.in_channels, STEM_CHANNELS, 3)
        layers, c_in = [], STEM_CHANNELS
        for stack in range(NUM_STACKS):
            c_out = STEM_CHANNELS * 2 ** stack
            if stack > 0:  # TF 'same' pooling: ceil(H / 2) for odd sizes too
                layers.append(nn.MaxPool2d(2, stride=2, ceil_mode=True))
            for _ in range(CELLS_PER_STACK):
                layers.append(Cell(self.cell, c_in, c_out))
                c_in = c_out
        self.cells = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c_in, self.num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pool(self.cells(self.stem(x))).flatten(1))

    def extra_repr(self) -> str:
        return f"{to_string(self.cell)!r}, num_classes={self.num_classes}"
