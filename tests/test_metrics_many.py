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


def test_a_metric_declaring_a_shared_pass_is_computed_from_it_without_a_change_to_score_many(one_thread):
    # A new activation-code metric: twice the units term. Only its registry record says
    # how score_many reaches it; the value must equal the metric's own function.
    from nascore.metrics import das, registry

    def twice_units(parts, n):
        return 2 * das.units_value(parts, n)

    @registry.register("test_twice_units", paper="p", equation="e", higher_is_better=True, needs_labels=False,
                       description="d", shared=registry.SharedPass("activations", twice_units))
    def twice(net, inputs, targets=None):
        return 2 * metrics.score("das_units", net, inputs)

    try:
        net, x, y = nb201_case(3)
        shared = metrics.score_many(["das_units", "test_twice_units"], net, x, y)
        assert shared["test_twice_units"] == 2 * shared["das_units"] == metrics.score("test_twice_units", net, x)
    finally:
        registry._REGISTRY.pop("test_twice_units")
    with pytest.raises(ValueError, match="unknown shared pass 'backward'"):
        registry.SharedPass("backward", twice_units)


def test_a_pre_activation_marker_is_found_by_its_fan_in_not_by_its_space(one_thread):
    # Any identity carrying ``fan_in`` marks a pre-activation; the metrics import no space.
    class Marker(nn.Identity):
        def __init__(self, fan_in):
            super().__init__()
            self.fan_in = fan_in

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(torch.randn(40, 4, generator=torch.Generator().manual_seed(0)))
            self.mark = Marker(fan_in=4)

        def forward(self, x):
            return torch.tanh(self.mark(x @ self.w.T))

    from nascore.metrics.naswot import activation_points
    from nascore.metrics.zero_cost import fisher_points

    net = Net()
    assert activation_points(net) == [net.mark] and fisher_points(net) == [net.mark]
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(1))
    codes = (x @ net.w.T > 0).float()
    agree = codes @ codes.T + (1 - codes) @ (1 - codes).T  # the Hamming-agreement kernel by hand
    assert metrics.score("naswot", net, x) == pytest.approx(float(torch.linalg.slogdet(agree.double())[1]))

