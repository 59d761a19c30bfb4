"""The weight-sharing supernet over the NAS-Bench-201 cell space.

Every edge of every cell holds all five NAS-Bench-201 operations (Dong & Yang, ICLR
2020, Sec. 2.1): the two convolutions (``nor_conv_1x1``, ``nor_conv_3x3``: ReLU, conv,
BN) each with their own weights, and the three parameter-free ones (``none``,
``skip_connect``, ``avg_pool_3x3``). A child is one operation per edge, the same cell in
every position, given as a NAS-Bench-201 architecture string; running a child runs only
the operations it selects on the edges that can change its output, so a child's forward
pass costs what the stand-alone network's would. Those edges are the non-``none`` ones
whose target node reaches the cell output; among them, an edge whose source node holds
no signal (no path from the cell input) is run only if it is a convolution, because
ReLU-conv-BN of zeros is BN's shift, a learned constant that NAS-Bench-201's network adds
too (a skip or pool of zeros is zero). Weights are shared in the
usual one-shot way (Bender et al., ICML 2018; Guo et al., ECCV 2020): the ``nor_conv_3x3``
of edge ``(1, 3)`` in the second cell of stage 2 is one tensor, whichever child uses it.

The macro skeleton is NAS-Bench-201's (:class:`nascore.spaces.nb201.Network`): stem
conv 3x3 + BN, three stages of ``N`` cells at widths ``C``, ``2C``, ``4C`` separated by
residual reduction blocks, then BN + ReLU, global average pooling and a linear
classifier. The operations and the reduction block are the ones of
:mod:`nascore.spaces.nb201`, so a child of the supernet with its weights copied
into ``nb201.Network(arch, C, N)`` computes the same function
(:func:`copy_child_into`; checked in ``tests/test_supernet.py``).
"""
from __future__ import annotations

import functools

import torch
from torch import nn

from ..spaces import building, nb201
from ..spaces.nb201 import ResidualReduction, make_op

#: Operations that hold weights; the others are applied functionally.
WEIGHTED_OPS = ("nor_conv_1x1", "nor_conv_3x3")


class MixedEdge(nn.Module):
    """One edge with every operation; ``forward(x, op)`` applies the one named ``op``."""

    def __init__(self, channels: int):
        super().__init__()
        self.choices = nn.ModuleDict({op: make_op(op, channels) for op in WEIGHTED_OPS})
        self.pool = make_op("avg_pool_3x3", channels)

    def forward(self, x: torch.Tensor, op: str) -> torch.Tensor:
        if op == "skip_connect":
            return x
        if op == "avg_pool_3x3":
            return self.pool(x)
        return self.choices[op](x)


class SuperCell(nn.Module):
    """A cell whose six edges are :class:`MixedEdge`; node j = sum of effective edges into j."""

    def __init__(self, channels: int):
        super().__init__()
        self.edges = nn.ModuleList(MixedEdge(channels) for _ in nb201.STRING_EDGES)

    def forward(self, x: torch.Tensor, plan: tuple) -> torch.Tensor:
        """``plan``: per edge (in ``nb201.STRING_EDGES`` order) the op name, or ``None``
        where the edge cannot change the output (:func:`plan_of`)."""
        nodes = [x, None, None, None]  # None: the node holds zeros
        for (source, target), edge, op in zip(nb201.STRING_EDGES, self.edges, plan):
            if op is None:
                continue
            if nodes[source] is None:
                if op not in WEIGHTED_OPS:
                    continue
                nodes[source] = torch.zeros_like(x)
            out = edge(nodes[source], op)
            nodes[target] = out if nodes[target] is None else nodes[target] + out
        return torch.zeros_like(x) if nodes[3] is None else nodes[3]


@functools.lru_cache(maxsize=None)
def plan_of(arch: str) -> tuple:
    """Per edge in string order: its op if the edge is not ``none`` and its target
    reaches the cell output, else ``None``."""
    ops = nb201.parse(arch)
    to_output = {3}
    for source in (2, 1, 0):
        if any(ops[(source, t)] != "none" and t in to_output for t in range(source + 1, 4)):
            to_output.add(source)
    return tuple(op if op != "none" and t in to_output else None
                 for (s, t), op in ((e, ops[e]) for e in nb201.STRING_EDGES))


