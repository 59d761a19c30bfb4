"""Every trainer through the one loop gives the weights its own loop gave, bit for bit.

The shipped tables were trained by the loops frozen in ``tests/frozen_training_loops.py``
(the ground-truth ``_fit``, ``fit_epochs``, the supernet trainer's epoch loop). Each test
trains tiny networks both ways, from the same seeds, and compares weights with
``torch.equal`` (not a tolerance): same random draws in the same order, same
floating-point operations in the same order. One caller kind per test: a lone net, a
stack of nets, probes along training, augmented epochs (torch and numpy generators), a
custom step (the supernet's sandwich step, with a planned stop and a resume).
"""
import copy
import math

import numpy as np
import pytest
import torch

from frozen_training_loops import old_fit, old_fit_epochs, old_supernet_train, _Lone as OldLone
from nascore import inputs
from nascore.spaces import mixed, nb201
from nascore.supernet.recipe import Recipe
from nascore.supernet.trainer import load_supernet, train as supernet_train
from nascore.tables.executors import torch_threads
from nascore.training import Protocol, TrainData, stack, train, train_many
from nascore.training.epochs import fit_epochs
from nascore.training.probes import probe, train_with_probes

ARCHS = [mixed.from_key(k) for k in ("relu-tanh|1>2", "gelu-sigmoid|", "elu-relu|1>2")]
CONV = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    with torch_threads(1):
        yield


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


def _numbers(result):
    """A ``TrainResult`` without its wall time."""
    return result.test_accuracy, result.train_loss, result.epochs, result.failure


def _flat_data(n=37, d=12, seed=0):
    # 37 images in batches of 8: four full batches and one of 5 (the shorter last batch kept)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g)
    y = torch.randint(0, 4, (n,), generator=g)
    return TrainData(x, y, x[:20], y[:20])


def _old_train(factories, data, protocol, seed, stacked):
    """The frozen loop on fresh nets from ``factories``; returns (results, final nets)."""
    final = {}
    hook = lambda epoch, nets: final.__setitem__(epoch, nets)  # noqa: E731
    nets = [f(seed) for f in factories]
    if stacked:
        return old_fit(stack(nets), data, protocol, seed=seed, on_checkpoint=hook), final
    results, finals = [], {}
    for net in nets:
        final.clear()
        results += old_fit(OldLone(net), data, protocol, seed=seed, on_checkpoint=hook)
        for epoch, trained in final.items():
            finals.setdefault(epoch, []).extend(trained)
    return results, finals


@pytest.mark.parametrize("protocol", [
    Protocol(epochs=3, checkpoints=(1,), batch_size=8, lr=0.3),                            # SGD, cosine
    Protocol(epochs=2, checkpoints=(), batch_size=8, lr=0.01, optimizer="adam", schedule="constant",
             weight_decay=1e-3),
])
def test_a_lone_net_trains_to_the_old_loops_weights(protocol):
    data = _flat_data()
    factory = lambda s: ARCHS[0].build(12, 6, 4, seed=s)  # noqa: E731
    got = {}
    new = train(factory, data, protocol, seed=5, on_checkpoint=lambda e, nets: got.__setitem__(e, nets))
    (old,), want = _old_train([factory], data, protocol, 5, stacked=False)
    assert _numbers(new) == _numbers(old)
    assert sorted(got) == sorted(want) == list(protocol.eval_epochs)
    assert all(_same_weights(a, b) for e in got for a, b in zip(got[e], want[e]))


def test_a_stack_of_nets_trains_to_the_old_loops_weights():
    data = _flat_data()
    protocol = Protocol(epochs=2, checkpoints=(1,), batch_size=8, lr=0.5)
    factories = [lambda s, a=a: a.build(12, 6, 4, seed=s) for a in ARCHS]
    got = {}
    new = train_many(factories, data, protocol, seed=2, on_checkpoint=lambda e, nets: got.__setitem__(e, nets))
    old, want = _old_train(factories, data, protocol, 2, stacked=True)
    assert [_numbers(r) for r in new] == [_numbers(r) for r in old]
    assert all(_same_weights(a, b) for e in (1, 2) for a, b in zip(got[e], want[e]))
    assert len(got[2]) == 3


def test_a_diverging_stack_fails_the_same_net_in_the_same_epoch():
    data = _flat_data()
    protocol = Protocol(epochs=2, checkpoints=(), batch_size=8, lr=1e30)  # every net blows up
    factories = [lambda s, a=a: a.build(12, 6, 4, seed=s) for a in ARCHS[:2]]
    new = train_many(factories, data, protocol, seed=0)
    old, _ = _old_train(factories, data, protocol, 0, stacked=True)
    assert [r.failure for r in new] == [r.failure for r in old]
    assert all(r.failure and "the run diverged" in r.failure for r in new)


def test_probes_along_training_see_the_old_loops_nets():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(20, 1, 8, 8, generator=g), torch.arange(20) % 5
    data = TrainData(x, y, x, y)
    protocol = Protocol(epochs=3, checkpoints=(1, 2), batch_size=8, lr=0.05, inputs="image")
    factory = lambda s: nb201.Network(CONV, C=4, N=1, num_classes=5, in_channels=1, seed=s)  # noqa: E731
    result, probes, _ = train_with_probes(factory, data, protocol, seed=0, probe_inputs=x,
                                          probe_targets=y, probe_epochs=(1, 3))

    # by hand on the frozen loop: probe at init, then after epochs 1 and 3 against the initial kernel
    net = factory(0)
    want = {}
    want[0], theta0 = probe(net, x, y)

    def take(epoch, nets):
        if epoch in (1, 3):
            want[epoch] = probe(nets[0], x, y, theta0=theta0)[0]

    old, = old_fit(OldLone(net), data, protocol, seed=0, on_checkpoint=take)
    assert (result.test_accuracy, result.train_loss) == (old.test_accuracy, old.train_loss)
    assert probes == want                                   # every probe value, exactly


