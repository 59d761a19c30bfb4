"""NAS-Bench-201 network: structure, hand-counted parameters, and the shipped table's counts."""
import json

import pytest
import torch

from nascore.paths import DATA_DIR
from nascore.spaces import nb201
from nascore.spaces.nb201 import Network
from nascore.spaces.nb201 import Cell

torch.set_num_threads(min(2, torch.get_num_threads()))

ALL_NONE = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
ONLY_0_TO_3_SKIP = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"


def _count(net):
    return sum(p.numel() for p in net.parameters())


@pytest.fixture(scope="module")
def zc_table():
    with open(DATA_DIR / "nasbench201-zc" / "zc_nasbench201.json") as handle:
        return json.load(handle)


def test_parameter_count_by_hand_for_the_empty_cell():
    # With every edge 'none' only the skeleton has weights (C=16, 10 classes):
    #   stem conv 3*16*9 = 432, BN 2*16 = 32
    #   reduction 16->32: 16*32*9 + 64 + 32*32*9 + 64 + shortcut 16*32 = 14,464
    #   reduction 32->64: 32*64*9 + 128 + 64*64*9 + 128 + shortcut 32*64 = 57,600
    #   head BN 2*64 = 128, classifier 64*10 + 10 = 650            total 73,306
    assert _count(Network(ALL_NONE)) == 73_306


def test_a_conv_edge_adds_its_conv_and_bn_in_every_cell():
    # One nor_conv_3x3 edge adds, per cell, C_s*C_s*9 + 2*C_s with C_s = 16, 32, 64, in N=5 cells each.
    one_conv = "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    extra = 5 * sum(c * c * 9 + 2 * c for c in (16, 32, 64))
    assert _count(Network(one_conv)) == 73_306 + extra


