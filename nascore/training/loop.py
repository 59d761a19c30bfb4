"""The training loop: one function for a lone net and for a stack of same-shaped nets.

Both paths run the same code on a module whose forward returns ``(B, N, K)`` logits
(``B = 1`` for a lone net), so that "batched" and "one at a time" differ only in how
the matrix products are grouped, never in the protocol.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import nn
from torch.nn import functional as F

from .protocol import Protocol
from .stacked import Stacked, stack

#: ``factory(seed) -> nn.Module``: builds a freshly initialised network from ``seed``.
Factory = Callable[[int], nn.Module]
#: ``on_checkpoint(epoch, nets)``: called after each checkpoint epoch with trained copies.
CheckpointHook = Callable[[int, list[nn.Module]], None]


@dataclass(frozen=True)
class TrainData:
    """Training and held-out tensors, already shaped for the networks' input."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor


@dataclass(frozen=True)
class TrainResult:
    """What one training run produced.

    ``test_accuracy[e]``: accuracy on the held-out split after epoch ``e`` (every
    checkpoint and the final epoch); ``train_loss``: mean cross-entropy over the last
    epoch's mini-batches; ``seconds``: wall time (a stack's time is shared equally);
    ``epochs``: the protocol's epoch count (``final_accuracy`` is after the last one);
    ``failure``: ``None``, or why the run is not a valid result (its training loss became
    NaN or infinite: the accuracies of a diverged net are meaningless and must not be
    reported as measured).
    """

    test_accuracy: dict[int, float]
    train_loss: float
    seconds: float
    epochs: int
    failure: str | None = None

    @property
    def final_accuracy(self) -> float:
        return self.test_accuracy[self.epochs]


def prepare(dataset, protocol: Protocol) -> TrainData:
    """Tensors of a :class:`nascore.data.Dataset` in the protocol's input form and dtype."""
    dtype = getattr(torch, protocol.dtype)
    if protocol.inputs == "image":
        x_train, x_test = dataset.x_train, dataset.x_test
    else:
        unit = protocol.inputs == "flat_unit"
        x_train, x_test = dataset.flat("train", unit_norm=unit), dataset.flat("test", unit_norm=unit)
    return TrainData(x_train.to(dtype), dataset.y_train, x_test.to(dtype), dataset.y_test)


def train(factory: Factory, data: TrainData, protocol: Protocol, *, seed: int,
          on_checkpoint: CheckpointHook | None = None) -> TrainResult:
    """Train ``factory(seed)`` under ``protocol``; mini-batch order also comes from ``seed``.

    Deterministic: the same factory, data, protocol and seed give the same numbers
    (on the same machine and thread count).
    """
    net = factory(seed)
    return _fit(_Lone(net), data, protocol, seed=seed, on_checkpoint=on_checkpoint)[0]


def train_many(factories: Sequence[Factory], data: TrainData, protocol: Protocol, *, seed: int,
               batched: bool = True, on_checkpoint: CheckpointHook | None = None
               ) -> list[TrainResult]:
    """Train several networks with the same seed; stacked into one module when possible.

    With ``batched=True`` and nets that a registered stacker accepts (see
    :func:`nascore.training.stacked.stack`), all nets take each SGD step together;
    otherwise they are trained one after the other. Results are the same up to
    floating-point summation order.
    """
    if not factories:
        return []
    nets = [factory(seed) for factory in factories]
    stacked = stack(nets) if batched and len(nets) > 1 else None
    if stacked is None:
        return [_fit(_Lone(net), data, protocol, seed=seed, on_checkpoint=on_checkpoint)[0]
                for net in nets]
    return _fit(stacked, data, protocol, seed=seed, on_checkpoint=on_checkpoint)


class _Lone(Stacked):
    """A single network seen as a stack of one."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x).unsqueeze(0)

    def unstack(self):
        return [copy.deepcopy(self.net)]


def _optimizer(params, protocol: Protocol):
    if protocol.optimizer == "sgd":
        return torch.optim.SGD(params, lr=protocol.lr, momentum=protocol.momentum,
                               weight_decay=protocol.weight_decay)
    return torch.optim.Adam(params, lr=protocol.lr, weight_decay=protocol.weight_decay)


def _fit(model: Stacked, data: TrainData, protocol: Protocol, *, seed: int,
         on_checkpoint: CheckpointHook | None) -> list[TrainResult]:
    start = time.perf_counter()
    dtype = getattr(torch, protocol.dtype)
    model = model.to(dtype)
    x_train, x_test = data.x_train.to(dtype), data.x_test.to(dtype)
    y_train, y_test = data.y_train, data.y_test
    n = len(y_train)
    steps = protocol.epochs * math.ceil(n / protocol.batch_size)
    optimizer = _optimizer(model.parameters(), protocol)
    if protocol.schedule == "cosine":
        scale = lambda step: 0.5 * (1.0 + math.cos(math.pi * step / steps))  # noqa: E731
    else:
        scale = lambda step: 1.0  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, scale)
    order = torch.Generator().manual_seed(int(seed))
    accuracy: dict[int, torch.Tensor] = {}
    epoch_loss = None
    failures: dict[int, str] = {}  # net -> why it failed (first non-finite epoch loss)
    for epoch in range(1, protocol.epochs + 1):
        perm = torch.randperm(n, generator=order)
        loss_sum = None
        for first in range(0, n, protocol.batch_size):
            idx = perm[first:first + protocol.batch_size]
            logits = model(x_train[idx])  # (B, b, K)
            b = logits.shape[0]
            losses = F.cross_entropy(logits.flatten(0, 1), y_train[idx].repeat(b),
                                     reduction="none").view(b, -1).mean(1)
            optimizer.zero_grad(set_to_none=True)
            # Summing the nets' losses keeps each net's gradient its own.
            losses.sum().backward()
            optimizer.step()
            scheduler.step()
            batch_loss = losses.detach().double() * len(idx)
            loss_sum = batch_loss if loss_sum is None else loss_sum + batch_loss
        epoch_loss = loss_sum / n
        for b in torch.nonzero(~torch.isfinite(epoch_loss)).flatten().tolist():
            failures.setdefault(b, f"training loss became {float(epoch_loss[b])} in epoch {epoch} "
                                   f"(lr={protocol.lr:g}): the run diverged")
        if epoch in protocol.eval_epochs:
            with torch.no_grad():
                predicted = model(x_test).argmax(-1)
            accuracy[epoch] = (predicted == y_test).double().mean(1)
            if on_checkpoint is not None:
                on_checkpoint(epoch, model.unstack())
    seconds = (time.perf_counter() - start) / len(epoch_loss)
    return [
        TrainResult({e: float(acc[b]) for e, acc in accuracy.items()}, float(epoch_loss[b]),
                    seconds, protocol.epochs, failures.get(b))
        for b in range(len(epoch_loss))
    ]
