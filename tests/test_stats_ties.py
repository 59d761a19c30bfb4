"""nascore.stats with ties, and its intervals against an explicit resampling loop.

Ties are the normal case in our tables (most seed-0 accuracies of the mixed table and
almost every ``params`` value of the zero-cost table are shared), so the tie conventions
(Kendall tau-b, Spearman on averaged ranks) are pinned on a case worked by hand, and the
bootstrap intervals are recomputed here by a plain loop (one resample at a time, the
statistic from scipy, the percentile read off the sorted values by hand).
"""
import math

import numpy as np
import pytest
from scipy import stats as sps

from nascore import stats

# x has one tied pair (the two 1s), y one tied pair (the two 2s).
X_TIES = [1, 1, 2, 3]
Y_TIES = [1, 2, 2, 3]


def test_kendall_is_tau_b_with_ties():
    # 6 pairs: (1,2) tied in x; (2,3) tied in y; the other 4 concordant, none discordant.
    # tau-b = (C - D) / sqrt((n0 - n1)(n0 - n2)) = 4 / sqrt((6 - 1)(6 - 1)) = 0.8
    # (tau-a = (C - D) / n0 = 4/6 = 0.667 would ignore the ties.)
    r = stats.kendall(X_TIES, Y_TIES, n_boot=0)
    assert r.value == pytest.approx(0.8, abs=1e-12)


def test_spearman_uses_averaged_ranks_for_ties():
    # averaged ranks: x -> 1.5 1.5 3 4, y -> 1 2.5 2.5 4; centred (mean 2.5):
    # x -> -1 -1 .5 1.5, y -> -1.5 0 0 1.5; sum of products 3.75, sums of squares 4.5 and 4.5
    # rho = 3.75 / 4.5 = 5/6 (ordinal ranks 1 2 3 4 / 1 2 3 4 would give 1.0)
    r = stats.spearman(X_TIES, Y_TIES, n_boot=0)
    assert r.value == pytest.approx(5 / 6, abs=1e-12)


def test_ties_in_both_directions_and_all_methods_agree_with_scipy():
    # a larger tied example against scipy's own tie-aware routines
    rng = np.random.default_rng(4)
    x = rng.integers(0, 4, size=30).astype(float)       # 4 distinct values: many ties
    y = x + rng.integers(0, 3, size=30)
    assert stats.kendall(x, y, n_boot=0).value == pytest.approx(sps.kendalltau(x, y).statistic, abs=1e-12)
    assert stats.spearman(x, y, n_boot=0).value == pytest.approx(sps.spearmanr(x, y).statistic, abs=1e-12)


def test_non_finite_scores_tie_with_each_other_at_the_bottom():
    # two NaN scores share the lowest rank: ranks 1.5 1.5 3 4 as in X_TIES
    r = stats.spearman([np.nan, -np.inf, 2.0, 3.0], Y_TIES, n_boot=0)
    assert r.value == pytest.approx(5 / 6, abs=1e-12)


# ----------------------------------------------------------------------------- intervals
def percentile(values, q):
    """The ``q`` quantile of ``values`` by linear interpolation between order statistics
    (position ``q (n - 1)`` in the sorted list), written out by hand."""
    v = sorted(values)
    pos = q * (len(v) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (pos - lo) * (v[hi] - v[lo])


def loop_interval(statistic, arrays, level, n_boot, seed):
    """Percentile bootstrap interval: resample the rows ``n_boot`` times, one at a time."""
    rng = np.random.default_rng(seed)
    n = len(arrays[0])
    values = []
    for _ in range(n_boot):
        i = rng.integers(0, n, size=n)
        value = statistic(*(np.asarray(a, dtype=float)[i] for a in arrays))
        if np.isfinite(value):
            values.append(value)
    tail = (1 - level) / 2
    return percentile(values, tail), percentile(values, 1 - tail)


SCIPY = {"spearman": lambda a, b: sps.spearmanr(a, b).statistic,
         "kendall": lambda a, b: sps.kendalltau(a, b).statistic,
         "pearson": lambda a, b: sps.pearsonr(a, b).statistic if np.ptp(a) and np.ptp(b) else np.nan}


def tied_sample(n=25, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 6, size=n).astype(float)
    return x, x + rng.normal(scale=2.0, size=n).round()


@pytest.mark.parametrize("method", stats.METHODS)
@pytest.mark.parametrize("level", [0.95, 0.90])
def test_bootstrap_interval_is_the_percentile_interval_of_an_explicit_loop(method, level):
    x, y = tied_sample()
    r = stats.rank_correlation(x, y, method, n_boot=400, level=level, seed=7)
    low, high = loop_interval(SCIPY[method], (x, y), level, 400, 7)
    assert (r.low, r.high) == pytest.approx((low, high), abs=1e-12)
    assert r.level == level and r.n_boot == 400


def test_level_is_honoured_a_90_interval_sits_inside_the_95_interval():
    x, y = tied_sample()
    r95 = stats.spearman(x, y, n_boot=400, level=0.95, seed=7)
    r90 = stats.spearman(x, y, n_boot=400, level=0.90, seed=7)
    assert r95.low < r90.low < r90.high < r95.high
    assert stats.spearman(x, y, n_boot=400, seed=7).low == r95.low     # 0.95 is the default


def mean_of(a):
    return float(np.mean(a))


@pytest.mark.parametrize("level", [0.95, 0.90, 0.5])
def test_mean_ci_is_the_percentile_interval_of_an_explicit_loop(level):
    values = [0.2, 0.9, 0.4, 0.4, 0.7, 0.1, 1.0, 0.4]
    mean, low, high = stats.mean_ci(values, level=level, n_boot=500, seed=3)
    assert mean == pytest.approx(sum(values) / len(values), abs=1e-15)
    assert (low, high) == pytest.approx(loop_interval(mean_of, (values,), level, 500, 3), abs=1e-12)


def test_mean_ci_of_two_points_by_hand():
    # resampling [0, 1]: the mean is 0, 1/2 or 1 with probabilities 1/4, 1/2, 1/4, so the
    # 2.5 % and 97.5 % points of the bootstrap distribution are 0 and 1 (each end holds a
    # quarter of the mass); the interquartile range of the data would be [0.25, 0.75].
    mean, low, high = stats.mean_ci([0.0, 1.0], n_boot=2000, seed=0)
    assert (mean, low, high) == (0.5, 0.0, 1.0)


def test_mean_ci_of_a_constant_is_a_point():
    assert stats.mean_ci([0.3] * 5) == pytest.approx((0.3, 0.3, 0.3), abs=1e-15)


def test_mean_ci_level_changes_the_interval():
    values = np.random.default_rng(0).normal(size=40)
    _, lo95, hi95 = stats.mean_ci(values, level=0.95)
    _, lo90, hi90 = stats.mean_ci(values, level=0.90)
    assert lo95 < lo90 < hi90 < hi95


@pytest.mark.parametrize("options, match", [
    ({"level": 95}, "level must be in \\(0, 1\\), got 95"),
    ({"level": 0.0}, "level must be in \\(0, 1\\), got 0.0"),
    ({"n_boot": 0}, "n_boot must be a positive integer, got 0"),
    ({"n_boot": 2.5}, "n_boot must be a positive integer, got 2.5"),
])
def test_mean_ci_bad_options_are_named(options, match):
    with pytest.raises(ValueError, match=match):
        stats.mean_ci([1.0, 2.0, 3.0], **options)
