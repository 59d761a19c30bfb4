"""The factored empirical NTK: never materialises the Jacobian.

For a network whose trainable parameters all sit in linear, 2-D convolution and
eval-mode batch-norm layers, the kernel is a sum over layers of the Hadamard product of
an activation Gram matrix and a back-propagated-signal Gram matrix (for a linear layer
z = W a + b: Theta_ij = sum_l (<a_i, a_j> + 1) <delta_i, delta_j>, delta = ds/dz).
Used by :func:`nascore.ntk.empirical_ntk` with ``implementation="factored"`` or ``"auto"``.
"""
from __future__ import annotations

import torch
from torch.nn import functional as F
from torch.overrides import TorchFunctionMode
from torch.func import functional_call
from torch.utils._pytree import tree_leaves

from .conventions import couples_samples, outputs_2d, scalarise, symmetric

_SIGNATURES = {  # argument names and defaults of the layer functions the factored form reads
    "linear": (("input", "weight", "bias"), {"bias": None}),
    "conv2d": (("input", "weight", "bias", "stride", "padding", "dilation", "groups"),
               {"bias": None, "stride": 1, "padding": 0, "dilation": 1, "groups": 1}),
    "batch_norm": (("input", "running_mean", "running_var", "weight", "bias", "training", "momentum", "eps"),
                   {"weight": None, "bias": None, "training": False, "momentum": 0.1, "eps": 1e-5}),
}
_KINDS = {F.linear: "linear", torch.conv2d: "conv2d", F.conv2d: "conv2d", F.batch_norm: "batch_norm"}
_GRAM_ELEMENTS = 2 ** 22  # largest (rows x positions)^2 Gram built for one layer


class _LayerRecorder(TorchFunctionMode):
    """Record the inputs and outputs of linear / conv2d / batch-norm calls on tracked parameters.

    Any other use of a tracked parameter that feeds the autograd graph makes the factored
    form inapplicable (``self.reason`` says why).
    """

    def __init__(self, params):
        super().__init__()
        self.ids = {id(p) for p in params}
        self.records, self.uses, self.reason = [], {}, None

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        kind = _KINDS.get(func)
        tracked = [leaf for leaf in tree_leaves((args, kwargs))
                   if isinstance(leaf, torch.Tensor) and id(leaf) in self.ids]
        if not tracked:
            return result
        if kind is None:
            if any(isinstance(r, torch.Tensor) and r.requires_grad for r in tree_leaves(result)):
                self.reason = f"a trainable parameter is used by {getattr(func, '__name__', func)}"
            return result
        names, defaults = _SIGNATURES[kind]
        call = {**defaults, **dict(zip(names, args)), **kwargs}
        if kind == "conv2d" and (call["groups"] != 1 or isinstance(call["padding"], str)):
            self.reason = "a grouped convolution or string padding"
        if kind == "batch_norm" and (call["training"] or call["running_mean"] is None):
            self.reason = "batch norm with batch statistics couples the samples"
        if isinstance(call["input"], torch.Tensor) and id(call["input"]) in self.ids:
            self.reason = f"a trainable parameter is the input of {kind}"
        for p in tracked:
            self.uses[id(p)] = self.uses.get(id(p), 0) + 1
            if self.uses[id(p)] > 1:
                self.reason = "a parameter is used by more than one layer call (weight sharing)"
        self.records.append((kind, call, result))
        return result


def _layer_factors(kind, call, n):
    """Per-layer inputs as (N, L, I) (patches for conv, normalised input for batch norm)."""
    x = call["input"].detach()
    if kind == "linear":
        return x.reshape(n, -1, x.shape[-1])
    if kind == "conv2d":
        w = call["weight"]
        patches = F.unfold(x, w.shape[-2:], dilation=call["dilation"], padding=call["padding"],
                           stride=call["stride"])
        return patches.transpose(1, 2)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    x_hat = (x - call["running_mean"].reshape(shape)) / torch.sqrt(call["running_var"].reshape(shape) + call["eps"])
    return x_hat.reshape(n, x.shape[1], -1)  # (N, C, S)


