"""HNAS: the objective by hand and the official search's schedule (spec details §5.3)."""
import numpy as np
import pytest

from nascore import search

TOY = {"metric": "M", "kappa": "kappa", "scale": 100.0, "restarts": 0, "n_warmup": 500}


def test_objective_by_hand():
    # mu |M^2 - C^2| + kappa / (M + 1e-6) with M=2, kappa=3, C=1, mu=0.5:
    # 0.5 * |4 - 1| + 3 / 2.000001 = 1.5 + 1.49999925
    assert search.hnas_objective(2.0, 3.0, 1.0, 0.5) == pytest.approx(1.5 + 3 / 2.000001, rel=1e-12)
    # M above or below the target is penalised alike
    assert search.hnas_objective(3.0, 0.0, 2.0, 1.0) == search.hnas_objective(1.0, 0.0, 2.0, 1.0) + 2


def test_initial_probes_are_the_official_grid():
    bench = search.synthetic()
    h = search.run("hnas", bench, budget=20, seed=0, **TOY).history
    # min(int(0.25 * 20), 10) = 5 probes: t = 0, 0.25, ..., 1 with log10 mu = -2
    assert h["t"].iloc[:5].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert (h["log10_mu"].iloc[:5] == -2.0).all()
    assert h["log10_mu"].between(-4, 0).all() and h["t"].between(0, 1).all()
    assert np.allclose(h["target"], 100.0 * h["t"]) and np.allclose(h["mu"], 10.0 ** h["log10_mu"])
    short = search.run("hnas", bench, budget=8, seed=0, **TOY).history
    assert short["t"].iloc[:2].tolist() == [0.0, 1.0]                # int(0.25 * 8) = 2 probes


def test_each_query_minimises_the_objective_over_the_unqueried_pool():
    bench = search.synthetic()
    # 20,000 draws per step put every one of the 256 architectures in the pool
    h = search.run("hnas", bench, budget=10, seed=1, n_sample=20_000, **TOY).history
    m, kappa = bench.score("M"), bench.score("kappa")
    for i, step in h.iterrows():
        free = np.setdiff1d(np.arange(len(bench)), h["row"].iloc[:i])
        values = search.hnas_objective(m[free], kappa[free], step["target"], step["mu"])
        assert step["row"] == free[np.argmin(values)]
        assert step["objective"] == pytest.approx(values.min())
    assert (h["pool_size"] == len(bench) - np.arange(len(h))).all()


def test_nan_condition_number_counts_as_1e5():
    toy = search.synthetic(positions=2, choices=3)
    kappa = np.full(len(toy), np.nan)
    bench = search.TabularBenchmark(keys=toy.keys, genotypes=toy.genotypes, accuracy=toy.accuracy,
                                    scores={"M": toy.score("M"), "kappa": kappa})
    h = search.run("hnas", bench, budget=4, seed=0, n_sample=1000, **TOY).history
    first = h.iloc[0]
    assert first["objective"] == pytest.approx(
        search.hnas_objective(toy.score("M")[first["row"]], 1e5, first["target"], first["mu"]))
