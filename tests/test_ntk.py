"""Empirical NTK: closed forms, every implementation against the per-sample loop, conventions."""
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nascore import ntk
from nascore.ntk import factored as ntk_factored
from nascore.spaces.mixed import ACTIVATIONS, Architecture

torch.set_num_threads(min(2, torch.get_num_threads()))
IMPLEMENTATIONS = ("jacobian", "factored", "auto")


def _mlp(seed=0, num_classes=3):
    arch = Architecture(("relu", "tanh", "gelu"), skips=((1, 3),))
    return arch.build(5, 12, num_classes, seed=seed).double()


def _conv_bn(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(),
                         nn.Conv2d(3, 4, 3, stride=2), nn.Flatten(), nn.Linear(4 * 2 * 2, 3)).double()


def _randn(*shape, seed=1):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)


LABELS6 = torch.tensor([0, 1, 2, 0, 1, 2])


# ----------------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_linear_model_kernel_is_gram_of_inputs(implementation):
    # f(x) = w.x: d f / d w = x, so Theta = X X^T; a bias adds d f / d b = 1 to every entry.
    x = _randn(4, 3)
    lin = nn.Linear(3, 1, bias=False).double()
    theta = ntk.empirical_ntk(lin, x, implementation=implementation)
    torch.testing.assert_close(theta, x @ x.T, rtol=0, atol=1e-12)
    lin_b = nn.Linear(3, 1).double()
    theta_b = ntk.empirical_ntk(lin_b, x, implementation=implementation)
    torch.testing.assert_close(theta_b, x @ x.T + 1, rtol=0, atol=1e-12)


def _two_layer_relu(w, v):
    net = nn.Sequential(nn.Linear(w.shape[1], w.shape[0], bias=False), nn.ReLU(),
                        nn.Linear(w.shape[0], 1, bias=False)).double()
    with torch.no_grad():
        net[0].weight.copy_(w)
        net[2].weight.copy_(v.reshape(1, -1))
    return net


@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_two_layer_relu_worked_example(implementation):
    # f(x) = v . relu(W x).  df/dv = relu(W x); df/dW = (v * 1[W x > 0]) x^T, so
    # Theta(x, x') = <relu(Wx), relu(Wx')> + <x, x'> sum_r v_r^2 1[w_r.x > 0] 1[w_r.x' > 0].
    # W = I, v = (1, 2), x1 = (1, 0), x2 = (1, 2):
    #   Theta11 = 1 + 1 * 1 = 2,  Theta12 = 1 + 1 * 1 = 2,  Theta22 = 5 + 5 * (1 + 4) = 30.
    net = _two_layer_relu(torch.eye(2, dtype=torch.float64), torch.tensor([1.0, 2.0], dtype=torch.float64))
    x = torch.tensor([[1.0, 0.0], [1.0, 2.0]], dtype=torch.float64)
    theta = ntk.empirical_ntk(net, x, implementation=implementation)
    assert theta.tolist() == [[2.0, 2.0], [2.0, 30.0]]


def test_two_layer_relu_closed_form_random_weights():
    w, v, x = _randn(7, 4, seed=2), _randn(7, seed=3), _randn(5, 4, seed=4)
    pre = x @ w.T                                   # (N, m)
    act, mask = pre.clamp(min=0), (pre > 0).double()
    expected = act @ act.T + (x @ x.T) * ((mask * v ** 2) @ mask.T)
    theta = ntk.empirical_ntk(_two_layer_relu(w, v), x)
    torch.testing.assert_close(theta, expected, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- against the loop
@pytest.mark.parametrize("output", ntk.OUTPUTS)
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_mixed_mlp_matches_loop(output, implementation):
    net, x = _mlp(), _randn(6, 5)
    expected = ntk.empirical_ntk_loop(net, x, output=output, targets=LABELS6)
    theta = ntk.empirical_ntk(net, x, output=output, targets=LABELS6, implementation=implementation)
    torch.testing.assert_close(theta, expected, rtol=0, atol=1e-8)


@pytest.mark.parametrize("mode", ntk.MODES)
@pytest.mark.parametrize("output", ntk.OUTPUTS)
def test_conv_bn_net_matches_loop(mode, output):
    net, x, y = _conv_bn(), _randn(5, 2, 6, 6), LABELS6[:5]
    expected = ntk.empirical_ntk_loop(net, x, output=output, targets=y, mode=mode)
    impls = IMPLEMENTATIONS if mode == "eval" else ("jacobian", "auto")
    for implementation in impls:
        theta = ntk.empirical_ntk(net, x, output=output, targets=y, implementation=implementation, mode=mode)
        torch.testing.assert_close(theta, expected, rtol=0, atol=1e-8)


def test_linear_layer_over_positions_matches_loop():
    # A linear layer applied at 5 positions: d s_i / d W = sum_t delta_it a_it^T (weights shared over t).
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Flatten(), nn.Linear(20, 2)).double()
    x = _randn(4, 5, 3)
    expected = ntk.empirical_ntk_loop(net, x, output="full")
    for strategy in ("gram", "per_sample"):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ntk_factored, "_weight_strategy", lambda *args: strategy)
            theta = ntk.empirical_ntk(net, x, output="full", implementation="factored")
        torch.testing.assert_close(theta, expected, rtol=0, atol=1e-8)


