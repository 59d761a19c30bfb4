"""The papers' reported NB201 numbers: one table, equal to the spec's, sources said."""
import re

import numpy as np
import pandas as pd
import pytest

from nascore import bench, papers
from nascore.paths import REPO_ROOT

SPEC = REPO_ROOT.parent / "shared" / "spec" / "details.md"
#: The spec's row name -> our key.
SPEC_ROWS = {"HNAS (NTK trace)": "hnas", "HNAS, official figure, at 18,000 s": "hnas-figure",
             "EigenNAS (Zhu et al.)": "eigennas", "TE-NAS": "tenas", "NASWOT": "naswot", "NASI": "nasi",
             "REA": "rea", "random search (no sharing)": "random", "REINFORCE": "reinforce", "BOHB": "bohb",
             "ResNet cell": "resnet", "optimum": "optimum"}


#: details.md, "Reported NB201 numbers", copied by hand: key -> C10 / C100 / IN16-120.
BY_HAND = {
    "hnas": "94.04±0.21 / 71.75±1.04 / 45.91±0.88",
    "hnas-figure": "≈94.26 / ≈73.19 / ≈46.48",
    "eigennas": "93.46 / 71.42 / 45.54",
    "tenas": "93.90±0.47 / 71.24±0.56 / 42.38±0.46",
    "naswot": "92.96±0.81 / 69.98±1.22 / 44.44±2.10",
    "naswot-readme-n10": "91.53±1.62 / 66.63±3.14 / 38.33±5.22",
    "nasi": "93.55±0.10 / 71.20±0.14 / 44.84±1.41",
    "rea": "93.92±0.30 / 71.84±0.99 / 45.15±0.89",
    "random": "93.70±0.36 / 71.04±1.07 / 44.57±1.25",
    "reinforce": "93.85±0.37 / 71.71±1.09 / 45.24±1.18",
    "bohb": "93.61±0.52 / 70.85±1.28 / 44.42±1.49",
    "resnet": "93.97 / 70.86 / 43.63",
    "optimum": "94.37 / 73.51 / 47.31",
}


def test_numbers_copied_by_hand_from_the_spec():
    assert list(papers.NB201_TEST_ACCURACY) == list(BY_HAND)
    for key, text in BY_HAND.items():
        entry = papers.reported(key)
        assert [entry.values[d] for d in papers.DATASETS] == [_number(c) for c in text.split(" / ")], key
        assert entry.approximate == text.startswith("≈"), key
    secondary = {k for k, r in papers.NB201_TEST_ACCURACY.items() if r.secondary}
    assert secondary == set(BY_HAND) - {"hnas-figure", "naswot-readme-n10"}   # the two primary sources


def _number(cell):
    match = re.fullmatch(r"≈?(\d+\.\d+)(?:±(\d+\.\d+))?", cell.strip())
    assert match, f"unreadable number {cell!r}"
    return float(match.group(1)), None if match.group(2) is None else float(match.group(2))


