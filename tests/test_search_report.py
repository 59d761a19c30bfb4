"""Searches reported on the papers' measure: the pick's 200-epoch test accuracy, never seen
by an algorithm.

Worked example used below (``data/nasbench201-test/nats_bench.csv``, by hand):
NB201 index 0 has 200-epoch CIFAR-10 test accuracy 85.8633, index 9930 has 94.3633; their
difference is 8.5, so two searches picking them report mean 90.1133, sample std
8.5 / sqrt(2) = 6.0104, and a 95 % bootstrap interval of the mean from 85.8633 to
94.3633 (a resample of two values repeats one of them with probability 1/2, so each end
holds a quarter of the resampled means, more than the 2.5 % tails).
"""
import sys

import numpy as np
import pandas as pd
import pytest

from nascore import search
from nascore.search import report
from nascore.search.benchmark import NOT_SCORES

INDEX_0 = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"
INDEX_9930 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def result(*queries, seed=0):
    """A finished search that queried ``(arch, queried accuracy)`` pairs in that order."""
    history = pd.DataFrame([{"query": i + 1, "arch": a, "accuracy": acc} for i, (a, acc) in enumerate(queries)])
    return search.SearchResult("hand", "nb201/cifar10", len(queries), seed, {}, (), history)


def test_the_pick_is_chosen_by_the_queried_accuracy_then_reported_by_test_accuracy():
    # Index 0 has the better *queried* value, so it is the pick (not the last query),
    # although index 9930 has the better test accuracy: the report says 85.8633, not 94.3633.
    picked = result((INDEX_0, 91.0), (INDEX_9930, 90.0))
    assert report.picks(picked) == [INDEX_0]
    assert report.report_test_accuracy(picked, "cifar10")["mean"] == pytest.approx(85.8633, abs=1e-4)
    tie = result((INDEX_9930, 91.0), (INDEX_0, 91.0))      # a tie keeps the first queried
    assert report.picks(tie) == [INDEX_9930]


def test_mean_std_and_interval_over_seeds_by_hand():
    row = search.report_test_accuracy([result((INDEX_0, 80.0)), result((INDEX_9930, 80.0), seed=1)], "cifar10")
    assert row["n_seeds"] == 2
    assert row["mean"] == pytest.approx(90.1133, abs=1e-4)
    assert row["std"] == pytest.approx(8.5 / np.sqrt(2))                   # 6.0104, ddof = 1
    assert (row["low"], row["high"]) == pytest.approx((85.8633, 94.3633), abs=1e-4)
    narrower = search.report_test_accuracy([result((INDEX_0, 80.0)), result((INDEX_9930, 80.0))], "cifar10",
                                           level=0.4)
    assert narrower["low"] > 85.87 and narrower["high"] < 94.36              # 40 %: inside the ends


def test_one_search_is_reported_on_all_three_datasets_without_a_spread():
    table = search.pick_accuracy_table(result((INDEX_9930, 80.0)))
    assert list(table.index) == ["cifar10", "cifar100", "ImageNet16-120"]
    assert table["mean"].to_numpy() == pytest.approx([94.3633, 73.5133, 46.3444], abs=1e-4)
    assert table[["std", "low", "high"]].isna().all().all() and (table.n_seeds == 1).all()


def test_a_pick_outside_nb201_is_refused():
    with pytest.raises(ValueError, match="not NAS-Bench-201 cells, e.g. '3-3-1-1'"):
        report.report_test_accuracy(search.run("random", search.synthetic(), budget=3), "cifar10")
    with pytest.raises(ValueError, match="unknown dataset 'svhn'"):
        report.report_test_accuracy(result((INDEX_0, 1.0)), "svhn")


# ------------------------------------------------- no algorithm ever sees the test accuracy
READS = []


class SpyBenchmark(search.TabularBenchmark):
    """Records the module of every caller that reads ``test_accuracy``."""

    def __getattribute__(self, name):
        if name == "test_accuracy":
            READS.append(sys._getframe(1).f_globals.get("__name__"))
        return super().__getattribute__(name)


def spy(reverse_test=False):
    toy = search.synthetic()
    test = toy.accuracy[::-1].copy() if reverse_test else toy.accuracy + 1.0
    bench = SpyBenchmark(keys=toy.keys, genotypes=toy.genotypes, accuracy=toy.accuracy, scores=toy.scores,
                         test_accuracy=test, n_choices=toy.n_choices, name="spy")
    READS.clear()                          # construction checks the column: not a search's read
    return bench


OPTIONS = {"training_free": {"score": "noisy"}, "hnas": {"metric": "M", "kappa": "kappa", "n_warmup": 200}}


@pytest.mark.parametrize("algorithm", search.available())
def test_only_the_history_reads_the_test_accuracy(algorithm):
    result_ = search.run(algorithm, spy(), budget=12, seed=0, **OPTIONS.get(algorithm, {}))
    assert "test_accuracy" in result_.history                 # reported in the history ...
    assert set(READS) == {"nascore.search.result"}             # ... by the recorder alone


@pytest.mark.parametrize("algorithm", search.available())
def test_the_queries_do_not_depend_on_the_test_accuracy(algorithm):
    options = OPTIONS.get(algorithm, {})
    plain = search.run(algorithm, spy(), budget=12, seed=3, **options)
    reversed_ = search.run(algorithm, spy(reverse_test=True), budget=12, seed=3, **options)
    assert list(plain.history.row) == list(reversed_.history.row)


def test_the_spy_catches_an_algorithm_that_peeks(monkeypatch):
    def peeking(benchmark, recorder, rng):
        recorder.query(int(np.argmax(benchmark.test_accuracy)))
        return ()

    monkeypatch.setitem(search.ALGORITHMS, "peeking", peeking)
    search.run("peeking", spy(), budget=1)
    assert __name__ in READS


def test_shipped_nb201_benchmarks_carry_test_accuracy_but_never_as_a_score():
    table = search.tables.benchmark("nb201-zc", "cifar100")
    assert not set(NOT_SCORES) & set(table.scores)
    truth = report.pick_test_accuracies([result((k, 0.0)) for k in table.keys[:5]], "cifar100")
    assert table.test_accuracy[:5] == pytest.approx(truth)
    full = search.nb201("nb201", "cifar10")
    assert set(full.scores) == {"zen"}
    assert full.test_accuracy[full.keys.index(INDEX_9930)] == pytest.approx(94.3633, abs=1e-4)
    assert search.tables.benchmark("nb201-mnist5k").test_accuracy is None   # not NB201's datasets
