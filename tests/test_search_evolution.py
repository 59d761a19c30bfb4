"""Regularised evolution's population and sample sizes, pinned by runs traced by hand.

The population is always the last ``population_size`` queries (it starts with that many
random ones, then every child is appended and the oldest member leaves), and the parent
is the most accurate of ``sample_size`` members drawn from it. The synthetic benchmark's
accuracies are all distinct, so both rules can be checked query by query.
"""
from math import comb

import numpy as np
import pytest

from nascore import search


@pytest.fixture(scope="module")
def bench():
    return search.synthetic()            # 256 architectures, distinct accuracies


def windows(history, size):
    """For every query after the initial population: (parent row, rows of the window)."""
    rows, parents = history["row"].to_numpy(), history["parent"].to_numpy()
    return [(parents[i], rows[i - size:i]) for i in range(size, len(rows))]


@pytest.mark.parametrize("size", [2, 3, 5])
def test_sampling_the_whole_population_picks_the_best_of_the_last_queries(bench, size):
    # sample_size == population_size: the "tournament" is the whole population, so the
    # parent is the most accurate of the previous `size` queries - no randomness left.
    result = search.run("evolution", bench, budget=60, seed=1, population_size=size, sample_size=size)
    h = result.history
    assert (h["parent"].iloc[:size] == -1).all() and (h["parent"].iloc[size:] >= 0).all()
    for parent, window in windows(h, size):
        assert parent == window[np.argmax(bench.accuracy[window])]


def test_default_sizes_population_10_sample_3(bench):
    # Defaults (Real et al.'s algorithm with population 10, sample 3): the first 10 queries
    # are random, and after that the parent's rank j in its window of the last 10 queries
    # (j = how many of them are less accurate) is the maximum of a 3-subset, so
    #   P(j) = C(j, 2) / C(10, 3):  j >= 2 always,  E[j] = 7.25.
    # (Sample 2 would allow j = 1 and give E[j] = 6.33; sample 4, E[j] = 7.8.)
    population, sample = 10, 3
    ranks = []
    for seed in range(20):
        h = search.run("evolution", bench, budget=60, seed=seed).history
        assert (h["parent"].iloc[:population] == -1).all() and h["parent"].iloc[population] >= 0
        for parent, window in windows(h, population):
            assert parent in window
            ranks.append(int((bench.accuracy[window] < bench.accuracy[parent]).sum()))
    ranks = np.array(ranks)
    p = np.array([comb(j, sample - 1) for j in range(population)]) / comb(population, sample)
    mean = p @ np.arange(population)
    sd = np.sqrt(p @ (np.arange(population) - mean) ** 2)
    assert mean == pytest.approx(7.25)
    assert ranks.min() >= sample - 1
    assert abs(ranks.mean() - mean) < 4 * sd / np.sqrt(len(ranks))
