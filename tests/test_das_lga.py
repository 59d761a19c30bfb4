"""DAS decoupling, LGA, kernel drift and the proxy analyses, on small worked examples."""
import math

import numpy as np
import pytest
from conftest import chapter_values
import torch

from nascore import metrics
from nascore.analysis import epochs
from nascore.studies import das, lga
from nascore.metrics.ntk_metrics import label_kernel
from nascore.training.probes import (activation_summary, das_family, kernel_distance, ntk_summary,
                                           probe, train_with_probes)
from nascore.spaces import nb201

ARCH = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"


pytestmark = pytest.mark.usefixtures("one_thread")


@pytest.fixture(scope="module")
def batch():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(20, 1, 8, 8, generator=g)
    y = torch.arange(20) % 5
    return x, y


@pytest.fixture()
def net():
    return nb201.Network(ARCH, C=4, N=1, num_classes=5, in_channels=1, seed=3)


def test_naswot_decouples_exactly_into_units_and_distinguishing_on_a_nb201_net(net, batch):
    # log|K_H| = N log N_A + log|K_H / N_A|: det(cK) = c^N det K for an N x N matrix
    x, _ = batch
    values = activation_summary(net, x)
    assert values["naswot"] == pytest.approx(values["das_units"] + values["das_distinguishing"], abs=1e-9)
    assert values["das_units"] == pytest.approx(20 * math.log(values["n_units"]))
    assert values["das_distinguishing"] <= 0  # Hadamard: unit diagonal, PSD
    assert values["naswot"] == pytest.approx(metrics.score("naswot", net, x), abs=1e-9)
    assert values["das_distinguishing"] == pytest.approx(metrics.score("das_distinguishing", net, x), abs=1e-9)


def test_das_family_recovers_naswot_at_weight_n_and_distinguishing_at_zero(net, batch):
    x, _ = batch
    v = activation_summary(net, x)
    assert das_family(v["das_units"], v["das_distinguishing"], 20, 20) == pytest.approx(v["naswot"])
    assert das_family(v["das_units"], v["das_distinguishing"], 0, 20) == v["das_distinguishing"]
    assert das_family(v["das_units"], v["das_distinguishing"], 3.0, 20) == pytest.approx(
        metrics.score("das", net, x, weight=3.0))
    assert das_family([1.0, 2.0], [-np.inf, -1.0], 1, 1).tolist() == [-np.inf, 1.0]


def test_one_kernel_summary_matches_the_registry_metrics(net, batch):
    x, y = batch
    values, theta = probe(net, x, y)
    assert theta.shape == (20, 20)
    # probe's kernel: true-class logit, every parameter, exact per-sample gradients
    probe_convention = {"output": "target", "params": "all", "per_sample": "exact"}
    for name in ("lga", "ntk_trace", "ntk_frobenius", "ntk_mean"):
        assert values[name] == pytest.approx(metrics.score(name, net, x, y, **probe_convention), rel=1e-6), name
    assert values["ntk_condition"] == pytest.approx(
        metrics.score("ntk_condition", net, x, y, **probe_convention), rel=1e-4)
    assert values["ntk_lambda_min"] == pytest.approx(
        metrics.score("ntk_lambda_min", net, x, y, **probe_convention), rel=1e-4, abs=1e-9)


def test_lga_is_maximal_for_the_label_kernel_and_invariant_to_scaling():
    y = torch.tensor([0, 0, 1, 1, 2, 2, 0, 1])
    best = ntk_summary(label_kernel(y), y)["lga"]
    assert best == pytest.approx(1.0)
    assert ntk_summary(7.5 * label_kernel(y) + 3.0, y)["lga"] == pytest.approx(1.0)
    g = torch.Generator().manual_seed(1)
    for _ in range(20):
        a = torch.randn(8, 5, generator=g, dtype=torch.float64)
        theta = a @ a.T
        lga = ntk_summary(theta, y)["lga"]
        assert lga < best
        assert ntk_summary(0.01 * theta, y)["lga"] == pytest.approx(lga)


def test_kernel_distance_is_zero_without_training_and_relative_otherwise(net, batch):
    x, y = batch
    values0, theta0 = probe(net, x, y)
    assert values0["kernel_distance"] == 0.0
    again, _ = probe(net, x, y, theta0=theta0)
    assert again["kernel_distance"] == pytest.approx(0.0, abs=1e-12)
    assert kernel_distance(theta0, 3 * theta0) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="zero"):
        kernel_distance(torch.zeros(2, 2), torch.eye(2))


