"""Training under a :class:`Protocol`: the trainer of the ground-truth tables.

:func:`train` (a lone net) and :func:`train_many` (a stack of same-shaped nets when
possible) run the one loop (:func:`nascore.training.loop.run_epochs`) with in-memory
batches reshuffled every epoch from the seed, the stacked cross-entropy step, the
protocol's optimiser and schedule, and one hook after each epoch: the epoch's loss
(a non-finite one marks the net as diverged), test accuracy at the protocol's
evaluation epochs and the caller's checkpoint hook. Both paths run the same code on a
module whose forward returns ``(B, N, K)`` logits (``B = 1`` for a lone net), so that
"batched" and "one at a time" differ only in how the matrix products are grouped,
never in the protocol.
"""
from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
from torch import nn

from .loop import EpochEnd, run_epochs, shuffled_batches
from .protocol import Protocol
from .stacked import Stacked, stack
from .steps import stacked_cross_entropy_step

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
    """The protocol's optimiser: SGD with momentum, or Adam; coupled weight decay."""
    if protocol.optimizer == "sgd":
        return torch.optim.SGD(params, lr=protocol.lr, momentum=protocol.momentum,
                               weight_decay=protocol.weight_decay)
    return torch.optim.Adam(params, lr=protocol.lr, weight_decay=protocol.weight_decay)


def learning_rate(protocol: Protocol, step: int, total_steps: int) -> float:
    """The protocol's rate before step ``step`` of ``total_steps``: ``lr`` (constant) or
    ``lr * 0.5 * (1 + cos(pi * step / total_steps))`` (cosine, annealed per step to 0).

    The same floating-point product ``torch.optim.lr_scheduler.LambdaLR`` forms
    (``base_lr * lambda(step)``), which trained the shipped tables.

    >>> learning_rate(Protocol(lr=0.1, schedule="cosine"), 5, 10)
    0.05
    """
    if protocol.schedule == "cosine":
        return protocol.lr * (0.5 * (1.0 + math.cos(math.pi * step / total_steps)))
    return protocol.lr * 1.0


def _fit(model: Stacked, data: TrainData, protocol: Protocol, *, seed: int,
         on_checkpoint: CheckpointHook | None) -> list[TrainResult]:
    start = time.perf_counter()
    dtype = getattr(torch, protocol.dtype)
    model = model.to(dtype)
    x_train, x_test = data.x_train.to(dtype), data.x_test.to(dtype)
    y_train, y_test = data.y_train, data.y_test
    n = len(y_train)
    optimizer = _optimizer(model.parameters(), protocol)
    accuracy: dict[int, torch.Tensor] = {}
    losses: list[torch.Tensor] = []  # the last epoch's mean loss per net
    failures: dict[int, str] = {}  # net -> why it failed (first non-finite epoch loss)

    def after_epoch(end: EpochEnd) -> None:
        loss_sum = None
        for step_losses, size in end.reports:
            batch_loss = step_losses.double() * size
            loss_sum = batch_loss if loss_sum is None else loss_sum + batch_loss
        epoch_loss = loss_sum / n
        losses[:] = [epoch_loss]
        for b in torch.nonzero(~torch.isfinite(epoch_loss)).flatten().tolist():
            failures.setdefault(b, f"training loss became {float(epoch_loss[b])} in epoch {end.epoch} "
                                   f"(lr={protocol.lr:g}): the run diverged")
        if end.epoch in protocol.eval_epochs:
            with torch.no_grad():
                predicted = model(x_test).argmax(-1)
            accuracy[end.epoch] = (predicted == y_test).double().mean(1)
            if on_checkpoint is not None:
                on_checkpoint(end.epoch, model.unstack())

    run_epochs(stacked_cross_entropy_step(model, optimizer),
               shuffled_batches(x_train, y_train, protocol.batch_size, torch.Generator().manual_seed(int(seed))),
               epochs=protocol.epochs, steps_per_epoch=math.ceil(n / protocol.batch_size),
               optimizer=optimizer, lr_at=lambda step, total: learning_rate(protocol, step, total),
               on_epoch=[after_epoch])
    epoch_loss, = losses
    seconds = (time.perf_counter() - start) / len(epoch_loss)
    return [
        TrainResult({e: float(acc[b]) for e, acc in accuracy.items()}, float(epoch_loss[b]),
                    seconds, protocol.epochs, failures.get(b))
        for b in range(len(epoch_loss))
    ]
