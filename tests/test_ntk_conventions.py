"""The papers' NTK conventions against independent brute-force calculations.

Each official convention (HNAS's batch decomposition, TE-NAS's weight-only exact kernel,
the LGA code's summed-logit kernel over weights outside the classifier) is recomputed
here by a route that shares no code with :mod:`nascore.ntk`: explicit per-sample
backward loops over ``named_parameters`` (as the official codes do) and, for HNAS's
per-sample pieces, gradients with respect to per-sample zero perturbations of every
layer's weights (autograd does the splitting; no unfolding, no einsum).
"""
from __future__ import annotations

import copy
import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from nascore import metrics, ntk
from nascore.metrics.ntk_metrics import label_kernel
from nascore.spaces import mixed, nb201

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"
N, K = 6, 10


def small_net(seed=0, num_classes=K):
    return nb201.Network(ARCH, C=4, N=1, num_classes=num_classes, seed=seed).double()


def batch(seed=0, n=N):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 3, 8, 8, generator=g, dtype=torch.float64), torch.arange(n) % 3


# ----------------------------------------------------------------------------- brute force
def loop_kernel(net, x, rows, select, mode="train"):
    """Forward the batch once; one backward per row; gradients of the selected parameters."""
    net = copy.deepcopy(net).train(mode == "train")
    out = net(x)
    grads = []
    for r in range(rows(out).shape[0]):
        net.zero_grad()
        rows(out)[r].backward(retain_graph=True)
        grads.append(torch.cat([p.grad.reshape(-1).clone() for name, p in net.named_parameters()
                                if select(name) and p.grad is not None]))
    g = torch.stack(grads)
    return g @ g.T


def decomposition_by_perturbation(net, x, y, total="target"):
    """HNAS's per-sample pieces as gradients w.r.t. per-sample zero perturbations.

    Every Conv2d / Linear layer gets, for each sample n, extra weights E_n (and bias e_n)
    that are zero but act on sample n only; d S / d E_n is sample n's piece of the batch
    gradient of S, whatever batch norm does. Returns (Theta, pieces, S.grad of params).
    """
    net = copy.deepcopy(net).train()
    n = x.shape[0]
    extra = []

    def hook(module, args, out):
        a = args[0]
        w = torch.zeros((n,) + module.weight.shape, dtype=a.dtype, requires_grad=True)
        b = torch.zeros((n, module.weight.shape[0]), dtype=a.dtype, requires_grad=True) \
            if module.bias is not None else None
        extra.append((w, b))
        if isinstance(module, nn.Conv2d):
            delta = torch.cat([F.conv2d(a[i:i + 1], w[i], None, module.stride, module.padding, module.dilation)
                               for i in range(n)])
            bias = b[:, :, None, None] if b is not None else 0
        else:
            delta = torch.stack([a[i] @ w[i].T for i in range(n)])
            bias = b if b is not None else 0
        return out + delta + bias

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    out = net(x)
    for h in handles:
        h.remove()
    s = out.gather(1, y[:, None]).sum() if total == "target" else out.sum()
    leaves = [t for pair in extra for t in pair if t is not None]
    grads = torch.autograd.grad(s, leaves, retain_graph=True)
    pieces = torch.cat([g.reshape(n, -1) for g in grads], dim=1)
    net.zero_grad()
    s.backward()
    return pieces @ pieces.T, pieces, net


def lga_by_hand(theta, y):
    return np.corrcoef(theta.numpy().ravel(), label_kernel(y).numpy().ravel())[0, 1]


# ----------------------------------------------------------------------------- parameter sets
def test_parameter_sets_follow_the_official_name_rules_on_the_nb201_network():
    net = small_net()
    names = dict(net.named_parameters())
    weights = ntk.selected_names(net, "weights")
    assert all("weight" in n for n in weights) and "classifier.weight" in weights
    assert any("cells" in n and n.endswith("2.weight") for n in weights)  # cell batch-norm weights (TE-NAS)
    no_cls = ntk.selected_names(net, "weights-no-classifier")
    assert set(weights) - set(no_cls) == {"classifier.weight"}
    conv_linear = ntk.selected_names(net, "conv-linear")
    assert "classifier.bias" in conv_linear and not any(names[n].ndim == 1 and "classifier" not in n
                                                       for n in conv_linear)  # no batch-norm parameter
    assert ntk.selected_names(net, "all") == list(names)
    with pytest.raises(ValueError, match="unknown parameter set 'biases'"):
        ntk.selected_names(net, "biases")


def test_bare_matrices_of_the_mixed_net_are_weights_and_its_readout_the_classifier():
    net = mixed.Architecture(("relu", "tanh")).build(4, 8, 3, seed=0)
    assert set(ntk.selected_names(net, "weights")) == {"hidden.0", "hidden.1", "readout"}
    assert set(ntk.selected_names(net, "weights-no-classifier")) == {"hidden.0", "hidden.1"}
    assert set(ntk.selected_names(net, "conv-linear")) == {"hidden.0", "hidden.1", "readout"}


