"""Zero-cost proxies, each against a calculation that does not share its code."""
import numpy as np
import pytest
import torch
from torch import nn

import nascore.metrics as metrics


def softmax_regression(seed=0, d=5, k=3):
    torch.manual_seed(seed)
    return nn.Linear(d, k, bias=False)


def data(n=8, d=5, k=3, seed=2):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=gen), torch.arange(n) % k


def softmax_regression_gradient(w, x, y):
    """dL/dW = (P - Y)^T X / N for mean cross-entropy of logits X W^T (by hand, numpy)."""
    logits = x @ w.T
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    onehot = np.eye(w.shape[0])[y]
    return (p - onehot).T @ x / len(x), p - onehot


def test_grad_norm_is_the_norm_of_the_closed_form_gradient():
    net, (x, y) = softmax_regression(), data()
    w = net.weight.detach().double().numpy()
    grad, _ = softmax_regression_gradient(w, x.double().numpy(), y.numpy())
    assert metrics.score("grad_norm", net, x, y) == pytest.approx(np.linalg.norm(grad), rel=1e-5)


def test_grad_norm_sums_per_layer_norms_rather_than_the_global_norm():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 4, bias=False), nn.Tanh(), nn.Linear(4, 3, bias=False))
    x, y = data()
    loss = nn.functional.cross_entropy(net(x), y)
    g1, g2 = torch.autograd.grad(loss, [net[0].weight, net[2].weight])
    expected = float(g1.norm() + g2.norm())
    assert metrics.score("grad_norm", net, x, y) == pytest.approx(expected, rel=1e-6)
    assert expected > float(torch.cat([g1.flatten(), g2.flatten()]).norm())


def test_snip_is_weight_times_closed_form_gradient_in_absolute_value():
    net, (x, y) = softmax_regression(), data()
    w = net.weight.detach().double().numpy()
    grad, _ = softmax_regression_gradient(w, x.double().numpy(), y.numpy())
    assert metrics.score("snip", net, x, y) == pytest.approx(np.abs(w * grad).sum(), rel=1e-5)


def test_snip_ignores_biases_and_batchnorm_parameters():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(5, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3))
    x, y = data()
    loss = nn.functional.cross_entropy(net(x), y)
    weights = [net[0].weight, net[3].weight]
    grads = torch.autograd.grad(loss, weights)
    expected = sum(float((w.detach() * g).abs().sum()) for w, g in zip(weights, grads))
    assert metrics.score("snip", net, x, y) == pytest.approx(expected, rel=1e-6)


def test_grasp_matches_an_explicit_hessian():
    torch.manual_seed(3)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2, bias=False)).double()
    x, y = torch.randn(6, 3, dtype=torch.float64), torch.tensor([0, 1, 0, 1, 1, 0])
    w1, b1, w2 = net[0].weight.detach(), net[0].bias.detach(), net[2].weight.detach()
    theta = torch.cat([w1.flatten(), w2.flatten()])

    def loss(flat):  # biases held fixed: the proxy differentiates the weights only
        a, b = flat[:12].reshape(4, 3), flat[12:].reshape(2, 4)
        return nn.functional.cross_entropy(torch.tanh(x @ a.T + b1) @ b.T, y)

    hessian = torch.autograd.functional.hessian(loss, theta)
    g = torch.autograd.functional.jacobian(loss, theta)
    expected = float(-(theta * (hessian @ g)).sum())
    assert metrics.score("grasp", net, x, y) == pytest.approx(expected, rel=1e-9)


def test_grasp_of_a_model_linear_in_its_weights_is_the_softmax_curvature_term():
    # Softmax regression: H = X-kron-softmax-Hessian; check against autograd.functional too.
    net, (x, y) = softmax_regression(), data()
    net, x = net.double(), x.double()
    w = net.weight.detach()

    def loss(flat):
        return nn.functional.cross_entropy(x @ flat.reshape(w.shape).T, y)

    hessian = torch.autograd.functional.hessian(loss, w.flatten())
    g = torch.autograd.functional.jacobian(loss, w.flatten())
    expected = float(-(w.flatten() * (hessian @ g)).sum())
    assert metrics.score("grasp", net, x, y) == pytest.approx(expected, rel=1e-9)


def test_fisher_of_softmax_regression_by_hand():
    # a = logits, dL/da = (P - onehot) / N; fisher = 0.5 * sum_k mean_n (a_nk dL/da_nk)^2.
    net, (x, y) = softmax_regression(), data()
    w = net.weight.detach().double().numpy()
    xd = x.double().numpy()
    _, residual = softmax_regression_gradient(w, xd, y.numpy())
    a, da = xd @ w.T, residual / len(xd)
    expected = 0.5 * ((a * da) ** 2).mean(0).sum()
    assert metrics.score("fisher", net, x, y, per="channel") == pytest.approx(expected, rel=1e-5)
    # Official convention: each output unit counted once per weight feeding it (fan-in d = 5).
    assert metrics.score("fisher", net, x, y) == pytest.approx(5 * expected, rel=1e-5)


