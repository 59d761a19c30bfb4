"""Our NB101 scores against NASLib's and the published correlations: hand-checkable rules."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nascore.bench import nb101_compare as compare
from nascore.papers import ZERO_COST_NB101


def test_absolute_interval_of_a_correlation():
    assert compare.abs_interval(-0.3, -0.4, -0.2) == (0.3, 0.2, 0.4)
    assert compare.abs_interval(0.3, 0.2, 0.4) == (0.3, 0.2, 0.4)
    assert compare.abs_interval(0.1, -0.05, 0.2) == (0.1, 0.0, 0.2)   # straddles 0
    assert compare.abs_interval(-0.1, -0.3, 0.05) == (0.1, 0.0, 0.3)


@pytest.mark.parametrize("value, low, high, published, n, verdict", [
    (0.40, 0.30, 0.50, 0.448, 301, "reproduced"),
    (-0.40, -0.50, -0.30, 0.448, 301, "reproduced"),      # sign not recorded by the paper
    (0.40, 0.30, 0.50, 0.50, 301, "reproduced"),          # on the interval's edge
    (0.25, 0.20, 0.30, 0.34, 301, "partly"),              # outside, within CLOSE
    (0.25, 0.20, 0.30, 0.36, 301, "not reproduced"),
    (0.40, 0.30, 0.50, 0.40, 99, "not attempted"),        # too few cells for a verdict
    (0.40, 0.30, 0.50, 0.40, 100, "reproduced"),
    (np.nan, np.nan, np.nan, 0.40, 301, "not attempted"),
])
def test_published_verdict_rule(value, low, high, published, n, verdict):
    assert compare.published_verdict(value, low, high, published, n) == verdict


def _frame(n=120, seed=0):
    rng = np.random.default_rng(seed)
    acc = rng.normal(90, 2, n)
    data = {"arch": [f"a{i}" for i in range(n)], "val_accuracy": acc}
    for name in compare.SHARED:
        data[name] = acc + rng.normal(0, 1, n)
        data[f"{name}_naslib"] = data[name] * 2 + 1       # the same ranking
    data["jacov_naslib"] = -data["jacov"]                  # the reverse ranking
    data["fisher_naslib"][0] = np.nan                      # NASLib's NaN is left out
    return pd.DataFrame(data)


def test_agreement_with_naslib_per_proxy():
    table = compare.naslib_agreement(_frame(), n_boot=50).set_index("proxy")
    assert table.loc["snip", "rho"] == pytest.approx(1.0) and table.loc["jacov", "rho"] == pytest.approx(-1.0)
    assert table.loc["fisher", "n"] == 119 and table.loc["snip", "n"] == 120


def test_accuracy_correlations_sit_beside_the_published_values():
    table = compare.accuracy_correlations(_frame(), n_boot=50).set_index("proxy")
    assert table.loc["synflow", "published"] == ZERO_COST_NB101.values["synflow"] == 0.372
    assert np.isnan(table.loc["params", "published"]) and table.loc["params", "verdict"] == "no published value"
    # the same ranking as ours: NASLib's rho equals ours
    assert table.loc["snip", "naslib"] == pytest.approx(table.loc["snip", "ours"])
    claims = compare.published_claims(table.reset_index())
    assert sorted(c["claim_id"] for c in claims) == sorted(f"zero-cost.nb101.{p}" for p in ZERO_COST_NB101.values
                                                           if p in compare.SHARED)
    assert all(c["verdict"] in ("reproduced", "partly", "not reproduced") for c in claims)


def test_the_shipped_tables_pair_on_the_canonical_string():
    frame = compare.paired()
    assert len(frame) >= 100 and frame.arch.is_unique
    # data-free proxies: the same network gives the same count in both tables
    assert np.allclose(frame.params, frame.params_naslib, rtol=1e-4)


def test_naswot_on_nb101_is_not_attempted_without_the_papers_number():
    frame = _frame().assign(naswot=lambda f: f.val_accuracy)
    record = compare.naswot_claim(compare.accuracy_correlations(frame, n_boot=20))
    assert record["verdict"] == "not attempted" and "rho = 1.000" in record["our_value"]
