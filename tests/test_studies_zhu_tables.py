"""The Zhu et al. chapter's tables and glued values (``nascore.studies.zhu_tables``), on
hand-made frames: each rule at its boundary, each summary against numbers worked by hand."""
import math

import numpy as np
import pandas as pd
import pytest

from nascore.studies import zhu, zhu_tables as zt


def _bracket(exact_shift=0.0):
    return pd.DataFrame({"lower_layerwise": [0.5, 1.0, 2.0], "lower_series": [1.0, 2.0, 3.0],
                         "exact": [2.0, 4.0, 4.0 + exact_shift], "upper": [4.0, 4.0, 8.0]})


def test_bracketed_allows_the_tolerance_and_nothing_more():
    assert zt.BRACKET_TOLERANCE == 1e-9
    assert zt.bracketed(_bracket()).tolist() == [True, True, True]   # exact == upper counts
    br = _bracket().assign(upper=[4.0, 4.0 - 0.5e-9, 4.0 - 2e-9])
    assert zt.bracketed(br).tolist() == [True, True, False]
    br = _bracket().assign(lower_series=[1.0, 2.0, 4.0 + 2e-9])
    assert zt.bracketed(br).tolist() == [True, True, False]


def test_bracket_summary_by_hand():
    values = zt.bracket_summary(_bracket(), n_boot=10, seed=0)
    assert (values["zhu_bracket_n"], values["zhu_bracket_inside"]) == (3, 3)
    assert values["zhu_ratio_series"] == pytest.approx(0.5)       # median of 1/2, 2/4, 3/4
    assert values["zhu_ratio_layerwise"] == pytest.approx(0.25)   # median of 1/4, 1/4, 1/2
    assert values["zhu_ratio_upper"] == pytest.approx(2.0)        # median of 2, 1, 2
    assert isinstance(values["zhu_bracket_n"], int) and isinstance(values["zhu_ratio_series"], float)


def test_width_summary_by_hand():
    ws = pd.DataFrame({"width": [64, 64, 256, 256], "lambda_min": [1.5, 0.5, 1.125, 1.0], "infinite": 1.0})
    err, values = zt.width_summary(ws, 2)
    assert err.tolist() == [0.5, 0.0625]
    assert values == {"zhu_width_seeds": 2, "zhu_width_small": 64, "zhu_width_large": 256,
                      "zhu_width_err_small": 0.5, "zhu_width_err_large": 0.0625}


def _sweep():
    """Two activations, one and two hidden layers, three patterns; skips help relu at depth 2
    strictly, tie for sigmoid's lower bounds."""
    rows = []
    for act, gain in (("relu", 2.0), ("sigmoid", 1.0)):
        for h in (1, 2):
            for pattern in ("none", "resnet", "dense"):
                g = gain if (pattern != "none" and h == 2) else 1.0
                rows.append({"activation": act, "hidden_layers": h, "depth": h + 1, "pattern": pattern,
                             "lower_series": g, "lower_layerwise": g / 2,
                             "exact": 3.0 * g * (1.5 if pattern != "none" else 1.0)})
    return pd.DataFrame(rows)


def test_skips_raise_counts_strict_gains_on_two_hidden_layers_or_more():
    wide, values = zt.skip_summary(_sweep())
    assert zt.MIN_HIDDEN_FOR_SKIPS == 2 and values["zhu_skip_cells"] == 2     # (relu, 2), (sigmoid, 2)
    assert values["zhu_skip_resnet_lower_series"] == 1                        # sigmoid ties: not a raise
    assert values["zhu_skip_dense_lower_layerwise"] == 1
    assert values["zhu_skip_resnet_exact"] == 2
    assert values["zhu_skip_gain_median"] == pytest.approx(np.median([3.0, 1.5]))
    assert zt.skips_raise(wide, "lower_series", "dense") == 1


def test_mix_summary_by_hand():
    fc = pd.DataFrame({"first": ["relu", "relu", "tanh", "tanh"], "lower_series": np.exp([0.0, 2.0, 4.0, 6.0])})
    assert zt.first_layer_order(fc) == ["relu", "tanh"]
    table, values = zt.mix_summary(fc)
    # log bounds 0, 2 | 4, 6: residuals -1, 1, -1, 1 (var 4/3), total var 20/3 -> 1 - 0.2
    assert values["zhu_mix_first_r2"] == pytest.approx(0.8)
    assert (values["zhu_mix_best"], values["zhu_mix_worst"]) == ("tanh", "relu")
    assert list(table.index) == ["relu", "tanh"]


def test_generalization_summary_reads_the_shallowest_and_deepest_depth():
    ds = zt.with_generalization(_sweep(), 16)
    assert ds.gen_exact.iloc[0] == pytest.approx(zhu.with_generalization(_sweep(), "exact", 16).iloc[0])
    gen, values = zt.generalization_summary(ds, [1, 2])
    assert values["zhu_depth_deep"] == 3
    assert values["zhu_gen_relu_none_shallow"] == pytest.approx(gen.loc[("relu", 2), "none"])
    assert values["zhu_gen_relu_none_deep"] == pytest.approx(gen.loc[("relu", 3), "none"])
    assert values["zhu_gen_sigmoid_dense_deep"] == pytest.approx(gen.loc[("sigmoid", 3), "dense"])
    # same depth and a larger lambda_min (dense skips) give a smaller bound
    assert values["zhu_gen_sigmoid_dense_deep"] < values["zhu_gen_sigmoid_none_deep"]


