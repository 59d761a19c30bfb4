"""nascore.search: the interface, budgets, determinism, random search, evolution,
training-free selection, and the multi-seed summaries."""
from math import comb

import numpy as np
import pandas as pd
import pytest

from nascore import search

HNAS_TOY = {"metric": "M", "kappa": "kappa", "scale": 100.0}
OPTIONS = {"random": {}, "evolution": {}, "bo": {"restarts": 0},
           "training_free": {"score": "noisy"}, "hnas": dict(HNAS_TOY, restarts=0, n_warmup=500)}


@pytest.fixture(scope="module")
def bench():
    return search.synthetic()            # 4 positions x 4 choices = 256 architectures


def test_registry_lists_every_algorithm():
    assert search.available() == ["bo", "evolution", "hnas", "random", "training_free"]


@pytest.mark.parametrize("algorithm", sorted(OPTIONS))
def test_budget_accounting_is_exact(bench, algorithm):
    result = search.run(algorithm, bench, budget=12, seed=3, **OPTIONS[algorithm])
    h = result.history
    assert len(result) == 12 and list(h["query"]) == list(range(1, 13))
    assert h["row"].is_unique                        # no architecture queried twice
    assert list(h["arch"]) == [bench.keys[r] for r in h["row"]]
    assert np.array_equal(h["accuracy"], bench.accuracy[h["row"]])
    for clock in ("n_scored", "query_seconds", "wall_seconds", "seconds"):
        assert h[clock].is_monotonic_increasing
    assert np.array_equal(result.best_so_far(), np.maximum.accumulate(h["accuracy"]))


@pytest.mark.parametrize("algorithm", sorted(OPTIONS))
def test_same_seed_same_history(bench, algorithm):
    runs = [search.run(algorithm, bench, budget=8, seed=s, **OPTIONS[algorithm]) for s in (5, 5, 6)]
    timeless = [r.history.drop(columns=["wall_seconds", "seconds"]) for r in runs]
    pd.testing.assert_frame_equal(timeless[0], timeless[1])
    # Another seed, another history (HNAS's pool here is the whole table, so its picks
    # may coincide; its BO points do not).
    assert not timeless[0].equals(timeless[2])


@pytest.mark.parametrize("algorithm, budget, options", [
    ("random", 256, {}), ("evolution", 100, {}), ("bo", 40, OPTIONS["bo"]),
    ("hnas", 20, HNAS_TOY),   # the official settings: 20 iterations, 5 of them probes
])
def test_finds_the_known_optimum(bench, algorithm, budget, options):
    # 256 architectures; each algorithm but random search needs far fewer queries.
    for seed in range(3):
        result = search.run(algorithm, bench, budget=budget, seed=seed, **options)
        assert result.best["row"] == bench.optimum, (algorithm, seed)
        assert result.best_accuracy == bench.accuracy.max()


def test_random_search_matches_expected_best_of_k():
    # E[max of k draws without replacement] = sum_i a_(i) C(i-1, k-1) / C(n, k), a sorted
    # ascending: a_(i) is the maximum exactly when the other k-1 draws come from the i-1 below.
    bench = search.synthetic(positions=3, choices=4, seed=1)        # 64 architectures
    a = np.sort(bench.accuracy)
    n, budget, seeds = len(a), 6, 1000
    exact = [sum(a[i - 1] * comb(i - 1, k - 1) for i in range(k, n + 1)) / comb(n, k)
             for k in range(1, budget + 1)]
    curves = search.run_many("random", bench, budget, range(seeds))
    mc_mean = curves.mean().to_numpy()
    mc_se = curves.std().to_numpy() / np.sqrt(seeds)
    assert np.all(np.abs(mc_mean - exact) < 4 * mc_se)
    assert exact[0] == pytest.approx(a.mean())                       # k = 1: the mean


def test_evolution_mutates_one_position_and_ages_the_population(bench):
    size = 5
    result = search.run("evolution", bench, budget=40, seed=0, population_size=size, sample_size=2)
    h = result.history
    assert (h["parent"].iloc[:size] == -1).all()                    # random initial population
    for i in range(size, len(h)):
        parent, child = h["parent"].iloc[i], h["row"].iloc[i]
        # the full toy space always has an unqueried one-position neighbour here
        assert (bench.genotypes[parent] != bench.genotypes[child]).sum() == 1
        # aging: the parent is one of the `size` most recent queries
        assert parent in set(h["row"].iloc[i - size:i])


def test_training_free_queries_the_best_scored_first(bench):
    noisy = bench.score("noisy")
    one = search.run("training_free", bench, budget=1, seed=0, score="noisy", n_sample=len(bench))
    assert one.history["row"].tolist() == [int(np.argmax(noisy))]
    assert one.scores_used == ("noisy",) and one.history["n_scored"].iloc[0] == len(bench)
    top = search.run("training_free", bench, budget=5, seed=0, score="noisy", n_sample=len(bench))
    assert top.history["row"].tolist() == np.argsort(-noisy)[:5].tolist()
    low = search.run("training_free", bench, budget=1, seed=0, score="noisy",
                     n_sample=len(bench), higher_is_better=False)
    assert low.history["row"].tolist() == [int(np.argmin(noisy))]
    # with a perfect score, one query finds the optimum
    oracle = search.run("training_free", bench, budget=1, seed=0, score="oracle", n_sample=len(bench))
    assert oracle.best_accuracy == bench.accuracy.max()


