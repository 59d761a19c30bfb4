"""HNAS's official protocol (``nascore.analysis.hnas_official``): queries return the
12-epoch CIFAR-10 validation accuracy, picks are reported by their 200-epoch test
accuracy on three datasets, and a verdict needs the whole space."""
import numpy as np
import pandas as pd
import pytest

from nascore.bench import nb201_accuracies
from nascore.search import run
from nascore.analysis import hnas_official as ho


@pytest.fixture(scope="module")
def frame():
    return ho.official_frame()


def test_the_frame_carries_the_12_epoch_query_and_the_three_test_accuracies(frame):
    c10 = nb201_accuracies("cifar10").set_index("arch")
    c100 = nb201_accuracies("cifar100").set_index("arch")
    some = frame.sample(25, random_state=0)
    assert np.array_equal(some[ho.QUERY].to_numpy(), c10.loc[some.arch, "val_accuracy_12"].to_numpy())
    assert np.array_equal(some["test_cifar100"].to_numpy(), c100.loc[some.arch, "test_accuracy"].to_numpy())
    assert frame[[ho.QUERY, "test_cifar10", "test_cifar100", "test_ImageNet16-120"]].notna().all().all()
    # the 12-epoch accuracy is another number than the 200-epoch validation accuracy
    assert (frame[ho.QUERY] < frame.val_accuracy).mean() > 0.9


def test_a_query_returns_the_12_epoch_accuracy_and_no_search_sees_the_test_accuracy(frame):
    bench = ho.official_benchmark(frame)
    assert set(bench.scores) == set(ho.SCORES)
    result = run("random", bench, budget=5, seed=0)
    rows = frame.set_index("arch").loc[list(result.history.arch)]
    assert np.array_equal(result.history.accuracy.to_numpy(), rows["val_accuracy_12"].to_numpy())


def test_coverage_and_pool():
    assert ho.coverage(pd.DataFrame(index=range(15625))) == {"archs": 15625, "space": 15625, "complete": True,
                                                             "pool": 2000}
    partial = ho.coverage(pd.DataFrame(index=range(3125)))
    assert not partial["complete"] and partial["pool"] == 400  # 2,000 x 3,125 / 15,625


def _picks():
    # two seeds, two methods; CIFAR-10 test accuracies chosen to check by hand
    return pd.DataFrame({"method": ["HNAS", "HNAS", "random", "random"], "seed": [0, 1, 0, 1],
                         "arch": list("abcd"),
                         "test_cifar10": [94.0, 93.0, 92.0, 92.5], "test_cifar100": [72.0, 71.0, 70.0, 71.0],
                         "test_ImageNet16-120": [46.0, 45.0, 44.0, 46.0]})


def test_summary_by_hand():
    table = ho.summary(_picks(), n_boot=200).set_index(["method", "dataset"])
    row = table.loc[("HNAS", "cifar10")]
    assert row["mean"] == pytest.approx(93.5) and row["std"] == pytest.approx(np.sqrt(0.5))
    assert row.n_seeds == 2 and 93.0 <= row.low <= row.high <= 94.0


def test_paired_gains_by_hand():
    gains = ho.paired_gains(_picks(), n_boot=200).set_index(["dataset", "baseline"])
    assert gains.loc[("cifar10", "random"), "gain"] == pytest.approx(((94 - 92) + (93 - 92.5)) / 2)
    assert gains.loc[("ImageNet16-120", "random"), "gain"] == pytest.approx(((46 - 44) + (45 - 46)) / 2)
    with pytest.raises(ValueError, match="different seeds"):
        ho.paired_gains(_picks().drop(index=3), n_boot=10)


@pytest.mark.parametrize("low, gain, complete, n_seeds, expected", [
    ([0.1, 0.01], [0.5, 0.2], True, 20, "reproduced"),
    ([0.1, 0.0], [0.5, 0.2], True, 20, "partly"),         # an interval touching 0 is not above it
    ([0.1, -0.3], [0.5, 0.0], True, 20, "not reproduced"),  # a zero mean gain is not a gain
    ([0.1, 0.01], [0.5, 0.2], False, 20, "not attempted"),  # a uniform sample is a study
    ([0.1, 0.01], [0.5, 0.2], True, 19, "not attempted"),   # one seed short of OFFICIAL_SEEDS
])
def test_official_verdict_boundaries(low, gain, complete, n_seeds, expected):
    assert ho.OFFICIAL_SEEDS == 20
    assert ho.official_verdict(pd.DataFrame({"low": low, "gain": gain}), {"complete": complete}, n_seeds) == expected


def test_official_seeds():
    assert ho.official_seeds(0) == list(range(20)) and ho.official_seeds(5, 2) == [5, 6]
    with pytest.raises(ValueError, match="positive number of seeds, got 0"):
        ho.official_seeds(0, 0)


def test_the_methods_share_the_budget_and_hnas_uses_the_pool(frame):
    table = ho.methods(370, len(frame))
    assert table["HNAS"] == ("hnas", {"n_sample": 370})
    assert table["training-free kappa/M"][1]["higher_is_better"] is False
    results = ho.run_official(ho.official_benchmark(frame), {"random": table["random"]}, seeds=[0, 1], budget=4)
    assert [len(r.history) for r in results["random"]] == [4, 4]


def test_chance_among_largest_m_counts_ties_and_rejects_no_cells():
    frame = pd.DataFrame({"ntk_trace": [9.0, 9.0, 1.0, 8.0], "test_cifar10": [10.0, 94.0, 10.0, 9.99]})
    assert ho.chance_among_largest_m(frame, 1) == 1          # a tie at the top: the first in table order
    assert ho.chance_among_largest_m(frame, 3) == 2          # 10.0 and 9.99 are chance, 94.0 is not
    assert ho.chance_among_largest_m(frame, 10) == 3         # more than there are: all cells
    with pytest.raises(ValueError, match="positive number of cells, got 0"):
        ho.chance_among_largest_m(frame, 0)


def test_the_largest_m_cells_of_the_whole_space_score_chance(frame):
    # the shipped table covers the space, and the cells pure selection by M queries first are dead
    assert len(frame) == 15625 and ho.coverage(frame)["complete"]
    assert ho.chance_among_largest_m(frame, ho.OFFICIAL_BUDGET) == ho.OFFICIAL_BUDGET