def _weight_strategy(n, rows, length, fan_in, fan_out):
    """``"gram"`` (Hadamard product of Grams) or ``"per_sample"``, whichever costs fewer flops."""
    per_sample_cost = n * length * fan_out * fan_in + rows * rows * fan_out * fan_in
    gram_cost = (n * length) ** 2 * fan_in + (rows * length) ** 2 * fan_out
    if (rows * length) ** 2 <= _GRAM_ELEMENTS and gram_cost <= per_sample_cost:
        return "gram"
    return "per_sample"


def _layer_kernel(kind, call, a, d, tracked):
    """Contribution of one layer to Theta from inputs ``a`` and signals ``d`` (N, Kp, ...)."""
    n, kp = d.shape[:2]
    rows = n * kp
    weight, bias = call["weight"], call["bias"]
    use_w = weight is not None and id(weight) in tracked
    use_b = bias is not None and id(bias) in tracked
    theta = torch.zeros(rows, rows, dtype=torch.float64, device=a.device)
    if kind == "batch_norm":  # y = gamma * x_hat + beta, channel-wise: per-sample gradients are cheap
        d = d.reshape(n, kp, a.shape[1], -1)
        for g, on in ((d * a.unsqueeze(1)).sum(-1), use_w), (d.sum(-1), use_b):
            if on:
                g = g.reshape(rows, -1)
                theta += g @ g.T
        return theta
    if kind == "conv2d":  # (N, Kp, O, H, W) -> (N, Kp, L, O)
        d = d.reshape(n, kp, d.shape[2], -1).transpose(2, 3)
    else:
        d = d.reshape(n, kp, -1, d.shape[-1])
    length, fan_in, fan_out = a.shape[1], a.shape[2], d.shape[-1]
    if use_w:
        if _weight_strategy(n, rows, length, fan_in, fan_out) == "gram":
            # Theta_ij = sum_{l,m} <a_il, a_jm> <delta_il, delta_jm>: activation Gram ⊙ signal Gram.
            gram_a = torch.einsum("nli,mki->nlmk", a, a)
            gram_d = torch.einsum("nalo,mbko->nalmbk", d, d)
            theta += torch.einsum("nlmk,nalmbk->namb", gram_a, gram_d).reshape(rows, rows)
        else:  # many positions: per-sample gradient of this layer only, sum_l delta_il a_il^T
            g = torch.einsum("nalo,nli->naoi", d, a).reshape(rows, -1)
            theta += g @ g.T
    if use_b:
        g = d.sum(2).reshape(rows, -1)
        theta += g @ g.T
    return theta


def factored_ntk(net, inputs, output, targets, k):
    """Theta = sum over layers of (activation Gram) ⊙ (signal Gram); (None, reason) if not applicable."""
    if couples_samples(net):
        return None, 'batch norm uses batch statistics (mode="train"); use mode="eval" or "jacobian"'
    params = [p for p in net.parameters() if p.requires_grad]
    recorder = _LayerRecorder(params)
    buffers = {name: b.clone() for name, b in net.named_buffers()}
    with torch.enable_grad(), recorder:
        out = functional_call(net, buffers, (inputs,), strict=False)
    if recorder.reason is not None:
        return None, recorder.reason
    out = outputs_2d(out, inputs.shape[0])
    n = inputs.shape[0]
    records = [r for r in recorder.records if r[2].requires_grad]
    if output == "full":
        totals = [out[:, a].sum() for a in range(k)]
    else:
        totals = [scalarise(out, output, targets).sum()]
    # Samples are independent, so back-propagating sum_i s_i gives every delta_i = ds_i/dz_i at once.
    signals = [torch.autograd.grad(t, [r[2] for r in records], retain_graph=True, allow_unused=True)
               for t in totals]
    tracked = recorder.ids
    theta = torch.zeros(n * len(totals), n * len(totals), dtype=torch.float64, device=inputs.device)
    for idx, (kind, call, z) in enumerate(records):
        d = torch.stack([s[idx] if s[idx] is not None else torch.zeros_like(z) for s in signals], dim=1)
        theta += _layer_kernel(kind, call, _layer_factors(kind, call, n).double(), d.detach().double(), tracked)
    return symmetric(theta), None