@pytest.mark.parametrize("sizes, kept", [([10, 9, 12], [10, 12]), ([9], []), ([10], [10])])
def test_large_groups_keep_ten_or_more(sizes, kept):
    assert zt.MIN_GROUP == 10
    assert zt.large_groups(pd.DataFrame({"n": sizes})).n.tolist() == kept


@pytest.mark.parametrize("n_archs, sample", [(300, 100), (200, 100), (201, 100), (199, 99), (100, 50), (3, 1)])
def test_search_sample_size_is_at_most_half_the_scored_set(n_archs, sample):
    assert zt.SEARCH_SAMPLE == 100
    assert zt.search_sample_size(n_archs) == sample


def test_correlation_and_pick_values_names():
    corr = pd.DataFrame({"method": ["kendall"], "score": ["naswot"], "value": [0.5], "low": [0.25], "high": [0.75]})
    assert zt.correlation_values(corr) == {"zhu_kendall_naswot": 0.5, "zhu_kendall_naswot_low": 0.25,
                                           "zhu_kendall_naswot_high": 0.75}
    chosen = pd.DataFrame({"score": ["a", "b"], "picked": [0.9, 0.8], "percentile": [99.0, 50.0],
                           "best": 0.95, "median": 0.7})
    assert zt.pick_values(chosen) == {"zhu_pick_a": 0.9, "zhu_pick_pct_a": 99.0, "zhu_pick_b": 0.8,
                                      "zhu_pick_pct_b": 50.0, "zhu_best": 0.95, "zhu_median": 0.7}


def test_search_summary_means_per_score():
    search = pd.DataFrame({"score": ["random", "random", "a", "a"], "accuracy": [0.5, 0.75, 0.875, 0.875]})
    summary, values = zt.search_summary(search, seed=0)
    assert list(summary.index) == ["random", "a"]
    assert values == {"zhu_search_random": 0.625, "zhu_search_a": 0.875}


def test_eigennas_values_say_not_computed_for_a_kernel_not_run():
    eigen = pd.DataFrame({"dataset": ["cifar10", "cifar10", "ImageNet16-120"], "key": ["zhu", "hnas", "zhu"],
                          "status": ["run", "not run", "run"], "accuracy": [90.125, math.nan, 40.0],
                          "pick_test": [93.5, math.nan, 45.0], "percentile": [0.984, math.nan, 0.5],
                          "rho": [0.5, math.nan, 0.1], "rho_low": [0.25, math.nan, 0.0],
                          "rho_high": [0.75, math.nan, 0.2], "n": [725, 0, 100]})
    values = zt.eigennas_values(eigen)
    assert (values["zhu_eigen_cifar10_zhu_acc"], values["zhu_eigen_cifar10_zhu_pct"],
            values["zhu_eigen_cifar10_zhu_rho"], values["zhu_eigen_cifar10_zhu_n"]) == \
        ("90.12 %", "98", "0.50 [0.25, 0.75]", "725")
    assert (values["zhu_eigen_cifar10_hnas_acc"], values["zhu_eigen_cifar10_hnas_pct"],
            values["zhu_eigen_cifar10_hnas_n"]) == ("(not computed)", "-", "0")
    assert not any(k.startswith("zhu_eigen_ImageNet16-120") for k in values)
    assert set(values) >= {"zhu_lb_cifar10", "zhu_cpu_batch"}


def _selection(status_1000="not attempted"):
    rows = []
    for n, status in ((100, "run"), (1000, status_1000)):
        for method, base in (("largest lambda_min", 90.0), ("random pick", 80.0)):
            for d, paper in (("cifar10", 93.46), ("ImageNet16-120", 45.54)):
                run = status == "run"
                rows.append({"n_cells": 250, "N": n, "repeats": 500, "method": method, "dataset": d, "status": status,
                             "mean": base + (d == "cifar10") if run else np.nan, "std": 0.25 if run else np.nan,
                             "low": base - 0.5, "high": base + 1.5, "paper": paper})
    return pd.DataFrame(rows)


def test_uniform_values_and_view_say_which_n_ran():
    table = _selection()
    values = zt.uniform_values(table)
    assert (values["zhu_uni_n"], values["zhu_uni_repeats"], values["zhu_uni_ns"]) == (250, 500, "N = 100")
    assert values["zhu_uni_100_lam_cifar10"] == "91.00 ± 0.25 %"
    assert values["zhu_uni_100_rand_ImageNet16-120"] == "80.00 ± 0.25 %"
    assert values["zhu_uni_1000_lam_cifar10"] == "not attempted"
    assert zt.uniform_values(table.assign(status="not attempted"))["zhu_uni_ns"] == "none"
    view = zt.uniform_view(table)
    assert list(view.columns) == ["cifar10", "ImageNet16-120"]
    assert view.loc[(100, "largest lambda_min"), "cifar10"] == "91.00 ± 0.25 [89.50, 91.50]"
    assert view.loc[(1000, "random pick"), "ImageNet16-120"] == "not attempted"
    assert view.loc[("-", "EigenNAS (leaderboard, secondary)")].tolist() == ["93.46", "45.54"]
