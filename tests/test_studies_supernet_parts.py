"""The weight-sharing chapter's parts (nascore.studies.supernet_tables, supernet_claims), by hand."""
import math

import pandas as pd
import pytest

from nascore import claims, papers
from nascore.studies import supernet_claims, supernet_tables


@pytest.mark.parametrize("basis, provisional, source", [
    ("paper-scale", True, "our code, real data"),    # the GPU run is never a stand-in
    ("paper-scale", False, "our code, real data"),
    ("shipped", True, "stand-in data"),
    ("shipped", False, "our code, real data"),
])
def test_source_for(basis, provisional, source):
    assert supernet_claims.source_for(basis, provisional) == source


def test_search_key_keeps_letters_and_digits():
    assert supernet_tables.search_key("HNAS (12-epoch, 2,000 pool)") == "hnas_12_epoch_2_000_pool"


def test_retrain_glue_without_stand_alone_children_is_nan():
    glue = supernet_tables.retrain_glue(pd.DataFrame({"arch": ["a", "b"]}), None)
    assert glue["sn_alone_n"] == 2 and all(math.isnan(glue[f"sn_alone_{p}"]) for p in ("mean", "low", "high"))
    glue = supernet_tables.retrain_glue(pd.DataFrame(), {"mean": -0.5, "low": -1.0, "high": 0.25})
    assert glue == {"sn_alone_n": 0, "sn_alone_mean": -0.5, "sn_alone_low": -1.0, "sn_alone_high": 0.25}


def test_ranking_glue_reads_the_mean_over_seeds_only():
    ranking = pd.DataFrame({"variant": ["full", "full"], "supernet_seed": [0, "mean"], "set": ["zc", "zc"],
                            "method": ["kendall", "kendall"], "value": [0.9, 0.2], "low": [0.8, 0.1],
                            "high": [1.0, 0.3]})
    assert supernet_tables.ranking_glue(ranking) == {"sn_kendall_full_zc_value": 0.2, "sn_kendall_full_zc_low": 0.1,
                                                     "sn_kendall_full_zc_high": 0.3}


def test_curve_glue_lists_finished_budgets_only():
    curve = pd.DataFrame({"epochs": [16, 8, 32], "variant": "full", "low": [-0.2, -0.3, 0.1],
                          "finished": [True, True, False]})
    curve = curve.assign(high=[0.1, -0.1, 0.3])
    assert supernet_tables.curve_glue(curve) == {"sn_curve_budgets": "8 epochs, 16 epochs",
                                                 "sn_curve_sign": "not within 16 epochs",
                                                 "sn_curve_signs_full": "below 0 at 8 epochs, covers 0 at 16 epochs",
                                                 "sn_curve_signs_no_sandwich": "no finished budget"}
    assert supernet_tables.curve_glue(curve.iloc[:0])["sn_curve_budgets"] == "none yet"


def _diff(mean, low, high, n):
    return {"mean": mean, "low": low, "high": high, "n": n}


