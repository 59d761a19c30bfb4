"""The one training loop (nascore.training.loop) and its plain steps (nascore.training.steps),
on worked examples small enough to follow by hand."""
import math

import pytest
import torch
from torch import nn

from nascore.training import EpochEnd, run_epochs, shuffled_batches
from nascore.training.stacked import Stacked
from nascore.training.steps import cross_entropy_step, stacked_cross_entropy_step


def _recording_step(log):
    def step(batch):
        log.append(("step", batch))
        return batch
    return step


def test_epochs_of_steps_with_the_rate_set_before_each_step_and_hooks_after_each_epoch():
    # 2 epochs of 3 batches: rates lr_at(0..5, 6) before the steps, one hook call per epoch
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=9.0)
    log = []
    step = _recording_step(log)

    def lr_at(k, total):
        log.append(("lr", k, total))
        return 1.0 / (k + 1)

    def hook(end: EpochEnd):
        log.append(("end", end.epoch, end.reports, opt.param_groups[0]["lr"]))

    done = run_epochs(step, lambda epoch: [10 * epoch + b for b in range(3)], epochs=2, steps_per_epoch=3,
                      optimizer=opt, lr_at=lr_at, on_epoch=[hook])
    assert done == 2
    assert log == [("lr", 0, 6), ("step", 0), ("lr", 1, 6), ("step", 1), ("lr", 2, 6), ("step", 2),
                   ("end", 1, [0, 1, 2], 1 / 3),
                   ("lr", 3, 6), ("step", 10), ("lr", 4, 6), ("step", 11), ("lr", 5, 6), ("step", 12),
                   ("end", 2, [10, 11, 12], 1 / 6)]


def test_a_resumed_run_counts_steps_from_its_first_epoch_and_until_stops_early():
    # epochs 3..4 of a 5-epoch schedule of 2 steps: global steps 4..7 of 10
    seen = []
    done = run_epochs(lambda b: b, lambda epoch: [epoch, epoch], epochs=5, steps_per_epoch=2,
                      optimizer=torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=1.0),
                      lr_at=lambda k, total: seen.append((k, total)) or 0.1, first_epoch=2, until=4)
    assert done == 4 and seen == [(4, 10), (5, 10), (6, 10), (7, 10)]
    # nothing left to do: the epochs already done come back
    assert run_epochs(lambda b: b, lambda e: [e], epochs=5, steps_per_epoch=1, first_epoch=3, until=2) == 3


def test_a_hook_returning_true_stops_after_that_epoch_but_every_hook_runs():
    calls = []
    stop_at_two = lambda end: calls.append(("a", end.epoch)) or end.epoch == 2  # noqa: E731
    other = lambda end: calls.append(("b", end.epoch))  # noqa: E731
    done = run_epochs(lambda b: b, lambda e: [e], epochs=5, steps_per_epoch=1, on_epoch=[stop_at_two, other])
    assert done == 2 and calls == [("a", 1), ("b", 1), ("a", 2), ("b", 2)]


def test_shuffled_batches_cut_each_epochs_permutation_the_last_batch_shorter():
    x, y = torch.arange(5.0) * 10, torch.arange(5)
    g = torch.Generator().manual_seed(7)
    batches = shuffled_batches(x, y, 2, g)
    first, second = list(batches(0)), list(batches(1))
    h = torch.Generator().manual_seed(7)
    p0, p1 = torch.randperm(5, generator=h), torch.randperm(5, generator=h)
    assert [len(b) for _, b in first] == [2, 2, 1]
    assert torch.equal(torch.cat([b for _, b in first]), p0)
    assert torch.equal(torch.cat([a for a, _ in second]), 10.0 * p1)   # a new permutation each epoch


def test_bad_options_are_refused_by_name():
    step, batches = (lambda b: b), (lambda e: [])
    with pytest.raises(ValueError, match="epochs must be a positive integer, got 0"):
        run_epochs(step, batches, epochs=0, steps_per_epoch=1)
    with pytest.raises(ValueError, match="steps_per_epoch must be a positive integer, got 1.5"):
        run_epochs(step, batches, epochs=1, steps_per_epoch=1.5)
    with pytest.raises(ValueError, match="first_epoch must be an integer in 0..epochs=2, got 3"):
        run_epochs(step, batches, epochs=2, steps_per_epoch=1, first_epoch=3)
    with pytest.raises(ValueError, match="until must be a non-negative integer or None, got -1"):
        run_epochs(step, batches, epochs=2, steps_per_epoch=1, until=-1)
    with pytest.raises(ValueError, match="lr_at needs the optimizer"):
        run_epochs(step, batches, epochs=2, steps_per_epoch=1, lr_at=lambda k, t: 0.1)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        shuffled_batches(torch.zeros(2), torch.zeros(2), 0, torch.Generator())
    with pytest.raises(ValueError, match="x has 3 rows but y has 2"):
        shuffled_batches(torch.zeros(3), torch.zeros(2), 1, torch.Generator())


def test_one_cross_entropy_step_by_hand():
    # zero weights: logits (0, 0), loss log 2, softmax (1/2, 1/2); for x = 2 and class 0 the
    # gradient is (p - onehot) x = (-1, 1); one SGD step of lr 0.1 gives W = (0.1, -0.1)
    net = nn.Linear(1, 2, bias=False)
    nn.init.zeros_(net.weight)
    opt = torch.optim.SGD(net.parameters(), lr=0.1)
    loss, correct, size = cross_entropy_step(net, opt)((torch.tensor([[2.0]]), torch.tensor([0])))
    assert loss.item() == pytest.approx(math.log(2)) and int(correct) == 1 and size == 1
    assert torch.allclose(net.weight, torch.tensor([[0.1], [-0.1]]))


class _TwoScalars(Stacked):
    """Two nets ``x -> (w_b x, -w_b x)`` as one stack: logits ``(2, n, 2)``."""

    def __init__(self, w):
        super().__init__()
        self.w = nn.Parameter(torch.tensor(w))

    def forward(self, x):
        z = self.w.view(-1, 1) * x.view(1, -1)
        return torch.stack([z, -z], dim=-1)


def test_the_stacked_step_keeps_each_nets_gradient_its_own():
    # net b: logits (w_b x, -w_b x) on x = 1, class 0: loss log(1 + exp(-2 w_b)),
    # dloss/dw_b = -2 / (1 + exp(2 w_b)); w = (0, 1): gradients (-1, -2 / (1 + e^2))
    model = _TwoScalars([0.0, 1.0])
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    losses, size = stacked_cross_entropy_step(model, opt)((torch.tensor([1.0]), torch.tensor([0])))
    assert size == 1
    assert losses.tolist() == pytest.approx([math.log(2), math.log(1 + math.exp(-2))])
    assert model.w.tolist() == pytest.approx([1.0, 1.0 + 2 / (1 + math.exp(2))])
