"""Epochs of SGD on augmented batches (nascore.training.epochs): the supernet's, the
stand-alone children's and LGA's one epoch, written once."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from nascore import inputs
from nascore.training.epochs import epoch_batches, fit_epochs

X = torch.rand(7, 3, 4, 4, generator=torch.Generator().manual_seed(0))
Y = torch.tensor([0, 1, 2, 0, 1, 2, 0])
PLAIN = inputs.PROTOCOLS["lga-train"].replace(batch_size=3, augment=None)


def test_one_pass_cuts_the_permutation_into_batches_the_last_one_shorter():
    # 7 images in batches of 3: sizes 3, 3, 1, every image once, in randperm's order
    batches = list(epoch_batches((X, Y), PLAIN, torch.Generator().manual_seed(4)))
    assert [len(y) for _, y in batches] == [3, 3, 1]
    order = torch.randperm(7, generator=torch.Generator().manual_seed(4))
    assert torch.equal(torch.cat([y for _, y in batches]), Y[order])
    assert torch.equal(batches[0][0], inputs.normalise(X[order[:3]], "zero-cost-nas", "cifar10"))


def test_a_numpy_generator_shuffles_with_permutation_and_limit_keeps_its_first_images():
    batches = list(epoch_batches((X, Y), PLAIN, np.random.default_rng(1), limit=4))
    order = np.random.default_rng(1).permutation(7)[:4]
    assert [len(y) for _, y in batches] == [3, 1]
    assert torch.equal(torch.cat([y for _, y in batches]), Y[torch.as_tensor(order)])


def test_batches_draw_their_crops_lazily_so_a_step_can_draw_in_between():
    # The supernet's order: permutation, crops of batch 0, the step's own draw, crops of batch 1.
    protocol = inputs.PROTOCOLS["nb201"].replace(batch_size=4)
    g = torch.Generator().manual_seed(2)
    got = []
    for x, _ in epoch_batches((X, Y), protocol, g):
        got.append(x)
        torch.rand(1, generator=g)                 # a child drawn by the step
    h = torch.Generator().manual_seed(2)
    order = torch.randperm(7, generator=h)
    first = inputs.augment(X[order[:4]], h, order="rows-then-cols")
    torch.rand(1, generator=h)
    second = inputs.augment(X[order[4:]], h, order="rows-then-cols")
    assert torch.equal(got[0], inputs.normalise(first, "nb201", "cifar10"))
    assert torch.equal(got[1], inputs.normalise(second, "nb201", "cifar10"))


def _net():
    return nn.Sequential(nn.Flatten(), nn.Linear(48, 3))


@pytest.mark.parametrize("make_generator", [lambda: torch.Generator().manual_seed(3),
                                            lambda: np.random.default_rng(3)])
def test_fit_epochs_equals_the_plain_loop_written_out(make_generator):
    torch.manual_seed(0)
    net = _net()
    twin = copy.deepcopy(net)
    protocol = inputs.PROTOCOLS["lga-train"].replace(batch_size=3)
    lr_at = lambda step, total: 0.1 * (1 - step / total)  # noqa: E731
    opt = torch.optim.SGD(net.parameters(), lr=0.5, momentum=0.9)
    out = fit_epochs(net, (X, Y), protocol, opt, generator=make_generator(), epochs=2, lr_at=lr_at)

    # the same two epochs by hand: 3 steps each, learning rate 0.1 * (1 - step / 6)
    opt2 = torch.optim.SGD(twin.parameters(), lr=0.5, momentum=0.9)
    g = make_generator()
    for epoch in range(2):
        order = torch.randperm(7, generator=g) if isinstance(g, torch.Generator) else torch.as_tensor(g.permutation(7))
        losses, correct = 0.0, 0
        for b, start in enumerate(range(0, 7, 3)):
            opt2.param_groups[0]["lr"] = 0.1 * (1 - (epoch * 3 + b) / 6)
            idx = order[start:start + 3]
            x = inputs.normalise(inputs.augment(X[idx], g, order="rows-then-cols"), "zero-cost-nas", "cifar10")
            opt2.zero_grad()
            logits = twin(x)
            loss = F.cross_entropy(logits, Y[idx])
            loss.backward()
            opt2.step()
            losses += loss.item() * len(idx)
            correct += int((logits.argmax(1) == Y[idx]).sum())
    assert all(torch.equal(a, b) for a, b in zip(net.parameters(), twin.parameters()))
    assert out == {"train_loss": losses / 7, "train_accuracy": correct / 7, "steps": 3}
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * (1 - 5 / 6))   # the last step's rate


def test_fit_epochs_refuses_bad_epochs_limits_and_generators():
    opt = torch.optim.SGD(_net().parameters(), lr=0.1)
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        fit_epochs(_net(), (X, Y), PLAIN, opt, generator=np.random.default_rng(0), epochs=0)
    with pytest.raises(ValueError, match="limit must be a positive integer"):
        list(epoch_batches((X, Y), PLAIN, np.random.default_rng(0), limit=0))
    with pytest.raises(ValueError, match="generator must be"):
        list(epoch_batches((X, Y), PLAIN, 0))