def test_chapter_claims_verdicts_and_the_population_rule(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    budget = {"C": 8, "N": 1, "epochs": 16, "train_images": 10000, "seeds": 2}
    evidence = {"budget": budget, "diffs": {"sandwich": _diff(0.5, 0.1, 0.9, 200),       # interval above 0
                                            "distillation": _diff(0.5, 0.1, 0.9, 50)},   # same, too few children
                "retrain": _diff(-1.0, -2.0, 0.0, 120)}                                 # exactly -1 point: tolerated
    records = supernet_claims.chapter_claims(evidence, source="our code, real data")
    assert [(r["claim_id"], r["verdict"]) for r in records] == [
        ("bignas.sandwich", "reproduced"), ("bignas.distillation", "not attempted"),
        ("bignas.no-retraining", "reproduced")]
    assert records[2]["paper_value"].startswith("76.5-80.9 % top-1 on ImageNet")
    assert papers.BIGNAS_NO_RETRAINING.low == 76.5
    evidence["retrain"] = None
    assert supernet_claims.chapter_claims(evidence, source="stand-in data")[2]["our_value"] == "no stand-alone children"
    for record in records:
        claims.record(**record)
    assert len(claims.load()) == 3


def _curve(diffs, C=8, N=1, seeds=1):
    return {"C": C, "N": N, "seeds": seeds, "diffs": diffs}


def test_the_sandwich_claim_rests_on_the_curves_longest_budget_and_lists_every_budget(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    budget = {"C": 8, "N": 1, "epochs": 8, "train_images": 10000, "seeds": 2}
    evidence = {"budget": budget, "diffs": {"sandwich": _diff(5.26, 4.65, 5.90, 100),
                                            "distillation": _diff(-3.0, -3.4, -2.5, 100)},
                "retrain": None,
                "curve": _curve({8: {**_diff(6.0, 5.5, 6.5, 200), "tau_gap": -0.31},
                                 16: {**_diff(-0.2, -0.9, 0.4, 200), "tau_gap": -0.30}})}
    sandwich, distillation, _ = supernet_claims.chapter_claims(evidence, source="our code, real data")
    # the verdict is the 16-epoch curve's (mean below 0), not the 8-epoch ablation's (interval above 0)
    assert sandwich["verdict"] == "not reproduced"
    assert sandwich["our_value"] == ("-0.20 points [-0.90, +0.40] at 16 epochs, +6.00 [+5.50, +6.50] at 8 (budget "
                                     "curve, C = 8, N = 1, 1 seed); Kendall tau gap -0.31 at 8 and -0.30 at 16 "
                                     "epochs; +5.26 points [+4.65, +5.90] at 8 epochs (ablation, 2 seeds, 100 "
                                     "children)")
    assert "the verdict is the longest budget's, 16 epochs (curve), 'reproduced' at 8 epochs (ablation), " \
           "'reproduced' at 8 epochs (curve), 'not reproduced' at 16 epochs (curve)" in sandwich["claim"]
    assert "C = 8, N = 1, 16 epochs, 10,000 training images, 1 seed per variant" in sandwich["claim"]
    assert "data/nb201-supernet/run_gpu.sh" in sandwich["claim"]
    assert sandwich["claim"].endswith("What would change the verdict: 'partly' if the mean rose above 0 (now -0.20), "
                                      "'reproduced' if the interval's lower end did (now -0.90)")
    # the curve trains no variant without distillation: that claim stays on the ablation's 8 epochs
    assert distillation["our_value"] == "-3.00 points [-3.40, -2.50]" and "8 epochs" in distillation["claim"]
    assert supernet_claims.budgets_glue(evidence) == {
        "sn_sandwich_budget": "C = 8, N = 1, 16 epochs, 10,000 training images, 1 seed per variant (the budget curve)"}
    # a curve no longer than the ablation leaves the verdict with the ablation (two seeds)
    evidence["curve"] = _curve({8: {**_diff(-1.0, -2.0, -0.5, 200), "tau_gap": 0.0}})
    sandwich = supernet_claims.chapter_claims(evidence, source="our code, real data")[0]
    assert sandwich["verdict"] == "reproduced" and "8 epochs (ablation)" in sandwich["claim"]
    assert supernet_claims.budgets_glue(evidence)["sn_sandwich_budget"].endswith("2 seeds per variant (the ablation)")


def test_query_basis_says_whether_the_budget_was_bought_or_fixed():
    assert supernet_tables.query_basis_text(7, fixed=False) == "as many NAS-Bench-201 queries as that buys (7)"
    fixed = supernet_tables.query_basis_text(10, fixed=True)
    assert fixed.startswith("a fixed budget of 10 NAS-Bench-201 queries") and "buys" not in fixed
    summary = pd.DataFrame({"validation mean": [90.0], "test mean": [93.0]}, index=["random (queries)"])
    glued = supernet_tables.search_glue(summary, 10, fixed=True)
    assert glued["sn_queries"] == 10 and glued["sn_query_basis"] == fixed
    assert supernet_tables.search_glue(summary, 4)["sn_query_basis"].endswith("buys (4)")


def test_docstring_examples():
    import doctest

    assert doctest.testmod(supernet_tables).failed == 0
