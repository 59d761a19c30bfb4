"""Loss-gradient saliencies: grad_norm, snip, grasp, fisher.

Abdelfattah, Mehrotra, Dudziak, Lane, *Zero-cost proxies for lightweight NAS* (ICLR 2021),
Sec. 3 and Table 1, following the conventions of their official code (SamsungLabs
zero-cost-nas at a43bfbc, ``foresight/pruners``; NASLib's copy in
``naslib/predictors/utils/pruners`` is the same code):

- one minibatch at initialisation, network in train mode (BatchNorm uses batch
  statistics: ``nasbench2.py:86`` ``model_new.train()``), loss ``L`` = mean cross-entropy
  over the batch (``predictive.py:38`` ``loss_fn=F.cross_entropy``);
- per-weight saliencies are computed for the *weights* of the network and summed over
  every element of every layer into one number (``predictive.py:100-104`` ``sum_arr``).
  The official code takes the ``weight`` of each ``Conv2d``/``Linear``
  (``p_utils.py:56-65``); we take every parameter with at least two dimensions, which is
  the same set for ordinary networks (biases and BatchNorm's scale/shift are 1-D) and
  also covers networks that keep weight matrices as bare ``nn.Parameter``
  (``nascore.spaces.mixed``).

All four are "higher is better" as the official code signs them. The functions
``*_value`` compute a proxy from its ingredients (weights, gradients, captured
activations); :mod:`nascore.metrics.many` reuses them to share one backward pass
between several proxies.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .naswot import is_pre_activation_marker
from .registry import SharedPass, check_targets, register, reject_options

_PAPER = "Abdelfattah et al., Zero-cost proxies for lightweight NAS, ICLR 2021"
#: Fisher conventions: per weight (official: each channel's value counted once per weight
#: of that channel, ``fisher.py:100-105``) or per channel (each channel once).
FISHER_PER = ("weight", "channel")


def prunable_weights(net: nn.Module) -> list[torch.Tensor]:
    """Weight matrices / kernels of ``net``: its parameters with ``dim() >= 2``."""
    return [p for p in net.parameters() if p.dim() >= 2]


def cross_entropy(net: nn.Module, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of ``net`` on the batch, after checking the labels fit its outputs."""
    return cross_entropy_of(net(inputs), inputs, targets)


