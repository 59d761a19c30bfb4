"""The Zhu et al. chapter's verdict rules and claim records (``nascore.studies.zhu_claims``),
on hand-made numbers: each rule at and beside its threshold, and the records the chapter
hands to :func:`nascore.claims.record` unchanged."""
import pandas as pd
import pytest

from nascore import claims
from nascore.studies import zhu_claims as zc


@pytest.mark.parametrize("raised, cells, verdict", [
    (12, 12, "reproduced"),
    (9, 10, "reproduced"),        # exactly SKIP_SHARE
    (8, 10, "partly"),            # just below it
    (899, 1000, "partly"),
    (0, 12, "partly"),            # never "not reproduced": the bounds are ours
])
def test_skip_verdict_at_its_share(raised, cells, verdict):
    assert zc.SKIP_SHARE == 0.9
    assert zc.skip_verdict(raised, cells) == verdict


@pytest.mark.parametrize("raised, cells", [(1, 0), (13, 12), (-1, 12)])
def test_skip_verdict_rejects_impossible_counts(raised, cells):
    with pytest.raises(ValueError, match="raised"):
        zc.skip_verdict(raised, cells)


@pytest.mark.parametrize("low_bound, low_empirical, verdict", [
    (0.10, 0.01, "reproduced"),
    (0.10, 0.00, "partly"),           # an interval touching 0 is not above it
    (0.00, 0.10, "partly"),           # either score may be the one above
    (0.00, 0.00, "not reproduced"),
    (-0.10, -0.20, "not reproduced"),
])
def test_search_verdict_needs_intervals_strictly_above_zero(low_bound, low_empirical, verdict):
    assert zc.NO_CORRELATION == 0.0
    assert zc.search_verdict(low_bound, low_empirical) == verdict


def test_verdict_glue_name():
    assert zc.verdict_glue_name("zhu.skip-raises-bound") == "zhu_verdict_skip_raises_bound"
    assert zc.verdict_glue_name("zhu.nb201-search") == "zhu_verdict_nb201_search"
    assert zc.verdict_glue_name("zhu.nb201-search.naslib725") == "zhu_verdict_nb201_search_naslib725"


def _values(low_series=0.25):
    """The glued values the records read: 15 of 16 bracketed, 11 of 12 cells raised, ..."""
    return {"zhu_bracket_inside": 15, "zhu_bracket_n": 16, "zhu_ratio_series": 0.5, "zhu_ratio_layerwise": 0.25,
            "zhu_ratio_upper": 1.5,
            "zhu_skip_cells": 12, "zhu_skip_resnet_lower_series": 11, "zhu_skip_resnet_exact": 12,
            "zhu_skip_dense_lower_series": 10, "zhu_skip_dense_exact": 9,
            "zhu_width_small": 64, "zhu_width_large": 4096, "zhu_width_err_small": 0.125,
            "zhu_width_err_large": 0.0625,
            "zhu_kendall_theory_series": 0.5, "zhu_kendall_theory_series_low": low_series,
            "zhu_kendall_theory_series_high": 0.75, "zhu_kendall_ntk_lambda_min": 0.25,
            "zhu_kendall_ntk_lambda_min_low": -0.125, "zhu_kendall_ntk_lambda_min_high": 0.5,
            "zhu_pick_pct_theory_series": 97.0, "zhu_pick_pct_ntk_lambda_min": 80.0, "zhu_gt_n": 100}


def _basis():
    return pd.DataFrame({"dataset": ["cifar10", "cifar100"], "key": "hnas", "lambda_min": "HNAS's kernel",
                         "pick_test": [93.5, 70.25], "optimum_test": [94.0, 73.0], "accuracy": [90.0, 69.0],
                         "optimum": [91.5, 73.5], "percentile": [0.99, 0.5], "rho": [0.5, 0.25],
                         "rho_low": [0.25, 0.125], "rho_high": [0.75, 0.375]})


def _uniform(n_cells=250, *, mean=93.0, run_1000=False):
    """A selection table on a uniform sample: N = 100 run (mean ``mean`` on CIFAR-10, the
    paper's number elsewhere), N = 1000 not attempted unless ``run_1000``."""
    rows = []
    for n in (100, 1000):
        status = "run" if n == 100 or run_1000 else "not attempted"
        for method in ("largest lambda_min", "random pick"):
            for d, paper in (("cifar10", 93.46), ("cifar100", 71.42), ("ImageNet16-120", 45.54)):
                value = (mean if d == "cifar10" else paper) if method == "largest lambda_min" else paper - 10
                rows.append({"n_cells": n_cells, "N": n, "repeats": 500, "method": method, "dataset": d,
                             "status": status, "mean": value if status == "run" else float("nan"), "std": 0.5,
                             "low": value - 0.25, "high": value + 0.25, "paper": paper})
    return pd.DataFrame(rows)


