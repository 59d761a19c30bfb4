"""Sanity checks that would expose a defect in the supernet (issue 25, item 1).

- trained with one fixed child only, the supernet ends with the weights of that child
  trained alone with the same recipe, initial weights, data order and augmentation;
- BN recalibration gives every BN of the child the statistics of a fresh pass over the
  calibration images, computed here by hand from the BN inputs;
- a child's evaluation does not depend on the children evaluated before it;
- the largest child learns: more epochs fit its training images better.
"""
import copy

import pytest
import torch

from nascore.inputs import normalise
from nascore.spaces import nb201
from nascore.supernet import children as kids
from nascore.supernet.evaluate import child_accuracy, recalibrate
from nascore.tables.nb201_supernet import evaluate_children
from nascore.supernet.inputs import calibration_set, training_images
from nascore.supernet.network import Supernet, copy_child_into
from nascore.supernet.recipe import Recipe
from nascore.supernet.sandwich import step_children
from nascore.supernet.standalone import fit
from nascore.supernet.trainer import load_supernet, train

torch.set_num_threads(1)

# both convolutions, a pool and a skip, every edge but the two none ones effective
ARCH = "|nor_conv_3x3~0|+|none~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"
# ordinary weight decay and NAS-Bench-201's cosine schedule: the stand-alone recipe
ALONE = dict(C=2, N=1, epochs=2, batch_size=16, sandwich=False, distillation=False, schedule="cosine",
             zero_init_residual=False)


def _images(n=48, seed=0, side=12):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 3, side, side, generator=g), torch.randint(0, 10, (n,), generator=g)


# -- one fixed child: the supernet is that child trained alone --------------------------------
def test_a_one_child_recipe_draws_nothing():
    recipe = Recipe(**ALONE, only_child=ARCH)
    g = torch.Generator().manual_seed(0)
    state = g.get_state()
    assert step_children(recipe, g) == [ARCH] and torch.equal(g.get_state(), state)
    assert recipe.variant == "one_child"
    with pytest.raises(ValueError, match="sandwich=False"):
        Recipe(C=2, N=1, only_child=ARCH)
    with pytest.raises(ValueError, match="architecture string"):
        Recipe(**ALONE, only_child="|conv~0|")


@pytest.mark.parametrize("decay_teacher_only", [False, True])
def test_a_supernet_trained_on_one_child_is_that_child_trained_alone(tmp_path, decay_teacher_only):
    recipe = Recipe(**ALONE, only_child=ARCH, decay_teacher_only=decay_teacher_only)
    images = _images()
    train(tmp_path, recipe, images=images, progress=False)
    supernet, _, _ = load_supernet(tmp_path)

    initial = Supernet(recipe.C, recipe.N, seed=recipe.seed)  # what train() starts from
    alone = copy_child_into(initial, ARCH, nb201.Network(ARCH, C=recipe.C, N=recipe.N))
    fit(alone, images, epochs=recipe.epochs, batch_size=recipe.batch_size, lr=recipe.lr,
        weight_decay=recipe.weight_decay, seed=recipe.seed)
    inherited = copy_child_into(supernet, ARCH, nb201.Network(ARCH, C=recipe.C, N=recipe.N))

    expected, got = alone.state_dict(), inherited.state_dict()
    assert expected.keys() == got.keys()
    assert not torch.equal(expected["stem.0.weight"], initial.state_dict()["stem.0.weight"])  # it trained
    for key in expected:
        if decay_teacher_only:  # decay through the loss vs in the optimiser: the same update, other round-off
            assert torch.allclose(got[key].float(), expected[key].float(), rtol=1e-4, atol=1e-6), key
        else:
            assert torch.equal(got[key], expected[key]), key
    # the operations the child never runs are where they started
    used = {id(p) for p in supernet.child_parameters(ARCH)}
    for (name, p), q in zip(supernet.named_parameters(), initial.parameters()):
        if id(p) not in used:
            assert torch.equal(p, q), name