def cross_entropy_of(logits: torch.Tensor, inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of given ``logits``, after checking their shape and the labels."""
    if logits.dim() != 2:
        raise ValueError(f"expected (N, classes) logits from the network, got {tuple(logits.shape)}")
    check_targets(targets, inputs.shape[0], logits.shape[1])
    return F.cross_entropy(logits, targets)


def weights_of(net: nn.Module) -> list[torch.Tensor]:
    """:func:`prunable_weights`, refusing a network that has none."""
    weights = prunable_weights(net)
    if not weights:
        raise ValueError("the network has no weight matrices or kernels (parameters with dim >= 2)")
    return weights


def loss_gradients(loss: torch.Tensor, weights, *, create_graph=False, retain_graph=None):
    """``dL/dW`` for every weight tensor (zeros for weights the loss does not reach)."""
    grads = torch.autograd.grad(loss, weights, allow_unused=True, create_graph=create_graph,
                                retain_graph=retain_graph)
    return [torch.zeros_like(w) if g is None else g for w, g in zip(weights, grads)]


def _weights_and_grads(net, inputs, targets, create_graph=False):
    net.train()
    weights = weights_of(net)
    loss = cross_entropy(net, inputs, targets)
    return weights, loss_gradients(loss, weights, create_graph=create_graph)


def grad_norm_value(grads) -> float:
    """``sum_l ||g_l||_2`` over the weight tensors' gradients."""
    return float(sum(g.detach().norm() for g in grads))


def grad_norm_of_pass(weights, grads) -> float:
    """:func:`grad_norm_value` from the shared loss pass (the weights are not needed)."""
    return grad_norm_value(grads)


def snip_value(weights, grads) -> float:
    """``sum |W ⊙ g|`` over every weight."""
    return float(sum((w.detach() * g.detach()).abs().sum() for w, g in zip(weights, grads)))


def grasp_value(weights, hessian_grad) -> float:
    """``sum -W ⊙ (H g)``; ``hessian_grad`` holds ``H g`` per weight (``None``: not reached)."""
    return float(sum((-w.detach() * h).sum() for w, h in zip(weights, hessian_grad) if h is not None))


@register("grad_norm", paper=_PAPER, equation="Sec. 3 (grad_norm); official grad_norm.py",
          higher_is_better=True, needs_labels=True, shared=SharedPass("loss", grad_norm_of_pass),
          description="Sum over layers of the Euclidean norm of the loss gradient.")
def grad_norm(net, inputs, targets, **options) -> float:
    """``sum_l || dL/dW_l ||_2``: one norm per weight tensor, then summed.

    The official code sums per-layer norms (``grad_norm.py:36``, ``l.weight.grad.norm()``
    per layer, summed by ``sum_arr``), not the norm of the whole gradient; we follow it,
    so the value matches the shipped NAS-Bench-201 ``grad_norm`` column's definition.
    """
    reject_options("grad_norm", options)
    _, grads = _weights_and_grads(net, inputs, targets)
    return grad_norm_value(grads)


@register("snip", paper=_PAPER + "; Lee et al., SNIP, ICLR 2019",
          equation="SNIP Eq. 6 (connection sensitivity |g ⊙ w|), summed",
          higher_is_better=True, needs_labels=True, shared=SharedPass("loss", snip_value),
          description="Sum of |W ⊙ dL/dW| over all weights (connection sensitivity).")
def snip(net, inputs, targets, **options) -> float:
    """``sum |W ⊙ dL/dW|`` over all weights.

    The official code differentiates with respect to a multiplicative mask of ones on
    each weight (``snip.py:37-47, 61-65``), which is the same number as ``W ⊙ dL/dW``.
    """
    reject_options("snip", options)
    weights, grads = _weights_and_grads(net, inputs, targets)
    return snip_value(weights, grads)


def hessian_gradient(loss_of_graph: torch.Tensor, weights, fixed) -> list:
    """``H g`` per weight: differentiate ``<fixed, dL/dW>`` once more (``fixed`` = ``g`` detached).

    ``loss_of_graph`` must come from a forward pass whose graph is still alive. Returns
    ``None`` entries for weights the product does not reach (and all ``None`` when the
    loss is linear in every weight, ``H = 0``).
    """
    grads = torch.autograd.grad(loss_of_graph, weights, allow_unused=True, create_graph=True)
    inner = sum((f * g).sum() for f, g in zip(fixed, grads) if g is not None)
    if not torch.is_tensor(inner) or not inner.requires_grad:
        return [None] * len(weights)
    return list(torch.autograd.grad(inner, weights, allow_unused=True))


def grasp_of_pass(net, inputs, targets, weights, grads) -> float:
    """GraSP's second pass (``grasp.py:58-73``) after a shared first one that gave ``grads``
    for ``weights`` of ``net``: a new forward with a double-backward graph, ``H g``, the score."""
    second = cross_entropy_of(net(inputs), inputs, targets)
    return grasp_value(weights, hessian_gradient(second, weights, [g.detach() for g in grads]))


@register("grasp", paper=_PAPER + "; Wang et al., GraSP, ICLR 2020",
          equation="GraSP Eq. 8 (S = -θ ⊙ Hg), summed",
          higher_is_better=True, needs_labels=True, shared=SharedPass("hessian", grasp_of_pass),
          description="Sum of -W ⊙ (H g): gradient-signal preservation.")
def grasp(net, inputs, targets, **options) -> float:
    """``sum -W ⊙ (H g)`` with ``g = dL/dW`` and ``H`` the Hessian of ``L`` in the weights.

    ``H g`` is a Hessian-vector product with the gradient held fixed (``g`` detached), as
    in the official code (``grasp.py:43-73``: pass 1 takes ``g``, pass 2 differentiates
    ``<g, dL/dW>`` once more). Temperature 1, one iteration. The sign is the zero-cost
    authors' (``grasp.py:78``: they negate GraSP's pruning score because "higher is
    better" then correlates positively with accuracy).
    """
    reject_options("grasp", options)
    net.train()
    weights = weights_of(net)
    loss = cross_entropy(net, inputs, targets)
    grads = torch.autograd.grad(loss, weights, allow_unused=True, create_graph=True)
    fixed = [None if g is None else g.detach() for g in grads]
    inner = sum((f * g).sum() for f, g in zip(fixed, grads) if g is not None)
    if not torch.is_tensor(inner) or not inner.requires_grad:  # loss linear in every weight: H = 0
        return 0.0
    return grasp_value(weights, torch.autograd.grad(inner, weights, allow_unused=True))


def fisher_points(net: nn.Module) -> list[nn.Module]:
    """The modules whose output the Fisher proxy reads: Conv2d, Linear and pre-activation
    markers (:func:`nascore.metrics.naswot.is_pre_activation_marker`)."""
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear)) or is_pre_activation_marker(m)]


