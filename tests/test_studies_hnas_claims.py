"""The HNAS chapter's verdict rules and claim records (``nascore.studies.hnas_claims``),
on hand-made numbers: each rule at and beside each of its thresholds, and the records
the chapter hands to :func:`nascore.claims.record` unchanged."""
import numpy as np
import pandas as pd
import pytest

from nascore import claims, papers
from nascore.studies import hnas
from nascore.studies import hnas_claims as hc
from nascore.analysis import hnas_official as ho
from nascore.analysis.hnas_official import beats_verdict


@pytest.mark.parametrize("value, low, verdict", [
    (0.80, 0.50, "reproduced"),        # lower end exactly at UNIFICATION_STRONG
    (0.80, 0.49, "partly"),            # just below it, the estimate well above 0.3
    (0.30, 0.10, "partly"),            # estimate exactly at UNIFICATION_MODERATE
    (0.29, 0.10, "not reproduced"),    # just below it
    (-0.40, -0.60, "not reproduced"),
])
def test_unification_verdict_at_its_thresholds(value, low, verdict):
    assert (hc.UNIFICATION_STRONG, hc.UNIFICATION_MODERATE) == (0.5, 0.3)
    assert hc.unification_verdict(value, low) == verdict


@pytest.mark.parametrize("low, high, verdict", [
    (1.5, 2.5, "reproduced"),          # the paper's gap of 2.0 inside our interval
    (2.5, 3.0, "reproduced"),          # 0.5 below it: exactly GAP_TOLERANCE
    (1.0, 1.5, "reproduced"),          # 0.5 above it
    (2.75, 3.0, "partly"),             # 0.75 below: within twice the tolerance
    (3.0, 3.5, "partly"),              # 1.0 below: exactly twice the tolerance
    (3.25, 3.5, "not reproduced"),     # 1.25 below
    (0.25, 0.75, "not reproduced"),    # 1.25 above
])
def test_gap_verdict_at_its_tolerance(low, high, verdict):
    assert hc.GAP_TOLERANCE == 0.5
    assert hc.gap_verdict(2.0, low, high) == verdict


@pytest.mark.parametrize("value, low, verdict", [
    (0.20, 0.01, "reproduced"),
    (0.20, 0.00, "partly"),            # an interval touching 0 is not above it
    (0.01, -0.10, "partly"),
    (0.00, -0.10, "not reproduced"),   # an estimate of exactly 0 has no sign
    (-0.20, -0.40, "not reproduced"),
])
def test_kappa_ranks_verdict_needs_strictly_positive_rho(value, low, verdict):
    assert hc.NO_CORRELATION == 0.0
    assert hc.kappa_ranks_verdict(value, low) == verdict


@pytest.mark.parametrize("gains, lows, verdict", [
    ([0.5, 0.2], [0.1, 0.01], "reproduced"),
    ([0.5, 0.2], [0.1, 0.0], "partly"),           # one interval touches 0
    ([0.5, 0.0], [0.1, -0.3], "not reproduced"),  # one mean gain is exactly 0
])
def test_beats_verdict_at_zero(gains, lows, verdict):
    assert beats_verdict(pd.DataFrame({"gain": gains, "low": lows})) == verdict


def test_correlation_by_dataset_and_kappa_table_by_hand():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5], "b": [5.0, 4, 3, 2, 1], "acc": [10.0, 20, 30, 40, 50]})
    table = hc.correlation_by_dataset({"x": frame, "y": frame}, ["a", "b"], "acc", sign={"b": -1}, n_boot=10)
    assert list(table.dataset) == ["x", "x", "y", "y"]
    assert table.value.to_numpy() == pytest.approx([1.0, 1.0, 1.0, 1.0])  # b read as -b
    kappa = pd.DataFrame({"tenas_condition": [5.0, 4, np.nan, np.nan, 1], "hnas_kappa": [1.0, 2, 3, 4, 5],
                          "val_accuracy": [10.0, 20, 30, 40, 50]})
    rows = hc.kappa_table(kappa, n_boot=10).set_index("score")
    assert rows.loc["tenas_condition", "n"] == 3          # only the rows where it is known
    assert rows.loc["tenas_condition", "value"] == pytest.approx(1.0)
    assert rows.loc["hnas_kappa", "value"] == pytest.approx(-1.0)


def test_unification_claims_say_what_would_change_only_when_not_reproduced():
    table = pd.DataFrame({"score": ["snip", "grasp"], "dataset": ["cifar10", "cifar10"], "value": [0.62, 0.1],
                          "low": [0.5, 0.0], "high": [0.7, 0.2]})
    strong, weak = hc.unification_claims(table)
    assert (strong["claim_id"], strong["verdict"], weak["verdict"]) == \
        ("hnas.unification.cifar10.snip", "reproduced", "not reproduced")
    assert strong["our_value"] == "Spearman 0.620 [0.500, 0.700]"
    assert "would change" not in strong["claim"] and "would change" in weak["claim"]
    assert set(strong) == {"claim_id", "paper", "where", "claim", "paper_value", "our_value", "verdict",
                           "chapter", "source"}


