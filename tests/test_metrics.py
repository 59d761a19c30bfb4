"""The metric registry: its contract over every metric, its metadata and its errors."""
import math

import pytest
import torch
from torch import nn

import nascore.metrics as metrics
from nascore.metrics import registry
from nascore.spaces import mixed


def small_conv_net(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
        nn.Conv2d(4, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 3),
    )


def small_mixed_net(seed=0):
    arch = mixed.Architecture(("relu", "tanh", "swish"), skips=((1, 3),))
    return arch.build(6, 16, 3, seed=seed)


def batch(shape, seed=1, n=12, classes=3):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn((n,) + shape, generator=gen), torch.arange(n) % classes


NETS = {"conv": (small_conv_net, (3, 6, 6)), "mixed": (small_mixed_net, (6,))}


def test_available_lists_every_metric_the_design_names_sorted():
    names = metrics.available()
    assert names == sorted(names)
    expected = {"ntk_trace", "ntk_lambda_min", "ntk_condition", "ntk_frobenius", "ntk_mean", "naswot",
                "das", "das_distinguishing", "das_units", "lga", "grad_norm", "snip", "grasp", "fisher",
                "synflow", "jacov", "hnas", "params", "flops"}
    assert expected <= set(names)


@pytest.mark.parametrize("kind", sorted(NETS))
@pytest.mark.parametrize("name", metrics.available())
def test_contract_finite_float_caller_unchanged_reproducible(name, kind):
    build, shape = NETS[kind]
    net = build()
    net.eval()  # a flag the metric's copy may flip; the caller's must stay
    before = {k: v.clone() for k, v in net.state_dict().items()}
    x, y = batch(shape)
    options = {"singular_value": 1e5} if name == "ntk_condition" else {}
    first = metrics.score(name, net, x, y, **options)
    second = metrics.score(name, build(), x, y, **options)
    assert isinstance(first, float) and math.isfinite(first)
    assert first == second
    assert not any(m.training for m in net.modules())
    assert all(p.grad is None for p in net.parameters())
    after = net.state_dict()
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)


@pytest.mark.parametrize("name", metrics.available())
def test_every_record_carries_the_books_metadata(name):
    record = metrics.info(name)
    assert record.name == name and record.paper and record.equation and record.description
    assert isinstance(record.higher_is_better, bool) and isinstance(record.needs_labels, bool)
    assert record.ntk_output in (None, "sum", "target", "full")
    assert record.function.__doc__


def test_directions_and_label_needs_of_a_few_metrics():
    assert metrics.info("ntk_condition").higher_is_better is False
    assert metrics.info("hnas").higher_is_better is False
    assert metrics.info("naswot").needs_labels is False
    assert metrics.info("snip").needs_labels is True
    assert metrics.info("ntk_trace").ntk_output == "target"
    assert metrics.info("ntk_condition").ntk_output == "sum"


def test_direction_is_the_sign_that_makes_a_metric_higher_is_better():
    assert metrics.direction("ntk_condition") == -1 and metrics.direction("naswot") == 1
    from nascore.metrics.table import oriented
    import pandas as pd
    table = pd.DataFrame({"ntk_condition": [2.0, 5.0], "naswot": [1.0, 3.0]})
    assert oriented(table, ["ntk_condition", "naswot"]).to_dict("list") == {"ntk_condition": [-2.0, -5.0],
                                                                          "naswot": [1.0, 3.0]}


def test_registering_a_name_twice_is_rejected():
    with pytest.raises(ValueError, match="already registered"):
        registry.register("naswot", paper="p", equation="e", higher_is_better=True,
                          needs_labels=False, description="d")(lambda net, x, y: 0.0)


def test_unknown_name_lists_available_ones():
    with pytest.raises(ValueError, match="unknown metric 'nawsot'.*naswot"):
        metrics.score("nawsot", small_mixed_net(), torch.randn(4, 6))
    with pytest.raises(ValueError, match="available"):
        metrics.info("nope")


