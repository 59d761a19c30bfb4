"""The batch-decomposition route: per-sample pieces of ONE batch backward (HNAS's code).

HNAS (Shu, Dai, Wu & Low, NeurIPS 2022) computes its NTK statistics from one backward
pass of the summed true-class logits, ``S = sum_i f_{y_i}(x_i)``
(shuyao95/HNAS ``foresight/pruners/measures/ntk_trace.py`` lines 35-38, ``condnum.py``
lines 34-37), and splits the batch gradient into per-sample pieces with
``tools/autograd_hacks.py`` (``compute_grad1``, lines 134-178): for a linear or 2-D
convolution layer ``z = W a + b`` applied to sample ``n`` with input ``a_n`` (convolution:
the unfolded patches ``a_{n,l}`` at positions ``l``) and back-propagated signal
``B_n = dS/dz_n``,

    piece_n(W) = sum_l B_{n,l} a_{n,l}^T,        piece_n(b) = sum_l B_{n,l},

so that ``sum_n piece_n = dS/dtheta`` exactly. Then ``G`` stacks the pieces (one row per
sample) and ``Theta = G G^T``.

When samples are processed independently (eval-mode batch norm), ``B_n = ds_n/dz_n``
and ``piece_n`` is the gradient of ``s_n`` alone: this kernel equals the exact one.
With batch-statistics batch norm (train mode, HNAS's setting) ``B_n`` also carries the
effect of sample ``n``'s activations on every other sample's output through the batch
mean and variance, so ``piece_n != d s_n / d theta``: the kernel differs from the exact
per-sample kernel (the ``"exact"`` mode of :func:`nascore.ntk.empirical_ntk`), though
its pieces still sum to the batch gradient. Only ``nn.Linear`` and ``nn.Conv2d``
parameters have pieces (as in ``autograd_hacks``, line 30); selecting any other
trainable parameter is an error. Cost: one forward and one backward pass (``K`` backward
passes for ``output="full"``, one per logit summed over the batch) whatever ``N``.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call
from torch.nn import functional as F

from .conventions import outputs_2d, scalarise, symmetric


def _layers_with_trainable(net):
    layers, owned = [], set()
    for module in net.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            mine = [p for p in module.parameters(recurse=False) if p.requires_grad]
            if mine:
                layers.append(module)
                owned.update(id(p) for p in mine)
    for name, p in net.named_parameters():
        if p.requires_grad and id(p) not in owned:
            raise ValueError(f'per_sample="batch-decomposition" splits gradients of nn.Linear / nn.Conv2d '
                             f"parameters only, but {name!r} is trainable; choose params='conv-linear' "
                             'or per_sample="exact"')
    for module in layers:
        if isinstance(module, nn.Conv2d) and (module.groups != 1 or isinstance(module.padding, str)
                                              or module.padding_mode != "zeros"):
            raise ValueError("batch-decomposition supports ungrouped, zero-padded convolutions with "
                             f"numeric padding, got {module}")
    return layers


def _pieces(module, a, signal):
    """Per-sample pieces (N, P_layer) of the layer's trainable parameters, weight then bias."""
    n = a.shape[0]
    if isinstance(module, nn.Conv2d):
        a = F.unfold(a, module.kernel_size, dilation=module.dilation, padding=module.padding,
                     stride=module.stride)                      # (N, I*kh*kw, L)
        signal = signal.reshape(n, signal.shape[1], -1)          # (N, O, L)
        weight = torch.einsum("nol,nil->noi", signal, a)
        bias = signal.sum(2)
    else:
        a = a.reshape(n, -1, a.shape[-1])                       # (N, L, I)
        signal = signal.reshape(n, -1, signal.shape[-1])         # (N, L, O)
        weight = torch.einsum("nlo,nli->noi", signal, a)
        bias = signal.sum(1)
    parts = []
    if module.weight.requires_grad:
        parts.append(weight.reshape(n, -1))
    if module.bias is not None and module.bias.requires_grad:
        parts.append(bias.reshape(n, -1))
    return torch.cat(parts, dim=1)


def decomposition_ntk(net, inputs, output, targets, k):
    """Theta = G G^T from the per-sample pieces of one backward pass (checked arguments)."""
    layers = _layers_with_trainable(net)
    seen: dict[nn.Module, tuple] = {}

    def record(module, args, out):
        if module in seen:
            raise ValueError(f"layer {module} is called more than once per forward pass; "
                             "its per-sample pieces are not defined")
        seen[module] = (args[0].detach(), out)

    handles = [m.register_forward_hook(record) for m in layers]
    buffers = {name: b.clone() for name, b in net.named_buffers()}
    try:
        with torch.enable_grad():
            out = outputs_2d(functional_call(net, buffers, (inputs,), strict=False), inputs.shape[0])
    finally:
        for h in handles:
            h.remove()
    n = inputs.shape[0]
    used = [m for m in layers if m in seen and seen[m][1].requires_grad]
    totals = [out[:, a].sum() for a in range(k)] if output == "full" else [scalarise(out, output, targets).sum()]
    signals = [torch.autograd.grad(t, [seen[m][1] for m in used], retain_graph=True, allow_unused=True)
               for t in totals]
    rows = n * len(totals)
    theta = torch.zeros(rows, rows, dtype=torch.float64, device=inputs.device)
    for idx, module in enumerate(used):
        a, z = seen[module]
        pieces = [_pieces(module, a, s[idx] if s[idx] is not None else torch.zeros_like(z)) for s in signals]
        g = torch.stack(pieces, dim=1).reshape(rows, -1).double()   # row i * K + a, as output="full"
        theta += g @ g.T
    return symmetric(theta)