def test_records_read_the_glued_values():
    bracket, skip, width, search, nb201, naslib = zc.claim_records(_values(), _basis(), _uniform())
    assert [r["claim_id"] for r in (bracket, skip, width, search, nb201, naslib)] == [
        "zhu.bounds-bracket", "zhu.skip-raises-bound", "zhu.finite-width", "zhu.train-free-search",
        "zhu.nb201-search", "zhu.nb201-search.naslib725"]
    assert bracket["our_value"] == ("15/16 random archs bracketed; median lower/exact 0.500 (Prop. 3), 0.250 "
                                    "(Prop. 2); upper/exact 1.50")
    assert (bracket["verdict"], width["verdict"]) == ("partly", "partly")
    assert skip["our_value"] == ("adjacent skips raise the Prop. 3 bound in 11/12 (activation, depth) cells, the "
                                 "exact lambda_min in 12/12; dense skips: 10/12 and 9/12")
    assert skip["verdict"] == "reproduced"                       # 11/12 >= 0.9
    assert width["our_value"] == "mean relative error 0.125 at width 64, 0.062 at width 4096"
    assert search["our_value"] == ("Kendall tau 0.500 [0.250, 0.750] (our Prop. 3 bound), 0.250 [-0.125, 0.500] "
                                   "(empirical lambda_min); pick at percentile 97 / 80; 100 archs, MNIST-5k")
    assert search["verdict"] == "partly"                         # only the bound's interval is above 0
    assert zc.claim_records(_values(low_series=0.0), _basis(), _uniform())[3]["verdict"] == "not reproduced"
    assert [r["source"] for r in (bracket, skip, width, search, nb201, naslib)] == [
        "theory check", "theory check", "theory check", "stand-in data", "our code, real data",
        "our code, real data"]
    assert nb201["our_value"] == (
        "250 cells of a uniform sample; N = 100: cifar10 93.00 ± 0.50 [92.75, 93.25] (random pick 83.46), "
        "cifar100 71.42 ± 0.50 [71.17, 71.67] (random pick 61.42), ImageNet16-120 45.54 ± 0.50 [45.29, 45.79] "
        "(random pick 35.54); N = 1000 not attempted (needs 2000 cells); verdict on N = 100")
    assert nb201["verdict"] == "reproduced"                      # 93.00 is within 0.5 of 93.46
    assert "(a stand-in for Zhu's lambda_min, which was not computed)" in naslib["claim"]
    assert naslib["our_value"].startswith("cifar10: pick 93.50 % test (best scored 94.00), validation 90.00 of "
                                          "91.50, percentile 99, rho 0.50 [0.25, 0.75], cifar100: ")
    # the subset's pick is a study: its own reading kept, the ledger's verdict "not attempted"
    assert naslib["verdict"] == "not attempted"
    assert naslib["our_value"].endswith("(study on NASLib's ~725-cell subset; alone it would read: not reproduced; the "
                                        "verdict rests on the uniform sample: zhu.nb201-search)")
    assert set(bracket) == {"claim_id", "paper", "where", "claim", "paper_value", "our_value", "verdict",
                            "chapter", "source"}


def test_naslib725_record_without_a_kernel_is_not_attempted():
    record = zc.naslib725_record(_basis().iloc[:0])
    assert record["verdict"] == "not attempted" and "largest lambda_min of no kernel (a stand-in" in record["claim"]
    assert "alone it would read: not attempted" in record["our_value"]
    zhu_kernel = zc.naslib725_record(_basis().assign(key="zhu", lambda_min="Zhu's kernel"))
    assert "stand-in" not in zhu_kernel["claim"]


def test_nb201_record_on_too_few_cells_says_n():
    small = _uniform(n_cells=61).assign(status="not attempted")
    record = zc.nb201_record(small)
    assert record["verdict"] == "not attempted"
    assert record["our_value"] == ("not attempted (n = 61); 61 cells of a uniform sample; N = 100 not attempted "
                                   "(needs 200 cells); N = 1000 not attempted (needs 2000 cells)")
    both = zc.nb201_record(_uniform(n_cells=2000, mean=92.0, run_1000=True))
    assert both["our_value"].endswith("verdict on N = 1000") and both["verdict"] == "partly"  # beats random only


def test_every_record_is_accepted_by_the_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    monkeypatch.delenv("NASCORE_CLAIMS_RUN", raising=False)
    monkeypatch.delenv("NASCORE_NOTEBOOK", raising=False)
    recorded = [claims.record(**r) for r in zc.claim_records(_values(), _basis(), _uniform())]
    assert recorded[3]["verdict"] == "not attempted"             # stand-in data: a study
    assert sorted(claims.load(["zhu"]).id) == sorted(["zhu.bounds-bracket", "zhu.skip-raises-bound",
                                                      "zhu.finite-width", "zhu.train-free-search",
                                                      "zhu.nb201-search", "zhu.nb201-search.naslib725"])