@pytest.mark.parametrize("call, match", [
    (lambda b: search.run("simulated_annealing", b, budget=5), "simulated_annealing.*allowed: bo"),
    (lambda b: search.run("random", b, budget=0), "budget.*between 1 and 256.*got 0"),
    (lambda b: search.run("random", b, budget=257), "got 257"),
    (lambda b: search.run("random", b, budget=2.5), "got 2.5"),
    (lambda b: search.run("random", b, budget=True), "got True"),
    (lambda b: search.run("random", b, budget=3, budget_seconds=-1), "budget_seconds"),
    (lambda b: search.run("random", b, budget=3, population_size=4), "population_size.*allowed: none"),
    (lambda b: search.run("evolution", b, budget=3, sample_size=20), "sample_size"),
    (lambda b: search.run("training_free", b, budget=3), "needs score="),
    (lambda b: search.run("training_free", b, budget=3, score="zen"), "'zen'.*available: M, kappa"),
    (lambda b: search.run("training_free", b, budget=30, score="M", n_sample=10), "n_sample"),
])
def test_bad_requests_raise_value_error(bench, call, match):
    with pytest.raises(ValueError, match=match):
        call(bench)


def test_seconds_budget_counts_the_cost_column():
    toy = search.synthetic(positions=2, choices=3)
    costly = search.TabularBenchmark(keys=toy.keys, genotypes=toy.genotypes, accuracy=toy.accuracy,
                                     cost=np.full(len(toy), 10.0))
    result = search.run("random", costly, budget=9, seed=0, budget_seconds=35)
    # 3 queries cost 30 s (< 35): a 4th is allowed; after it 40 s >= 35 stops the search.
    assert len(result) == 4
    assert result.history["query_seconds"].tolist() == [10.0, 20.0, 30.0, 40.0]


def test_run_many_and_summary_at(bench):
    curves = search.run_many("random", bench, 10, seeds=range(8))
    assert curves.shape == (8, 10) and list(curves.columns) == list(range(1, 11))
    assert (curves.diff(axis=1).iloc[:, 1:] >= 0).all().all()       # best-so-far never drops
    table = search.summary_at(curves, [1, 10])
    assert table.loc[10, "mean"] == pytest.approx(curves[10].mean())
    assert (table["low"] <= table["mean"]).all() and (table["mean"] <= table["high"]).all()
    assert table.loc[1, "mean"] <= table.loc[10, "mean"]
    with pytest.raises(ValueError, match="budget 11"):
        search.summary_at(curves, [11])


def test_nb201_benchmark_encoding_and_mutation():
    zc = search.nb201("nb201-zc", "cifar10")
    assert len(zc) == 724 and {"nwot", "synflow", "grad_norm"} <= set(zc.scores)
    onehot = zc.encode([0, 1, 2])
    assert onehot.shape == (3, 30) and (onehot.sum(axis=1) == 6).all()
    full = search.nb201("nb201", "cifar10")
    rng = np.random.default_rng(0)
    child = full.mutate(0, rng)
    assert (full.genotypes[child] != full.genotypes[0]).sum() == 1   # one edge changed


def test_mutation_in_a_partial_table_moves_to_a_nearest_architecture():
    # Genotypes 00, 01, 11, 22: from 00 the only one-position neighbour is 01; once 01
    # is excluded, the nearest left are 11 and 22 (two positions away).
    bench = search.TabularBenchmark(keys=("00", "01", "11", "22"),
                                    genotypes=np.array([[0, 0], [0, 1], [1, 1], [2, 2]]),
                                    accuracy=np.array([1.0, 2.0, 3.0, 4.0]))
    rng = np.random.default_rng(0)
    assert {bench.mutate(0, rng) for _ in range(20)} == {1}
    excluded = np.array([False, True, False, False])
    assert {bench.mutate(0, rng, exclude=excluded) for _ in range(50)} == {2, 3}


@pytest.mark.parametrize("keys, genotypes, accuracy, match", [
    (("a", "a"), [[0], [1]], [1.0, 2.0], "unique"),
    (("a", "b"), [[0.5], [1]], [1.0, 2.0], "integer array"),
    (("a", "b"), [[0], [1]], [1.0, np.nan], "NaN"),
    (("a", "b"), [[0], [1]], [1.0, 2.0, 3.0], r"shape \(2,\)"),
])
def test_bad_tables_raise_value_error(keys, genotypes, accuracy, match):
    with pytest.raises(ValueError, match=match):
        search.TabularBenchmark(keys=keys, genotypes=np.array(genotypes), accuracy=np.array(accuracy))


def test_best_so_far_can_report_another_column_of_the_incumbent():
    toy = search.synthetic(positions=2, choices=3)
    test = -toy.accuracy                               # an obviously different "test" measure
    bench = search.TabularBenchmark(keys=toy.keys, genotypes=toy.genotypes, accuracy=toy.accuracy,
                                    test_accuracy=test)
    result = search.run("random", bench, budget=9, seed=0)
    rows = result.history["row"].to_numpy()
    by_hand = [test[rows[: i + 1][np.argmax(bench.accuracy[rows[: i + 1]])]] for i in range(9)]
    assert result.best_so_far("test_accuracy").tolist() == by_hand
    curves = search.run_many("random", bench, 9, seeds=[0], report="test_accuracy")
    assert curves.loc[0].tolist() == by_hand
