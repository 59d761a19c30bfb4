"""The HNAS chapter's glued values, tables and search set-ups (``nascore.studies.hnas_tables``,
``nascore.studies.hnas_runs``), on hand-made frames: the names the prose reads, the text
of each interval, and the rules that pick rows or runs, at their boundaries."""
import numpy as np
import pandas as pd
import pytest

from nascore import papers
from nascore.studies import hnas_runs as hr
from nascore.studies import hnas_tables as ht


def test_intervals_write_mean_and_ends_with_one_format():
    assert ht.intervals([1.0, -0.125], [0.5, -0.25], [2.25, 0.0]) == ["1.00 [0.50, 2.25]", "-0.12 [-0.25, 0.00]"]
    assert ht.intervals([0.5], [-0.25], [1.0], "+.2f") == ["+0.50 [-0.25, +1.00]"]


def test_ntk_values_by_hand():
    cifar = pd.DataFrame({"ntk_trace": [1.0, 4.0, 2.0], "hnas_kappa": [10.0, 30.0, 20.0],
                          "tenas_condition": [1.0, np.nan, np.nan]})
    assert ht.ntk_values(cifar) == {"hnas_ntk_archs": 3, "hnas_tenas_archs": 1, "hnas_m_max": 4.0, "hnas_m_min": 1.0,
                                    "hnas_kappa_median": 20.0}


def test_grid_values_read_the_best_cell_and_the_probes():
    grid = pd.DataFrame([[0.1, 0.2, 0.3], [0.4, 0.5, 0.9], [0.0, -0.5, 0.2]],
                        index=pd.Index([0.0, 0.5, 1.0], name="t"), columns=pd.Index([-4.0, -2.0, 0.0]))
    assert ht.OFFICIAL_SCALE == 5000 and ht.PROBE_LOG_MU == -2.0
    assert ht.grid_values(grid) == {"hnas_grid_best_rho": 0.9, "hnas_grid_best_c": 2500.0,   # t = 0.5
                                    "hnas_grid_rho_t0": 0.2, "hnas_grid_rho_t1": -0.5}
    ts, log_mus = ht.grid_axes()
    assert (ts[0], ts[1], ts[-1], len(ts)) == (0.0, pytest.approx(1e-4), pytest.approx(1.0), 34)
    assert log_mus.tolist() == [-4.0, -3.5, -3.0, -2.5, -2.0, -1.5, -1.0, -0.5, 0.0]


def test_budget_values_keep_only_the_budget_and_name_methods_by_key():
    at = pd.DataFrame({"benchmark": "cifar10", "method": ["HNAS pool 2000", "kappa/M", "HNAS"],
                       "queries": [20, 20, 10], "mean": [93.0, 92.5, 91.0], "low": [92.0, 92.0, 90.0],
                       "high": [94.0, 93.0, 92.0]})
    assert ht.budget_values(at, 20) == {
        "hnas_acc_cifar10_hnas2000_mean": 93.0, "hnas_acc_cifar10_hnas2000_low": 92.0,
        "hnas_acc_cifar10_hnas2000_high": 94.0, "hnas_acc_cifar10_kappa_m_mean": 92.5,
        "hnas_acc_cifar10_kappa_m_low": 92.0, "hnas_acc_cifar10_kappa_m_high": 93.0}
    view = ht.method_view(at[at.queries == 20], ["cifar10"], order=["kappa/M", "HNAS pool 2000"])
    assert view["cifar10"].tolist() == ["92.50 [92.00, 93.00]", "93.00 [92.00, 94.00]"]


def test_gain_uniform_official_and_flip_values():
    gains = pd.DataFrame({"dataset": "cifar10", "baseline": ["BO", "training-free"], "gain": [0.5, -0.25],
                          "low": [0.25, -0.5], "high": [0.75, 0.0]})
    assert ht.gain_values(gains) == {"hnas_gain_cifar10_bo": 0.5, "hnas_gain_cifar10_training_free": -0.25}
    at = pd.DataFrame({"benchmark": "cifar100", "method": ["random"], "mean": [70.0], "low": [69.0], "high": [71.0]})
    values = ht.uniform_values(at, gains, n_archs=3586, pool=459)
    assert values == {"hnas_uniform_archs": 3586, "hnas_uniform_pool": 459, "hnas_uniform_acc_cifar100_random": 70.0,
                      "hnas_uniform_gain_cifar10_bo": "+0.50 [+0.25, +0.75]",
                      "hnas_uniform_gain_cifar10_training_free": "-0.25 [-0.50, +0.00]"}
    summary = pd.DataFrame({"method": ["HNAS", "random"], "dataset": "cifar10", "mean": [93.5, 93.0],
                            "std": [0.25, 0.5], "low": [93.25, 92.5], "high": [93.75, 93.5]})
    assert ht.official_values(summary, {"archs": 3586, "pool": 459, "complete": False}) == {
        "hnas_official_archs": 3586, "hnas_official_pool": 459, "hnas_official_paper": papers.paper_values("hnas"),
        "hnas_official_cover": "3,586 of the 15,625 cells so far (a uniform sample; pool 459, scaled to it): a study "
                               "until the statistics cover the whole space",
        "hnas_official_test_cifar10": "93.50 ± 0.25"}
    frame = pd.DataFrame({"ntk_trace": np.arange(25.0), "test_cifar10": [10.0] * 3 + [90.0] * 22})
    # the three chance cells have the smallest M: not among the 20 largest, until M is reversed
    assert ht.official_m_values(frame) == {"hnas_official_m_chance": 0, "hnas_official_m_queries": 20}
    assert ht.official_m_values(frame.assign(ntk_trace=-frame.ntk_trace))["hnas_official_m_chance"] == 3
    assert ht.official_view(summary, ["random", "HNAS"], ["cifar10"])["cifar10"].tolist() == [
        "93.00 ± 0.50 [92.50, 93.50]", "93.50 ± 0.25 [93.25, 93.75]"]
    assert ht.flip_values(gains) == {"hnas_flip_0": "+0.50 [+0.25, +0.75]", "hnas_flip_1": "-0.25 [-0.50, +0.00]"}
    ablation = pd.DataFrame({"benchmark": "cifar10", "method": list(ht.ABLATION_KEYS), "mean": [1.0, 2.0, 3.0]})
    assert ht.ablation_values(ablation) == {"hnas_ablation_cifar10_full": 1.0, "hnas_ablation_cifar10_first": 2.0,
                                            "hnas_ablation_cifar10_scaled": 3.0}