def test_a_parameter_set_that_selects_nothing_is_an_error():
    with pytest.raises(ValueError, match="selects no trainable parameter"):
        ntk.empirical_ntk(nn.Sequential(nn.BatchNorm1d(3)), torch.randn(4, 3), params="conv-linear")


# ----------------------------------------------------------------------------- HNAS: decomposition
def test_batch_decomposition_equals_per_sample_perturbation_gradients_under_train_mode_bn():
    net, (x, y) = small_net(), batch()
    expected, pieces, grad_net = decomposition_by_perturbation(net, x, y)
    theta = ntk.empirical_ntk(net, x, output="target", targets=y, params="conv-linear",
                              per_sample="batch-decomposition")
    assert torch.allclose(theta, expected, rtol=1e-10, atol=1e-12)
    # the pieces add up to the batch gradient of S (conv / linear parameters, in order)
    batch_grad = torch.cat([p.grad.reshape(-1) for m in grad_net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))
                            for p in (m.weight, m.bias) if p is not None])
    assert torch.allclose(pieces.sum(0), batch_grad, rtol=1e-10, atol=1e-12)


def test_batch_decomposition_is_not_the_exact_kernel_under_batch_statistics_but_is_in_eval_mode():
    net, (x, y) = small_net(), batch()
    opts = dict(output="target", targets=y, params="conv-linear")
    decomposed = ntk.empirical_ntk(net, x, per_sample="batch-decomposition", **opts)
    exact = ntk.empirical_ntk(net, x, per_sample="exact", **opts)
    assert not torch.allclose(decomposed, exact, rtol=1e-2)
    net.eval()
    assert torch.allclose(ntk.empirical_ntk(net, x, per_sample="batch-decomposition", mode="eval", **opts),
                          ntk.empirical_ntk(net, x, per_sample="exact", mode="eval", **opts), rtol=1e-9)


def test_batch_decomposition_refuses_batch_norm_parameters():
    net, (x, y) = small_net(), batch()
    with pytest.raises(ValueError, match="conv-linear"):
        ntk.empirical_ntk(net, x, output="target", targets=y, params="all", per_sample="batch-decomposition")
    with pytest.raises(ValueError, match="unknown per_sample"):
        ntk.empirical_ntk(net, x, per_sample="approximate")


def test_ntk_trace_and_hnas_kappa_default_to_the_decomposition_kernel():
    net, (x, y) = small_net(), batch()
    theta, _, _ = decomposition_by_perturbation(net, x, y)
    m = math.sqrt(float(theta.trace()) / N)
    assert metrics.score("ntk_trace", net, x, y) == pytest.approx(m, rel=1e-9)
    eig = np.linalg.eigvalsh(theta.numpy())
    assert metrics.score("hnas", net, x, y, mu=0.0) == pytest.approx(eig[-1] / eig[0] / (m + 1e-6), rel=1e-6)
    info = metrics.info("ntk_trace")
    assert (info.ntk_output, info.ntk_params, info.ntk_per_sample) == ("target", "conv-linear", "batch-decomposition")


# ----------------------------------------------------------------------------- TE-NAS and LGA: exact loops
def test_ntk_condition_defaults_to_tenas_summed_logits_over_weights():
    net, (x, _) = small_net(), batch()
    theta = loop_kernel(net, x, lambda out: out.sum(1), lambda name: "weight" in name)
    eig = np.linalg.eigvalsh(theta.numpy())
    assert metrics.score("ntk_condition", net, x) == pytest.approx(eig[-1] / eig[0], rel=1e-6)


def test_lga_and_its_at_init_metrics_default_to_the_official_code():
    net, (x, y) = small_net(), batch()
    theta = loop_kernel(net, x, lambda out: out.sum(1), lambda name: "weight" in name and "classifier" not in name)
    assert metrics.score("lga", net, x, y) == pytest.approx(lga_by_hand(theta, y), rel=1e-8)
    assert metrics.score("ntk_mean", net, x) == pytest.approx(float(theta.mean()), rel=1e-9)
    assert metrics.score("ntk_frobenius", net, x) == pytest.approx(float(theta.norm()), rel=1e-9)
    # the classifier is really left out: with it, the value moves
    with_cls = loop_kernel(net, x, lambda out: out.sum(1), lambda name: "weight" in name)
    assert abs(lga_by_hand(with_cls, y) - lga_by_hand(theta, y)) > 1e-6


def test_a_dead_network_has_no_lga_under_the_official_kernel():
    # every weight zero: the summed-logit gradient lives only in the classifier bias, left out
    net = small_net()
    with torch.no_grad():
        for name, p in net.named_parameters():
            if "weight" in name and "cells" not in name and "stem.1" not in name and "head" not in name:
                p.zero_()
    x, y = batch()
    with pytest.raises(ValueError, match="constant kernel|non-finite"):
        metrics.score("lga", net, x, y)


