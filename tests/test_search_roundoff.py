"""Round-off cannot change a search's picks (issue 22, item 6).

Another CPU computes the same scores and accuracies up to their last bits (OpenBLAS
picks its kernels per CPU). Here every score column and every accuracy of a real shipped
table is multiplied by ``1 +- 1e-12`` (a random sign per entry, far above any CPU's
round-off) and each search must query the same architectures in the same order and
return the same answer. The table is the HNAS chapter's uniform sample of NB201 with
CIFAR-100 accuracies (333 tied accuracies, 76 singular kernels), where one BO decision
of HNAS flipped between two CPUs before the picks were made tolerant.
"""
import numpy as np
import pandas as pd
import pytest

from nascore import search
from nascore.studies import hnas as hnas_study
from nascore.analysis import hnas_cifar
from nascore.studies import lga, zhu

#: The HNAS chapter's quick options.
HNAS_QUICK = {"restarts": 1, "n_warmup": 2000, "n_starts": 2}
#: label -> (algorithm, options, budget). Each runs on the real table and on its coarse copy.
RUNS = {
    "random": ("random", {}, 100),
    "evolution": ("evolution", {}, 100),
    "bo": ("bo", {"restarts": 0}, 20),
    "training-free M": ("training_free", {"score": "ntk_trace", "n_sample": 2000}, 20),
    "training-free kappa/M": ("training_free", {"score": "kappa_over_m", "higher_is_better": False,
                                                "n_sample": 2000}, 20),
    "training-free coarse M": ("training_free", {"score": "coarse_trace", "n_sample": 2000}, 60),
    "hnas": ("hnas", {**HNAS_QUICK, "n_sample": 2000}, 20),
    "hnas scaled pool": ("hnas", {**HNAS_QUICK, "n_sample": 370}, 20),
}


def shake(values, rng, rel=1e-12):
    """``values * (1 +- rel)``, a random sign per entry (non-finite values unchanged)."""
    values = np.asarray(values, dtype=float)
    return values * (1.0 + rel * rng.choice([-1.0, 1.0], size=values.shape))


def shaken(bench, seed=0):
    rng = np.random.default_rng(seed)
    return search.TabularBenchmark(
        keys=bench.keys, genotypes=bench.genotypes, accuracy=shake(bench.accuracy, rng),
        scores={name: shake(column, rng) for name, column in bench.scores.items()},
        n_choices=bench.n_choices, name=bench.name + " (shaken)")


@pytest.fixture(scope="module")
def tables():
    """The HNAS chapter's uniform sample (CIFAR-100 accuracies), and the same table with
    accuracies in whole percent and M to two digits (ties everywhere, as in a table that
    reports rounded values); both with M to two digits as the score ``coarse_trace``."""
    real = hnas_study.uniform_benchmark("cifar100")
    two_digits = np.array([float(f"{m:.2g}") for m in real.score("ntk_trace")])
    real = search.TabularBenchmark(keys=real.keys, genotypes=real.genotypes, accuracy=real.accuracy,
                                   scores={**real.scores, "coarse_trace": two_digits},
                                   n_choices=real.n_choices, name=real.name)
    coarse = search.TabularBenchmark(keys=real.keys, genotypes=real.genotypes,
                                     accuracy=np.round(real.accuracy), scores=real.scores,
                                     n_choices=real.n_choices, name=real.name + " (whole percent)")
    return {"real": real, "coarse": coarse}


def picks(result):
    return result.history["row"].tolist(), result.best["row"], result.best_so_far("row").tolist()


@pytest.mark.parametrize("table", ["real", "coarse"])
@pytest.mark.parametrize("label", sorted(RUNS))
def test_shaking_the_table_by_1e_12_changes_no_pick(tables, table, label):
    algorithm, options, budget = RUNS[label]
    bench = tables[table]
    for seed in range(2):
        exact = search.run(algorithm, bench, budget=budget, seed=seed, **options)
        for shake_seed in range(2):
            moved = search.run(algorithm, shaken(bench, shake_seed), budget=budget, seed=seed, **options)
            assert picks(moved) == picks(exact), (label, seed, shake_seed)


def later_wins(values, rel=1e-12, higher=True):
    """``values`` (positive) scaled by ``1 +- rel * i / n`` for the ``i``-th of ``n``: every
    exact tie is shaken apart in favour of the later entry (the larger one, or the smaller
    with ``higher=False``), against a "first wins" tie rule."""
    values = np.asarray(values, dtype=float)
    return values * (1.0 + (1 if higher else -1) * rel * np.arange(len(values)) / len(values))


