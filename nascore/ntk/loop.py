"""The slow reference route: one backward pass per row of J (TE-NAS's loop)."""
from __future__ import annotations

import copy

import torch
from torch import nn

from .conventions import check_args, check_fit, outputs_2d, scalarise, symmetric
from .params import OnlyTrainable, selected_names


def empirical_ntk_loop(net: nn.Module, inputs: torch.Tensor, *, output: str = "sum", targets=None,
                       mode: str = "train", params: str = "all") -> torch.Tensor:
    """Slow reference: forward the batch once, then one backward pass per row of J.

    This is how TE-NAS's code (``lib/procedures/ntk.py``) computes the kernel; it works on a
    deep copy of ``net``.  Same conventions and return value as :func:`nascore.ntk.empirical_ntk`
    (exact per-sample gradients); ``params`` names the parameter set (:mod:`nascore.ntk.params`).
    """
    targets = check_args(net, inputs, output, targets, mode, None)
    net = copy.deepcopy(net)
    net.train(mode == "train")
    OnlyTrainable(net, selected_names(net, params)).__enter__()  # a private copy: no need to restore
    check_fit(net, inputs, targets, output)
    trainable = [p for p in net.parameters() if p.requires_grad]
    out = outputs_2d(net(inputs), inputs.shape[0])
    rows = scalarise(out, output, targets)
    jac = []
    for r in range(rows.shape[0]):
        grads = torch.autograd.grad(rows[r], trainable, retain_graph=True, allow_unused=True)
        jac.append(torch.cat([(torch.zeros_like(p) if g is None else g).reshape(-1).double()
                              for g, p in zip(grads, trainable)]))
    jac = torch.stack(jac)
    return symmetric(jac @ jac.T)
