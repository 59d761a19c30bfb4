"""Parameter and FLOP counts by hand, and against the shipped NAS-Bench-201 table."""
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
