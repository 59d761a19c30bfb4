"""EigenNAS-style selection on the uniform sample (``nascore.analysis.eigennas_uniform``), on
hand-made populations: which cells form the sample, when a draw rests on enough cells,
the picks, and the verdict at and beside each threshold."""
import numpy as np
import pandas as pd
import pytest

from nascore.analysis import eigennas_uniform as eu
from nascore.analysis.hnas_cifar import EIGENNAS_TOLERANCE


def test_the_sample_is_the_unbroken_prefix_of_the_order():
    stats = pd.DataFrame({"arch": ["h", "c", "a", "b"], eu.COLUMN: [8.0, 3.0, 1.0, np.nan]})
    sample = eu.uniform_sample(stats, list("abcdefgh"))
    assert sample.arch.tolist() == ["a", "b", "c"]          # h lies past the first gap (d): left out
    assert np.isnan(sample[eu.COLUMN].iloc[1])              # a NaN lambda_min stays: the cell was scored
    with pytest.raises(ValueError, match="ntk_lambda_min_b16"):
        eu.uniform_sample(stats.drop(columns=eu.COLUMN), list("abc"))


@pytest.mark.parametrize("n_cells, n, ok", [
    (200, 100, True),      # exactly 2N
    (199, 100, False),     # one short of 2N
    (100, 10, True),       # exactly MIN_CELLS
    (99, 10, False),       # below MIN_CELLS whatever N
    (1999, 1000, False),
    (2000, 1000, True),
    (50, 1000, False),     # N larger than the population
])
def test_a_draw_needs_100_cells_and_twice_n(n_cells, n, ok):
    assert (eu.MIN_CELLS, eu.MIN_CELLS_PER_DRAW) == (100, 2)
    assert eu.attempted(n_cells, n) is ok


@pytest.mark.parametrize("n_cells, n", [(100, 0), (100, 1.5), (-1, 10)])
def test_attempted_rejects_bad_sizes(n_cells, n):
    with pytest.raises(ValueError, match="n >= 1"):
        eu.attempted(n_cells, n)


def _population(lam, acc):
    sample = pd.DataFrame({"arch": [f"a{i:03d}" for i in range(len(lam))], eu.COLUMN: lam})
    return sample, {"cifar10": pd.Series(acc, index=sample.arch)}


def test_with_every_cell_drawn_the_pick_is_the_largest_lambda_min(monkeypatch):
    monkeypatch.setattr(eu, "MIN_CELLS", 1)
    monkeypatch.setattr(eu, "MIN_CELLS_PER_DRAW", 1)
    # three cells, N = 3: each draw holds all three; the NaN ranks last, the tie 5 = 5 goes to the first arch
    sample, tests = _population([5.0, np.nan, 5.0], [91.0, 99.0, 80.0])
    table = eu.selection_table(sample, tests, ns=(3,), repeats=100, n_boot=50).set_index("method")
    ours, rand = table.loc["largest lambda_min"], table.loc["random pick"]
    assert (ours["mean"], ours["std"], ours["low"], ours["high"]) == (91.0, 0.0, 91.0, 91.0)
    assert ours["paper"] == 93.46 and ours["status"] == "run" and ours["n_cells"] == 3
    assert 80.0 < rand["mean"] < 99.0 and rand["std"] > 0     # a uniform one of the three, per repeat


def test_n_needing_more_cells_than_the_population_is_not_attempted():
    sample, tests = _population(np.arange(250.0), np.arange(250.0))
    table = eu.selection_table(sample, tests, ns=(100, 1000), repeats=100, n_boot=50)
    status = table.groupby("N").status.first()
    assert status[100] == "run" and status[1000] == "not attempted"
    assert table[table.N == 1000]["mean"].isna().all()
    by = table[table.N == 100].set_index("method")["mean"]
    # accuracy = lambda_min: the pick is the draw's maximum, E = 100 * 251 / 101 - 1 = 247.5 for 100 of 0..249
    assert by["largest lambda_min"] == pytest.approx(100 * 251 / 101 - 1, abs=0.5)
    assert by["random pick"] == pytest.approx(124.5, abs=8)    # the population mean, within sampling error
    with pytest.raises(ValueError, match="repeats"):
        eu.selection_table(sample, tests, repeats=0)


def _table(mean, low, random_high, *, n=100, status="run", datasets=("cifar10",)):
    rows = []
    for d in datasets:
        paper = eu.EIGENNAS_LEADERBOARD[d]
        rows += [{"N": n, "status": status, "dataset": d, "paper": paper, "method": "largest lambda_min",
                  "mean": paper + mean, "low": paper + low, "high": np.nan},
                 {"N": n, "status": status, "dataset": d, "paper": paper, "method": "random pick",
                  "mean": np.nan, "low": np.nan, "high": paper + random_high}]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("mean, low, random_high, expected", [
    (0.0, -0.2, -5.0, "reproduced"),
    (-EIGENNAS_TOLERANCE, -0.9, -5.0, "reproduced"),        # exactly the tolerance short
    (-0.51, -0.9, -5.0, "partly"),                          # just past it, beating random
    (-2.0, -3.0, -3.0, "not reproduced"),                   # interval touching random's: not above it
    (-2.0, -3.0, -2.99, "not reproduced"),
    (-2.0, -2.99, -3.0, "partly"),
])
def test_verdict_at_its_thresholds(mean, low, random_high, expected):
    assert EIGENNAS_TOLERANCE == 0.5
    datasets = ("cifar10", "cifar100", "ImageNet16-120")
    assert eu.verdict(_table(mean, low, random_high, datasets=datasets)) == (expected, 100)


def test_verdict_rests_on_the_largest_n_run_and_on_every_dataset():
    both = pd.concat([_table(0.0, -0.1, -5.0, n=100), _table(-1.0, -2.0, -1.0, n=1000)])
    assert eu.verdict(both) == ("not reproduced", 1000)
    assert eu.verdict(pd.concat([both[both.N == 100], _table(0, 0, 0, n=1000, status="not attempted")])) == (
        "reproduced", 100)
    assert eu.verdict(_table(0, 0, 0, status="not attempted")) == ("not attempted", None)
    one_short = pd.concat([_table(0.0, -0.1, -5.0), _table(-0.6, -0.7, -0.6, datasets=("cifar100",))])
    assert eu.verdict(one_short) == ("not reproduced", 100)   # CIFAR-100 short of the paper and not above random
