"""NASWOT and DAS on hand-set activation patterns, and the decoupling identity."""
import math

import numpy as np
import pytest
import torch
from torch import nn

import nascore.metrics as metrics
from nascore.metrics.naswot import activation_kernel
from nascore.spaces import mixed

# Sign patterns of three inputs at four ReLU units: codes 1100, 1010, 1111.
PATTERN = torch.tensor([[1.0, 2.0, -1.0, -3.0], [0.5, -1.0, 4.0, -2.0], [1.0, 1.0, 1.0, 1.0]])


def test_naswot_kernel_counts_agreeing_units_by_hand():
    # Agreements: (1,2): unit 1 on, unit 4 off -> 2; (1,3): units 1,2 -> 2; (2,3): units 1,3 -> 2.
    kernel, units = activation_kernel(nn.Sequential(nn.ReLU()), PATTERN)
    assert units == 4
    assert kernel.tolist() == [[4, 2, 2], [2, 4, 2], [2, 2, 4]]
    # det(2 I + 2 J) = 2 * 2 * (2 + 3 * 2) = 32.
    assert metrics.score("naswot", nn.Sequential(nn.ReLU()), PATTERN) == pytest.approx(math.log(32))


def test_naswot_reads_inplace_relus_before_they_overwrite_their_input():
    # The second ReLU sees relu(x): same codes, so K doubles and N_A = 8: det = 8^3/... = 256.
    net = nn.Sequential(nn.ReLU(inplace=True), nn.ReLU())
    assert metrics.score("naswot", net, PATTERN) == pytest.approx(math.log(32 * 8))


def test_naswot_is_minus_infinity_without_distinct_codes():
    x = torch.tensor([[1.0, -1.0], [2.0, -5.0]])  # identical codes 10, 10
    with pytest.raises(metrics.NonFiniteScore, match="singular"):
        metrics.score("naswot", nn.Sequential(nn.ReLU()), x)
    assert math.isnan(metrics.score("naswot", nn.Sequential(nn.ReLU()), x, on_nonfinite="nan"))


def test_mixed_nets_expose_one_code_point_per_hidden_layer():
    arch = mixed.Architecture(("tanh", "relu", "sigmoid"), skips=((1, 3),))
    net = arch.build(4, 10, 2, seed=0)
    x = torch.randn(5, 4)
    _, units = activation_kernel(net, x)
    assert units == 3 * 10
    assert metrics.score("das_units", net, x) == pytest.approx(5 * math.log(30))


def test_mixed_net_codes_are_the_signs_of_the_pre_activations():
    net = mixed.Architecture(("relu",)).build(3, 6, 1, seed=1)
    x = torch.randn(4, 3, generator=torch.Generator().manual_seed(0))
    pre = (x @ net.hidden[0].detach().T / math.sqrt(3)).numpy() > 0
    c = pre.astype(float)
    expected = c @ c.T + (1 - c) @ (1 - c).T
    kernel, _ = activation_kernel(net, x)
    assert np.array_equal(kernel.numpy(), expected)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_decoupling_identity_naswot_equals_units_plus_distinguishing(seed):
    net = mixed.Architecture(("relu", "gelu", "relu"), skips=((1, 2),)).build(8, 32, 3, seed=seed)
    x = torch.randn(10, 8, generator=torch.Generator().manual_seed(seed))
    wot = metrics.score("naswot", net, x)
    units = metrics.score("das_units", net, x)
    distinguishing = metrics.score("das_distinguishing", net, x)
    assert wot == pytest.approx(units + distinguishing, abs=1e-9)
    assert distinguishing <= 1e-12  # Hadamard: unit diagonal, PSD -> det <= 1
    assert metrics.score("das", net, x, weight=10) == pytest.approx(wot, abs=1e-9)
    assert metrics.score("das", net, x, weight=0) == pytest.approx(distinguishing, abs=1e-12)


def hamming_agreement(codes):
    c = codes.astype(float)
    return c @ c.T + (1 - c) @ (1 - c).T


def test_das_layerwise_rule_averages_per_layer_log_determinants():
    net = nn.Sequential(nn.ReLU(), nn.Linear(4, 4, bias=False), nn.ReLU())
    # Second-layer codes 1101, 1010, 0000: agreements 1, 1, 2, det = 44.
    w = torch.tensor([[1.0, 0.0, 0.0, -2.0], [-1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -2.0], [0.0, 1.0, -1.0, 0.0]])
    net[1].weight.data = w
    x = PATTERN.numpy()
    first, second = x > 0, np.maximum(x, 0) @ w.numpy().T > 0
    logdets = [np.linalg.slogdet(hamming_agreement(c) / 4)[1] for c in (first, second)]
    assert logdets[1] == pytest.approx(math.log(44 / 4 ** 3))
    expected = np.mean(logdets) + 0.5 * math.log(8)
    assert metrics.score("das", net, PATTERN, weight=0.5, rule="layerwise") == pytest.approx(expected)


def test_das_rejects_unknown_rules():
    with pytest.raises(ValueError, match="unknown DAS rule 'max'.*linear"):
        metrics.score("das", nn.Sequential(nn.ReLU()), PATTERN, rule="max")


def test_naswot_points_name_counts_relu_containers_twice_relu_counts_torch_relus_once():
    # NAS-Bench-201's ReLUConvBN is a container whose class name contains "ReLU": the official
    # BayesWatch rule (points="name") hooks it and its inner ReLU, both seeing the same input;
    # NASLib's rule (points="relu") hooks torch's ReLU modules only.
    from nascore.spaces.nb201 import ReLUConvBN

    torch.manual_seed(0)
    net = nn.Sequential(ReLUConvBN(2, 3, 1), nn.ReLU())
    x = torch.randn(5, 2, 2, 2)
    first = (x > 0).flatten(1).double()
    second = (net[0](x) > 0).flatten(1).double()
    once = hamming_agreement_t(first) + hamming_agreement_t(second)
    twice = 2 * hamming_agreement_t(first) + hamming_agreement_t(second)
    assert activation_kernel(net, x, points="relu")[1] == 8 + 12
    assert activation_kernel(net, x)[1] == 2 * 8 + 12
    assert metrics.score("naswot", net, x, points="relu") == pytest.approx(float(torch.linalg.slogdet(once)[1]))
    assert metrics.score("naswot", net, x) == pytest.approx(float(torch.linalg.slogdet(twice)[1]))
    with pytest.raises(ValueError, match="unknown activation points 'all'"):
        metrics.score("naswot", net, x, points="all")


def hamming_agreement_t(codes):
    return codes @ codes.T + (1 - codes) @ (1 - codes).T
