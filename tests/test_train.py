"""The trainer: protocol checks, determinism, and stacked == one-at-a-time."""
import pytest
import torch
from torch import nn

from nascore import data
from nascore.tables.executors import torch_threads
from nascore.spaces import mixed
from nascore.training import Protocol, prepare, stack, train, train_many

ARCHS = [mixed.from_key(k) for k in
         ("relu-tanh-gelu|1>2", "sigmoid-sigmoid-swish|", "elu-relu-relu|1>2,2>3", "tanh-gelu-leaky_relu|2>3")]


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    # Tiny nets gain nothing from threads, and on a busy machine an OpenMP barrier
    # waiting for a descheduled thread makes each op take milliseconds.
    with torch_threads(1):
        yield


@pytest.fixture(scope="module")
def digits():
    return data.load("digits")


def factory(arch, width=16, dim=64):
    return lambda seed: arch.build(dim, width, 10, seed=seed)


def test_protocol_rejects_bad_values_by_name():
    with pytest.raises(ValueError, match="'rmsprop'.*allowed: sgd, adam"):
        Protocol(optimizer="rmsprop")
    with pytest.raises(ValueError, match=r"checkpoints \[5\] outside 1..epochs=3"):
        Protocol(epochs=3, checkpoints=(1, 5))
    assert Protocol(epochs=3, checkpoints=(2, 1)).eval_epochs == (1, 2, 3)


def test_same_seed_gives_identical_numbers_and_other_seed_does_not(digits):
    protocol = Protocol(epochs=2, checkpoints=(1,), lr=2.0)
    d = prepare(digits, protocol)
    first = train(factory(ARCHS[0]), d, protocol, seed=3)
    again = train(factory(ARCHS[0]), d, protocol, seed=3)
    other = train(factory(ARCHS[0]), d, protocol, seed=4)
    assert (first.test_accuracy, first.train_loss) == (again.test_accuracy, again.train_loss)
    assert first.train_loss != other.train_loss
    assert set(first.test_accuracy) == {1, 2}


def test_stacked_forward_equals_each_net(digits):
    nets = [a.build(64, 16, 10, seed=0) for a in ARCHS]
    x = digits.flat("test")[:20]
    out = stack(nets)(x)
    expected = torch.stack([net(x) for net in nets])
    torch.testing.assert_close(out, expected, rtol=1e-5, atol=1e-6)


def test_stacked_training_matches_sequential_in_float64(digits):
    # In float64 the two paths differ only by summation order (~1e-16 relative per
    # product); two epochs of SGD (~90 steps) amplify that by far less than 1e6, so
    # 1e-10 on weights and losses is a safe yet meaningful tolerance, and accuracies
    # (argmax of logits that are not tied) must agree exactly.
    protocol = Protocol(epochs=2, checkpoints=(1,), lr=2.0, dtype="float64")
    d = prepare(digits, protocol)
    kept = {True: {}, False: {}}
    results = {}
    for batched in (True, False):
        hook = lambda epoch, nets, b=batched: kept[b].setdefault(epoch, []).extend(nets)  # noqa: E731
        results[batched] = train_many([factory(a) for a in ARCHS], d, protocol, seed=1,
                                      batched=batched, on_checkpoint=hook)
    for fast, slow in zip(results[True], results[False]):
        assert fast.test_accuracy == slow.test_accuracy
        assert fast.train_loss == pytest.approx(slow.train_loss, rel=1e-10)
    for fast, slow in zip(kept[True][2], kept[False][2]):
        for p, q in zip(fast.parameters(), slow.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-10, atol=1e-12)


def test_checkpoint_hook_hands_over_the_trained_nets(digits):
    protocol = Protocol(epochs=2, checkpoints=(1,), lr=2.0)
    d = prepare(digits, protocol)
    seen = {}
    results = train_many([factory(a) for a in ARCHS[:2]], d, protocol, seed=0,
                         on_checkpoint=lambda epoch, nets: seen.setdefault(epoch, nets))
    assert sorted(seen) == [1, 2]
    for net, result in zip(seen[2], results):
        with torch.no_grad():
            acc = (net(d.x_test).argmax(1) == d.y_test).double().mean().item()
        assert acc == pytest.approx(result.final_accuracy, abs=1e-12)


def test_any_module_factory_trains_and_unstackable_nets_fall_back(digits):
    protocol = Protocol(epochs=2, checkpoints=(1,), lr=0.5)
    d = prepare(digits, protocol)

    def mlp(seed, width):
        with torch.random.fork_rng():  # nn.Linear draws from the global generator
            torch.manual_seed(seed)
            return nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10))

    assert stack([mlp(0, 8), mlp(0, 16)]) is None
    results = train_many([lambda s: mlp(s, 8), lambda s: mlp(s, 16)], d, protocol, seed=0)
    alone = train(lambda s: mlp(s, 16), d, protocol, seed=0)
    assert results[1].test_accuracy == alone.test_accuracy
    assert results[1].final_accuracy > 0.5  # chance is 0.1


@pytest.mark.parametrize("lr", [float("inf"), float("nan"), 1e300, -1.0, 0.0])
def test_protocol_lr_must_be_finite_positive_and_fit_the_dtype(lr):
    # 1e300 is finite but overflows float32 inside the optimiser (it used to crash there).
    with pytest.raises(ValueError, match="lr must be a finite positive number"):
        Protocol(lr=lr)
    assert Protocol(lr=1e300, dtype="float64").lr == 1e300


def test_a_diverged_run_says_so_and_the_store_keeps_it_as_failed(digits, tmp_path):
    from nascore.tables.store import ResultStore
    from nascore.tables.jobs import store_trained
    from nascore.tables.mixed_mnist5k import RESULT_SCHEMA

    protocol = Protocol(lr=1e38, epochs=1, checkpoints=(), batch_size=256)
    bad, = train_many([factory(ARCHS[0], width=4)], prepare(digits, protocol), protocol, seed=0)
    assert bad.failure.startswith("training loss became") and "epoch 1" in bad.failure
    sane = Protocol(lr=0.1, epochs=1, checkpoints=(), batch_size=256)
    good, = train_many([factory(ARCHS[0], width=4)], prepare(digits, sane), sane, seed=0)
    assert good.failure is None
    # A record with a NaN loss is stored as failed even without the trainer's reason.
    store = ResultStore(tmp_path, schema=RESULT_SCHEMA)
    record = {"arch": "relu|", "seed": 0, "acc_final": 0.1, "train_loss": float("nan")}
    assert store_trained(store, "ab" * 32, record) == "non-finite train_loss"
    assert store.status("ab" * 32) == "failed" and store.frame().empty
    with pytest.raises(ValueError, match="not finite"):
        store.put("cd" * 32, record)  # the schema refuses it as a valid result


def test_torch_threads_restores_and_refuses_bad_counts():
    import torch

    from nascore.metrics.table import torch_threads as table_threads

    assert table_threads is torch_threads  # one guard for every table job
    before = torch.get_num_threads()
    with torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ValueError, match="threads must be a positive integer or None"):
            with torch_threads(bad):
                pass