def _search_inputs(gap_offset):
    """HNAS's mean on cifar10 ``gap_offset`` points short of the paper's gap, an interval of ±0.1."""
    reported, optimum = papers.reported("hnas").values["cifar10"][0], papers.reported("optimum").values["cifar10"][0]
    mean = 95.0 - (optimum - reported) - gap_offset
    at_budget = pd.DataFrame([{"benchmark": "cifar10", "method": "HNAS", "queries": 20, "mean": mean,
                               "low": mean - 0.1, "high": mean + 0.1}])
    gains = pd.DataFrame({"dataset": "cifar10", "baseline": ["random", "BO"], "gain": [0.5, 0.25],
                          "low": [0.25, 0.125], "high": [0.75, 0.5]})
    return at_budget, gains, {"cifar10": 95.0}


def test_search_claims_are_studies_that_say_what_the_rule_would_read():
    gap, beats = hc.search_claims(*_search_inputs(0.0), budget=20, n_seeds=5, pool=93)
    assert (gap["claim_id"], beats["claim_id"]) == ("hnas.search.cifar10", "hnas.beats-baselines.cifar10")
    assert gap["verdict"] == beats["verdict"] == "not attempted"       # NASLib's subset is a study
    assert gap["paper_value"].startswith("gap 0.33 (94.04 of 94.37; ")
    assert gap["our_value"].startswith("gap 0.33 [0.23, 0.43] (94.67 of 95.00; study on NASLib's subset "
                                       "(alone it would read: reproduced)")
    assert beats["our_value"].startswith("vs random +0.50 [+0.25, +0.75]; vs BO +0.25 [+0.12, +0.50] (study on "
                                         "NASLib's subset (alone it would read: reproduced)")
    (far, _) = hc.search_claims(*_search_inputs(2.0), budget=20, n_seeds=5, pool=93)
    assert "alone it would read: not reproduced" in far["our_value"]
    assert [r["claim_id"] for r in hc.search_claims(*_search_inputs(0.0), budget=20, n_seeds=5, pool=93)] == \
        ["hnas.search.cifar10", "hnas.beats-baselines.cifar10"]


def test_uniform_and_official_claims():
    gains = pd.DataFrame({"dataset": "cifar10", "baseline": ["random"], "gain": [0.5], "low": [0.25], "high": [0.75]})
    (uniform,) = hc.uniform_beats_claims(gains, ["cifar10"], n_archs=3000, budget=20, n_seeds=5, pool=384)
    assert uniform["claim_id"] == "hnas.beats-baselines.uniform.cifar10" and uniform["verdict"] == "not attempted"
    assert "a uniform sample of 3000 of NB201's 15,625" in uniform["claim"]
    (whole_uniform,) = hc.uniform_beats_claims(gains, ["cifar10"], n_archs=15625, budget=20, n_seeds=5, pool=2000)
    assert whole_uniform["verdict"] == "not attempted"  # 200-epoch validation queries: a study even on all cells
    assert "all 15,625 cells of NB201" in whole_uniform["claim"] and "(scaled)" not in whole_uniform["claim"]
    summary = pd.DataFrame({"method": "HNAS", "dataset": ["cifar10", "cifar100"], "mean": [93.5, 70.25],
                            "std": [0.5, 1.0]})
    (partial,) = hc.official_claims(summary, gains, {"archs": 3000, "pool": 384, "complete": False},
                                      ["cifar10", "cifar100"], budget=20, n_seeds=20)
    (whole,) = hc.official_claims(summary, gains, {"archs": 15625, "pool": 2000, "complete": True},
                                    ["cifar10", "cifar100"], budget=20, n_seeds=20)
    (few,) = hc.official_claims(summary, gains, {"archs": 15625, "pool": 2000, "complete": True},
                                ["cifar10", "cifar100"], budget=20, n_seeds=5)
    assert (partial["verdict"], whole["verdict"], few["verdict"]) == ("not attempted", "reproduced", "not attempted")
    assert whole["our_value"] == "HNAS 93.50 ± 0.50 / 70.25 ± 1.00; paired gains (C10): vs random +0.50 [+0.25, +0.75]"
    assert "3,000 of the 15,625 cells so far" in partial["claim"] and "all 15,625 cells" in whole["claim"]


def test_the_official_verdict_needs_a_gain_on_every_dataset():
    gains = pd.DataFrame({"dataset": ["cifar10", "cifar100"], "baseline": "random", "gain": [0.5, -0.25],
                          "low": [0.25, -0.5], "high": [0.75, 0.0]})
    summary = pd.DataFrame({"method": "HNAS", "dataset": ["cifar10"], "mean": [93.5], "std": [0.5]})
    (record,) = hc.official_claims(summary, gains, {"archs": 15625, "pool": 2000, "complete": True}, ["cifar10"],
                                   budget=20, n_seeds=20)
    assert record["verdict"] == "not reproduced"  # CIFAR-100's loss counts though only CIFAR-10's gains are shown


