"""The plain training steps of :func:`nascore.training.loop.run_epochs`: mean cross-entropy
on one network, or on a stack of same-shaped networks (:mod:`.stacked`).

Each returns ``step(batch) -> report`` for one optimiser update on ``batch = (x, y)``;
the report holds detached tensors, read by the caller's epoch hooks. The supernet's
sandwich step is its own (:func:`nascore.supernet.sandwich.train_step`).
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .stacked import Stacked


def cross_entropy_step(net: nn.Module, optimizer: torch.optim.Optimizer, *, device="cpu"):
    """Step: move ``(x, y)`` to ``device``, ``zero_grad``, ``loss = F.cross_entropy(net(x), y)``
    (the batch mean), ``backward``, ``optimizer.step()``. Report: ``(loss, correct, size)``,
    the loss and the number of right arg-max predictions as detached tensors, the batch size."""
    def step(batch):
        x, y = batch
        x, y = x.to(device), y.to(device)
        optimizer.zero_grad(set_to_none=True)
        logits = net(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        optimizer.step()
        return loss.detach(), (logits.argmax(1) == y).sum(), len(y)

    return step


def stacked_cross_entropy_step(model: Stacked, optimizer: torch.optim.Optimizer):
    """Step for ``B`` nets at once (``model(x)`` of shape ``(B, n, K)``): each net's mean
    cross-entropy ``L_b`` on the batch, ``zero_grad``, ``backward`` of ``sum_b L_b`` (the
    sum keeps each net's gradient its own), ``optimizer.step()``. Report: ``(losses, size)``,
    the ``(B,)`` detached losses and the batch size."""
    def step(batch):
        x, y = batch
        logits = model(x)  # (B, b, K)
        b = logits.shape[0]
        losses = F.cross_entropy(logits.flatten(0, 1), y.repeat(b), reduction="none").view(b, -1).mean(1)
        optimizer.zero_grad(set_to_none=True)
        losses.sum().backward()
        optimizer.step()
        return losses.detach(), len(y)

    return step
