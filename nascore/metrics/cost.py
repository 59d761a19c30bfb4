"""Cost baselines: parameter count and FLOPs, in NAS-Bench-201's units (millions).

Dong and Yang, *NAS-Bench-201* (ICLR 2020) report ``params`` in millions (all trainable
parameters) and ``flops`` in millions of multiply-accumulates for one input sample,
counted by layer hooks; the shipped table (``data/nasbench201-zc``) keeps those units
(NASLib's ``predictive.py:135-151``: ``get_model_stats`` on one sample, divided by 1e6).
Our ``params`` equals the table's column exactly; for ``flops`` see :func:`flops`.
"""
from __future__ import annotations

import torch
from torch import nn

from .registry import register


@register("params", paper="Dong & Yang, NAS-Bench-201, ICLR 2020 (baseline)",
          equation="number of trainable parameters / 1e6", higher_is_better=True,
          needs_labels=False, description="Trainable parameters, in millions.")
def params(net, inputs=None, targets=None, *, millions: bool = True) -> float:
    """Number of entries of all parameters that require gradients (divided by 1e6 by default)."""
    count = sum(p.numel() for p in net.parameters() if p.requires_grad)
    return count / 1e6 if millions else float(count)


def _conv_macs(module: nn.Conv2d, output: torch.Tensor, count_bias: bool) -> int:
    kh, kw = module.kernel_size
    positions = output.shape[0] * output.shape[2] * output.shape[3]
    macs = positions * module.out_channels * (module.in_channels // module.groups) * kh * kw
    if count_bias and module.bias is not None:
        macs += positions * module.out_channels
    return macs


def _linear_macs(module: nn.Linear, output: torch.Tensor, count_bias: bool) -> int:
    rows = output.numel() // module.out_features
    macs = rows * module.in_features * module.out_features
    if count_bias and module.bias is not None:
        macs += rows * module.out_features
    return macs


def _pool_ops(module, output: torch.Tensor) -> int:
    k = module.kernel_size
    kh, kw = (k, k) if isinstance(k, int) else k
    return output.numel() * kh * kw


@register("flops", paper="Dong & Yang, NAS-Bench-201, ICLR 2020 (baseline)",
          equation="multiply-accumulates of Conv2d/Linear (+bias, +pooling) for one sample / 1e6",
          higher_is_better=True, needs_labels=False,
          description="Multiply-accumulates for one input sample, in millions (NAS-Bench-201's FLOPs).")
def flops(net, inputs, targets=None, *, count_bias: bool = True, count_pooling: bool = True,
          millions: bool = True) -> float:
    """Multiply-accumulates of one forward pass of the first sample of ``inputs``.

    ``Conv2d``: ``H_out W_out C_out (C_in / groups) k_h k_w`` (+ ``H_out W_out C_out`` for
    a bias); ``Linear``: ``in * out`` (+ ``out``); with ``count_pooling``, ``AvgPool2d`` /
    ``MaxPool2d``: ``k_h k_w`` per output element; BatchNorm, activations and additions
    are free. Against the shipped table's ``flops`` column (full-size
    :class:`nascore.spaces.nb201.Network`) the convolution, linear and pooling counts
    agree exactly, but the table is larger by 0.43008 M per convolution edge and a fixed
    0.136246 M (``tests/test_metrics_cost.py``): it also charges 3 operations per output
    element of every ReLU-Conv-BN block, and a little more in the stem, reductions and
    head, which we leave out as normalisation/activation work, not multiply-accumulates. A network with none of these
    modules (the mixed space applies ``F.linear`` to bare parameters) is counted as an
    MLP instead: each weight matrix is used once per sample, ``numel`` MACs.
    """
    total = 0

    def hook(module, args, output):
        nonlocal total
        if isinstance(module, nn.Conv2d):
            total += _conv_macs(module, output, count_bias)
        elif isinstance(module, nn.Linear):
            total += _linear_macs(module, output, count_bias)
        elif count_pooling:
            total += _pool_ops(module, output)

    kinds = (nn.Conv2d, nn.Linear, nn.AvgPool2d, nn.MaxPool2d)
    layers = [m for m in net.modules() if isinstance(m, kinds)]
    if not layers:
        total = sum(p.numel() for p in net.parameters() if p.dim() == 2)
        return total / 1e6 if millions else float(total)
    handles = [m.register_forward_hook(hook) for m in layers]
    try:
        net.eval()
        with torch.no_grad():
            net(inputs[:1])
    finally:
        for h in handles:
            h.remove()
    return total / 1e6 if millions else float(total)
