"""NAS-Bench-201's 200-epoch test and 12-epoch accuracies, joined to the NASLib table on ``arch``.

Values pinned here are read by hand from the raw CSVs in ``data/nasbench201-test/`` (see
its README), or read again with the ``csv`` module, a route independent of pandas' join.
"""
import csv
import shutil

import numpy as np
import pytest

from nascore import bench
from nascore.bench import nb201_test
from nascore.paths import DATA_DIR

RAW = DATA_DIR / "nasbench201-test"
# Index 9930, the CIFAR-100 optimum: nats_bench.csv row 9930 and nb201_hp12.csv row 9930.
BEST_C100 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"
# Index 0 (the first line of each file).
FIRST = "|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|"


@pytest.mark.parametrize("dataset", bench.DATASETS)
def test_every_cell_of_the_full_table_gets_all_three_accuracies(dataset):
    frame = bench.load("nb201", dataset=dataset)
    assert len(frame) == 15625 and frame.arch.is_unique
    assert sorted(frame.nb201_index) == list(range(15625))
    assert np.isfinite(frame[["test_accuracy", "val_accuracy_12", "test_accuracy_12"]].to_numpy()).all()


def test_rows_checked_by_hand_against_the_raw_files():
    c10 = bench.load("nb201", dataset="cifar10").set_index("arch")
    c100 = bench.load("nb201", dataset="cifar100").set_index("arch")
    in16 = bench.load("nb201", dataset="ImageNet16-120").set_index("arch")
    row = c10.loc[BEST_C100]
    assert row.nb201_index == 9930
    assert row.test_accuracy == pytest.approx(94.3633, abs=1e-4)
    assert row.test_accuracy_12 == pytest.approx(88.66)
    assert row.val_accuracy_12 == pytest.approx(84.746)      # cifar10-valid, x-valid, 12 epochs
    assert c100.loc[BEST_C100].test_accuracy == pytest.approx(73.5133, abs=1e-4)
    assert c100.loc[BEST_C100].val_accuracy_12 == pytest.approx(60.28)
    assert in16.loc[BEST_C100].test_accuracy == pytest.approx(46.3444, abs=1e-4)
    assert in16.loc[BEST_C100].test_accuracy_12 == pytest.approx(37.8667, abs=1e-4)
    first = c10.loc[FIRST]
    assert (first.nb201_index, first.test_accuracy, first.val_accuracy_12, first.test_accuracy_12) == \
        pytest.approx((0, 85.8633, 63.364, 69.55), abs=1e-4)


def test_optima_are_the_published_ones():
    # NAS-Bench-201's optimum of 200-epoch test accuracy: 94.37 / 73.51 / 47.31 (README);
    # on CIFAR-10 two cells tie, indices 6111 and 13714.
    for dataset, best, where in (("cifar10", 94.3733, {6111, 13714}), ("cifar100", 73.5133, {9930}),
                                 ("ImageNet16-120", 47.3111, {857})):
        table = bench.nb201_accuracies(dataset)
        assert table.test_accuracy.max() == pytest.approx(best, abs=1e-4)
        assert set(table.nb201_index[table.test_accuracy == table.test_accuracy.max()]) == where


def test_join_agrees_with_the_raw_csv_row_for_row_on_a_sample():
    with open(RAW / "nats_bench.csv") as handle:
        test = list(csv.DictReader(handle))
    with open(RAW / "nb201_hp12.csv") as handle:
        hp12 = list(csv.DictReader(handle))
    frame = bench.load("nb201", dataset="cifar100").set_index("arch")
    for i in np.random.default_rng(0).choice(15625, size=50, replace=False):
        row = frame.loc[test[i]["ArchitectureString"]]
        assert row.nb201_index == i and hp12[i]["arch"] == test[i]["ArchitectureString"]
        assert row.test_accuracy == float(test[i]["CIFAR100TestAccuracy200Epochs"])
        assert row.val_accuracy_12 == float(hp12[i]["cifar100-val"])
        assert row.test_accuracy_12 == float(hp12[i]["cifar100-test"])


def test_val_accuracy_stays_naslibs_and_differs_from_the_12_epoch_one():
    frame = bench.load("nb201", dataset="cifar10")
    assert frame.val_accuracy.max() == pytest.approx(91.57, abs=0.01)   # nasbench201-full README
    # Spearman of validation with test accuracy over all cells: 0.980 (README check).
    assert frame.val_accuracy.corr(frame.test_accuracy, method="spearman") == pytest.approx(0.980, abs=0.001)


def test_join_keeps_rows_and_order_and_rejects_unknown_cells():
    zc = bench.load("nb201-zc", dataset="cifar10")
    joined = bench.join_accuracies(zc.iloc[::-1], "cifar10")
    assert list(joined.arch) == list(zc.arch.iloc[::-1]) and len(joined) == 724
    full = bench.nb201_accuracies("cifar10").set_index("arch")
    assert (joined.set_index("arch").test_accuracy == full.test_accuracy.loc[joined.arch]).all()
    repeated = bench.join_accuracies(zc.iloc[[0, 0]], "cifar10")         # per-seed tables repeat cells
    assert repeated.test_accuracy.nunique() == 1
    with pytest.raises(ValueError, match="not NAS-Bench-201 cells, e.g. 'not-a-cell'"):
        bench.join_accuracies(zc.iloc[:2].assign(arch=["not-a-cell", zc.arch.iloc[1]]), "cifar10")
    with pytest.raises(ValueError, match="unknown dataset 'svhn'"):
        bench.nb201_accuracies("svhn")


@pytest.fixture
def copy_of_the_data(tmp_path):
    for name in nb201_test.FILES:
        shutil.copy(RAW / name, tmp_path / name)
    return tmp_path


def _lines(path):
    return path.read_text().splitlines(keepends=True)


def test_a_missing_row_is_refused(copy_of_the_data):
    path = copy_of_the_data / "nats_bench.csv"
    lines = _lines(path)
    path.write_text("".join(lines[:101] + lines[102:]))
    with pytest.raises(ValueError, match="nats_bench.csv has 15624 rows"):
        bench.nb201_accuracies("cifar10", folder=copy_of_the_data)


def test_a_shifted_row_is_refused(copy_of_the_data):
    # Row 100 moved to the end: still 15,625 rows, but the files disagree from row 100 on.
    path = copy_of_the_data / "nats_bench.csv"
    lines = _lines(path)
    path.write_text("".join(lines[:101] + lines[102:] + [lines[101]]))
    with pytest.raises(ValueError, match="different cells in .* rows, first at row 100"):
        bench.nb201_accuracies("cifar10", folder=copy_of_the_data)

