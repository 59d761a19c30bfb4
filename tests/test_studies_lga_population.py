"""LGA on its own population (NB201 cells 0..999) and the chapter's verdict rules, by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nascore.studies import lga


@pytest.mark.parametrize("taus, verdict", [
    ([0.1, 0.29], "reproduced"),
    ([0.1, 0.3], "not reproduced"),        # the threshold itself is not weak
    ([0.5, -0.01], "partly"),              # inconsistent: one ranks well, one backwards
    ([-0.2, -0.1], "reproduced"),
    ([], "not attempted"),
    ([0.1, np.nan], "not attempted"),
])
def test_init_unreliable_verdict(taus, verdict):
    assert lga.init_unreliable_verdict(taus) == verdict


@pytest.mark.parametrize("value, low, n, verdict", [
    (0.3, 0.01, None, "reproduced"), (0.29, 0.01, None, "partly"), (0.5, 0.0, None, "not reproduced"),
    (0.5, 0.2, 99, "not attempted"), (0.5, 0.2, 100, "reproduced"),
])
def test_ranks_well_verdict_and_its_population_floor(value, low, n, verdict):
    assert lga.ranks_well_verdict(value, low, n) == verdict


def test_kernel_moves_and_beats_verdicts_at_their_boundaries():
    assert lga.kernel_moves_verdict(lga.MOVED) == "reproduced"
    assert lga.kernel_moves_verdict(np.nextafter(lga.MOVED, 0)) == "not reproduced"
    assert lga.beats_verdict(0.8, 0.9, 0.8) == "partly"          # low end equal to the rival: not above it
    assert lga.beats_verdict(0.7, 0.8, 0.8) == "not reproduced"


def _correlations(n, taus):
    rows = []
    for (column, statistic), tau in zip((("ntk_mean_b32", "ntk_mean"), ("ntk_frobenius_b32", "ntk_frobenius"),
                                         ("lga_b32", "lga")), taus):
        for method, value in (("kendall", tau), ("spearman", 1.4 * tau)):
            rows.append({"column": column, "statistic": statistic, "batch": 32, "method": method, "n": n,
                         "value": value, "low": value - 0.05, "high": value + 0.05})
    return pd.DataFrame(rows)


def test_population_claim_reads_the_kendall_taus_of_the_codes_own_metrics():
    record = lga.population_claim(_correlations(400, [0.1, 0.2, 0.9]))   # LGA at init is not one of them
    assert record["verdict"] == "reproduced" and "(n = 400)" in record["our_value"]
    assert "ntk_mean_b32 0.100" in record["our_value"] and "lga_b32" not in record["our_value"]
    assert "batch 32 instead of 256" in record["claim"]
    assert lga.population_claim(_correlations(400, [0.1, 0.35, 0.0]))["verdict"] == "not reproduced"
    assert lga.population_claim(_correlations(60, [0.1, 0.2, 0.0]))["verdict"] == "not attempted"
    assert lga.population_claim(lga.population_correlations(pd.DataFrame()))["verdict"] == "not attempted"


def test_population_correlations_use_the_200_epoch_test_accuracy():
    rng = np.random.default_rng(0)
    test = rng.normal(90, 2, 50)
    frame = pd.DataFrame({"arch": [f"a{i}" for i in range(50)], "test_accuracy": test,
                          "val_accuracy": rng.normal(90, 2, 50), "ntk_mean_b32": test, "lga_b32": -test})
    table = lga.population_correlations(frame, n_boot=20).set_index(["column", "method"])
    assert table.loc[("ntk_mean_b32", "kendall"), "value"] == pytest.approx(1.0)
    assert table.loc[("ntk_mean_b32", "spearman"), "value"] == pytest.approx(1.0)
    assert table.loc[("lga_b32", "kendall"), "value"] == pytest.approx(-1.0)


def test_ranks_well_against_a_baseline_value():
    # after training against at init: the interval must clear the at-init tau, not just 0
    assert lga.ranks_well_verdict(0.45, 0.25, above=0.2) == "reproduced"
    assert lga.ranks_well_verdict(0.45, 0.15, above=0.2) == "not reproduced"
    assert lga.ranks_well_verdict(0.25, 0.21, above=0.2) == "partly"
