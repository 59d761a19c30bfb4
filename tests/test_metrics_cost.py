"""Parameter and FLOP counts by hand, and against the shipped NAS-Bench-201 table."""
import numpy as np
import pytest
import torch
from torch import nn

import nascore.metrics as metrics
from nascore.spaces import mixed


def tiny_conv_net():
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.AvgPool2d(2),
        nn.Flatten(), nn.Linear(36, 3),
    )


def test_params_counts_every_trainable_entry_in_millions():
    # conv 3*4*9 + 4, BN 4 + 4, conv 4*4*9, linear 36*3 + 3.
    count = 112 + 8 + 144 + 111
    net = tiny_conv_net()
    assert metrics.score("params", net, torch.randn(2, 3, 6, 6)) == pytest.approx(count / 1e6, rel=1e-12)
    assert metrics.score("params", net, torch.randn(2, 3, 6, 6), millions=False) == count


def test_flops_by_hand_for_one_sample():
    # 6x6 output maps: conv1 36*4*3*9 + bias 36*4; conv2 36*4*4*9; avg pool 3*3*4 outputs * 2*2;
    # linear 36*3 + 3.  Batch size does not matter.
    macs = (3888 + 144) + 5184 + 144 + (108 + 3)
    value = metrics.score("flops", tiny_conv_net(), torch.randn(5, 3, 6, 6))
    assert value == pytest.approx(macs / 1e6, rel=1e-12)
    bare = metrics.score("flops", tiny_conv_net(), torch.randn(1, 3, 6, 6), count_bias=False,
                         count_pooling=False, millions=False)
    assert bare == 3888 + 5184 + 108


def test_flops_of_a_mixed_mlp_count_each_weight_once():
    net = mixed.Architecture(("relu", "tanh")).build(5, 7, 3, seed=0)
    assert metrics.score("flops", net, torch.randn(2, 5), millions=False) == 5 * 7 + 7 * 7 + 7 * 3


# --------------------------------------------------------------------------- NAS-Bench-201 table
@pytest.fixture(scope="module")
def nb201_sample():
    """Ten architectures of the shipped zero-cost table and our full-size networks (C=16, N=5)."""
    import json

    from nascore import paths
    from nascore.spaces import nb201
    from nascore.spaces.nb201 import Network

    table = json.loads((paths.DATA_DIR / "nasbench201-zc" / "zc_nasbench201.json").read_text())["cifar10"]
    keys = sorted(table)[::len(table) // 10][:10]
    rows = []
    for key in keys:
        ops = nb201.parse_tuple_key(key)
        net = Network(ops, C=16, N=5, num_classes=10, seed=0)
        n_conv = sum(nb201.NASLIB_OPS[i].startswith("nor_conv") for i in ops)
        rows.append((table[key], net, n_conv))
    return rows


def test_params_equal_the_nb201_table(nb201_sample):
    x = torch.zeros(1, 3, 32, 32)
    for row, net, _ in nb201_sample:
        assert metrics.score("params", net, x) == pytest.approx(row["params"]["score"], abs=1e-9)


def test_flops_match_the_nb201_table_up_to_its_normalisation_ops(nb201_sample):
    # The table also charges 3 operations per output element of every ReLU-Conv-BN edge
    # (0.43008 M per convolution edge summed over the 15 cells) and a fixed 0.136246 M for
    # the stem, reductions and head; multiply-accumulates and pooling agree exactly.
    x = torch.zeros(1, 3, 32, 32)
    flops = metrics.info("flops").function  # no defensive copy needed: counting changes nothing
    ours = [flops(net, x) for _, net, _ in nb201_sample]
    for value, (row, _, n_conv) in zip(ours, nb201_sample):
        assert value + 0.43008 * n_conv + 0.136246 == pytest.approx(row["flops"]["score"], abs=1e-6)
    from scipy.stats import spearmanr

    assert spearmanr(ours, [row["flops"]["score"] for row, _, _ in nb201_sample])[0] > 0.95


def test_log_synflow_tracks_the_nb201_table(nb201_sample):
    # Same convention as NASLib's column (log of the sum); different random initialisation.
    # Six architectures keep the test fast (float64 forward of the full-size network).
    from scipy.stats import spearmanr

    x = torch.zeros(1, 3, 32, 32)
    sample = nb201_sample[::2][:6]
    ours = [metrics.score("synflow", net, x, log=True) for _, net, _ in sample]
    theirs = [row["synflow"]["score"] for row, _, _ in sample]
    assert spearmanr(ours, theirs)[0] > 0.8
    assert np.allclose(ours, theirs, rtol=0.05)
