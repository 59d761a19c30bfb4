"""SynFlow: synaptic saliency of the all-positive network, data-free.

Tanaka, Kunin, Yamins, Ganguli, *Pruning neural networks without any data by
iteratively conserving synaptic flow* (NeurIPS 2020), Eq. 5 (R = 1ᵀ (∏ |W_l|) 1) and the
saliency ``S = dR/dθ ⊙ θ``; used as a NAS proxy by Abdelfattah et al. (ICLR 2021)
following the official zero-cost-nas ``synflow.py``.
"""
from __future__ import annotations

import torch
from torch import nn

from .registry import register
from .zero_cost import prunable_weights


def _strip_batchnorm(module: nn.Module) -> None:
    for name, child in module.named_children():
        if isinstance(child, nn.modules.batchnorm._BatchNorm):
            setattr(module, name, nn.Identity())
        else:
            _strip_batchnorm(child)


@register("synflow", paper="Tanaka et al., SynFlow, NeurIPS 2020; Abdelfattah et al., ICLR 2021",
          equation="SynFlow Eq. 5 (R = 1ᵀ ∏|W_l| 1) and saliency S = θ ⊙ dR/dθ, summed",
          higher_is_better=True, needs_labels=False,
          description="Sum of |W ⊙ dR/dW| for R = sum of outputs of the all-|W| network on an all-ones input.")
def synflow(net, inputs, targets=None, *, log: bool = False) -> float:
    """``sum |W ⊙ dR/dW|`` with ``R = sum f(1; |θ|)``.

    Official zero-cost-nas conventions (``synflow.py:22-62``): every entry of the state
    dict replaced by its absolute value, BatchNorm layers removed (identity), float64,
    one all-ones input of the batch's sample shape, ``R`` = sum of the outputs. Only the shape of ``inputs`` is
    used. For a bias-free chain of ``L`` linear layers ``f = W_L ... W_1 x`` the value is
    exactly ``L * R`` (each layer's saliency sums to ``R`` by homogeneity).
    ``log=True`` returns ``log`` of the value, as NASLib tables store it (the shipped
    NAS-Bench-201 ``synflow`` column is within ~1 % of ours with a different
    initialisation; ``tests/test_metrics_cost.py``).
    """
    return synflow_of_copy(synflow_network(net), inputs.shape[1:], log=log)


def synflow_network(net: nn.Module) -> nn.Module:
    """``net`` itself made SynFlow's network: BatchNorm removed, float64, every state entry ``|.|``.

    Works in place (callers pass a copy). Official: ``predictive.py:30-36`` (``bn=False``
    replaces BatchNorm's forward by the identity), ``synflow.py:29-35, 49`` (``abs_`` of
    the state dict, ``double()``).
    """
    _strip_batchnorm(net)
    net.double()
    with torch.no_grad():
        for tensor in net.state_dict().values():
            if tensor.is_floating_point():
                tensor.abs_()
    net.train()
    return net


def synflow_of_copy(net: nn.Module, sample_shape, *, log: bool = False) -> float:
    """SynFlow of a network already prepared by :func:`synflow_network` (one all-ones sample)."""
    weights = prunable_weights(net)
    if not weights:
        raise ValueError("the network has no weight matrices or kernels (parameters with dim >= 2)")
    ones = torch.ones((1,) + tuple(sample_shape), dtype=torch.float64, device=weights[0].device)
    total = net(ones).sum()
    grads = torch.autograd.grad(total, weights, allow_unused=True)
    value = sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads) if g is not None)
    value = torch.as_tensor(value, dtype=torch.float64)
    return float(torch.log(value)) if log else float(value)
