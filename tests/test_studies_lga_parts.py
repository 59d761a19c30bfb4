"""The LGA chapter's parts (nascore.studies.lga_curves, lga_claims), by hand."""
import math

import numpy as np
import pandas as pd
import pytest

from nascore import claims
from nascore.studies import lga_claims, lga_curves


def test_dead_networks_counts_a_raw_lga_of_one_within_the_tolerance():
    frame = pd.DataFrame({"lga_raw_e0": [1.0, 1 - 1e-9, 1 - 2e-9, 0.5, np.nan]})
    assert lga_curves.dead_networks(frame) == 2          # 1 and 1 - 1e-9 (the boundary) count
    assert lga_curves.dead_networks(frame, tol=1e-8) == 3


def test_curves_glue_names_each_value_and_its_interval():
    both = pd.DataFrame({"metric": ["lga", "acc"], "epoch": [0, 1], "value": [0.1, 0.5], "low": [0.0, 0.4],
                         "high": [0.2, 0.6]})
    assert lga_curves.curves_glue(both) == {
        "lga_tau_lga_e0": 0.1, "lga_tau_lga_e0_low": 0.0, "lga_tau_lga_e0_high": 0.2,
        "lga_tau_acc_e1": 0.5, "lga_tau_acc_e1_low": 0.4, "lga_tau_acc_e1_high": 0.6}


def test_nb201_init_orients_the_condition_number():
    # accuracy rises with the trace and falls with the condition number: both tau = 1 once oriented
    table = pd.DataFrame({"ntk_trace": [1.0, 2, 3, 4], "ntk_condition": [40.0, 30, 20, 10],
                          "ntk_lambda_min": [1.0, 2, 3, 4], "nwot": [4.0, 3, 2, 1], "params": [1.0, 2, 3, 4],
                          "val_accuracy": [0.1, 0.2, 0.3, 0.4]})
    out = lga_curves.nb201_init(table, n_boot=0).set_index("metric")["Kendall tau"]
    assert out["ntk_trace"] == pytest.approx(1.0) and out["ntk_condition"] == pytest.approx(1.0)
    assert out["nwot"] == pytest.approx(-1.0)


def test_kernel_motion_share_moved_counts_strictly_above_one():
    conv_mean = pd.DataFrame({"kernel_distance_e1": [0.1, 0.2, 0.3, 0.4], "kernel_distance_e2": [0.5, 0.6, 0.7, 0.8],
                              "kernel_distance_e5": [0.5, 1.0, 1.5, 2.0], "acc_final": [0.1, 0.2, 0.3, 0.4]})
    _, glue = lga_curves.kernel_motion(conv_mean, n_boot=0)
    assert glue["lga_distance_median_e1"] == pytest.approx(0.25)
    assert glue["lga_distance_median_e5"] == pytest.approx(1.25)
    assert glue["lga_distance_share_above_1"] == 0.5      # 1.0 itself has not moved by more than its norm
    assert glue["lga_distance_tau_e5"] == pytest.approx(1.0)


def test_search_methods_charge_each_proxy_its_training_and_probe():
    conv = pd.DataFrame({"arch": ["a", "b", "a", "b"], "seed": [0, 0, 1, 1], "seconds_probe": [4.0, 4.0, 4, 4],
                         "seconds_train": [6.0, 6.0, 6, 6], "acc_final": [0.8, 0.9, 0.8, 0.9],
                         **{c: [0.1, 0.2, 0.3, 0.4] for c in ("acc_e1", "acc_e2", "lga_e0", "lga_e1", "lga_e2",
                                                              "naswot_e0", "ntk_condition_e0")}})
    conv_mean = pd.DataFrame({"arch": ["b", "a"], "acc_final": [0.9, 0.8]})
    methods, truth, probe = lga_curves.search_methods(conv, conv_mean, 6)
    assert probe == pytest.approx(1.0)                  # one probe (4 s / 4) = one epoch (6 s / 6)
    assert truth.tolist() == [0.9, 0.8]
    assert methods["random search"][1:] == (6, 0.0)
    assert methods["LGA @1"][1:] == (2.0, 5.0)
    assert methods["LGA @init"][1:] == (1.0, 6.0)
    assert methods["LGA @1"][0].tolist() == [0.2, 0.1]  # seed 0's scores in conv_mean's order
    assert methods["-condition @init"][0].tolist() == [-0.2, -0.1]


