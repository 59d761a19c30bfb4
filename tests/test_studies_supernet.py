"""The weight-sharing chapter's computations, on small hand-made tables."""
import numpy as np
import pandas as pd
import pytest
import torch

from nascore import bench
from nascore.studies import supernet as study
from nascore.studies import supernet_search, supernet_verdicts

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def zc_archs():
    return list(bench.load("nb201-zc", "cifar10").sort_values("val_accuracy").arch[-30:])


def _results(archs, accuracy, *, variant="full", seed=0, sets="zc"):
    return pd.DataFrame({"arch": archs, "variant": variant, "supernet_seed": seed,
                         "supernet_accuracy": accuracy, "eval_seconds": 0.01, "sets": sets})


def test_frame_joins_the_real_accuracy_and_the_sets(zc_archs):
    real = bench.load("nb201", "cifar10").set_index("arch").val_accuracy
    frame = study.supernet_frame(_results(zc_archs[:3], [1.0, 2.0, 3.0], sets="sample1000+zc"))
    assert list(frame.val_accuracy) == [real[a] for a in zc_archs[:3]]
    assert frame.in_zc.all() and frame.in_sample.all()
    # zcsampleN (a fixed-order head of zc) belongs to zc, not to the uniform sample; ends to neither
    sets = study.supernet_frame(_results(zc_archs[:3], [1.0, 2.0, 3.0])
                                .assign(sets=["zcsample100", "sample100", "ends"]))
    assert sets.in_zc.tolist() == [True, False, False] and sets.in_sample.tolist() == [False, True, False]
    with pytest.raises(ValueError, match="unknown children set"):
        study.subset(frame, "all")


def test_a_supernet_that_copies_the_truth_ranks_perfectly(zc_archs):
    real = bench.load("nb201", "cifar10").set_index("arch").val_accuracy
    results = pd.concat([_results(zc_archs, [real[a] for a in zc_archs], seed=s) for s in (0, 1)])
    frame = study.supernet_frame(results)
    ranking = study.ranking_table(frame, n_boot=50)
    assert set(ranking.supernet_seed.astype(str)) == {"0", "1", "mean"}
    assert np.allclose(ranking.value, 1.0)
    agreement = study.seed_agreement(frame, n_boot=50)
    assert agreement.value.iloc[0] == pytest.approx(1.0) and agreement.n.iloc[0] == 30


def test_paired_difference_by_hand(zc_archs):
    archs = zc_archs[:3]
    # full: seeds give (10, 20, 30) and (12, 22, 32) -> means 11, 21, 31;
    # neither: (8, 18, 28) both seeds. Differences 3, 3, 3: mean 3, interval [3, 3].
    results = pd.concat([_results(archs, [10, 20, 30], seed=0, sets="sample1000"),
                         _results(archs, [12, 22, 32], seed=1, sets="sample1000"),
                         _results(archs, [8, 18, 28], variant="neither", seed=0, sets="sample1000"),
                         _results(archs, [8, 18, 28], variant="neither", seed=1, sets="sample1000")])
    frame = study.supernet_frame(results)
    d = study.paired_difference(frame, "full", "neither", which="sample")
    assert (d["mean"], d["low"], d["high"], d["n"]) == pytest.approx((3, 3, 3, 3))
    assert d["per_seed"] == {0: pytest.approx(2.0), 1: pytest.approx(4.0)}
    assert supernet_verdicts.verdict_better(d) == "reproduced"
    assert supernet_verdicts.verdict_better({"mean": 0.5, "low": -0.1, "high": 1.0}) == "partly"
    assert supernet_verdicts.verdict_better({"mean": -0.5, "low": -1, "high": 0.1}) == "not reproduced"
    with pytest.raises(ValueError, match="variant 'no_sandwich' not in the table"):
        study.paired_difference(frame, "full", "no_sandwich")
    table = study.ablation_table(frame, study.ranking_table(frame, n_boot=20))
    assert table.loc["full", "mean child accuracy"] == pytest.approx(21.0)
    assert table.loc["neither", "best child accuracy"] == pytest.approx(28.0)


def test_no_retraining_pairs_the_same_architectures(zc_archs):
    frame = study.supernet_frame(pd.concat([_results(zc_archs[:3], [50, 60, 70], seed=s) for s in (0, 1)]))
    alone = pd.DataFrame({"arch": zc_archs[1:4], "standalone_seed": 0, "standalone_accuracy": [62.0, 71.0, 99.0],
                          "seconds": 1.0})
    table, diff = study.no_retraining(frame, alone)
    assert sorted(table.arch) == sorted(zc_archs[1:3])  # only the two in both
    assert diff["mean"] == pytest.approx(-1.5)  # (60-62 + 70-71) / 2
    assert supernet_verdicts.verdict_no_retraining(diff) == ("partly" if diff["high"] >= -1 else "not reproduced")
    assert supernet_verdicts.verdict_no_retraining(None) == "not attempted"
    assert supernet_verdicts.verdict_no_retraining({"mean": -0.5, "low": -3, "high": 2}) == "reproduced"
    assert supernet_verdicts.verdict_no_retraining({"mean": -5, "low": -6, "high": -4}) == "not reproduced"
    assert supernet_verdicts.verdict_no_retraining({"mean": -5, "low": -9, "high": 0}) == "partly"
    assert study.no_retraining(frame, alone.iloc[:0])[1] is None


