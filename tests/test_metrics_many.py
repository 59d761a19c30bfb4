"""score_many: every value equals nascore.metrics.score on the same network and batch."""
import math

import pytest
import torch
from torch import nn

import nascore.metrics as metrics
from nascore.spaces import mixed, nb201

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"


def nb201_case(seed=0):
    net = nb201.Network(ARCH, C=4, N=1, num_classes=5, seed=seed)
    gen = torch.Generator().manual_seed(seed)
    return net, torch.randn(10, 3, 8, 8, generator=gen), torch.arange(10) % 5


def assert_same(shared, names, net, x, y, options=None):
    options = options or {}
    for name in names:
        expected = metrics.score(name, net, x, y, **options.get(name, {}))
        assert shared[name] == pytest.approx(expected, rel=1e-6, abs=1e-9), name


@pytest.mark.parametrize("seed", [0, 1])
def test_every_registry_metric_equals_score_on_a_nb201_network(seed, one_thread):
    net, x, y = nb201_case(seed)
    names = metrics.available()
    shared = metrics.score_many(names, net, x, y)
    assert list(shared) == names
    assert_same(shared, names, net, x, y)
    assert {"forward+backward", "grasp", "synflow", "flops", "params"} <= set(shared.seconds)


def test_options_reach_the_shared_passes(one_thread):
    net, x, y = nb201_case(2)
    options = {"fisher": {"per": "channel"}, "naswot": {"points": "relu"}, "das": {"weight": 10.0, "rule": "layerwise"},
               "synflow": {"log": True}, "jacov": {"k": 1e-3}, "flops": {"count_pooling": False}}
    names = ["fisher", "naswot", "das", "das_units", "synflow", "jacov", "flops", "snip"]
    shared = metrics.score_many(names, net, x, y, options=options)
    assert_same(shared, names, net, x, y, options)
    # the two naswot rules differ on NB201 (ReLUConvBN containers count twice under "name")
    assert shared["naswot"] != pytest.approx(metrics.score("naswot", net, x))


def test_mixed_space_networks_and_a_subset_without_labels(one_thread):
    net = mixed.Architecture(("relu", "tanh", "relu"), skips=((1, 3),)).build(6, 16, 3, seed=0)
    x = torch.randn(12, 6, generator=torch.Generator().manual_seed(0))
    y = torch.arange(12) % 3
    names = ["naswot", "das_distinguishing", "jacov", "fisher", "grad_norm", "grasp", "synflow", "params"]
    assert_same(metrics.score_many(names, net, x, y), names, net, x, y)
    label_free = ["naswot", "jacov", "das_units"]
    assert_same(metrics.score_many(label_free, net, x), label_free, net, x, None)


def test_the_callers_network_is_untouched():
    net, x, y = nb201_case(0)
    net.eval()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    metrics.score_many(["snip", "grasp", "synflow", "naswot", "fisher", "jacov", "flops"], net, x, y)
    assert not net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())
    assert all(p.grad is None for p in net.parameters())


def test_per_proxy_init_builds_one_network_per_metric():
    calls = []

    def factory():
        calls.append(1)
        return nb201.Network(ARCH, C=4, N=1, num_classes=5, seed=len(calls))

    _, x, y = nb201_case(0)
    names = ["grad_norm", "snip", "params"]
    fresh = metrics.score_many(names, factory, x, y, init="per-proxy")
    assert len(calls) == 3
    for k, name in enumerate(names, start=1):  # metric k saw the network of seed k
        net = nb201.Network(ARCH, C=4, N=1, num_classes=5, seed=k)
        assert fresh[name] == pytest.approx(metrics.score(name, net, x, y), rel=1e-6)
    shared = metrics.score_many(names, factory, x, y)  # shared: the factory is called once
    assert len(calls) == 4
    with pytest.raises(ValueError, match="needs a callable"):
        metrics.score_many(names, nb201_case(0)[0], x, y, init="per-proxy")


def test_failures_are_named_or_recorded_as_nan():
    net = nn.Sequential(nn.Flatten(), nn.Linear(4, 3))
    nn.init.zeros_(net[1].weight)  # every input Jacobian is the same constant row: jacov undefined
    x, y = torch.randn(6, 4, generator=torch.Generator().manual_seed(0)), torch.arange(6) % 3
    with pytest.raises(metrics.NonFiniteScore, match="'jacov' is not finite"):  # as score() says it
        metrics.score_many(["grad_norm", "jacov"], net, x, y)
    scores = metrics.score_many(["grad_norm", "jacov", "naswot"], net, x, y, on_error="nan")
    assert math.isnan(scores["jacov"]) and "not finite" in scores.errors["jacov"]
    assert "no activation modules" in scores.errors["naswot"]
    assert scores["grad_norm"] == pytest.approx(metrics.score("grad_norm", net, x, y))


def test_bad_requests_are_named():
    net, x, y = nb201_case(0)
    with pytest.raises(ValueError, match="duplicates"):
        metrics.score_many(["snip", "snip"], net, x, y)
    with pytest.raises(ValueError, match="unknown metric 'snap'"):
        metrics.score_many(["snap"], net, x, y)
    with pytest.raises(ValueError, match="unknown option.*per_channel.*allowed: per"):
        metrics.score_many(["fisher"], net, x, y, options={"fisher": {"per_channel": True}})
    with pytest.raises(ValueError, match="not scored: snip"):
        metrics.score_many(["fisher"], net, x, y, options={"snip": {}})
    with pytest.raises(ValueError, match="'snip' needs labels"):
        metrics.score_many(["naswot", "snip"], net, x)
    with pytest.raises(ValueError, match="unknown init"):
        metrics.score_many(["snip"], net, x, y, init="fresh")