def test_fisher_sums_over_space_for_convolutions():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(1, 2, 2, bias=False), nn.Flatten(), nn.Linear(8, 2, bias=False))
    x, y = torch.randn(4, 1, 3, 3), torch.tensor([0, 1, 1, 0])
    conv_out = net[0](x)
    logits = net[2](net[1](conv_out))
    loss = nn.functional.cross_entropy(logits, y)
    g_conv, g_log = torch.autograd.grad(loss, [conv_out, logits])
    conv_term = 0.5 * ((conv_out * g_conv).sum((2, 3)) ** 2).mean(0).sum()
    lin_term = 0.5 * ((logits * g_log) ** 2).mean(0).sum()
    assert metrics.score("fisher", net, x, y, per="channel") == pytest.approx(
        float((conv_term + lin_term).detach()), rel=1e-5)
    # Per weight: conv channels have fan-in 1 * 2 * 2 = 4, the linear units 8.
    assert metrics.score("fisher", net, x, y) == pytest.approx(float((4 * conv_term + 8 * lin_term).detach()), rel=1e-5)


def test_fisher_per_weight_is_the_official_broadcast_sum_by_brute_force():
    # The official code writes each channel's value into every weight of that channel and sums
    # all weights (fisher.py:100-105); do exactly that, element by element.
    torch.manual_seed(1)
    net = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1, bias=False), nn.ReLU(), nn.Flatten(),
                        nn.Linear(3 * 4 * 4, 4, bias=False))
    x, y = torch.randn(5, 2, 4, 4), torch.tensor([0, 1, 2, 3, 0])
    conv_out = net[0](x)
    logits = net[3](net[2](net[1](conv_out)))
    loss = nn.functional.cross_entropy(logits, y)
    g_conv, g_log = torch.autograd.grad(loss, [conv_out, logits])
    per_channel = [0.5 * ((conv_out * g_conv).sum((2, 3)) ** 2).mean(0).detach(),
                   0.5 * ((logits * g_log) ** 2).mean(0).detach()]
    total = 0.0
    for layer, values in zip((net[0], net[3]), per_channel):
        broadcast = torch.stack([torch.full(layer.weight.shape[1:], float(v)) for v in values])
        assert broadcast.shape == layer.weight.shape
        total += float(broadcast.sum())
    assert metrics.score("fisher", net, x, y) == pytest.approx(total, rel=1e-5)
    with pytest.raises(ValueError, match="per='sample'"):
        metrics.score("fisher", net, x, y, per="sample")


def test_synflow_of_a_linear_chain_is_depth_times_the_path_sum():
    # f = W3 W2 W1 x, R = 1^T |W3||W2||W1| 1; each layer's saliency sums to R, so S = 3 R.
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3, bias=False), nn.Linear(3, 2, bias=False), nn.Linear(2, 2, bias=False))
    w1, w2, w3 = (m.weight.detach().double().abs().numpy() for m in net)
    r = np.ones(2) @ w3 @ w2 @ w1 @ np.ones(4)
    assert metrics.score("synflow", net, torch.randn(5, 4)) == pytest.approx(3 * r, rel=1e-12)
    assert metrics.score("synflow", net, torch.randn(5, 4), log=True) == pytest.approx(np.log(3 * r), rel=1e-12)


def test_synflow_removes_batchnorm_and_ignores_the_data():
    torch.manual_seed(0)
    plain = nn.Sequential(nn.Linear(4, 3, bias=False), nn.Linear(3, 2, bias=False))
    with_bn = nn.Sequential(plain[0], nn.BatchNorm1d(3), plain[1])
    with_bn[1].weight.data.fill_(-7.0)
    a = metrics.score("synflow", plain, torch.randn(5, 4))
    assert metrics.score("synflow", with_bn, torch.randn(3, 4) * 100) == pytest.approx(a, rel=1e-12)


def test_jacov_of_a_linear_model_closed_form():
    # Every input Jacobian equals w, so corr = all ones: eigenvalues N, 0, ..., 0.
    torch.manual_seed(0)
    n, k = 6, 1e-5
    net = nn.Linear(5, 1, bias=False)
    expected = -(np.log(n + k) + 1 / (n + k) + (n - 1) * (np.log(k) + 1 / k))
    assert metrics.score("jacov", net, torch.randn(n, 5)) == pytest.approx(expected, rel=1e-6)


class HalfSquaredNorm(nn.Module):
    """f(x) = ||x||^2 / 2, whose input Jacobian is x itself."""

    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.ones(1, 1))

    def forward(self, x):
        return 0.5 * (x ** 2).sum(1, keepdim=True) * self.w


def test_jacov_uses_the_correlation_of_the_input_jacobians():
    x = torch.randn(5, 7, generator=torch.Generator().manual_seed(4), dtype=torch.float64)
    rows = x.numpy() - x.numpy().mean(1, keepdims=True)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    eig = np.linalg.eigvalsh(rows @ rows.T)
    expected = -np.sum(np.log(eig + 1e-5) + 1 / (eig + 1e-5))
    assert metrics.score("jacov", HalfSquaredNorm().double(), x) == pytest.approx(expected, rel=1e-8)