def test_probe_leaves_the_network_unchanged(net, batch):
    x, y = batch
    before = {k: v.clone() for k, v in net.state_dict().items()}
    net.eval()
    probe(net, x, y)
    assert not net.training
    assert all(torch.equal(before[k], v) for k, v in net.state_dict().items())


def test_train_with_probes_probes_init_and_requested_epochs(batch):
    from nascore.training import Protocol, TrainData

    x, y = batch
    data = TrainData(x, y, x, y)
    protocol = Protocol(epochs=3, checkpoints=(1, 2), batch_size=10, lr=0.05, inputs="image")
    factory = lambda s: nb201.Network(ARCH, C=4, N=1, num_classes=5, in_channels=1, seed=s)  # noqa: E731
    result, probes, seconds = train_with_probes(factory, data, protocol, seed=0, probe_inputs=x,
                                                probe_targets=y, probe_epochs=(1, 3))
    assert sorted(probes) == [0, 1, 3]
    assert sorted(result.test_accuracy) == [1, 2, 3]
    assert probes[0]["kernel_distance"] == 0.0 and probes[3]["kernel_distance"] > 0
    assert sorted(seconds) == [0, 1, 3] and seconds[1] + seconds[3] <= result.seconds


def test_correlations_over_epochs_by_hand():
    import pandas as pd

    frame = pd.DataFrame({"acc_final": [1, 2, 3, 4],
                          "lga_e0": [4, 3, 2, 1],            # perfectly reversed: tau = -1
                          "lga_e1": [1, 3, 2, 4],            # one discordant pair of six: 4/6
                          "ntk_condition_e0": [4, 3, 2, 1]})  # lower is better: sign flipped, +1
    table = epochs.correlations_over_epochs(frame, ["lga"], [0, 1], n_boot=0)
    assert table.value.tolist() == pytest.approx([-1.0, 4 / 6])
    cond = epochs.correlations_over_epochs(frame, ["ntk_condition"], [0], n_boot=0)
    assert cond.value.iloc[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="lga_e5"):
        epochs.correlations_over_epochs(frame, ["lga"], [5], n_boot=0)


def test_das_weight_scan_by_hand():
    # N = 2, log N_A = (1, 2, 3); D = (0, -3, -6): w = 0 ranks reversed, w = 4 ranks forward
    units, dist = np.array([2.0, 4.0, 6.0]), np.array([0.0, -3.0, -6.0])
    table = das.das_weight_scan(units, dist, [1, 2, 3], [0, 4], 2, method="spearman", n_boot=0)
    assert table.value.tolist() == pytest.approx([-1.0, 1.0])


def test_cifar_benchmarks_hold_the_two_terms_of_the_shipped_naswot():
    from nascore.analysis.cifar_population import population

    bench = das.cifar_benchmarks()
    assert list(bench) == ["NB201 CIFAR-10, real images", "NB201 CIFAR-100, real images"]
    units, dist, acc, n, label = bench["NB201 CIFAR-10, real images"]
    frame, kind = population("cifar10")
    assert n == 64 and kind == "uniform sample" and label == f"uniform sample, {len(frame)} architectures"
    assert len(units) == len(dist) == len(acc) == len(frame) >= 100
    # units + D is the NASWOT column scored on the same batch; units / N is log N_A > 0
    ok = np.isfinite(dist) & np.isfinite(frame.naswot.to_numpy(float))
    assert ok.mean() > 0.9
    np.testing.assert_allclose((units + dist)[ok], frame.naswot.to_numpy(float)[ok], rtol=1e-6)
    assert (units[ok] / n > 0).all()
    assert set(das.BENCHMARK_KEYS) >= set(bench)


def test_improvement_ratio_and_direction():
    assert das.improvement_ratio(0.52, 0.4) == pytest.approx(1.3)
    with pytest.raises(ValueError):
        das.improvement_ratio(0.5, 0.0)
    assert epochs.direction("ntk_condition") == -1 and epochs.direction("lga") == 1
    assert epochs.direction("kernel_distance") == 1


