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
    assert supernet_tables.curve_glue(curve) == {"sn_curve_budgets": "8 epochs, 16 epochs",
                                                 "sn_curve_sign": "not within 16 epochs"}
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