def _official_summary(offset):
    """HNAS's CIFAR-10 pick ``offset`` points short of the paper's gap below an optimum of
    95.0, with an interval of ±0.25 around its mean."""
    reported, optimum = papers.reported("hnas").values["cifar10"][0], papers.reported("optimum").values["cifar10"][0]
    mean = 95.0 - (optimum - reported) - offset
    return pd.DataFrame({"method": "HNAS", "dataset": ["cifar10"], "mean": [mean], "std": [0.5],
                         "low": [mean - 0.25], "high": [mean + 0.25]})


@pytest.mark.parametrize("offset, complete, n_seeds, verdict, note", [
    (0.0, True, 20, "reproduced", "whole space, 20 seeds"),       # the paper's gap 0.33 inside [0.08, 0.58]
    (0.75, True, 20, "reproduced", "whole space"),                # interval [0.83, 1.33]: 0.5 above the paper's gap
    (1.0, True, 20, "partly", "whole space"),                     # [1.08, 1.58]: 0.75 off, within twice the tolerance
    (1.5, True, 20, "not reproduced", "whole space"),             # [1.58, 2.08]: 1.25 off
    (0.0, False, 20, "not attempted", "alone it would read: reproduced"),
    (1.5, True, 19, "not attempted", "alone it would read: not reproduced"),
])
def test_official_gap_claims_by_hand(offset, complete, n_seeds, verdict, note):
    gains = pd.DataFrame({"dataset": "cifar10", "baseline": ["random"], "gain": [0.5], "low": [0.25], "high": [0.75]})
    cover = {"archs": 15625 if complete else 3000, "pool": 2000 if complete else 384, "complete": complete}
    _, gap = hc.official_claims(_official_summary(offset), gains, cover, ["cifar10"], budget=20, n_seeds=n_seeds,
                                optima={"cifar10": 95.0})
    assert gap["claim_id"] == "hnas.official-gap.cifar10" and gap["verdict"] == verdict
    assert gap["paper_value"].startswith("gap 0.33 (94.04 of 94.37; ")
    assert gap["our_value"].startswith(f"gap {0.33 + offset:.2f} [{0.08 + offset:.2f}, {0.58 + offset:.2f}]")
    assert note in gap["our_value"]
    assert ("would change" in gap["claim"]) == (verdict in ("partly", "not reproduced"))


def test_test_optima_are_the_best_test_accuracy_of_the_cells():
    frame = pd.DataFrame({"test_cifar10": [90.0, 94.5, 93.0], "test_cifar100": [70.0, 60.0, 71.5]})
    assert ho.best_test_accuracies(frame, ["cifar10", "cifar100"]) == {"cifar10": 94.5, "cifar100": 71.5}


def test_kappa_claims_and_the_summary_of_verdicts():
    kappa = pd.DataFrame({"score": ["tenas_condition", "hnas_kappa"], "value": [0.25, 0.0],
                          "low": [0.125, -0.25], "high": [0.375, 0.25]})
    frame = pd.DataFrame({"tenas_condition": [1.0, np.nan, 2.0], "hnas_kappa": [1.0, 2.0, 3.0]})
    tenas, own = hc.kappa_claims(kappa, frame)
    assert (tenas["claim_id"], tenas["paper"], tenas["verdict"]) == \
        ("hnas.kappa-ranks.tenas-condition", "Chen et al. 2021 (TE-NAS)", "reproduced")
    assert (own["claim_id"], own["paper"], own["verdict"]) == ("hnas.kappa-ranks.hnas-kappa", hc.PAPER,
                                                               "not reproduced")
    assert tenas["our_value"].endswith(", n=2") and own["our_value"].endswith(", n=3")
    records = hc.search_claims(*_search_inputs(0.0), budget=20, n_seeds=5, pool=93) + [tenas, own]
    table = hc.verdict_summary(records, ["cifar10"])
    assert table.values.tolist() == [["cifar10", "not attempted", "not attempted"],
                                     ["cifar10 (tenas_condition)", "", "reproduced"],
                                     ["cifar10 (hnas_kappa)", "", "not reproduced"]]


def test_every_record_is_accepted_by_the_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    monkeypatch.delenv("NASCORE_CLAIMS_RUN", raising=False)
    monkeypatch.delenv("NASCORE_NOTEBOOK", raising=False)
    for record in hc.search_claims(*_search_inputs(0.0), budget=20, n_seeds=5, pool=93):
        claims.record(**record)
    assert list(claims.load(["hnas"]).id) == ["hnas.beats-baselines.cifar10", "hnas.search.cifar10"]