def test_cost_units_by_hand():
    runs = pd.DataFrame({"step_ratio": [4.0, 3.0, 5.0], "step_seconds_child": [0.1, 0.1, 0.1],
                         "steps_per_epoch": [40, 40, 40], "epochs_done": [10, 10, 10]})
    results = pd.DataFrame({"eval_seconds": [0.2, 0.4, 0.6]})
    cost = supernet_search.cost_units(runs, results)
    # a child trains 0.1 x 40 x 10 = 40 s; one evaluation 0.4 s = 0.01 units
    assert cost == pytest.approx({"supernet": 4.0, "evaluation": 0.01, "child_train_seconds": 40.0})


def test_search_with_an_oracle_supernet_finds_the_best_of_its_table(zc_archs):
    real = bench.load("nb201", "cifar10").set_index("arch").val_accuracy
    frame = study.supernet_frame(_results(zc_archs, [real[a] for a in zc_archs]))
    cost = {"supernet": 2.0, "evaluation": 0.01}
    searches, queries = supernet_search.search_comparison(frame, cost, seeds=[0, 1], fitness_budget=30)
    assert queries == 2  # round(2 + 30 x 0.01)
    # a fixed number of queries wins over what the cost buys (quick mode: timing must not move the book)
    fixed, q = supernet_search.search_comparison(frame, {"supernet": 50.0, "evaluation": 1.0}, seeds=[0],
                                                 fitness_budget=30, queries=3)
    assert q == 3 and (fixed[fixed.method == "random (queries)"].cost_units == 3).all()
    for bad in (0, 2.5, True):
        with pytest.raises(ValueError, match=f"queries={bad!r}: expected a positive integer"):
            supernet_search.search_comparison(frame, cost, seeds=[0], queries=bad)
    ws = searches[searches.method.str.startswith("supernet")]
    assert np.allclose(ws.accuracy, max(real[a] for a in zc_archs))
    summary = supernet_search.search_summary(searches, n_boot=50)
    assert summary.loc["random (queries)", "cost (child trainings)"] == 2
    assert set(summary.index) >= {"supernet + random", "supernet + evolution", "random (queries)",
                                  "evolution (queries)", "training-free nwot"}
    # the pick's 200-epoch test accuracy, by an independent route: NB201's table on the pick
    nb201 = bench.load("nb201", "cifar10").set_index("arch")
    assert np.allclose(searches.test_accuracy, nb201.test_accuracy[searches.arch].to_numpy())
    assert np.allclose(searches.accuracy, nb201.val_accuracy[searches.arch].to_numpy())
    best = max(zc_archs, key=lambda a: real[a])  # the oracle's pick: every supernet search returns it
    assert (ws.arch == best).all() and np.allclose(ws.test_accuracy, nb201.test_accuracy[best])
    row = summary.loc["supernet + random"]
    assert row["test mean"] == pytest.approx(nb201.test_accuracy[best]) and row["test std"] == 0
    random_runs = searches[searches.method == "random (queries)"].test_accuracy
    assert summary.loc["random (queries)", "test std"] == pytest.approx(random_runs.std(ddof=1))


def test_training_free_scores_on_the_evaluated_architectures(zc_archs):
    frame = study.supernet_frame(_results(zc_archs, np.arange(30.0)))
    truth = frame.drop_duplicates("arch").set_index("arch").val_accuracy
    # a score equal to the accuracy ranks perfectly, its negative reversed; NaN rows are left out
    table = pd.DataFrame({"arch": truth.index, "naswot": truth.to_numpy(), "flops": -truth.to_numpy()})
    table.loc[:4, "flops"] = np.nan
    free = study.training_free_table(frame, scores=("naswot", "flops"), table=table, n_boot=20)
    assert list(free.method) == ["naswot", "flops"] and list(free.n) == [30, 25]
    assert free.value.tolist() == pytest.approx([1.0, -1.0])
    with pytest.raises(ValueError, match="no column jacov"):
        study.training_free_table(frame, scores=("jacov",), table=table)


def test_quick_tables_train_tiny_supernets(tmp_path):
    results, runs, standalone = study.quick_tables(tmp_path, variants=("full", "neither"), seeds=(0, 1),
                                                   zc_children=4, sample_children=3, standalone_children=1,
                                                   train_images=32, test_images=50)
    assert len(runs) == 4 and runs.provisional.all()
    assert set(results.variant) == {"full", "neither"} and len(standalone) == 1
    frame = study.supernet_frame(results)
    assert len(study.subset(frame, "zc")) == 4 * 4 and len(study.subset(frame, "sample")) == 4 * 3


def test_budget_curve_summary_and_where_tau_turns_positive():
    import pandas as pd

    from nascore import bench
    from nascore.studies import supernet_curve as study

    archs = bench.load("nb201", "cifar10").sort_values("val_accuracy").arch.iloc[::1500].tolist()  # 11 cells
    children = pd.concat([pd.DataFrame({"epochs": 8, "variant": "full", "arch": archs,
                                        "supernet_accuracy": range(len(archs), 0, -1)}),       # reversed: tau -1
                          pd.DataFrame({"epochs": 16, "variant": "full", "arch": archs,
                                        "supernet_accuracy": range(len(archs))})])            # same order: tau 1
    runs = pd.DataFrame({"epochs": [8, 16], "variant": "full", "largest": [30.0, 40.0],
                         "seconds_per_epoch": [100.0, 100.0], "finished": [True, True]})
    summary = study.curve_summary(runs, children, n_boot=50)
    assert summary.tau.tolist() == [-1.0, 1.0] and summary.n.tolist() == [11, 11]
    assert study.sign_change(summary) == "at 16 epochs"
    assert study.sign_change(summary.assign(finished=[True, False])) == "not within 8 epochs"
    assert study.sign_change(summary, "no_sandwich") == "no finished budget"
    assert study.curve_summary(pd.DataFrame(), pd.DataFrame()).empty