@settings(max_examples=12, deadline=None)
@given(acts=st.lists(st.sampled_from(sorted(ACTIVATIONS)), min_size=1, max_size=3),
       skip_bits=st.integers(0, 7), seed=st.integers(0, 2 ** 16))
def test_factored_equals_jacobian_on_random_mixed_architectures(acts, skip_bits, seed):
    slots = [(i, j) for j in range(2, len(acts) + 1) for i in range(1, j)]
    skips = tuple(s for b, s in enumerate(slots) if skip_bits >> b & 1)
    net = Architecture(tuple(acts), skips=skips).build(4, 8, 2, seed=seed).double()
    x = _randn(5, 4, seed=seed)
    torch.testing.assert_close(ntk.empirical_ntk(net, x, output="full", implementation="factored"),
                               ntk.empirical_ntk(net, x, output="full", implementation="jacobian"),
                               rtol=0, atol=1e-9)


@pytest.mark.parametrize("strategy", ["gram", "per_sample"])
def test_factored_conv_strategies_agree(strategy, monkeypatch):
    net, x = _conv_bn(), _randn(4, 2, 6, 6)
    expected = ntk.empirical_ntk_loop(net, x, output="full", mode="eval")
    monkeypatch.setattr(ntk_factored, "_weight_strategy", lambda *args: strategy)
    theta = ntk.empirical_ntk(net, x, output="full", implementation="factored", mode="eval")
    torch.testing.assert_close(theta, expected, rtol=0, atol=1e-8)


@pytest.mark.parametrize("mode", ntk.MODES)
def test_chunk_size_does_not_change_the_kernel(mode):
    net, x = _conv_bn(), _randn(5, 2, 6, 6)
    whole = ntk.empirical_ntk(net, x, output="full", implementation="jacobian", mode=mode)
    for chunk in (1, 2):
        chunked = ntk.empirical_ntk(net, x, output="full", implementation="jacobian", mode=mode, chunk_size=chunk)
        torch.testing.assert_close(chunked, whole, rtol=0, atol=1e-12)


def test_coupled_backward_passes_go_one_at_a_time_on_a_cpu_from_batch_64():
    from nascore.ntk.jacobian import coupled_chunk

    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    assert coupled_chunk(64, 1, cpu, 50) == 1
    assert coupled_chunk(256, 10, cpu, 50) == 1
    assert coupled_chunk(63, 1, cpu, 50) == 16      # 1024 // 63
    assert coupled_chunk(63, 1, cpu, 3) == 3        # the caller's chunk when smaller
    assert coupled_chunk(256, 1, cuda, 50) == 4     # 1024 // 256: GPUs keep the batched passes
    assert coupled_chunk(2048, 1, cuda, 50) == 1