def fan_in(module: nn.Module) -> int | None:
    """Weights per output channel of a layer: ``C_in/groups * k_h * k_w`` (conv), ``in`` (linear).

    A pre-activation marker carries its layer's fan-in as ``fan_in`` (``None`` if unknown).
    """
    if isinstance(module, (nn.Conv2d, nn.Linear)):
        return int(module.weight[0].numel())
    return getattr(module, "fan_in", None)


class FisherRecorder:
    """Forward hooks on :func:`fisher_points` that keep ``(activation, dL/dactivation, fan_in)``.

    Use as a context manager around one forward pass; gradients are captured by tensor
    hooks during the first backward pass that reaches the activations, while ``active``
    is true (set it to false before another backward, e.g. a Jacobian, through the same
    graph).
    """

    def __init__(self, net: nn.Module):
        self.points = fisher_points(net)
        if not self.points:
            raise ValueError("fisher needs Conv2d/Linear layers or pre-activation markers in the network")
        self.captured, self.active, self._handles = [], True, []

    def _forward_hook(self, module, args, output):
        act, width = output.detach(), fan_in(module)

        def grad_hook(grad):
            if self.active:
                self.captured.append((act, grad.detach(), width))

        if output.requires_grad:
            output.register_hook(grad_hook)

    def __enter__(self):
        self._handles = [m.register_forward_hook(self._forward_hook) for m in self.points]
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        return False


def fisher_value(captured, *, per: str = "weight") -> float:
    """``sum_layers c_l sum_k 0.5 * mean_n (sum_space a_nk g_nk)^2`` from captured pairs.

    ``c_l`` is the layer's fan-in for ``per="weight"`` (the official convention) and 1
    for ``per="channel"``.
    """
    if per not in FISHER_PER:
        raise ValueError(f"unknown fisher convention per={per!r}; allowed: {', '.join(FISHER_PER)}")
    total = 0.0
    for act, grad, width in captured:
        if per == "weight" and width is None:
            raise ValueError("fisher per='weight' needs each layer's fan-in; this network's markers "
                             "carry none: use per='channel'")
        prod = act * grad
        per_channel = prod.sum(dim=tuple(range(2, prod.dim()))) if prod.dim() > 2 else prod
        delta = float(0.5 * per_channel.pow(2).mean(0).sum())
        total += delta * (width if per == "weight" else 1)
    return total


@register("fisher", paper=_PAPER + "; Theis et al. 2018; Turner et al., BlockSwap, ICLR 2020",
          equation="BlockSwap Eq. 4 (Fisher potential), official fisher.py",
          higher_is_better=True, needs_labels=True, options={"per": "weight"},
          shared=SharedPass("fisher", fisher_value, ("per",)),
          description="Per channel 0.5 * batch-mean of (activation ⊙ its loss gradient, summed over "
                      "space)^2, counted once per weight of the channel and summed.")
def fisher(net, inputs, targets, *, per: str = "weight") -> float:
    """``sum_layers c_l sum_k Δ_k``, ``Δ_k = 0.5 * mean_n ( sum_space a_nk ⊙ dL/da_nk )^2``.

    ``a`` is the output of each ``Conv2d``/``Linear`` layer (the official code reads it
    through an identity inserted right after the layer, ``fisher.py:26-36``), before
    BatchNorm and the nonlinearity; ``Δ_k`` is ``fisher.py:66-70``. The official code
    then gives every weight of channel ``k`` the value ``Δ_k`` (``fisher.py:100-105``,
    ``reshape_elements``) and sums over weights, so each channel counts ``c_l`` times,
    ``c_l`` = the layer's fan-in (``C_in k_h k_w`` for a convolution, ``in`` for a
    linear layer): ``per="weight"``, the default. ``per="channel"`` counts each channel
    once (``c_l = 1``), the score as BlockSwap writes it. For ``nascore.spaces.mixed``
    networks, whose layers are functional, ``a`` is each hidden layer's pre-activation
    (the ``PreActivation`` markers, which carry the layer's fan-in); their linear readout
    is not counted.
    """
    if per not in FISHER_PER:
        raise ValueError(f"unknown fisher convention per={per!r}; allowed: {', '.join(FISHER_PER)}")
    net.train()
    with FisherRecorder(net) as recorder:
        loss = cross_entropy(net, inputs, targets)
        loss.backward()
    return fisher_value(recorder.captured, per=per)
