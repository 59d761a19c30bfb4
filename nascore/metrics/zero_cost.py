"""Loss-gradient saliencies: grad_norm, snip, grasp, fisher.

Abdelfattah, Mehrotra, Dudziak, Lane, *Zero-cost proxies for lightweight NAS* (ICLR 2021),
Sec. 3 and Table 1, following the conventions of their official code (SamsungLabs
zero-cost-nas, ``foresight/pruners/measures``):

- one minibatch at initialisation, network in train mode (BatchNorm uses batch
  statistics), loss ``L`` = mean cross-entropy over the batch;
- per-weight saliencies are computed for the *weights* of the network and summed over
  every element of every layer into one number. The official code takes the ``weight``
  of each ``Conv2d``/``Linear``; we take every parameter with at least two dimensions,
  which is the same set for ordinary networks (biases and BatchNorm's scale/shift are
  1-D) and also covers networks that keep weight matrices as bare ``nn.Parameter``
  (``nascore.spaces.mixed``).

All four are "higher is better" as the official code signs them.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .registry import check_targets, register, reject_options

_PAPER = "Abdelfattah et al., Zero-cost proxies for lightweight NAS, ICLR 2021"


def prunable_weights(net: nn.Module) -> list[torch.Tensor]:
    """Weight matrices / kernels of ``net``: its parameters with ``dim() >= 2``."""
    return [p for p in net.parameters() if p.dim() >= 2]


def cross_entropy(net: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``net`` on the batch, after checking the labels fit its outputs."""
    logits = net(inputs)
    if logits.dim() != 2:
        raise ValueError(f"expected (N, classes) logits from the network, got {tuple(logits.shape)}")
    check_targets(targets, inputs.shape[0], logits.shape[1])
    return F.cross_entropy(logits, targets)


def _weights_and_grads(net, inputs, targets, create_graph=False):
    net.train()
    weights = prunable_weights(net)
    if not weights:
        raise ValueError("the network has no weight matrices or kernels (parameters with dim >= 2)")
    loss = cross_entropy(net, inputs, targets)
    grads = torch.autograd.grad(loss, weights, allow_unused=True, create_graph=create_graph)
    grads = [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]
    return weights, grads


@register("grad_norm", paper=_PAPER, equation="Sec. 3 (grad_norm); official grad_norm.py",
          higher_is_better=True, needs_labels=True,
          description="Sum over layers of the Euclidean norm of the loss gradient.")
def grad_norm(net, inputs, targets, **options) -> float:
    """``sum_l || dL/dW_l ||_2``: one norm per weight tensor, then summed.

    The official code sums per-layer norms (not the norm of the whole gradient); we
    follow it, so the value matches the shipped NAS-Bench-201 ``grad_norm`` column's
    definition.
    """
    reject_options("grad_norm", options)
    _, grads = _weights_and_grads(net, inputs, targets)
    return float(sum(g.norm() for g in grads))


@register("snip", paper=_PAPER + "; Lee et al., SNIP, ICLR 2019",
          equation="SNIP Eq. 6 (connection sensitivity |g ⊙ w|), summed",
          higher_is_better=True, needs_labels=True,
          description="Sum of |W ⊙ dL/dW| over all weights (connection sensitivity).")
def snip(net, inputs, targets, **options) -> float:
    """``sum |W ⊙ dL/dW|`` over all weights.

    The official code differentiates with respect to a multiplicative mask of ones on
    each weight, which is the same number as ``W ⊙ dL/dW``.
    """
    reject_options("snip", options)
    weights, grads = _weights_and_grads(net, inputs, targets)
    return float(sum((w.detach() * g).abs().sum() for w, g in zip(weights, grads)))


@register("grasp", paper=_PAPER + "; Wang et al., GraSP, ICLR 2020",
          equation="GraSP Eq. 8 (S = -θ ⊙ Hg), summed",
          higher_is_better=True, needs_labels=True,
          description="Sum of -W ⊙ (H g): gradient-signal preservation.")
def grasp(net, inputs, targets, **options) -> float:
    """``sum -W ⊙ (H g)`` with ``g = dL/dW`` and ``H`` the Hessian of ``L`` in the weights.

    ``H g`` is a Hessian-vector product with the gradient held fixed (``g`` detached),
    as in the official code: differentiate ``<g, dL/dW>`` once more. Temperature 1, one
    iteration. The sign is the zero-cost authors' (they negate GraSP's pruning score
    because "higher is better" then correlates positively with accuracy).
    """
    reject_options("grasp", options)
    weights, grads = _weights_and_grads(net, inputs, targets, create_graph=True)
    fixed = [g.detach() for g in grads]
    inner = sum((f * g).sum() for f, g in zip(fixed, grads))
    if not inner.requires_grad:  # loss linear in every weight: H = 0
        return 0.0
    hg = torch.autograd.grad(inner, weights, allow_unused=True)
    return float(sum((-w.detach() * h).sum() for w, h in zip(weights, hg) if h is not None))


def _fisher_points(net: nn.Module) -> list[nn.Module]:
    from nascore.spaces.mixed import PreActivation

    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear, PreActivation))]


@register("fisher", paper=_PAPER + "; Theis et al. 2018; Turner et al., BlockSwap, ICLR 2020",
          equation="BlockSwap Eq. 4 (Fisher potential), official fisher.py",
          higher_is_better=True, needs_labels=True,
          description="Sum over channels of 0.5 * batch-mean of (activation ⊙ its loss gradient, summed over space)^2.")
def fisher(net, inputs, targets, **options) -> float:
    """``sum_layers sum_k 0.5 * mean_n ( sum_space a_nk ⊙ dL/da_nk )^2``.

    ``a`` is the output of each ``Conv2d``/``Linear`` layer (the official code reads it
    through an identity inserted right after the layer), before BatchNorm and the
    nonlinearity. For ``nascore.spaces.mixed`` networks, whose layers are functional,
    ``a`` is each hidden layer's pre-activation (the ``PreActivation`` markers); their
    linear readout is not counted.
    """
    reject_options("fisher", options)
    net.train()
    captured = []

    def forward_hook(module, args, output):
        act = output.detach()

        def grad_hook(grad):
            captured.append((act, grad.detach()))

        if output.requires_grad:
            output.register_hook(grad_hook)

    handles = [m.register_forward_hook(forward_hook) for m in _fisher_points(net)]
    try:
        if not handles:
            raise ValueError("fisher needs Conv2d/Linear layers or PreActivation markers in the network")
        loss = cross_entropy(net, inputs, targets)
        loss.backward()
    finally:
        for h in handles:
            h.remove()
    total = 0.0
    for act, grad in captured:
        prod = act * grad
        per_channel = prod.sum(dim=tuple(range(2, prod.dim()))) if prod.dim() > 2 else prod
        total += float(0.5 * per_channel.pow(2).mean(0).sum())
    return total