@pytest.mark.parametrize("output", ["sum", "target"])
def test_one_at_a_time_coupled_kernel_equals_the_batched_one_and_the_loop(output):
    # batch 64 in train mode: the default takes one plain backward pass per row; chunk_size=4
    # forces the vmap-batched passes; the TE-NAS-style loop is the reference.
    net, x = _conv_bn(), _randn(64, 2, 6, 6)
    y = torch.arange(64) % 3
    one = ntk.empirical_ntk(net, x, output=output, targets=y, implementation="jacobian", mode="train")
    batched = ntk.empirical_ntk(net, x, output=output, targets=y, implementation="jacobian", mode="train",
                                chunk_size=4)
    loop = ntk.empirical_ntk_loop(net, x, output=output, targets=y, mode="train")
    torch.testing.assert_close(one, batched, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(one, loop, rtol=1e-10, atol=1e-10)
    assert float(one.abs().max()) > 1e-3  # not a vanishing kernel


# ----------------------------------------------------------------------------- conventions
def test_full_kernel_blocks_give_sum_and_target_kernels():
    net, x = _mlp(), _randn(6, 5)
    full = ntk.empirical_ntk(net, x, output="full")
    k = 3
    blocks = full.reshape(6, k, 6, k)
    # s_i = sum_a f_a(x_i): Theta_sum[i, j] = sum_{a, b} Theta_full[(i, a), (j, b)].
    torch.testing.assert_close(ntk.empirical_ntk(net, x, output="sum"), blocks.sum((1, 3)), rtol=0, atol=1e-10)
    # s_i = f_{y_i}(x_i): Theta_target[i, j] = Theta_full[(i, y_i), (j, y_j)].
    rows = torch.arange(6) * k + LABELS6
    torch.testing.assert_close(ntk.empirical_ntk(net, x, output="target", targets=LABELS6),
                               full[rows][:, rows], rtol=0, atol=1e-10)


def test_one_output_network_all_conventions_coincide():
    net, x = _mlp(num_classes=1), _randn(4, 5)
    zeros = torch.zeros(4, dtype=torch.long)
    kernels = [ntk.empirical_ntk(net, x, output=o, targets=zeros) for o in ntk.OUTPUTS]
    for theta in kernels[1:]:
        torch.testing.assert_close(theta, kernels[0], rtol=0, atol=1e-12)


def test_kernel_is_symmetric_float64_psd():
    theta = ntk.empirical_ntk(_mlp().float(), _randn(6, 5).float())
    assert theta.dtype == torch.float64
    assert torch.equal(theta, theta.T)
    assert ntk.lambda_min(theta) > -1e-6 * ntk.lambda_max(theta)


@pytest.mark.parametrize("mode", ntk.MODES)
@pytest.mark.parametrize("implementation", IMPLEMENTATIONS)
def test_callers_network_is_left_unchanged(mode, implementation):
    net, x = _conv_bn(), _randn(5, 2, 6, 6)
    net[1].eval()  # a mixed state of flags must come back exactly as it was
    before = {k: v.clone() for k, v in net.state_dict().items()}
    flags = [m.training for m in net.modules()]
    if implementation == "factored" and mode == "train":
        with pytest.raises(ValueError, match="batch statistics"):
            ntk.empirical_ntk(net, x, implementation=implementation, mode=mode)
    else:
        ntk.empirical_ntk(net, x, implementation=implementation, mode=mode)
    ntk.empirical_ntk_loop(net, x, mode=mode)
    after = net.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert [m.training for m in net.modules()] == flags
    assert all(p.grad is None for p in net.parameters())


# ----------------------------------------------------------------------------- errors
@pytest.mark.parametrize("kwargs, message", [
    ({"inputs": [[1.0, 2.0]]}, "torch.Tensor"),
    ({"inputs": torch.ones(5, dtype=torch.float64)}, "shape"),
    ({"inputs": torch.ones(2, 7, dtype=torch.float64)}, "do not fit"),
    ({"inputs": torch.tensor([[1.0, math.nan, 0, 0, 0]], dtype=torch.float64)}, "NaN or Inf"),
    ({"inputs": torch.ones(2, 5)}, "dtype"),
    ({"output": "logits"}, "unknown output 'logits'"),
    ({"output": "target"}, "needs targets"),
    ({"output": "target", "targets": torch.tensor([0, 5])}, r"0\.\.2"),
    ({"output": "target", "targets": torch.tensor([0.0, 1.0])}, "integer labels"),
    ({"implementation": "fast"}, "unknown implementation 'fast'"),
    ({"mode": "test"}, "unknown mode 'test'"),
    ({"chunk_size": 0}, "chunk_size"),
])
def test_bad_arguments_raise_value_error(kwargs, message):
    args = {"inputs": _randn(2, 5), **kwargs}
    inputs = args.pop("inputs")
    with pytest.raises(ValueError, match=message):
        ntk.empirical_ntk(_mlp(), inputs, **args)


def test_factored_refuses_batch_statistics():
    with pytest.raises(ValueError, match='mode="eval"'):
        ntk.empirical_ntk(_conv_bn(), _randn(3, 2, 6, 6), implementation="factored", mode="train")


def test_non_module_raises():
    with pytest.raises(ValueError, match="torch.nn.Module"):
        ntk.empirical_ntk(lambda x: x, _randn(2, 3))


# ----------------------------------------------------------------------------- spectrum
def test_spectrum_helpers_on_a_diagonal_kernel():
    theta = torch.diag(torch.tensor([4.0, 1.0, 2.0], dtype=torch.float64))
    assert ntk.eigenvalues(theta).tolist() == [1.0, 2.0, 4.0]
    assert ntk.trace(theta) == 7.0
    assert (ntk.lambda_min(theta), ntk.lambda_max(theta)) == (1.0, 4.0)
    assert ntk.condition_number(theta) == 4.0


def test_singular_kernel_has_infinite_condition_number():
    x = _randn(4, 2)  # rank 2 Gram matrix of 4 points
    assert ntk.condition_number(x @ x.T) == math.inf
    assert ntk.condition_number(torch.zeros(3, 3)) == math.inf


def test_spectrum_rejects_non_square():
    with pytest.raises(ValueError, match="square"):
        ntk.eigenvalues(torch.ones(2, 3))


# ----------------------------------------------------------------------------- NAS-Bench-201
NB201_ARCH = "|nor_conv_3x3~0|+|nor_conv_1x1~0|avg_pool_3x3~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"


@pytest.mark.parametrize("mode", ntk.MODES)
@pytest.mark.parametrize("output", ntk.OUTPUTS)
def test_tiny_nb201_matches_loop(mode, output):
    from nascore.spaces.nb201 import Network

    net = Network(NB201_ARCH, C=4, N=1, num_classes=3, seed=0).double()
    x, y = _randn(4, 3, 8, 8), LABELS6[:4]
    expected = ntk.empirical_ntk_loop(net, x, output=output, targets=y, mode=mode)
    impls = IMPLEMENTATIONS if mode == "eval" else ("jacobian", "auto")
    for implementation in impls:
        theta = ntk.empirical_ntk(net, x, output=output, targets=y, implementation=implementation, mode=mode)
        torch.testing.assert_close(theta, expected, rtol=0, atol=1e-8)