class Supernet(nn.Module):
    """NAS-Bench-201 skeleton of width ``C`` and ``N`` cells per stage, every cell a
    :class:`SuperCell`. ``forward(x, arch)`` runs child ``arch``.

    ``seed``: if given, the initial weights come from it (global random state untouched).

    >>> net = Supernet(C=4, N=1, seed=0)
    >>> net(torch.zeros(2, 3, 8, 8), "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|").shape
    torch.Size([2, 10])
    """

    def __init__(self, C: int = 16, N: int = 1, num_classes: int = 10, in_channels: int = 3, *,
                 seed: int | None = None):
        super().__init__()
        building.check_sizes(C=C, N=N, num_classes=num_classes, in_channels=in_channels)
        self.C, self.N, self.num_classes, self.in_channels = C, N, num_classes, in_channels
        building.seeded_build(seed, lambda: nb201.build_skeleton(self, SuperCell, nn.ModuleList))

    def forward(self, x: torch.Tensor, arch: str) -> torch.Tensor:
        plan = plan_of(arch) if isinstance(arch, str) else plan_of(nb201.from_op_indices(arch))
        x = self.stem(x)
        for layer in self.cells:
            x = layer(x, plan) if isinstance(layer, SuperCell) else layer(x)
        return self.classifier(self.pool(self.head(x)).flatten(1))

    def extra_repr(self) -> str:
        return f"C={self.C}, N={self.N}, num_classes={self.num_classes}"

    # -- BigNAS pieces that act on the weights ------------------------------------------
    def zero_init_residual(self) -> None:
        """Zero the scale (gamma) of the last BN of every residual block.

        BigNAS (Yu et al., ECCV 2020), Sec. 3.1, "Initialization": each residual block
        then starts as its shortcut, which keeps the training of big children stable.
        In the NAS-Bench-201 skeleton the residual blocks are the two reduction blocks
        (conv-BN-conv-BN plus an avg-pool/1x1-conv shortcut); a cell is a DAG, not a
        residual block, and zeroing its convolutions' BN would make every child without
        a parameter-free path output zeros at the start.
        """
        for layer in self.cells:
            if isinstance(layer, ResidualReduction):
                last_bn = [m for m in layer.modules() if isinstance(m, nn.BatchNorm2d)][-1]
                nn.init.zeros_(last_bn.weight)

    def child_modules(self, arch: str, *, effective_only: bool = True) -> list[nn.Module]:
        """The modules child ``arch`` runs, in the order of ``nb201.Network``'s modules:
        stem, then per layer the reduction block or, per edge in string order, the
        weighted op the edge selects; head; classifier. ``effective_only=False`` also
        lists convolutions on edges that cannot change the output (:func:`plan_of`)."""
        ops = nb201.parse(arch)
        plan = plan_of(arch)
        modules: list[nn.Module] = [self.stem]
        for layer in self.cells:
            if not isinstance(layer, SuperCell):
                modules.append(layer)
                continue
            for edge_name, edge, live in zip(nb201.STRING_EDGES, layer.edges, plan):
                op = ops[edge_name] if not effective_only else live
                if op in WEIGHTED_OPS:
                    modules.append(edge.choices[op])
        modules += [self.head, self.classifier]
        return modules

    def child_parameters(self, arch: str) -> list[nn.Parameter]:
        """Every parameter child ``arch``'s forward pass uses."""
        return [p for m in self.child_modules(arch) for p in m.parameters()]

    def decay_parameters(self, arch: str) -> list[nn.Parameter]:
        """The convolution and linear weights child ``arch`` uses (what weight decay acts
        on; BN scales/shifts and biases are not decayed)."""
        return [m.weight for top in self.child_modules(arch) for m in top.modules()
                if isinstance(m, (nn.Conv2d, nn.Linear))]


def copy_child_into(supernet: Supernet, arch: str, network: nn.Module) -> nn.Module:
    """Copy child ``arch``'s weights and BN statistics into a stand-alone
    ``nb201.Network(arch, C, N)`` (in place; returned for chaining).

    Relies only on the order of parameters and buffers, which both networks list
    stem-first, cell by cell, edge by edge in string order, then head and classifier.
    """
    source = supernet.child_modules(arch, effective_only=False)
    params = [p for m in source for p in m.parameters()]
    buffers = [b for m in source for b in m.buffers()]
    targets, target_buffers = list(network.parameters()), list(network.buffers())
    if len(params) != len(targets) or len(buffers) != len(target_buffers):
        raise ValueError(f"network does not match child {arch!r} of {supernet.extra_repr()}: "
                         f"{len(targets)} parameters, expected {len(params)}")
    with torch.no_grad():
        for src, dst in zip(params + buffers, targets + target_buffers):
            if src.shape != dst.shape:
                raise ValueError(f"shape mismatch {tuple(src.shape)} vs {tuple(dst.shape)} for child {arch!r}")
            dst.copy_(src)
    return network