def test_tied_accuracies_keep_the_first_incumbent(tables):
    # The answer of a search is its first query with the best accuracy: a tie shaken apart
    # by round-off must not hand it to a later query.
    coarse = tables["coarse"]
    cap = float(np.quantile(coarse.accuracy, 0.9))  # the top tenth ties at one value, whatever the table
    capped = search.TabularBenchmark(keys=coarse.keys, genotypes=coarse.genotypes,
                                     accuracy=np.minimum(coarse.accuracy, cap), scores=coarse.scores,
                                     n_choices=coarse.n_choices, name=coarse.name + " (capped)")
    result = search.run("random", capped, budget=200, seed=3)
    acc = result.history["accuracy"].to_numpy()
    assert (acc == acc.max()).sum() > 1, "the test needs a tied best accuracy"
    best = result.best
    assert best["query"] == 1 + int(np.flatnonzero(acc == acc.max())[0])
    moved = search.SearchResult(**{**result.__dict__, "history": result.history.assign(accuracy=later_wins(acc))})
    assert moved.best["query"] == best["query"]
    assert moved.best_so_far("row").tolist() == result.best_so_far("row").tolist()


def test_selection_helpers_ignore_round_off():
    frame = hnas_cifar.cifar_frame("cifar100")
    frame["coarse_trace"] = [float(f"{m:.2g}") for m in frame.ntk_trace]
    frame["coarse_kappa_over_m"] = [float(f"{m:.1g}") for m in frame.kappa_over_m]
    moved = frame.copy()
    for column in ("val_accuracy", "ntk_trace", "kappa_over_m", "coarse_trace", "coarse_kappa_over_m"):
        moved[column] = later_wins(frame[column], higher="kappa" not in column)
    for column, higher in [("ntk_trace", True), ("kappa_over_m", False), ("coarse_trace", True),
                           ("coarse_kappa_over_m", False)]:
        assert (hnas_cifar.select_by(moved, column, higher_is_better=higher)["arch"]
                == hnas_cifar.select_by(frame, column, higher_is_better=higher)["arch"]), column
    # Zhu's sampled train-free search and LGA's equal-cost search: same picks, so the
    # accuracies they return move only by the shake.
    table = frame.rename(columns={"val_accuracy": "accuracy"})
    table_moved = moved.rename(columns={"val_accuracy": "accuracy"})
    a = zhu.sampled_search(table, ["coarse_trace"], n_sample=100, repeats=30, seed=1)
    b = zhu.sampled_search(table_moved, ["coarse_trace"], n_sample=100, repeats=30, seed=1)
    np.testing.assert_allclose(a.accuracy, b.accuracy, rtol=1e-11)
    for column in ("coarse_trace", "ntk_trace"):
        a = lga.equal_cost_search(frame[column], frame.val_accuracy, cost_per_candidate=1, budget=100, runs=50)
        b = lga.equal_cost_search(moved[column], frame.val_accuracy, cost_per_candidate=1, budget=100, runs=50)
        assert np.array_equal(a, b), column


def test_every_pick_is_first_in_order_among_near_ties():
    # The rule itself, on the decisions the searches make: an exact tie and a 1e-12 tie
    # behave alike, a 1e-6 difference does not tie.
    bench = search.TabularBenchmark(keys=("a", "b", "c", "d"), genotypes=np.array([[0], [1], [2], [3]]),
                                    accuracy=[90.0, 95.0, 95.0 * (1 + 1e-12), 95.0 * (1 - 1e-6)],
                                    scores={"s": [1.0, 2.0, 2.0 * (1 + 1e-12), 2.0]})
    assert bench.optimum == 1
    tf = search.run("training_free", bench, budget=4, seed=0, score="s", n_sample=4)
    order = tf.history["row"].tolist()
    drawn = np.random.default_rng(0).choice(4, size=4, replace=False).tolist()
    # 1, 2 and 3 tie on the score: they come in the order they were drawn, then row 0.
    assert order == [r for r in drawn if r != 0] + [0]
    assert tf.best["row"] == min((r for r in order if r in (1, 2)), key=order.index)
    assert pd.Series(order).is_unique