def test_search_glue_names():
    table = pd.DataFrame({48.0: [0.8, 0.7, 0.6]}, index=["LGA @1", "random search", "-condition @init"])
    assert lga_curves.search_glue(table, 0.95) == {
        "lga_search_LGA_at1": 0.8, "lga_search_random_search": 0.7, "lga_search_negcondition_atinit": 0.6,
        "lga_search_budget": 48, "lga_search_best": 0.95}


def test_population_glue_before_and_after_cells_are_computed():
    assert lga_claims.population_glue(pd.DataFrame(), 0) == {
        "lga_pop_n": 0, "lga_pop_batch": 32, "lga_pop_ntk_mean": "-", "lga_pop_ntk_frobenius": "-", "lga_pop_lga": "-"}
    tau = pd.DataFrame({"statistic": ["ntk_mean", "ntk_frobenius", "lga", "lga"],
                        "method": ["kendall", "kendall", "kendall", "spearman"], "batch": [32, 16, 32, 32],
                        "value": [0.1, 0.2, 0.3, 0.9], "low": [0.0, 0.1, 0.25, 0.8], "high": [0.2, 0.3, 0.35, 1.0]})
    glue = lga_claims.population_glue(tau, 120)
    assert glue["lga_pop_batch"] == 16 and glue["lga_pop_lga"] == "0.30 [0.25, 0.35]"


def test_real_init_glue_falls_back_to_the_official_batch():
    init = pd.DataFrame({"column": ["ntk_trace"], "batch": [64], "n": [200], "value": [0.5], "low": [0.4],
                         "high": [0.6]})
    assert lga_claims.real_init_glue(init) == {"lga_real_batch": 256, "lga_real_ntk_trace": "0.50 [0.40, 0.60]",
                                               "lga_real_ntk_trace_n": 200}
    with_lga = pd.concat([init, init.assign(column="lga_b32", batch=32)], ignore_index=True)
    assert lga_claims.real_init_glue(with_lga)["lga_real_batch"] == 32


def test_batch_sensitivity_drops_the_largest_batch():
    study = pd.DataFrame({"statistic": ["lga", "lga", "ntk_trace"], "batch": [16, 32, 16], "largest": [32, 32, 64],
                          "rho_vs_largest": [0.6, 1.0, 0.9]})
    rows, glue = lga_claims.batch_sensitivity(study)
    assert len(rows) == 2 and glue == {"lga_batch_min_rho": 0.6, "lga_batch_lga_rho": 0.6}
    _, glue = lga_claims.batch_sensitivity(study[study.statistic != "lga"])
    assert math.isnan(glue["lga_batch_lga_rho"])


def _curves():
    rows = [("lga", e, v, v - 0.1, v + 0.1) for e, v in ((0, 0.05), (1, 0.35), (2, 0.3), (5, 0.2))]
    rows += [("ntk_trace", 0, 0.1, 0.0, 0.2)]
    return pd.DataFrame(rows, columns=["metric", "epoch", "value", "low", "high"])


def _search():
    """LGA-guided search at budget 48: LGA @1 0.85 [0.81, 0.9] against random search's 0.80."""
    return pd.DataFrame({"method": ["LGA @1", "random search", "accuracy @1"], "budget": [48.0] * 3,
                         "mean": [0.85, 0.80, 0.84], "low": [0.81, 0.78, 0.8], "high": [0.9, 0.82, 0.88]})


def _claims(init_real, cifar_tau, trained):
    return lga_claims.chapter_claims(curves=_curves(), init_real=init_real, ceiling=0.4, cifar_tau=cifar_tau,
                                     trained=trained, median_distance=0.5, search=_search(), budget=48.0, n_boot=0)


