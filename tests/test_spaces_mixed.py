import pytest
import torch

from nascore.spaces import mixed


def test_key_round_trip_and_counts():
    arch = mixed.Architecture(("relu", "tanh", "gelu"), skips=((2, 3), (1, 2)))
    assert arch.key() == "relu-tanh-gelu|1>2,2>3"
    assert mixed.from_key(arch.key()) == arch
    # 7 activations ^ 3 layers x 2 adjacent skip slots on/off
    assert len(mixed.all_architectures(3)) == 7 ** 3 * 4
    assert len(mixed.all_architectures(3, ["relu", "tanh"], skip_slots="all")) == 2 ** 3 * 2 ** 3


def test_fully_connected_linear_net_is_a_scaled_product():
    # With identity-like check: a one-hidden-layer ReLU net computes v.relu(W x / sqrt(d)) / sqrt(m).
    arch = mixed.Architecture(("relu",))
    net = arch.build(3, width=4, num_classes=1, seed=0)
    x = torch.randn(5, 3)
    w, v = net.hidden[0].detach(), net.readout.detach()
    expected = torch.relu(x @ w.T / 3 ** 0.5) @ v.T / 2.0
    assert torch.allclose(net(x), expected, atol=1e-6)


def test_skip_adds_earlier_layer():
    arch = mixed.Architecture(("relu", "tanh"), skips=((1, 2),))
    net = arch.build(3, width=4, seed=1, residual_scale=0.5)
    x = torch.randn(2, 3)
    w1, w2, v = (p.detach() for p in (net.hidden[0], net.hidden[1], net.readout))
    f1 = torch.relu(x @ w1.T / 3 ** 0.5)
    f2 = torch.tanh(f1 @ w2.T / 2.0) + 0.5 * f1
    assert torch.allclose(net(x), f2 @ v.T / 2.0, atol=1e-6)


def test_same_seed_same_weights():
    arch = mixed.sample(1, 3, seed=3)[0]
    a, b = arch.build(8, 16, seed=7), arch.build(8, 16, seed=7)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


@pytest.mark.parametrize("kwargs, message", [
    (dict(activations=("relu", "softmax")), "unknown activation 'softmax'"),
    (dict(activations=("relu", "relu"), skips=((2, 2),)), "bad skip"),
    (dict(activations=()), "at least one hidden layer"),
])
def test_bad_architectures(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mixed.Architecture(**kwargs)


@pytest.mark.parametrize("key, message", [
    ("relu-tanh|1>٢", "bad skip"), ("relu-tanh|01>2", "bad skip"), ("relu-tanh|1>²", "bad skip"),
    ("relu-tanh|1>" + "2" * 5000, "bad skip"), ("relu-tanh|1>3", "1 <= i < j <= 2"),
    ("relu-tanh", "expected 'activations|skips'"), ("relu-tanh-tanh|2>3,1>2", "canonical form"),
    ("relu-tanh|1>2,1>2", "canonical form"), ("|", "unknown activation ''"), ("relu-tanh|1>2,", "bad skip"),
])
def test_keys_must_be_canonical_ascii(key, message):
    with pytest.raises(ValueError, match=message) as caught:
        mixed.from_key(key)
    assert len(str(caught.value)) < 300


def test_a_huge_key_is_shortened_in_the_message():
    with pytest.raises(ValueError, match=r"unknown activation 'x+\.\.\.' \(50002 chars\)"):
        mixed.from_key("x" * 50_000 + "|")


@pytest.mark.parametrize("args, name", [((-1, 3), "n"), ((2, 0), "hidden_layers"), ((2.0, 3), "n")])
def test_sample_refuses_bad_counts(args, name):
    # mixed.sample(-1, 3) used to return [].
    with pytest.raises(ValueError, match=f"{name} must be an integer"):
        mixed.sample(*args)
    assert mixed.sample(0, 3) == []