# ----------------------------------------------------------------------------- issue 17.2: every output
def brute_kernel(net, x, y, output, select):
    rows = {"sum": lambda out: out.sum(1), "target": lambda out: out.gather(1, y[:, None])[:, 0],
            "full": lambda out: out.reshape(-1)}[output]
    return loop_kernel(net, x, rows, select)


SELECT = {"all": lambda n: True, "weights": lambda n: "weight" in n,
          "weights-no-classifier": lambda n: "weight" in n and "classifier" not in n}


@pytest.mark.parametrize("output", ["sum", "target", "full"])
@pytest.mark.parametrize("name", ["ntk_trace", "ntk_lambda_min", "ntk_condition", "ntk_mean", "ntk_frobenius", "lga"])
def test_every_ntk_metric_under_every_output_against_the_brute_force_kernel(name, output):
    net, (x, y) = small_net(num_classes=3), batch()
    params = metrics.info(name).ntk_params if metrics.info(name).ntk_params in SELECT else "weights"
    theta = brute_kernel(net, x, y, output, SELECT[params]).numpy()
    eig = np.linalg.eigvalsh(theta)
    expected = {"ntk_trace": math.sqrt(np.trace(theta) / N),  # per sample: / N, also for "full" (not N K)
                "ntk_lambda_min": eig[0], "ntk_condition": eig[-1] / eig[0],
                "ntk_mean": theta.mean(), "ntk_frobenius": np.linalg.norm(theta),
                "lga": None}[name]
    opts = dict(output=output, params=params, per_sample="exact")
    if name == "lga":
        if output == "full":
            with pytest.raises(ValueError, match="N x N kernel"):
                metrics.score(name, net, x, y, **opts)
            return
        expected = lga_by_hand(torch.from_numpy(theta), y)
    value = metrics.score(name, net, x, y, **opts)
    assert value == pytest.approx(expected, rel=1e-6, abs=1e-12)


def test_full_output_normalisation_of_ntk_trace_is_per_sample_by_hand():
    # f(x) = W x with W (2 x 3), no bias: Theta_full[(i,a),(j,b)] = <x_i, x_j> delta_ab,
    # trace = K sum_i ||x_i||^2 = 2 (1 + 4) = 10, so M = sqrt(10 / N) = sqrt(5), not sqrt(10 / 4)
    net = nn.Linear(3, 2, bias=False).double()
    x = torch.tensor([[1.0, 0, 0], [0, 2.0, 0]], dtype=torch.float64)
    assert metrics.score("ntk_trace", net, x, output="full", params="all") == pytest.approx(math.sqrt(5.0))
    assert metrics.score("ntk_mean", net, x, output="full", params="all") == pytest.approx(10 / 16)


def test_full_output_of_the_batch_decomposition_sums_to_the_summed_logit_decomposition():
    net, (x, y) = small_net(num_classes=3), batch()
    full = ntk.empirical_ntk(net, x, output="full", params="conv-linear", per_sample="batch-decomposition")
    expected_sum, _, _ = decomposition_by_perturbation(net, x, y, total="sum")
    blocks = full.reshape(N, 3, N, 3).sum(dim=(1, 3))
    assert torch.allclose(blocks, expected_sum, rtol=1e-9, atol=1e-12)


def test_on_a_dead_nb201_cell_the_decomposition_is_still_the_per_sample_definition_and_huge():
    # The cell with the largest M of the whole space (data/nb201-cifar-ntk/hnas_all_cifar10.csv):
    # node 0 is cut off, so every image gets the same logits. The official code's per-sample
    # gradients (activations x backprops, tools/autograd_hacks.py) are the per-sample
    # perturbation gradients below; our kernel must equal them here too, pieces that cancel in
    # their sum but are each scaled by 1/sqrt(eps) in every batch norm over a constant batch.
    from nascore.tables.cifar_ntk.statistics import group_batch, network

    arch = "|none~0|+|none~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_1x1~2|"
    net = network(arch, "cifar10", "hnas").double()
    x, y = group_batch("hnas", "cifar10", arch, 4)
    x = x.double()
    with torch.no_grad():
        logits = net(x)
    assert torch.equal(logits, logits[:1].expand_as(logits))  # dead: one output for every image
    expected, pieces, _ = decomposition_by_perturbation(net, x, y)
    theta = ntk.empirical_ntk(net, x, output="target", targets=y, params="conv-linear",
                              per_sample="batch-decomposition")
    assert torch.allclose(theta, expected, rtol=1e-8, atol=0)
    # M = sqrt(trace / N) is huge (7.7e13 here) while the batch gradient (the pieces' sum: 6.0)
    # and the exact kernel (4.0: only the classifier sees the constant features) are small
    trace = float(theta.trace())
    assert trace > 1e12
    assert float(pieces.sum(0).square().sum()) < 1e-9 * trace
    exact = ntk.empirical_ntk(net, x, output="target", targets=y, params="conv-linear", per_sample="exact")
    assert float(exact.trace()) < 1e-9 * trace
