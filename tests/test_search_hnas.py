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


def regime_bench(n=60, seed=7):
    """``n`` architectures whose two objective terms are of one size at the probes' ``mu``
    (``0.01 M^2`` and ``kappa / M`` both ~1e2..1e4), every sixth with a singular (NaN)
    kappa: the pool, ``mu`` and the value read for a NaN kappa all decide the picks."""
    rng = np.random.default_rng(seed)
    m = np.exp(rng.uniform(np.log(30.0), np.log(1000.0), n))
    kappa = np.exp(rng.uniform(np.log(1e4), np.log(3e5), n))
    kappa[::6] = np.nan
    return search.TabularBenchmark(keys=tuple(f"a{i}" for i in range(n)), genotypes=np.arange(n)[:, None],
                                   accuracy=rng.uniform(50, 90, n), scores={"M": m, "kappa": kappa})


def probe_picks_by_hand(bench, seed, n_sample, n_probes):
    """The probes' queries, replayed: each step adds ``n_sample`` uniform draws (the search's
    generator, which the probes use for nothing else) to a pool that persists, removes what
    was queried, and queries the pool's minimum of ``0.01 M^2 + kappa / M`` (probes: mu =
    10**-2; ``C ~ 0`` here), kappa NaN read as 1e5 (HNAS's official code)."""
    rng = np.random.default_rng(seed)
    m = bench.score("M")
    kappa = np.where(np.isnan(bench.score("kappa")), 1e5, bench.score("kappa"))
    pool, rows, sizes = set(), [], []
    for _ in range(n_probes):
        pool |= set(rng.integers(0, len(bench), size=n_sample).tolist())
        pool -= set(rows)
        sizes.append(len(pool))
        rows.append(min(pool, key=lambda r: 0.01 * m[r] ** 2 + kappa[r] / (m[r] + 1e-6)))
    return rows, sizes


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_probes_pick_from_a_persistent_pool_with_nan_kappa_as_1e5(seed):
    # budget 40: min(int(0.25 * 40), 10) = 10 probes at log10 mu = -2; scale ~0 makes C ~ 0.
    bench = regime_bench()
    h = search.run("hnas", bench, budget=40, seed=seed, metric="M", kappa="kappa", scale=1e-9,
                   n_sample=3, restarts=0, n_warmup=100, n_starts=0).history
    rows, sizes = probe_picks_by_hand(bench, seed, n_sample=3, n_probes=10)
    assert h["row"].iloc[:10].tolist() == rows
    assert h["pool_size"].iloc[:10].tolist() == sizes
    assert (h["log10_mu"].iloc[:10] == -2.0).all() and h["log10_mu"].iloc[10:].ne(-2.0).all()


def test_the_regime_is_sensitive_to_pool_persistence_and_the_nan_kappa():
    # The hand replay above would catch a pool rebuilt each step, another value for a NaN
    # kappa, or another probe mu: each changes the picks of the three seeds.
    bench = regime_bench()
    m, kappa = bench.score("M"), bench.score("kappa")

    def picks(seed, persistent=True, nan_as=1e5, mu=0.01):
        rng = np.random.default_rng(seed)
        k = np.where(np.isnan(kappa), nan_as, kappa)
        pool, rows = set(), []
        for _ in range(10):
            drawn = set(rng.integers(0, len(bench), size=3).tolist())
            pool = (pool | drawn if persistent else drawn) - set(rows)
            if pool:
                rows.append(min(pool, key=lambda r: mu * m[r] ** 2 + k[r] / m[r]))
        return rows

    for variant in [{"persistent": False}, {"nan_as": 1e4}, {"nan_as": 1e6}, {"mu": 0.1}, {"mu": 0.001}]:
        assert any(picks(s, **variant) != picks(s) for s in range(3)), variant


def test_the_default_pool_is_the_official_2000_draws_per_step():
    from nascore.analysis import hnas_cifar

    bench = search.synthetic(positions=6, choices=4)        # 4,096 architectures
    h = search.run("hnas", bench, budget=4, seed=3, metric="M", kappa="kappa", restarts=0,
                   n_warmup=100, n_starts=0).history
    first = np.unique(np.random.default_rng(3).integers(0, len(bench), size=2000))
    assert hnas_cifar.OFFICIAL_POOL == 2000
    assert h["pool_size"].iloc[0] == len(first)
    assert h["row"].iloc[0] in set(first.tolist())
