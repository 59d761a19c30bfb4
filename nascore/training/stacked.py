"""Many same-shaped networks as one module, so that one optimiser step trains them all.

Zhu et al.'s mixed-activation nets of one depth and width differ only in which
activation each layer applies and which skips are on; their weights have identical
shapes. Stacking the weights along a leading "net" axis turns ``B`` small matrix
products into one batched product (``torch.bmm``), which keeps a CPU busy where ``B``
separate small steps would mostly pay Python and dispatch overhead.

The stacked forward returns logits of shape ``(B, N, K)``; because the training loss is
the *sum* of the nets' own losses, the gradient of each net's slice is exactly that
net's own gradient, and elementwise optimisers (SGD with momentum, Adam, weight decay)
update each slice exactly as they would the lone net. Stacked and one-at-a-time
training therefore differ only by floating-point summation order.

New families register a stacker with :func:`register`: a function from a list of nets
to a :class:`Stacked` module, or ``None`` when the nets cannot be stacked.
"""
from __future__ import annotations

import copy
import math
from typing import Callable

import torch
from torch import nn

from ..spaces import mixed


class Stacked(nn.Module):
    """Interface: ``forward(x) -> (B, N, K)`` and :meth:`unstack` back to ``B`` nets."""

    def unstack(self) -> list[nn.Module]:  # pragma: no cover - interface
        raise NotImplementedError


_STACKERS: list[Callable[[list[nn.Module]], Stacked | None]] = []


def register(stacker: Callable[[list[nn.Module]], Stacked | None]):
    """Add a stacker (usable as a decorator); stackers are tried in order."""
    _STACKERS.append(stacker)
    return stacker


def stack(nets: list[nn.Module]) -> Stacked | None:
    """One :class:`Stacked` module for ``nets``, or ``None`` if no stacker applies."""
    if not nets:
        raise ValueError("stack() needs at least one network")
    for stacker in _STACKERS:
        stacked = stacker(list(nets))
        if stacked is not None:
            return stacked
    return None


class StackedMixedNets(Stacked):
    """``B`` :class:`~nascore.spaces.mixed.MixedNet` of one shape, weights stacked.

    Computes, for every net ``b`` at once, the forward pass of ``MixedNet``:
    ``f_l = sigma_{b,l}((s / sqrt(m_{l-1})) W_{b,l} f_{l-1}) + alpha * sum_i f_i`` with
    the skips of net ``b``, and ``(1 / sqrt(m)) W_{b,L} f_{L-1}`` at the output.
    """

    def __init__(self, nets: list[mixed.MixedNet]):
        super().__init__()
        first = nets[0]
        self.templates = [copy.deepcopy(net).requires_grad_(False) for net in nets]
        self.weight_scale = first.weight_scale
        self.residual_scale = first.residual_scale
        self.hidden = nn.ParameterList(
            nn.Parameter(torch.stack([net.hidden[l].detach() for net in nets]).clone())
            for l in range(len(first.hidden))
        )
        self.readout = nn.Parameter(torch.stack([net.readout.detach() for net in nets]).clone())
        self._activations = [tuple(net.arch.activations[l] for net in nets)
                             for l in range(len(first.hidden))]
        # Per (i, l) skip used by any net: a (B, 1, 1) 0/1 mask of the nets that have it.
        pairs = sorted({pair for net in nets for pair in net.arch.skips})
        self._skips = [
            (i, j, torch.tensor([float((i, j) in net.arch.skips) for net in nets]).view(-1, 1, 1))
            for i, j in pairs
        ]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n_nets = self.readout.shape[0]
        outputs = [x]  # f_0 is shared: (N, d); later f_l are (B, N, m)
        for l, weight in enumerate(self.hidden, start=1):
            if l == 1:
                # The input is shared: one (N, d) x (d, B*m) product instead of B small ones.
                pre = (x @ weight.reshape(-1, weight.shape[2]).T).view(len(x), n_nets, -1)
                pre = pre.transpose(0, 1)
            else:
                pre = torch.bmm(outputs[-1], weight.transpose(1, 2))
            pre = pre * (self.weight_scale / math.sqrt(weight.shape[2]))
            out = self._activate(pre, l - 1)
            for i, j, mask in self._skips:
                if j == l:
                    out = out + self.residual_scale * mask.to(out.dtype) * outputs[i]
            outputs.append(out)
        return torch.bmm(outputs[-1], self.readout.transpose(1, 2)) / math.sqrt(self.readout.shape[2])

    def _activate(self, pre: torch.Tensor, layer: int) -> torch.Tensor:
        names = self._activations[layer]
        if len(set(names)) == 1:
            return mixed.ACTIVATIONS[names[0]](pre)
        # unbind/stack rather than indexing: both directions stay a single copy.
        return torch.stack([mixed.ACTIVATIONS[name](part)
                            for name, part in zip(names, pre.unbind(0))])

    def unstack(self) -> list[mixed.MixedNet]:
        nets = []
        for b, template in enumerate(self.templates):
            net = copy.deepcopy(template).to(self.readout.dtype).requires_grad_(True)
            with torch.no_grad():
                for l, weight in enumerate(self.hidden):
                    net.hidden[l].copy_(weight[b])
                net.readout.copy_(self.readout[b])
            nets.append(net)
        return nets


@register
def _stack_mixed(nets):
    if not all(type(net) is mixed.MixedNet for net in nets):
        return None
    first = nets[0]
    shapes = [tuple(p.shape) for p in first.parameters()]
    for net in nets[1:]:
        if ([tuple(p.shape) for p in net.parameters()] != shapes
                or net.weight_scale != first.weight_scale
                or net.residual_scale != first.residual_scale):
            return None
    return StackedMixedNets(nets)