@pytest.mark.parametrize("bad, message", [
    (torch.tensor([[0.0, math.nan, 1.0, 2.0, 3.0, 4.0]] * 4), "4 NaN or infinite entries"),
    (torch.tensor([[0.0, math.inf, 1.0, 2.0, 3.0, 4.0]] * 4), "NaN or infinite"),
    (torch.full((4, 6), 1e20), r"too large: max \|x\| = 1e\+20"),
    (torch.ones(4, 6, dtype=torch.int64), "floating"),
    (torch.ones(6), "batch dimension"),
    ([[1.0] * 6] * 4, "torch.Tensor"),
])
def test_bad_inputs_raise_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        metrics.score("naswot", small_mixed_net(), bad)


@pytest.mark.parametrize("targets, message", [
    (None, "needs labels"),
    (torch.tensor([0, 1, 2, 0]), "shape"),
    (torch.tensor([0.0, 1.0, 2.0, 0.0, 1.0, 2.0]), "int64"),
    (torch.tensor([0, 1, -1, 0, 1, 2]), ">= 0"),
    (torch.tensor([0, 1, 3, 0, 1, 2]), "< 3"),
])
def test_bad_targets_raise_value_error(targets, message):
    with pytest.raises(ValueError, match=message):
        metrics.score("snip", small_mixed_net(), torch.randn(6, 6), targets)


def test_labels_follow_the_ntk_output_option():
    net, x = small_mixed_net(), torch.randn(5, 6)
    with pytest.raises(ValueError, match="needs labels"):
        metrics.score("ntk_trace", net, x)
    assert math.isfinite(metrics.score("ntk_trace", net, x, output="sum"))


def test_unknown_options_are_named():
    with pytest.raises(ValueError, match="bogus"):
        metrics.score("naswot", small_mixed_net(), torch.randn(4, 6), bogus=1)


def test_non_finite_result_is_an_error_not_garbage():
    # Two identical samples: the NTK is singular, so its condition number is infinite.
    x = torch.randn(1, 6).repeat(3, 1)
    with pytest.raises(metrics.NonFiniteScore, match="'ntk_condition' is not finite .*overflowed or the network"):
        metrics.score("ntk_condition", small_mixed_net(), x)
    assert math.isnan(metrics.score("ntk_condition", small_mixed_net(), x, on_nonfinite="nan"))
    assert metrics.score("ntk_condition", small_mixed_net(), x, singular_value=1e5) == 1e5


def test_naswot_minus_infinity_for_duplicated_inputs_is_named():
    # -inf is naswot's documented worst score; score() says so instead of returning it.
    x = torch.randn(1, 6).repeat(3, 1)
    with pytest.raises(metrics.NonFiniteScore, match=r"'naswot' is not finite \(-inf\).*singular") as caught:
        metrics.score("naswot", small_mixed_net(), x)
    assert caught.value.metric == "naswot" and caught.value.value == -math.inf
    assert math.isnan(metrics.score("naswot", small_mixed_net(), x, on_nonfinite="nan"))
    with pytest.raises(ValueError, match="on_nonfinite must be one of 'raise', 'nan'"):
        metrics.score("naswot", small_mixed_net(), x, on_nonfinite="keep")


def test_errors_inside_a_metric_come_out_as_value_errors():
    # A network that cannot take these inputs (6 features into a 5-input layer): torch's
    # error is reported as a ValueError (labels beyond the outputs are checked by name).
    with pytest.raises(ValueError, match="could not be computed.*RuntimeError"):
        metrics.score("grad_norm", nn.Linear(5, 3), torch.randn(4, 6), torch.tensor([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="targets must be < 3"):
        metrics.score("grad_norm", nn.Linear(6, 3), torch.randn(4, 6), torch.tensor([0, 1, 7, 0]))
