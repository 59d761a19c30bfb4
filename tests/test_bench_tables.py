import pytest

from nascore import bench
from nascore.spaces import nb201


def test_zc_table_matches_its_readme():
    frame = bench.load("nb201-zc", dataset="cifar10")
    assert len(frame) == 724
    row = frame[frame.op_indices == (0, 2, 3, 2, 3, 1)].iloc[0]
    assert row.val_accuracy == pytest.approx(86.06)
    assert row.arch == nb201.from_op_indices((0, 2, 3, 2, 3, 1))
    assert row.nwot == pytest.approx(406.5381264995463)
    # README sanity figure: Spearman(nwot, val_accuracy) = 0.79 on cifar10
    assert frame.nwot.corr(frame.val_accuracy, method="spearman") == pytest.approx(0.79, abs=0.01)


def test_full_table_covers_the_space():
    frame = bench.load("nb201", dataset="ImageNet16-120")
    assert len(frame) == 15625 and frame.op_indices.is_unique
    assert frame.val_accuracy.max() == pytest.approx(47.33, abs=0.01)
    assert frame.zen.isna().sum() > 0  # failed Zen evaluations are missing, not -1e8
    assert frame.zen.min() > -1e7


def test_dataset_names_are_case_insensitive_and_checked():
    assert len(bench.load("nb201-zc", dataset="CIFAR100")) == 725
    with pytest.raises(ValueError, match="no dataset 'svhn'; its datasets: cifar10, cifar100, ImageNet16-120"):
        bench.load("nb201", dataset="svhn")
    # one rule for every table: case-insensitive, canonical spelling returned
    assert len(bench.load("nb201-cifar-ntk", dataset="CIFAR10")) == 725
    assert len(bench.load("nb201-mnist5k", dataset="MNIST5K")) > 0
    assert len(bench.load("nb201-cifar-scores", dataset="Cifar100")) == len(bench.load("nb201-cifar-scores", "cifar100"))
    with pytest.raises(ValueError, match="unknown benchmark 'nb101'"):
        bench.load("nb101")


def test_loaded_frame_is_a_copy():
    frame = bench.load("nb201-zc", dataset="cifar10")
    frame["val_accuracy"] = 0.0
    assert bench.load("nb201-zc", dataset="cifar10").val_accuracy.max() > 90


def test_trained_tables_load_by_name():
    mixed = bench.load("mixed-mnist5k", dataset="mnist5k")
    assert len(mixed) == 1200 and set(mixed.seed) == {0, 1}  # README: 600 archs x 2 seeds
    conv = bench.load("nb201-mnist5k", dataset="mnist5k")
    assert conv.arch.str.startswith("|").all()
    with pytest.raises(ValueError, match="no dataset 'cifar100'; its datasets: mnist5k"):
        bench.load("mixed-mnist5k", dataset="cifar100")
    # the MNIST table is never returned for a CIFAR dataset; without one, its own is used
    with pytest.raises(ValueError, match="no dataset 'cifar10'; its datasets: mnist5k"):
        bench.load("mixed-mnist5k", dataset="cifar10")
    assert len(bench.load("mixed-mnist5k")) == 1200