@pytest.mark.parametrize("dataset, num_classes", [("cifar10", 10), ("cifar100", 100), ("ImageNet16-120", 120)])
def test_parameter_counts_match_the_nasbench201_table(zc_table, dataset, num_classes):
    # The table's `params` is NAS-Bench-201's count for the whole network (classifier included)
    # in millions, printed to 6 decimals, i.e. exact.  20 architectures per dataset here; all
    # 2,173 rows of the shipped table agree (checked once when the network was written).
    rows = zc_table[dataset]
    for key in sorted(rows)[::len(rows) // 20][:20]:
        arch = nb201.from_op_indices(nb201.parse_tuple_key(key))
        net = Network(arch, C=16, N=5, num_classes=num_classes)
        assert round(_count(net) / 1e6, 6) == rows[key]["params"]["score"], (dataset, key, arch)


def test_logits_shape_for_cifar_and_small_inputs():
    arch = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
    assert Network(arch, C=4, N=1)(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    assert Network(arch, C=8, N=1, num_classes=3, in_channels=1)(torch.randn(5, 1, 16, 16)).shape == (5, 3)


def test_structure_has_three_stages_and_two_reductions():
    net = Network(ALL_NONE, C=4, N=2)
    kinds = [type(m).__name__ for m in net.cells]
    assert kinds == ["Cell"] * 2 + ["ResidualReduction"] + ["Cell"] * 2 + ["ResidualReduction"] + ["Cell"] * 2
    assert net.classifier.in_features == 16


def test_cell_wiring_follows_the_string():
    x = torch.randn(2, 3, 5, 5)
    # Only the edge 0 -> 3 is a skip: the cell is the identity.
    torch.testing.assert_close(Cell(ONLY_0_TO_3_SKIP, 3)(x), x)
    # node1 = x, node2 = x + node1 = 2x, node3 = node2 = 2x.
    doubling = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|none~0|none~1|skip_connect~2|"
    torch.testing.assert_close(Cell(doubling, 3)(x), 2 * x)
    assert not Cell(ALL_NONE, 3)(x).any()


def test_empty_cell_network_outputs_only_the_classifier_bias():
    net = Network(ALL_NONE, C=4, N=1).eval()
    logits = net(torch.randn(3, 3, 8, 8))
    torch.testing.assert_close(logits, net.classifier.bias.expand(3, -1))


def test_op_index_tuple_is_accepted():
    arch = nb201.from_op_indices((0, 2, 3, 2, 3, 1))
    assert Network((0, 2, 3, 2, 3, 1), C=4, N=1).arch_str == arch


def test_seed_fixes_the_weights_and_leaves_global_state_alone():
    state = torch.random.get_rng_state()
    a, b = Network(ALL_NONE, C=4, N=1, seed=3), Network(ALL_NONE, C=4, N=1, seed=3)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = Network(ALL_NONE, C=4, N=1, seed=4)
    assert not torch.equal(a.stem[0].weight, c.stem[0].weight)


@pytest.mark.parametrize("kwargs, message", [
    ({"arch_str": "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|"}, "unknown operation"),
    ({"arch_str": "|none~0|"}, "3 groups"),
    ({"arch_str": (0, 1, 7, 0, 0, 0)}, "6 integers"),
    ({"C": 0}, "C must be a positive integer"),
    ({"N": 1.5}, "N must be a positive integer"),
    ({"num_classes": -1}, "num_classes"),
])
def test_bad_arguments_raise_value_error(kwargs, message):
    args = {"arch_str": ALL_NONE, **kwargs}
    with pytest.raises(ValueError, match=message):
        Network(**args)


# ------------------------------------------------------------- zero-cost-nas's model
DEAD_CONV = "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|nor_conv_1x1~2|"  # node 2 is all zero


def test_zero_cost_convention_changes_only_the_cell_convolutions_and_their_bn():
    """Same seed, same weights; each cell conv gains a bias within PyTorch's default bound
    and its BN loses gamma/beta and running statistics (zero-cost-nas ``nasbench2_ops.py:30-31``)."""
    ours = Network(DEAD_CONV, C=4, N=2, seed=3)
    theirs = Network(DEAD_CONV, C=4, N=2, seed=3, convention="zero-cost-nas")
    assert "convention='zero-cost-nas'" in repr(theirs) and "convention" not in repr(ours)
    weights = {k: v for k, v in ours.state_dict().items() if k.endswith("weight") and v.dim() > 1}
    for name, value in weights.items():
        assert torch.equal(theirs.state_dict()[name], value), name
    cell_convs = [op[1] for cell in theirs.cells if isinstance(cell, Cell) for op in cell.ops
                  if isinstance(op, nb201.ReLUConvBN)]
    assert len(cell_convs) == 2 * 3 * 2  # two conv edges, three stages of N = 2 cells
    for conv in cell_convs:
        bound = 1 / (conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]) ** 0.5
        assert conv.bias is not None and conv.bias.abs().max() <= bound and conv.bias.abs().min() > 0
    cell_bns = [op[2] for cell in theirs.cells if isinstance(cell, Cell) for op in cell.ops
                if isinstance(op, nb201.ReLUConvBN)]
    assert all(not bn.affine and not bn.track_running_stats for bn in cell_bns)
    # the reductions keep an affine BN and a bias-free conv
    reduction = theirs.cells[2]
    assert reduction.conv_a[2].affine and reduction.conv_a[1].bias is None
    # parameters by hand: each cell conv adds C_s (bias) and drops 2 C_s (gamma, beta)
    assert _count(ours) - _count(theirs) == sum(conv.out_channels for conv in cell_convs)
    # at init, in train mode, the two compute the same function (the bias cancels in the BN)
    x = torch.randn(6, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(ours.train()(x), theirs.train()(x), atol=1e-5)


def test_zero_cost_convention_makes_a_dead_convolution_count_in_fisher():
    """The conv on edge 2->3 reads node 2, which is all zero. On NB201's model its output is
    zero, so Fisher's a * dL/da term is 0; on zero-cost-nas's it is the bias (constant over
    batch and space), and the BN of a constant scales the gradient by 1/sqrt(eps): those
    layers then outweigh all the others together."""
    from nascore.metrics.zero_cost import FisherRecorder, fisher_value

    x = torch.randn(8, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    y = torch.arange(8) % 10

    def layers(convention):
        """(is the layer's output constant, its Fisher term) per conv/linear layer."""
        net = Network(DEAD_CONV, C=4, N=1, seed=5, convention=convention).train()
        with FisherRecorder(net) as recorder:
            torch.nn.functional.cross_entropy(net(x), y).backward()
        return [(act.dim() == 4 and act.std(dim=(0, 2, 3)).max().item() == 0, fisher_value([(act, grad, w)]))
                for act, grad, w in recorder.captured]

    ours = layers("nb201")
    assert [v for constant, v in ours if constant] == [0.0, 0.0, 0.0]  # one dead conv per cell: a = 0
    theirs = layers("zero-cost-nas")
    dead = [v for constant, v in theirs if constant]
    assert len(dead) == 3 and min(dead) > 0
    assert sum(dead) > 10 * sum(v for constant, v in theirs if not constant)
    assert fisher_value([]) == 0.0


def test_an_unknown_convention_is_refused():
    with pytest.raises(ValueError, match="unknown network convention 'naslib'; allowed: nb201, zero-cost-nas"):
        Network(DEAD_CONV, C=4, N=1, convention="naslib")
