"""The weight-sharing supernet: children, shared weights, the BigNAS step, schedule, augmentation."""
import itertools

import pytest
import torch
from torch.nn import functional as F

from nascore.spaces import nb201
from nascore.supernet import children as kids
from nascore.inputs import augment
from nascore.supernet.network import Supernet, copy_child_into, plan_of
from nascore.supernet.recipe import VARIANTS, Recipe
from nascore.supernet.sandwich import make_optimizer, soft_cross_entropy, step_children, train_step
from nascore.supernet.schedule import learning_rate

torch.set_num_threads(1)

ALL_CONV3 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
SKIP_ONLY = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"
ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
# Node 1 gets nothing from the input, yet its conv to node 3 adds BN's shift (a constant).
DANGLING_CONV = "|none~0|+|skip_connect~0|none~1|+|none~0|nor_conv_3x3~1|skip_connect~2|"


# -- children -------------------------------------------------------------------------------
def test_effective_edges_follow_paths_from_input_to_output():
    assert kids.effective_edges(SKIP_ONLY) == {(0, 3): "skip_connect"}
    assert kids.effective_edges(ALL_NONE) == {}
    # (0,1) conv feeds node 1, but node 1 has no way out: only 0->2->3 counts
    arch = "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|avg_pool_3x3~2|"
    assert kids.effective_edges(arch) == {(0, 2): "skip_connect", (2, 3): "avg_pool_3x3"}
    assert kids.effective_edges(DANGLING_CONV) == {(0, 2): "skip_connect", (2, 3): "skip_connect"}


def test_connected_children_counted_by_brute_force_over_paths():
    # Independent route: the output depends on the input iff one of the four paths
    # 0-3, 0-1-3, 0-2-3, 0-1-2-3 has no 'none' edge.
    paths = [[(0, 3)], [(0, 1), (1, 3)], [(0, 2), (2, 3)], [(0, 1), (1, 2), (2, 3)]]
    count = 0
    for ops in itertools.product(nb201.OPS, repeat=6):
        edge_op = dict(zip(nb201.STRING_EDGES, ops))
        count += any(all(edge_op[e] != "none" for e in path) for path in paths)
    assert len(kids.connected_architectures()) == count == 15_284


def test_cell_macs_by_hand():
    # Two 1x1 convs on a path, C=2, 4x4 inputs: per stage c^2 * H * W each, and c doubles
    # while H*W quarters: 2 * (4*16 + 16*4 + 64*1) = 384.
    arch = "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|nor_conv_1x1~1|none~2|"
    assert kids.cell_macs(arch, C=2, N=1, resolution=4) == 384
    assert kids.cell_macs(arch, C=2, N=3, resolution=4) == 3 * 384
    # 3x3 pool: 9 c H W per stage = 9 * (2*16 + 4*4 + 8*1) = 504; a skip costs nothing
    pool = "|none~0|+|none~0|none~1|+|avg_pool_3x3~0|none~1|none~2|"
    assert kids.cell_macs(pool, C=2, N=1, resolution=4) == 504
    assert kids.cell_macs(SKIP_ONLY, C=2, N=1, resolution=4) == 0
    with pytest.raises(ValueError, match="C must be a positive integer"):
        kids.cell_macs(arch, C=0, N=1)


def test_largest_and_smallest_children():
    assert kids.largest(16, 1) == ALL_CONV3
    assert kids.smallest(16, 1) == SKIP_ONLY
    assert kids.smallest(4, 2) == SKIP_ONLY


def test_sampling_is_seeded_and_connected():
    a = kids.sample_connected(50, torch.Generator().manual_seed(3))
    b = kids.sample_connected(50, torch.Generator().manual_seed(3))
    assert a == b and all(kids.is_connected(x) for x in a)
    sample = kids.uniform_sample(100, seed=0)
    assert len(set(sample)) == 100 and sample == kids.uniform_sample(100, seed=0)
    # the same architectures as the CIFAR score table's sample, so they have training-free scores
    from nascore.bench.cifar_scores import select_archs
    assert sample == select_archs("sample:100")
    with pytest.raises(ValueError, match="n must be"):
        kids.uniform_sample(20_000)


# -- network --------------------------------------------------------------------------------
def _scramble_bn(net, seed=0):
    g = torch.Generator().manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.weight.data = torch.rand(m.weight.shape, generator=g) + 0.5
            m.bias.data = torch.randn(m.bias.shape, generator=g)
            m.running_mean = torch.randn(m.running_mean.shape, generator=g)
            m.running_var = torch.rand(m.running_var.shape, generator=g) + 0.5


