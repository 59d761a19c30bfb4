import numpy as np
import pytest

from nascore import stats


def test_spearman_by_hand():
    # ranks of x: 1 2 3 4 5; ranks of y: 2 1 4 3 5 -> d^2 = 1+1+1+1+0 = 4
    # rho = 1 - 6*4 / (5*24) = 0.8
    r = stats.spearman([1, 2, 3, 4, 5], [20, 10, 40, 30, 50], n_boot=0)
    assert r.value == pytest.approx(0.8)


def test_kendall_by_hand():
    # pairs of (1,2,3,4) vs (1,3,2,4): 5 concordant, 1 discordant -> tau = 4/6
    r = stats.kendall([1, 2, 3, 4], [1, 3, 2, 4], n_boot=0)
    assert r.value == pytest.approx(4 / 6)


def test_bootstrap_interval_brackets_value_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    x = rng.normal(size=400)
    y = x + rng.normal(size=400)
    wide = stats.spearman(x[:40], y[:40], n_boot=500)
    narrow = stats.spearman(x, y, n_boot=500)
    assert wide.low <= wide.value <= wide.high
    assert (narrow.high - narrow.low) < (wide.high - wide.low)


def test_non_finite_scores_rank_last_not_dropped():
    truth = [1, 2, 3, 4, 5]
    with_nan = stats.spearman([np.nan, 2, 3, 4, 5], truth, n_boot=0)
    assert with_nan.n == 5 and with_nan.value == pytest.approx(1.0)
    neg = stats.spearman([5, 2, 3, 4, -np.inf], truth, n_boot=0)
    assert neg.value < 0.5


def test_top_k_overlap():
    assert stats.top_k_overlap([5, 4, 3, 2, 1], [1, 2, 3, 4, 5], 2) == 0.0
    assert stats.top_k_overlap([1, 2, 3, 4, 5], [10, 20, 30, 50, 40], 2) == 1.0


def test_mean_ci():
    mean, low, high = stats.mean_ci([1.0, 2.0, 3.0])
    assert mean == 2.0 and 1.0 <= low <= mean <= high <= 3.0


def test_bad_inputs():
    with pytest.raises(ValueError, match="unknown method 'pearsonr'"):
        stats.rank_correlation([1, 2, 3], [1, 2, 3], "pearsonr")
    with pytest.raises(ValueError, match="equal length"):
        stats.spearman([1, 2, 3], [1, 2])


def test_correlation_table_flips_lower_is_better_columns():
    import pandas as pd

    frame = pd.DataFrame({"acc": [1, 2, 3, 4], "good": [10, 20, 30, 40], "cond": [4, 3, 2, 1]})
    table = stats.correlation_table(frame, ["good", "cond"], "acc", n_boot=0, sign={"cond": -1})
    assert table.value.tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(ValueError, match=r"columns \['nope'\] not in the frame"):
        stats.correlation_table(frame, ["nope"], "acc")
