"""Baselines: random search, regularised evolution, pure training-free selection.

Every algorithm here and in the sibling modules has one signature,
``algorithm(benchmark, recorder, rng, **options) -> scores_used``: it queries through
the :class:`~nascore.search.result.Recorder` until ``recorder.remaining`` is 0 and
returns the names of the training-free scores it read. No architecture is ever queried
twice: in a table a repeated query would be a free lookup, so each query is a new one.
"""
from __future__ import annotations

from collections import deque

from .picks import argbest, ranked


def random_search(benchmark, recorder, rng):
    """Random search (spec §9): query architectures drawn uniformly without replacement.

    After ``k`` queries the best accuracy found is the maximum of ``k`` draws without
    replacement, whose expectation is ``sum_i a_(i) C(i-1, k-1) / C(n, k)`` over the
    sorted accuracies ``a_(1) <= ... <= a_(n)`` (tested against this closed form).
    """
    order = rng.permutation(len(benchmark))
    for row in order[:recorder.remaining]:
        if recorder.remaining <= 0:
            break
        recorder.query(row)
    return ()


def regularized_evolution(benchmark, recorder, rng, *, population_size=10, sample_size=3):
    """Regularised ("aging") evolution, Real, Aggarwal, Huang & Le, AAAI 2019 (Algorithm 1).

    Start from ``population_size`` random architectures. Then repeat: draw
    ``sample_size`` members of the population uniformly without replacement, take the
    most accurate as parent, mutate it (:meth:`TabularBenchmark.mutate`: a nearest
    not-yet-queried architecture, i.e. one position changed when such a one exists),
    query the child, append it to the population and remove the *oldest* member (not the
    worst: that is the "aging" that regularises the search).

    Defaults (population 10, sample 3) suit budgets of tens of queries; Real et al. used
    larger values for thousands of trained models.
    """
    if not (isinstance(population_size, int) and population_size >= 1):
        raise ValueError(f"population_size must be an integer >= 1, got {population_size!r}")
    if not (isinstance(sample_size, int) and 1 <= sample_size <= population_size):
        raise ValueError(f"sample_size must be an integer in 1..population_size "
                         f"({population_size}), got {sample_size!r}")
    population: deque = deque()
    for row in rng.permutation(len(benchmark))[:min(population_size, recorder.remaining)]:
        population.append((int(row), recorder.query(row, parent=-1)))
    while recorder.remaining > 0:
        picks = rng.choice(len(population), size=min(sample_size, len(population)), replace=False)
        # The most accurate pick; accuracies within a relative 1e-9 tie, and a tie goes to
        # the first drawn (so round-off in a table cannot choose the parent).
        parent = population[picks[argbest([population[i][1] for i in picks])]][0]
        child = benchmark.mutate(parent, rng, exclude=recorder.queried)
        population.append((child, recorder.query(child, parent=parent)))
        if len(population) > population_size:
            population.popleft()
    return ()


def training_free(benchmark, recorder, rng, *, score, n_sample=None, higher_is_better=True):
    """Pure training-free selection (e.g. Mellor et al. 2021's NASWOT search; spec §9).

    Draw ``n_sample`` architectures without replacement (default 100, or the budget when
    larger, or the whole table when it holds fewer), read the training-free ``score`` of each (no query), and query
    the best-scored one; a budget of ``k`` queries queries the ``k`` best-scored in order,
    so a budget of 1 is the pure method. Non-finite scores rank last; scores within a
    relative 1e-9 are a tie (:func:`nascore.search.picks.ranked`), in sampling order. Needs
    ``n_sample >= budget``.
    """
    values = benchmark.score(score)
    if n_sample is None:
        if recorder.budget > len(benchmark):
            raise ValueError(f"a budget of {recorder.budget} queries exceeds the table's {len(benchmark)} architectures")
        n_sample = min(max(100, recorder.budget), len(benchmark))
    if not (isinstance(n_sample, int) and recorder.budget <= n_sample <= len(benchmark)):
        raise ValueError(f"n_sample must be an integer between the budget ({recorder.budget}) "
                         f"and the number of architectures ({len(benchmark)}), got {n_sample!r}")
    rows = rng.choice(len(benchmark), size=n_sample, replace=False)
    recorder.scored(n_sample)
    # Best first; scores within a relative 1e-9 tie, and ties keep sampling order.
    for row in rows[ranked(values[rows], recorder.remaining, higher=higher_is_better)]:
        if recorder.remaining <= 0:
            break
        recorder.query(row, score=float(values[row]))
    return (score,)
