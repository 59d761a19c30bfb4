"""Best-of-N training-free selection (``nascore.search.selection``)."""
import numpy as np
import pytest

from nascore.search.picks import argbest
from nascore.search.selection import TIE_TOLERANCE, best_of_n


def best_index(values, order):
    return argbest(values, order=order)


def test_best_index_by_hand():
    assert best_index([1.0, 5.0, 2.0], order=[0, 1, 2]) == 1
    assert best_index([np.nan, 2.0, 1.0], order=[0, 1, 2]) == 1          # missing ranks last
    assert best_index([np.nan, np.nan], order=[1, 0]) == 1               # all missing: key order
    assert best_index([3.0, 3.0], order=[1, 0]) == 1                     # exact tie: smaller key


def test_a_near_tie_is_a_tie_and_a_real_difference_is_not():
    near = 7.0 * (1 + TIE_TOLERANCE / 10)
    assert best_index([7.0, near], order=[0, 1]) == 0 and best_index([7.0, near], order=[1, 0]) == 1
    far = 7.0 * (1 + TIE_TOLERANCE * 10)
    assert best_index([7.0, far], order=[0, 1]) == 1


def test_the_whole_table_picks_the_best_and_lower_is_better_flips():
    scores = np.array([0.3, 0.9, 0.1, 0.5])
    assert set(best_of_n(scores, 4, 5)) == {1}
    assert set(best_of_n(scores, 4, 5, higher_is_better=False)) == {2}


def test_best_of_one_is_a_uniform_draw():
    picks = best_of_n(np.arange(4.0), 1, 4000, seed=1)
    counts = np.bincount(picks, minlength=4)
    assert counts.min() > 850 and counts.max() < 1150  # 1,000 expected each; 5 sigma is ~140


def test_picks_do_not_move_under_round_off():
    rng = np.random.default_rng(0)
    scores = np.round(rng.normal(size=300), 2)  # many exact ties
    keys = [f"arch{i:03d}" for i in range(300)]
    noisy = scores * (1 + 1e-12 * rng.choice([-1, 1], size=300))
    assert np.array_equal(best_of_n(scores, 50, 200, keys=keys), best_of_n(noisy, 50, 200, keys=keys))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n must be an integer between 1 and the 3"):
        best_of_n([1.0, 2.0, 3.0], 4, 1)
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        best_of_n([1.0, 2.0], 1, 0)


def test_selection_against_random_search_by_hand():
    import pandas as pd

    from nascore.search.selection import against_random

    # four cells; naswot (higher is better) points at the second best, random search sees the truth
    frame = pd.DataFrame({"arch": ["a", "b", "c", "d"], "val_accuracy": [90.0, 80.0, 70.0, 60.0],
                          "naswot": [1.0, 4.0, 3.0, 2.0]})
    table = against_random({"toy": frame}, ["naswot", "synflow"], ns=[4, 5], repeats=3, n_boot=10)
    assert list(table.method) == ["random search", "naswot"]          # synflow absent, N = 5 too large
    assert table.set_index("method")["mean"].to_dict() == {"random search": 90.0, "naswot": 80.0}
    assert (table.optimum == 90.0).all() and (table["size"] == 4).all()
    # one draw of one cell: both methods report the drawn cell itself, so they agree draw for draw
    single = against_random({"toy": frame}, ["naswot"], ns=[1], repeats=50, n_boot=10).set_index("method")
    assert single.loc["random search", "mean"] == single.loc["naswot", "mean"]