# -- BN recalibration -------------------------------------------------------------------------
def _bn_inputs_of_a_fresh_pass(network, batches):
    """Every BN's inputs, batch by batch, in a train-mode pass of a copy of ``network``."""
    network = copy.deepcopy(network).train()
    seen = {}
    norms = [m for m in network.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    hooks = [m.register_forward_pre_hook(lambda m, args, i=i: seen.setdefault(i, []).append(args[0].detach()))
             for i, m in enumerate(norms)]
    with torch.no_grad():
        for batch in batches:
            network(batch)
    for h in hooks:
        h.remove()
    return [seen[i] for i in range(len(norms))]


@pytest.mark.parametrize("n, batch_size, sizes", [(21, 8, [7, 7, 7]), (24, 8, [8, 8, 8]), (5, 256, [5])])
def test_recalibrated_statistics_are_those_of_a_fresh_pass(n, batch_size, sizes):
    supernet = Supernet(C=2, N=1, seed=0)
    for m in supernet.modules():  # statistics left by "training", which must not survive
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.fill_(3.0), m.running_var.fill_(7.0), m.num_batches_tracked.fill_(50)
    calibration = torch.randn(n, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    used = recalibrate(supernet, ARCH, calibration, batch_size=batch_size)
    assert used == {"images": n, "batches": len(sizes)}

    fresh = copy_child_into(supernet, ARCH, nb201.Network(ARCH, C=2, N=1))
    recalibrated = [m for m in fresh.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    inputs = _bn_inputs_of_a_fresh_pass(fresh, calibration.split(sizes[0]))
    assert [len(b) for b in inputs[0]] == sizes
    for bn, batches in zip(recalibrated, inputs):
        # by hand: equal batches, so the mean is the mean over every image and position;
        # the variance is the mean of the batches' unbiased variances
        everything = torch.cat(batches).transpose(0, 1).flatten(1)
        mean = everything.mean(1)
        var = torch.stack([b.transpose(0, 1).flatten(1).var(1, unbiased=True) for b in batches]).mean(0)
        assert torch.allclose(bn.running_mean, mean, atol=1e-5)
        assert torch.allclose(bn.running_var, var, rtol=1e-4, atol=1e-6)
    assert all(m.momentum == 0.1 for m in recalibrated) and not supernet.training


def test_calibration_batches_mix_the_classes():
    # The training images are stored by class; a class-sorted calibration set would give
    # each batch of 256 one or two classes (as it did before the fix: 186 of class 0 and
    # 64 of class 1 in the first of 2,000), and BN statistics of such batches.
    _, y = calibration_set(2000)
    assert torch.equal(torch.bincount(y, minlength=10), torch.bincount(training_images(2000, seed=10_000)[1]))
    for batch in y.split(256):
        counts = torch.bincount(batch, minlength=10)
        assert counts.min() >= 1 and counts.max() <= 2 * len(batch) / 10, counts.tolist()


# -- evaluation order -------------------------------------------------------------------------
def _trained_like(seed=0):
    """A supernet whose weights and BN statistics are not at their initial values."""
    net = Supernet(C=2, N=1, seed=seed)
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.3 * torch.randn(p.shape, generator=g))
        for m in net.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.normal_(generator=g), m.running_var.uniform_(0.5, 2.0, generator=g)
    return net


def test_a_childs_evaluation_does_not_depend_on_the_children_before_it(tmp_path):
    calibration = torch.randn(20, 3, 8, 8, generator=torch.Generator().manual_seed(2))
    x, y = _images(64, seed=3, side=8)
    a, b, c = ARCH, kids.largest(2, 1), kids.smallest(2, 1)

    def logits_after(order):
        net = _trained_like()
        for arch in order:
            recalibrate(net, arch, calibration, batch_size=8)
        with torch.no_grad():
            return net(x, order[-1])

    alone = logits_after([a])
    assert torch.equal(logits_after([b, a]), alone)
    assert torch.equal(logits_after([a, b, a]), alone)
    assert torch.equal(logits_after([c, a]), alone)
    # the same through the evaluation loop, rows in either order
    net = _trained_like()
    first = evaluate_children(net, [a, b, c], calibration, x, y, progress=False)
    second = evaluate_children(_trained_like(), [c, b, a], calibration, x, y, progress=False)
    assert {r["arch"]: r["supernet_accuracy"] for r in first} == {r["arch"]: r["supernet_accuracy"] for r in second}


# -- the largest child learns -----------------------------------------------------------------
def _four_colours(n=32, side=16):
    """Four classes of flat-coloured noisy images (dark, red, green, blue): learnable in a
    few dozen steps even by a 4-channel supernet under crop-and-flip augmentation."""
    colours = torch.tensor([[0.1, 0.1, 0.1], [0.9, 0.1, 0.1], [0.1, 0.9, 0.1], [0.1, 0.1, 0.9]])
    y = torch.arange(n) % 4
    noise = 0.1 * torch.randn(n, 3, side, side, generator=torch.Generator().manual_seed(4))
    return (colours[y][:, :, None, None] + noise).clamp(0, 1), y


def test_the_largest_child_fits_its_training_images_better_with_more_epochs(tmp_path):
    # Accuracy on 32 images moves in steps of one class (25 %), so the substance is the
    # loss: over seeds 0-2 it fell from 1.75-1.94 after 1 epoch to 0.34-0.75 after 10
    # (accuracy 50-75 % -> 75-100 %). A largest child that does not learn (no update,
    # a zero learning rate, a gradient that misses the teacher) keeps its loss.
    images = _four_colours()
    x = normalise(images[0], "nb201", "cifar10")
    largest = kids.largest(4, 1)
    loss, acc = {}, {}
    for epochs in (1, 10):
        train(tmp_path / f"e{epochs}", Recipe(C=4, N=1, epochs=epochs, batch_size=8), images=images,
              progress=False)
        net, _, _ = load_supernet(tmp_path / f"e{epochs}")
        acc[epochs] = child_accuracy(net, largest, x, x, images[1])
        with torch.no_grad():
            loss[epochs] = float(torch.nn.functional.cross_entropy(net(x, largest), images[1]))
    assert loss[10] < 0.5 * loss[1] and acc[10] >= acc[1], (loss, acc)
