"""NTK metrics, LGA and the HNAS objective against direct calculations."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

import nascore.metrics as metrics
from nascore import ntk
from nascore.metrics.ntk_metrics import label_gradient_alignment, label_kernel
from nascore.spaces import mixed


def linear_model(d=5, seed=0):
    torch.manual_seed(seed)
    return nn.Linear(d, 1, bias=False).double()


def gram(seed=1, n=4, d=5):
    x = torch.randn(n, d, dtype=torch.float64, generator=torch.Generator().manual_seed(seed))
    return x, (x @ x.T).numpy()


def test_ntk_trace_is_the_root_mean_squared_per_sample_gradient_norm():
    net = mixed.Architecture(("relu", "tanh"), skips=((1, 2),)).build(4, 12, 3, seed=0)
    x, y = torch.randn(6, 4, generator=torch.Generator().manual_seed(5)), torch.tensor([0, 1, 2, 2, 1, 0])
    squares = []
    for i in range(6):  # one backward pass per sample, true-class logit (HNAS's code)
        net.zero_grad()
        net(x[i:i + 1])[0, y[i]].backward()
        squares.append(sum(float((p.grad ** 2).sum()) for p in net.parameters()))
    assert metrics.score("ntk_trace", net, x, y) == pytest.approx(math.sqrt(np.mean(squares)), rel=1e-6)


def test_ntk_spectrum_metrics_of_a_linear_model_use_x_x_transpose():
    # f(x) = w.x has the NTK X X^T for every output convention.
    x, k = gram()
    eig = np.linalg.eigvalsh(k)
    net, y = linear_model(), torch.zeros(4, dtype=torch.int64)
    assert metrics.score("ntk_lambda_min", net, x) == pytest.approx(eig[0], rel=1e-9)
    assert metrics.score("ntk_condition", net, x) == pytest.approx(eig[-1] / eig[0], rel=1e-9)
    assert metrics.score("ntk_frobenius", net, x, y) == pytest.approx(np.linalg.norm(k), rel=1e-12)
    assert metrics.score("ntk_mean", net, x, y) == pytest.approx(k.mean(), rel=1e-12)
    assert metrics.score("ntk_trace", net, x, output="sum") == pytest.approx(math.sqrt(np.trace(k) / 4), rel=1e-12)


# --------------------------------------------------------------------------- LGA
def test_label_kernel_is_plus_one_for_same_class_minus_one_otherwise():
    assert label_kernel(torch.tensor([0, 1, 0])).tolist() == [[1, -1, 1], [-1, 1, -1], [1, -1, 1]]


def test_lga_is_one_for_the_label_kernel_and_minus_one_for_its_negative():
    y = torch.tensor([0, 1, 2, 0, 1, 2, 0])
    assert label_gradient_alignment(label_kernel(y), y) == pytest.approx(1.0)
    assert label_gradient_alignment(3 * label_kernel(y) + 5, y) == pytest.approx(1.0)
    assert label_gradient_alignment(-label_kernel(y), y) == pytest.approx(-1.0)


def test_lga_is_the_pearson_correlation_of_the_kernel_entries():
    _, k = gram(n=6, d=3)
    y = torch.tensor([0, 0, 1, 1, 2, 2])
    expected = np.corrcoef(k.ravel(), label_kernel(y).numpy().ravel())[0, 1]
    assert label_gradient_alignment(torch.from_numpy(k), y) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), scale=st.floats(1e-3, 1e3))
def test_lga_is_invariant_to_kernel_scaling_and_common_permutation(seed, scale):
    gen = torch.Generator().manual_seed(seed)
    j = torch.randn(8, 5, dtype=torch.float64, generator=gen)
    theta = j @ j.T
    y = torch.randint(0, 3, (8,), generator=gen)
    if len(set(y.tolist())) < 2:
        y[0], y[1] = 0, 1
    perm = torch.randperm(8, generator=gen)
    base = label_gradient_alignment(theta, y)
    assert -1 - 1e-12 <= base <= 1 + 1e-12
    assert label_gradient_alignment(scale * theta, y) == pytest.approx(base, rel=1e-9, abs=1e-12)
    assert label_gradient_alignment(theta[perm][:, perm], y[perm]) == pytest.approx(base, rel=1e-9, abs=1e-12)


def test_lga_needs_more_than_one_class():
    with pytest.raises(ValueError, match="all labels"):
        label_gradient_alignment(torch.eye(3), torch.tensor([1, 1, 1]))


def test_lga_through_the_registry_defaults_to_the_official_summed_logit_kernel_without_readout():
    net = mixed.Architecture(("relu", "swish")).build(4, 16, 3, seed=2)
    x, y = torch.randn(9, 4, generator=torch.Generator().manual_seed(0)), torch.arange(9) % 3
    theta = ntk.empirical_ntk_loop(net, x, output="sum", params="weights-no-classifier").numpy()
    expected = np.corrcoef(theta.ravel(), label_kernel(y).numpy().ravel())[0, 1]
    assert metrics.score("lga", net, x, y) == pytest.approx(expected, rel=1e-6)
    theta_target = ntk.empirical_ntk_loop(net, x, output="target", targets=y).numpy()
    expected_target = np.corrcoef(theta_target.ravel(), label_kernel(y).numpy().ravel())[0, 1]
    assert metrics.score("lga", net, x, y, output="target", params="all") == pytest.approx(expected_target, rel=1e-6)


# --------------------------------------------------------------------------- HNAS
@pytest.mark.parametrize("metric", ["ntk_trace", "snip"])
def test_hnas_objective_combines_the_metric_and_the_condition_number(metric):
    net = mixed.Architecture(("relu", "tanh")).build(4, 16, 3, seed=1)
    x, y = torch.randn(6, 4, generator=torch.Generator().manual_seed(3)), torch.arange(6) % 3
    m = metrics.score(metric, net, x, y)
    kappa = ntk.condition_number(ntk.empirical_ntk_loop(net, x, output="target", targets=y))
    mu, c = 0.3, 2.0
    expected = mu * abs(m ** 2 - c ** 2) + kappa / (m + 1e-6)
    assert metrics.score("hnas", net, x, y, mu=mu, target=c, metric=metric) == pytest.approx(expected, rel=1e-6)


def test_hnas_uses_the_official_value_for_a_singular_kernel():
    net = mixed.Architecture(("relu",)).build(3, 8, 2, seed=0)
    x, y = torch.randn(1, 3).repeat(3, 1), torch.tensor([0, 0, 0])
    m = metrics.score("ntk_trace", net, x, y)
    assert metrics.score("hnas", net, x, y, mu=0.0) == pytest.approx(1e5 / (m + 1e-6))