@pytest.mark.skipif(not SPEC.exists(), reason="the project spec is not beside this checkout")
def test_every_number_equals_the_specs():
    section = SPEC.read_text().split("## Reported NB201 numbers", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ") and not line.startswith("| method")]
    assert {r[0] for r in rows} == set(SPEC_ROWS)
    for name, c10, c100, in16, _cost, source in rows:
        entry = papers.reported(SPEC_ROWS[name])
        assert [entry.values[d] for d in papers.DATASETS] == [_number(c) for c in (c10, c100, in16)], name
        assert entry.secondary == (not source.startswith("primary")), name
        if name == "NASWOT":
            older = re.search(r"N=10 (\S+) / (\S+) / (\S+)\)", source).groups()
            readme = papers.reported("naswot-readme-n10")
            assert [readme.values[d] for d in papers.DATASETS] == [_number(c) for c in older]


def test_the_optimum_is_the_maximum_of_the_shipped_test_accuracies():
    for dataset in papers.DATASETS:
        best = bench.nb201_accuracies(dataset).test_accuracy.max()
        assert round(best, 2) == papers.reported("optimum").values[dataset][0]


def test_table_and_ledger_text():
    table = papers.reported_table(["hnas", "eigennas"])
    assert len(table) == 6 and table.set_index(["key", "dataset"]).loc[("hnas", "cifar100"), "std"] == 1.04
    assert np.isnan(table.set_index(["key", "dataset"]).loc[("eigennas", "cifar10"), "std"])
    assert papers.paper_value("hnas", "cifar10").startswith("94.04 ± 0.21 (secondary source: RoBoT")
    assert papers.paper_value("eigennas", "ImageNet16-120").startswith("45.54 (secondary source: leaderboard")
    assert papers.paper_value("hnas-figure", "cifar10").startswith("≈94.26 (source: shuyao95/HNAS")
    assert papers.paper_values("tenas").startswith(
        "93.90 ± 0.47 / 71.24 ± 0.56 / 42.38 ± 0.46 (C10 / C100 / IN16-120, 200-epoch test accuracy; secondary source: RoBoT")
    assert papers.paper_values("optimum").startswith("94.37 / 73.51 / 47.31 (")
    with pytest.raises(ValueError, match="unknown reported method 'darts'"):
        papers.reported("darts")


def test_searches_beside_the_paper_by_hand():
    from nascore import search
    from nascore.analysis import reported

    index_0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
    index_9930 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
    runs = [search.SearchResult("hand", "nb201/cifar10", 1, s, {}, (), pd.DataFrame(
        [{"query": 1, "arch": a, "accuracy": 80.0}])) for s, a in enumerate((index_0, index_9930))]
    table = reported.beside_paper(runs, "hnas").set_index("dataset")
    # CIFAR-10: picks 85.8633 and 94.3633 (nats_bench.csv rows 0 and 9930): mean 90.1133,
    # interval [85.8633, 94.3633], which holds HNAS's 94.04; 90.1133 - 94.04 = -3.9267.
    c10 = table.loc["cifar10"]
    assert (c10["mean"], c10.paper_mean, c10.paper_std) == pytest.approx((90.1133, 94.04, 0.21), abs=1e-4)
    assert c10.ours_minus_paper == pytest.approx(-3.9267, abs=1e-4) and c10.paper_in_interval is True
    # CIFAR-100: 52.9133 and 73.5133, interval [52.91, 73.51] holds 71.75; every row says its source.
    assert table.loc["cifar100", "mean"] == pytest.approx((52.913333 + 73.513333) / 2, abs=1e-4)
    assert table.secondary.all() and table.source.str.startswith("RoBoT").all()
    one = reported.beside_papers({"eigennas": runs[1:], "optimum": runs[1:]})
    assert list(one.method) == ["EigenNAS (Zhu et al.)"] * 3 + ["optimum"] * 3
    assert one.paper_in_interval.isna().all()            # one search: no interval to hold anything
    assert one.ours_minus_paper.iloc[3] == pytest.approx(94.3633 - 94.37, abs=1e-4)


def test_reported_correlations_are_one_table_read_by_the_chapters():
    from nascore import papers
    from nascore.studies import cifar_scores

    assert papers.ZERO_COST_NB201["cifar10"].values["synflow"] == 0.737
    assert papers.ZERO_COST_NB201["ImageNet16-120"].values["fisher"] == 0.327
    assert cifar_scores.PUBLISHED["cifar100"] == papers.ZERO_COST_NB201["cifar100"].values
    assert papers.ZERO_COST_NB101.values["grasp"] == 0.448 and not papers.ZERO_COST_NB101.signed


def test_versus_lists_the_method_then_its_rivals_with_the_source_kind():
    from nascore import papers

    text = papers.versus("hnas", ("rea", "naswot"), "cifar100")
    assert text.startswith("HNAS (NTK trace) 71.75 ± 1.04 vs REA 71.84 ± 0.99, NASWOT 69.98 ± 1.22 (cifar100")
    assert "secondary source" in text
    with pytest.raises(ValueError, match="unknown reported method"):
        papers.versus("hnas", ("nope",), "cifar10")