def test_equal_cost_search_by_hand():
    truth = np.array([10.0, 20.0, 30.0, 40.0])
    # an oracle proxy with budget for every candidate finds the best
    assert lga.equal_cost_search(truth, truth, cost_per_candidate=1, budget=4, runs=3).tolist() == [40.0] * 3
    # budget for one candidate: a uniform draw, mean near 25
    picks = lga.equal_cost_search(truth, truth, cost_per_candidate=2, budget=2, runs=2000)
    assert picks.mean() == pytest.approx(25, abs=1.0)
    # final training cost leaves room for 2 of 4 candidates: best of 2 = 1/6*20 + 2/6*30 + 3/6*40
    picks = lga.equal_cost_search(truth, truth, cost_per_candidate=1, budget=8, final_cost=6, runs=4000)
    assert picks.mean() == pytest.approx((20 + 60 + 120) / 6, abs=0.5)
    curves = lga.search_curves({"oracle": (truth, 1, 0)}, truth, [1, 4], runs=50)
    assert curves["mean"].iloc[-1] == 40.0


def test_an_input_independent_network_has_lga_one_and_the_guard_ranks_it_last():
    import pandas as pd

    # every path of this cell is cut: the output ignores the input
    dead = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    net = nb201.Network(dead, C=4, N=1, num_classes=5, in_channels=1, seed=0)
    x = torch.rand(20, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    y = torch.arange(20) % 5
    values, _ = probe(net, x, y)
    assert values["lga"] == pytest.approx(1.0)
    guarded = lga.guard_degenerate_lga(pd.DataFrame({"lga_e0": [values["lga"], 0.4]}))
    assert guarded.lga_e0.tolist() == [-np.inf, 0.4] and guarded.lga_raw_e0.iloc[0] == values["lga"]


def test_das_chapter_checks_the_identity_on_real_networks(built_book):
    values = chapter_values("60_das")
    assert float(values["das_identity_gap"]) < 1e-9          # live networks, float64
    assert float(values["das_identity_gap_table"]) < 1e-6    # the 7-digit CSV
    assert int(values["das_conv_archs"]) == 80               # quick-mode slice


def test_lga_chapter_flags_dead_networks_and_kernel_motion(built_book):
    values = chapter_values("70_lga")
    assert int(values["lga_archs"]) == 80 and int(values["lga_dead"]) >= 1
    assert float(values["lga_distance_median_e5"]) > float(values["lga_distance_median_e1"]) > 0


@pytest.mark.parametrize("ratio, n, verdict", [
    (1.04, 100, "reproduced"), (1.5, 301, "reproduced"), (1.0399, 301, "partly"), (1.0, 301, "not reproduced"),
    (0.9, 301, "not reproduced"), (1.2, 99, "not attempted"), (float("nan"), 301, "not attempted"),
])
def test_das_improvement_verdict_boundaries(ratio, n, verdict):
    from nascore.studies import das

    assert das.improvement_verdict(ratio, n) == verdict


def test_nb101_check_on_a_planted_table():
    """NASWOT = units + distinguishing; DAS (w = 1) is planted to rank exactly as the
    accuracy, NASWOT not: DAS's tau is 1 and the ratio is above 1."""
    import numpy as np
    import pandas as pd

    from nascore.studies import das

    rng = np.random.default_rng(0)
    n = 120
    acc = np.arange(n, dtype=float)
    units = rng.normal(size=n) * 64
    distinguishing = acc - units / 64  # D + 1 * units / N = acc
    frame = pd.DataFrame({"val_accuracy": acc, "das_units": units, "das_distinguishing": distinguishing,
                          "naswot": units + distinguishing, "das": distinguishing + units / 64})
    out = das.nb101_check(frame, weights=[0, 1, 8, 64], n_boot=50)
    assert out["n"] == n and out["das"] == pytest.approx(1.0) and out["naswot"] < 0.9
    assert out["cv_weight_over_n"] == pytest.approx(1 / 64) and out["ratio"] > 1.04 and out["verdict"] == "reproduced"
    few = das.nb101_check(frame.iloc[:3], weights=[0, 1], n_boot=10)  # too few cells: no numbers, no verdict
    assert few["n"] == 3 and np.isnan(few["ratio"]) and np.isnan(few["naswot"]) and few["verdict"] == "not attempted"
    assert set(few) == set(out)


def test_improvement_verdict_with_an_interval_including_one_is_at_most_partly():
    from nascore.studies import das

    assert das.improvement_verdict(1.10, 124, low=0.92) == "partly"
    assert das.improvement_verdict(1.10, 124, low=1.01) == "reproduced"
    assert das.improvement_verdict(0.98, 124, low=0.80) == "not reproduced"