def test_kappa_flip_table_labels_each_kernel_by_its_batch():
    tenas = pd.DataFrame({"score": ["tenas_condition", "hnas_kappa"], "value": [0.25, -0.125], "low": [0.0, -0.25],
                          "high": [0.5, 0.0], "n": [292, 725]})
    mnist = pd.DataFrame({"ntk_condition": [4.0, 3.0, np.nan, 1.0], "val_accuracy": [1.0, 2.0, 5.0, 3.0]})
    table = ht.kappa_flip_table(tenas, mnist, n_boot=10, seed=0)
    assert table.batch.tolist() == [72, 64, 10]
    assert table.n.iloc[2] == 3 and table.value.iloc[2] == pytest.approx(1.0)   # -kappa rises with accuracy
    values = ht.kappa_flip_values(table)
    assert (values["hnas_kappa_flip_72"], values["hnas_kappa_flip_64"]) == ("0.25 [0.00, 0.50]", "-0.12 [-0.25, 0.00]")
    assert ht.kappa_flip_view(table).columns[-1] == "rho(-kappa, acc) [95%]"


def test_batch_table_keeps_batches_of_ten_architectures_or_more_and_reads_minus_kappa():
    study = pd.DataFrame({"statistic": ["hnas_kappa", "hnas_kappa", "ntk_trace", "tenas_condition"],
                          "batch": [16, 8, 16, 16], "archs": [10, 9, 50, 50], "rho_vs_largest": [0.8, 0.5, 0.9, 0.1],
                          "rho_vs_accuracy": [-0.25, -0.5, 0.5, 0.1],
                          "largest_rho_vs_accuracy": [-0.375, 0.0, 0.5, 0.1]})
    assert ht.MIN_BATCH_ARCHS == 10
    rows = ht.batch_table(study)
    assert rows.statistic.tolist() == ["hnas_kappa", "ntk_trace"]                 # 9 architectures: dropped
    assert rows.rho_vs_accuracy.tolist() == [0.25, 0.5]                           # kappa's sign flipped only
    assert study.rho_vs_accuracy.iloc[0] == -0.25                                 # the input is left alone
    assert ht.batch_values(rows) == {"hnas_kappa_batch_16_vs_64": 0.8, "hnas_kappa_batch_16_acc": 0.25,
                                     "hnas_kappa_batch_16_acc_at_64": 0.375}


def test_search_methods_scale_the_pool_and_keep_the_official_one():
    methods = hr.search_methods(725, 93, hnas_options={"restarts": 1}, bo_options={"restarts": 0})
    assert list(methods) == ["random", "evolution", "BO", "training-free", "kappa/M", "HNAS", "HNAS pool 2000"]
    assert methods["HNAS"] == ("hnas", {"restarts": 1, "n_sample": 93})
    assert methods["HNAS pool 2000"][1]["n_sample"] == 2000
    assert methods["kappa/M"] == ("training_free", {"score": "kappa_over_m", "higher_is_better": False,
                                                    "n_sample": 725})
    assert list(hr.BASELINES) == ["random", "evolution", "BO", "training-free", "kappa/M"]


def _histories(method, bests, benchmark="cifar10"):
    """One query per seed: ``best`` after query 1 of each seed."""
    return pd.DataFrame({"benchmark": benchmark, "method": method, "seed": range(len(bests)), "query": 1,
                         "best": bests, "arch": [f"a{i}" for i in range(len(bests))]})


def test_paired_runs_take_a_missing_baseline_from_the_main_searches():
    main = pd.concat([_histories("HNAS", [1.0, 2.0]), _histories("random", [0.5, 0.5])], ignore_index=True)
    ablated = _histories("full, scale = max M", [3.0, 3.0])
    assert hr.paired_runs(main, main, "HNAS", "random") is main
    part = hr.paired_runs(ablated, main, "full, scale = max M", "random")
    assert sorted(set(part.method)) == ["full, scale = max M", "random"] and len(part) == 4
    flip = hr.flip_table([("ablated", ablated, "cifar10", "full, scale = max M", 64, "HNAS official", "CIFAR-10", 93)],
                         main, budget=1, n_boot=10, seed=0, baselines=("random",))
    assert flip[["setting", "baseline", "gain", "interval"]].values.tolist() == [["ablated", "random", 2.5,
                                                                                   "above 0"]]