@pytest.mark.parametrize("mode", ["train", "eval"])
def test_a_child_computes_the_stand_alone_network_with_its_weights(mode):
    supernet = Supernet(C=4, N=2, seed=1)
    _scramble_bn(supernet)
    x = torch.randn(6, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    for arch in nb201.sample(40, seed=5) + [DANGLING_CONV, ALL_NONE, SKIP_ONLY, ALL_CONV3]:
        network = copy_child_into(supernet, arch, nb201.Network(arch, C=4, N=2))
        supernet.train(mode == "train"), network.train(mode == "train")
        assert torch.equal(supernet(x, arch), network(x)), arch


def test_weights_are_shared_between_children():
    supernet = Supernet(C=4, N=1, seed=0)
    a = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|"  # not connected to the input
    b = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|none~2|"
    shared = supernet.cells[0].edges[0].choices["nor_conv_3x3"]
    ids = {id(p) for p in shared.parameters()}
    assert ids <= {id(p) for p in supernet.child_parameters(b)}
    assert plan_of(a)[0] is None  # node 1 never reaches the output in a
    assert not ids & {id(p) for p in supernet.child_parameters(a)}


def test_disconnected_child_ignores_the_image():
    supernet = Supernet(C=4, N=1, seed=0).eval()
    x = torch.randn(4, 3, 8, 8)
    out = supernet(x, ALL_NONE)
    assert torch.allclose(out, out[:1].expand_as(out))


def test_zero_init_makes_reduction_blocks_start_as_their_shortcut():
    supernet = Supernet(C=4, N=1, seed=0)
    supernet.zero_init_residual()
    supernet.eval()
    block = supernet.cells[1]
    x = torch.randn(2, 4, 8, 8)
    assert torch.allclose(block(x), block.shortcut(x))


def test_decayed_weights_of_the_smallest_and_largest_child():
    supernet = Supernet(C=4, N=1, seed=0)
    # skeleton: stem conv, 2 reductions x (2 convs + shortcut conv), classifier = 8
    assert len(supernet.decay_parameters(SKIP_ONLY)) == 8
    assert len(supernet.decay_parameters(ALL_CONV3)) == 8 + 3 * 6


# -- the BigNAS step ------------------------------------------------------------------------
def test_step_children_follow_the_sandwich_rule():
    g = torch.Generator().manual_seed(0)
    recipe = Recipe(C=4, N=1)
    step = step_children(recipe, g)
    assert step[:2] == [ALL_CONV3, SKIP_ONLY] and len(step) == 4
    plain = Recipe.for_variant("no_sandwich", C=4, N=1)
    for _ in range(20):
        step = step_children(plain, g)
        costs = [kids.cell_macs(a, 4, 1) for a in step]
        assert len(step) == 4 and costs[0] == max(costs)


def test_soft_cross_entropy_on_one_hot_targets_is_cross_entropy():
    logits = torch.randn(5, 10, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 3, 3, 9, 1])
    assert torch.allclose(soft_cross_entropy(logits, F.one_hot(y, 10).float()), F.cross_entropy(logits, y))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_step_applies_the_summed_gradient_of_its_children(variant):
    # SGD without momentum and lr 1: the update is minus the gradient of
    # CE(teacher) + decay(teacher) + sum_students loss_s, with detached teacher targets.
    recipe = Recipe.for_variant(variant, C=2, N=1, lr=1.0, momentum=0.0)
    net = Supernet(C=2, N=1, seed=0)
    x = torch.randn(8, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    y = torch.arange(8) % 10
    before = {k: v.clone() for k, v in net.state_dict().items()}
    out = train_step(net, make_optimizer(net, recipe), x, y, recipe, torch.Generator().manual_seed(2))

    manual = Supernet(C=2, N=1, seed=0)
    archs = out["children"]
    teacher = manual(x, archs[0])
    total = F.cross_entropy(teacher, y) + 0.5 * 5e-4 * sum(w.pow(2).sum() for w in manual.decay_parameters(archs[0]))
    target = F.softmax(teacher.detach(), dim=1)
    for arch in archs[1:]:
        logits = manual(x, arch)
        total = total + (soft_cross_entropy(logits, target) if recipe.distillation else F.cross_entropy(logits, y))
    total.backward()
    for (name, p), q in zip(net.named_parameters(), manual.parameters()):
        grad = q.grad if q.grad is not None else torch.zeros_like(q)
        assert torch.allclose(p.detach(), before[name] - grad, atol=1e-6), name


# -- schedule and augmentation ----------------------------------------------------------------
def test_bignas_schedule_decays_to_its_floor_then_stays():
    values = [learning_rate(t, 300, lr=0.1) for t in range(301)]
    assert values[0] == 0.1 and values[100] == pytest.approx(0.1 * 0.05 ** 0.5)
    assert values[200:] == pytest.approx([0.005] * 101)
    assert all(a >= b for a, b in zip(values, values[1:]))
    assert learning_rate(150, 300, lr=0.1, schedule="cosine") == pytest.approx(0.05)
    with pytest.raises(ValueError, match="unknown schedule"):
        learning_rate(0, 10, lr=0.1, schedule="step")


def test_the_supernet_crop_flip_cuts_windows_of_the_padded_image():
    x = torch.arange(2 * 3 * 6 * 6, dtype=torch.float32).reshape(2, 3, 6, 6) + 1
    out = augment(x, torch.Generator().manual_seed(0), order="rows-then-cols", padding=2)
    padded = F.pad(x, (2, 2, 2, 2))
    for i in range(2):
        windows = [padded[i, :, r:r + 6, c:c + 6] for r in range(5) for c in range(5)]
        assert any(torch.equal(out[i], w) or torch.equal(out[i], w.flip(-1)) for w in windows)
    flips = augment(x, torch.Generator().manual_seed(0), order="rows-then-cols", padding=0)
    assert all(torch.equal(f, a) or torch.equal(f, a.flip(-1)) for f, a in zip(flips, x))
    assert torch.equal(out, augment(x, torch.Generator().manual_seed(0), order="rows-then-cols", padding=2))


def test_recipe_rejects_bad_values():
    with pytest.raises(ValueError, match="unknown variant"):
        Recipe.for_variant("half")
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        Recipe(epochs=0)
    assert Recipe.for_variant("neither").variant == "neither"
    assert Recipe.from_dict(Recipe().to_dict()) == Recipe()


def test_children_sets_of_one_kind_are_nested():
    from nascore.supernet.runs import children_for

    # a run evaluated on fewer children shares them with a run evaluated on more
    assert children_for("zcsample:200")[:100] == children_for("zcsample:100")
    assert children_for("sample:200")[:100] == children_for("sample:100")
    assert set(children_for("zcsample:50")) <= set(children_for("zc"))
