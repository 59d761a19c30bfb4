"""Conventions shared by every route to the empirical NTK: argument checks, the
per-sample scalar s_i named by ``output``, batch-norm coupling and the train/eval switch.

See :mod:`nascore.ntk` for the maths; the routes (:mod:`.jacobian`, :mod:`.factored`,
:mod:`.loop`) all build on these helpers, so they agree on conventions by construction.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

OUTPUTS = ("sum", "target", "full")
MODES = ("train", "eval")


def check_args(net, inputs, output, targets, mode, chunk_size):
    """Validate the arguments of an NTK call (ValueError naming the bad value); returns targets as long."""
    if not isinstance(net, nn.Module):
        raise ValueError(f"net must be a torch.nn.Module, got {type(net).__name__}")
    if output not in OUTPUTS:
        raise ValueError(f"unknown output {output!r}; allowed: {', '.join(map(repr, OUTPUTS))}")
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; allowed: {', '.join(map(repr, MODES))}")
    if not isinstance(inputs, torch.Tensor):
        raise ValueError(f"inputs must be a torch.Tensor of shape (N, ...), got {type(inputs).__name__}")
    if inputs.ndim < 2 or inputs.shape[0] < 1:
        raise ValueError(f"inputs must have shape (N, features...) with N >= 1, got {tuple(inputs.shape)}")
    if not inputs.is_floating_point():
        raise ValueError(f"inputs must be floating point, got dtype {inputs.dtype}")
    if not torch.isfinite(inputs).all():
        raise ValueError("inputs contain NaN or Inf values; the NTK needs finite inputs")
    params = [p for p in net.parameters() if p.requires_grad]
    if not params:
        raise ValueError("net has no trainable parameters (requires_grad=True); the NTK is empty")
    if params[0].dtype != inputs.dtype:
        raise ValueError(f"inputs dtype {inputs.dtype} differs from the network's {params[0].dtype}")
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size < 1):
        raise ValueError(f"chunk_size must be None or a positive int, got {chunk_size!r}")
    if output == "target":
        if targets is None:
            raise ValueError('output="target" needs targets: a 1-D integer tensor of N class labels')
        targets = torch.as_tensor(targets, device=inputs.device)
        if targets.dtype.is_floating_point or targets.dtype == torch.bool or targets.shape != inputs.shape[:1]:
            raise ValueError(f"targets must be N={inputs.shape[0]} integer labels, got shape "
                             f"{tuple(targets.shape)} and dtype {targets.dtype}")
        targets = targets.long()
    return targets


def outputs_2d(out, n):
    """Network output as (N, K), or a clear error."""
    if out.ndim == 1:
        out = out.unsqueeze(1)
    if out.ndim != 2 or out.shape[0] != n:
        raise ValueError(f"the network must map N={n} inputs to an (N, K) output, got shape {tuple(out.shape)}")
    return out


def check_fit(net, inputs, targets, output):
    """One forward pass (no grad, copied buffers) to check shapes and labels; returns K."""
    buffers = {name: b.clone() for name, b in net.named_buffers()}
    try:
        with torch.no_grad():
            out = functional_call(net, buffers, (inputs,), strict=False)
    except (RuntimeError, IndexError, TypeError) as err:
        raise ValueError(f"inputs of shape {tuple(inputs.shape)} do not fit the network: {err}") from None
    out = outputs_2d(out, inputs.shape[0])
    k = out.shape[1]
    if output == "target" and ((targets < 0) | (targets >= k)).any():
        raise ValueError(f"targets must lie in 0..{k - 1} (the network has K={k} outputs), "
                         f"got values {targets.min().item()}..{targets.max().item()}")
    return k


def couples_samples(net: nn.Module) -> bool:
    """True if some batch-norm layer normalises with batch statistics in the current mode."""
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) and (m.training or m.running_mean is None)
               for m in net.modules())


class ModeSwitch:
    """Put every module in train/eval mode, and restore each module's own flag on exit."""

    def __init__(self, net, mode):
        self.net, self.mode = net, mode

    def __enter__(self):
        self.flags = [(m, m.training) for m in self.net.modules()]
        self.net.train(self.mode == "train")

    def __exit__(self, *exc):
        for module, flag in self.flags:
            module.training = flag


def scalarise(out, output, targets):
    """(N, K) outputs -> the rows of J: (N,) for sum/target, (N*K,) sample-major for full."""
    if output == "sum":
        return out.sum(dim=1)
    if output == "target":
        return out.gather(1, targets.unsqueeze(1)).squeeze(1)
    return out.reshape(-1)


def symmetric(theta):
    """(theta + theta^T) / 2: removes round-off asymmetry."""
    return (theta + theta.T) / 2