def _images(n=23, seed=0, side=8):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 3, side, side, generator=g), torch.randint(0, 5, (n,), generator=g)


@pytest.mark.parametrize("make_generator, limit", [(lambda: torch.Generator().manual_seed(3), None),
                                                   (lambda: np.random.default_rng(3), 17)])
def test_augmented_epochs_train_to_the_old_loops_weights(make_generator, limit):
    images = _images()
    protocol = inputs.PROTOCOLS["nb201"].replace(batch_size=5)
    lr_at = lambda step, total: 0.2 * (1 - step / total)  # noqa: E731
    net = nb201.Network(CONV, C=2, N=1, num_classes=5, seed=1)
    twin = copy.deepcopy(net)
    groups = lambda m: [{"params": list(m.parameters())[:3], "weight_decay": 1e-3},  # noqa: E731
                        {"params": list(m.parameters())[3:], "weight_decay": 0.0}]
    new = fit_epochs(net, images, protocol, torch.optim.SGD(groups(net), lr=0.1, momentum=0.9, nesterov=True),
                     generator=make_generator(), epochs=2, lr_at=lr_at, limit=limit)
    old = old_fit_epochs(twin, images, protocol, torch.optim.SGD(groups(twin), lr=0.1, momentum=0.9, nesterov=True),
                         generator=make_generator(), epochs=2, lr_at=lr_at, limit=limit)
    assert new == old
    assert _same_weights(net, twin)
    assert new["steps"] == (5 if limit is None else 4)      # 23 / 5 -> 5 steps; 17 / 5 -> 4


@pytest.mark.parametrize("variant", [dict(), dict(sandwich=False, distillation=False, schedule="cosine")])
def test_the_supernets_sandwich_step_trains_to_the_old_loops_weights(tmp_path, variant):
    recipe = Recipe(C=2, N=1, epochs=3, batch_size=8, **variant)
    images = _images(n=21, side=12)
    # the new loop stopped after epoch 1 and resumed; the frozen loop in one go
    first = supernet_train(tmp_path / "new", recipe, images=images, progress=False, stop_after=1)
    new = supernet_train(tmp_path / "new", recipe, images=images, progress=False)
    old = old_supernet_train(tmp_path / "old", recipe, images=images, progress=False)
    assert (first["epochs_done"], new["epochs_done"], old["epochs_done"]) == (1, 3, 3)
    assert not new["stopped_early"] and not old["stopped_early"]
    drop = lambda log: [{k: v for k, v in row.items() if k != "seconds"} for row in log]  # noqa: E731
    assert drop(new["log"]) == drop(old["log"])             # losses, decay, last rate of every epoch
    net_new, _, state_new = load_supernet(tmp_path / "new")
    net_old, _, state_old = load_supernet(tmp_path / "old")
    assert _same_weights(net_new, net_old) and state_new["epoch"] == state_old["epoch"] == 3


@pytest.mark.parametrize("lr, schedule", [(0.1, "cosine"), (1 / 3, "cosine"), (2, "cosine"), (0.05, "constant")])
def test_the_protocols_rate_is_the_rate_lambdalr_set(lr, schedule):
    # the shipped ground truth was trained with LambdaLR(base_lr * scale(step)); 37 steps
    from nascore.training.ground_truth import learning_rate

    protocol = Protocol(lr=lr, schedule=schedule)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scale = (lambda k: 0.5 * (1.0 + math.cos(math.pi * k / 37))) if schedule == "cosine" else (lambda k: 1.0)
    scheduler = torch.optim.lr_scheduler.LambdaLR(opt, scale)
    for k in range(37):
        assert learning_rate(protocol, k, 37) == opt.param_groups[0]["lr"], k   # exactly
        opt.step()
        scheduler.step()


def test_the_supernets_deadline_stops_after_the_first_epoch_as_the_old_loop_did(tmp_path):
    # a deadline of 1 ns is past after any epoch: both loops stop after epoch 1 of 3, flagged
    recipe = Recipe(C=2, N=1, epochs=3, batch_size=8)
    images = _images(n=10, side=12)
    new = supernet_train(tmp_path / "new", recipe, images=images, progress=False, deadline_seconds=1e-9)
    old = old_supernet_train(tmp_path / "old", recipe, images=images, progress=False, deadline_seconds=1e-9)
    assert (new["epochs_done"], new["stopped_early"]) == (old["epochs_done"], old["stopped_early"]) == (1, True)
    assert _same_weights(load_supernet(tmp_path / "new")[0], load_supernet(tmp_path / "old")[0])
    # the last epoch is never "stopped early": a one-epoch recipe ends normally
    one = supernet_train(tmp_path / "one", Recipe(C=2, N=1, epochs=1, batch_size=8), images=images,
                         progress=False, deadline_seconds=1e-9)
    assert (one["epochs_done"], one["stopped_early"]) == (1, False)
