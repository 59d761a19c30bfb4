"""The DAS chapter's verdict rules and claim records (nascore.studies.das_claims), by hand."""
import math

import numpy as np
import pandas as pd
import pytest

from nascore import claims, papers
from nascore.studies import das_claims, das_training


@pytest.mark.parametrize("tau, vary, readable", [
    (0.1, True, True),          # exactly the threshold: readable
    (0.0999, True, False),
    (0.8, False, False),        # one N_A for all networks: every weight ranks alike
    (float("nan"), True, False),
])
def test_ratio_readable_boundaries(tau, vary, readable):
    assert das_claims.ratio_readable(tau, units_vary=vary) is readable


@pytest.mark.parametrize("gap, verdict", [(0.0, "reproduced"), (9.99e-7, "reproduced"), (1e-6, "not reproduced"),
                                          (1e-3, "not reproduced")])
def test_decoupling_verdict_boundaries(gap, verdict):
    assert das_claims.decoupling_verdict(gap) == verdict


@pytest.mark.parametrize("ratio, verdict", [
    (1.04, "reproduced"),        # the paper's lower end, reached exactly
    (1.5, "reproduced"),
    (1.0399, "partly"),
    (1.0, "not reproduced"),     # no improvement at all
    (0.9, "not reproduced"),
    (float("nan"), "not attempted"),
])
def test_nb201_improvement_verdict_boundaries(ratio, verdict):
    assert das_claims.nb201_improvement_verdict(ratio) == verdict


def test_the_reported_range_comes_from_papers():
    assert das_claims.REPORTED_LOW == papers.DAS_IMPROVEMENT.low == 1.04
    assert papers.DAS_IMPROVEMENT.high == 1.56


def _by_epoch(values, lows):
    return pd.DataFrame({"value": values, "low": lows}, index=[0, 1, 2, 5])


@pytest.mark.parametrize("values, lows, verdict", [
    ([0.10, 0.20, 0.25, 0.30], [0.0, 0.11, 0.12, 0.15], "reproduced"),   # every interval above 0.10
    ([0.10, 0.20, 0.25, 0.30], [0.0, 0.10, 0.12, 0.15], "partly"),       # one low end equals the init value
    ([0.10, 0.20, 0.10, 0.30], [0.0, 0.05, 0.05, 0.05], "not reproduced"),  # epoch 2 ties with init
    ([0.10, 0.05, 0.20, 0.30], [0.0, 0.0, 0.0, 0.0], "not reproduced"),
])
def test_fast_training_verdict_by_hand(values, lows, verdict):
    assert das_claims.fast_training_verdict(_by_epoch(values, lows)) == verdict


def test_ratio_table_blanks_the_training_ratios_below_the_readable_tau():
    cv = pd.DataFrame({"benchmark": ["conv", "mixed"], "ratio": [1.2, np.nan]})
    fast = pd.DataFrame({"metric": ["naswot"] + ["das"] * 4, "epoch": [0, 0, 1, 2, 5],
                         "value": [0.2, 0.2, 0.22, 0.3, 0.1]})
    table = das_training.ratio_table(cv, fast)
    assert table.ratio.tolist()[:2] == [1.2, pytest.approx(np.nan, nan_ok=True)]
    assert table.ratio.tolist()[2:] == pytest.approx([1.1, 1.5, 0.5])
    assert das_training.ratio_glue(table) == {"das_ratio_count": 4, "das_ratio_list": "1.20x, 1.10x, 1.50x, 0.50x"}
    fast.loc[0, "value"] = 0.0999
    assert np.isnan(das_training.ratio_table(cv, fast).ratio[2:]).all()


def test_nb101_shown_dashes_what_is_missing():
    missing = dict.fromkeys(("naswot", "das", "ratio", "ratio_low", "ratio_high"), np.nan)
    assert das_training.nb101_shown({"n": 3, **missing}) == {
        "das_nb101_n": 3, "das_nb101_naswot": "-", "das_nb101_das": "-", "das_nb101_ratio": "-"}
    shown = das_training.nb101_shown({"n": 120, "naswot": 0.3, "das": 0.31, "ratio": 1.05, "ratio_low": 0.9,
                                      "ratio_high": 1.2})
    assert shown["das_nb101_ratio"] == "1.050x [0.900, 1.200]"


def _chapter_claims(real_ratio, das_values):
    cv = pd.DataFrame({"benchmark": ["conv", "mixed", "NB201 CIFAR-10, real images"],
                       "chosen w / N": ["1.0, 1.2", "0.0, 0.0", "1.0, 1.0"],
                       "DAS tau (held out)": [0.3, 0.1, 0.5], "NASWOT tau (held out)": [0.25, 0.1, 0.5],
                       "ratio": [1.2, np.nan, real_ratio]})
    fast = pd.DataFrame({"metric": ["das"] * 4, "epoch": [0, 1, 2, 5], "value": das_values,
                         "low": [v - 0.05 for v in das_values]})
    acc = pd.DataFrame({"metric": ["acc"] * 3, "epoch": [1, 2, 5], "value": [0.4, 0.5, 0.6]})
    nb101 = {"n": 50, "ratio": np.nan, "ratio_low": np.nan, "ratio_high": np.nan, "naswot": 0.2, "das": 0.21,
             "verdict": "not attempted"}
    return das_claims.chapter_claims(gap_table=3e-7, nb101=nb101, cv=cv, c10_population="uniform sample, 500",
                                     fast=fast, acc_curve=acc)


def test_chapter_claims_are_records_the_ledger_accepts(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    records = _chapter_claims(1.0, [0.1, 0.2, 0.3, 0.4])
    assert [r["claim_id"] for r in records] == ["das.decoupling", "das.improvement-at-init",
                                                "das.improvement-at-init.nb201", "das.fast-training"]
    assert [r["verdict"] for r in records] == ["reproduced", "not attempted", "not reproduced", "reproduced"]
    assert "stand-in tables: 1.20x" in records[2]["our_value"]      # conv's readable ratio; mixed's blank
    assert records[1]["paper_value"] == "1.04x-1.56x (NB101, NDS, DTB; abstract)"
    for record in records:
        claims.record(**record)
    stored = claims.load().set_index("id")
    assert stored.loc["das.fast-training", "verdict"] == "not attempted"   # stand-in data: a study
    assert stored.loc["das.fast-training", "our_value"].endswith("on its own terms: reproduced)")
    assert math.isclose(papers.DAS_IMPROVEMENT.low, 1.04)