def test_chapter_claims_take_their_verdicts_from_the_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    init_real = pd.DataFrame({"column": ["ntk_trace", "ntk_condition"], "batch": [64, 72], "n": [300, 300],
                              "value": [0.5, -0.1], "low": [0.4, -0.2], "high": [0.6, 0.0]})
    cifar_tau = pd.DataFrame({"n": [24, 24], "value": [0.4, 0.3], "low": [0.1, 0.0], "high": [0.6, 0.5]},
                             index=pd.Index(["lga_after_1_epoch", "naswot_after_1_epoch"], name="score"))
    trained = pd.DataFrame({"arch": list("abcd"), "lga_after_1_epoch": [1.0, 2, 3, np.nan],
                            "lga_b32": [1.0, 2, 3, 4], "test_accuracy": [1.0, 2, 3, 4],
                            "val_accuracy": [1.0, 2, 3, 4], "sample": ["stratified"] * 4})
    records = _claims(init_real, cifar_tau, trained)
    verdicts = {r["claim_id"]: r["verdict"] for r in records}
    assert verdicts == {"lga.init-metrics-unreliable": "partly",          # 0.5 ranks well, -0.1 backwards
                        "lga.after-training": "reproduced",               # epoch 1: 0.35 >= 0.3, low 0.25 > 0.05
                        "lga.after-training.nb201-cifar": "not attempted",  # 24 architectures
                        "lga.kernel-moves": "reproduced",                 # median 0.5: the boundary
                        "lga.guided-search": "reproduced"}                # 0.81 > 0.80
    after = next(r for r in records if r["claim_id"] == "lga.after-training.nb201-cifar")
    assert "(4 of the sample stratified by accuracy)" in after["claim"]  # which sample it rests on, in words
    assert "200-epoch CIFAR-10 test accuracy" in after["claim"]
    for record in records:
        claims.record(**record)
    assert len(claims.load()) == 5


def test_lga_at_init_beside_the_trained_value_comes_from_the_same_cells_and_test_accuracy(tmp_path, monkeypatch):
    # population cells only (the claim's sample once it is the larger one): LGA at init on the
    # three trained cells is reversed against their 200-epoch test accuracy (tau -1) but follows
    # NASLib's validation accuracy (tau +1); the fourth cell was not trained and is left out.
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    init_real = pd.DataFrame({"column": ["ntk_trace", "lga_b32"], "batch": [64, 32], "n": [300, 1000],
                              "value": [0.5, 0.36], "low": [0.4, 0.3], "high": [0.6, 0.4]})
    cifar_tau = pd.DataFrame({"n": [3], "value": [1.0], "low": [1.0], "high": [1.0]},
                             index=pd.Index(["lga_after_1_epoch"], name="score"))
    trained = pd.DataFrame({"arch": list("abcd"), "lga_after_1_epoch": [1.0, 2, 3, np.nan],
                            "lga_b32": [3.0, 2, 1, 9], "test_accuracy": [1.0, 2, 3, 4],
                            "val_accuracy": [3.0, 2, 1, 0], "sample": ["population"] * 4})
    records = _claims(init_real, cifar_tau, trained)
    after = next(r for r in records if r["claim_id"] == "lga.after-training.nb201-cifar")
    assert "(4 of LGA's population (uniform among NB201 cells 0..999))" in after["claim"]
    assert "; LGA at init (batch 32) on 3 of the same cells: -1.000" in after["our_value"]
    # under three at-init values on the trained cells: the clause is left out, the claim stays
    trained.loc[trained.arch != "a", "lga_b32"] = np.nan
    records = _claims(init_real, cifar_tau, trained)
    after = next(r for r in records if r["claim_id"] == "lga.after-training.nb201-cifar")
    assert "LGA at init" not in after["our_value"] and after["our_value"].startswith("Kendall tau 1.000")
    assert after["verdict"] == "not attempted"  # 3 cells



def test_the_flip_table_names_each_rows_ground_truth_and_glues_the_official_row():
    init_real = pd.DataFrame({"column": ["lga_b32"], "batch": [32], "n": [724], "value": [0.39], "low": [0.35],
                              "high": [0.43]})
    cifar_tau = pd.DataFrame({"n": [55, 55], "value": [0.34, 0.57], "low": [0.2, 0.45], "high": [0.5, 0.7]},
                             index=pd.Index(["lga_after_1_epoch", "naswot_after_1_epoch"], name="score"))
    table, glue = lga_claims.cifar_flip(_curves(), 40, init_real, cifar_tau)
    assert table.n.tolist() == [40, 40, 724, 55] and table.value.tolist() == [0.05, 0.35, 0.39, 0.34]
    assert table.truth.tolist() == ["final accuracy (conv table)"] * 2 + ["NASLib's validation accuracy",
                                                                          "200-epoch test accuracy"]
    assert glue == {"lga_cifar_n": 55, "lga_cifar_tau": 0.34, "lga_cifar_low": 0.2, "lga_cifar_high": 0.5,
                    "lga_cifar_naswot_tau": 0.57}
    table, _ = lga_claims.cifar_flip(_curves(), 40, init_real.assign(column="ntk_trace"), cifar_tau)
    assert len(table) == 3  # no LGA at init on CIFAR-10: its row is left out
