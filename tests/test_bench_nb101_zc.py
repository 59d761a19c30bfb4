"""NASLib's NAS-Bench-101 table: 500 entries as stored, 301 distinct cells as loaded, and the
table as a search benchmark."""
import numpy as np
import pytest

from nascore import bench
from nascore.bench import nb101_zc
from nascore.search import tables
from nascore.search.run import run
from nascore.spaces import nb101


def test_entries_are_the_500_keys_as_stored():
    frame = nb101_zc.entries()
    assert len(frame) == 500 and frame.naslib_tuple.is_unique
    first = frame.iloc[0]  # the file's first record, read by hand
    assert first.val_accuracy == pytest.approx(92.578125) and first.params == pytest.approx(4.095778)
    assert first.synflow == pytest.approx(88.08498394991342)
    assert first.arch == str(nb101.from_naslib_tuple(first.naslib_tuple))


def test_one_row_per_distinct_cell_with_the_mean_of_its_entries():
    frame = bench.load("nb101-zc", dataset="CIFAR10")
    entries = nb101_zc.entries()
    assert len(frame) == 301 and frame.arch.is_unique and frame.n_entries.sum() == 500
    assert frame.isomorphism_key.nunique() == 292
    bare = frame.set_index("arch").loc["01/00:"]  # 55 entries are the bare input -> output cell
    copies = entries[entries.arch == "01/00:"]
    assert bare.n_entries == 55 == len(copies)
    assert bare.val_accuracy == pytest.approx(copies.val_accuracy.mean())
    assert bare.snip == pytest.approx(copies.snip.mean())
    assert bare.params == pytest.approx(0.88257)
    assert bare.naslib_tuple == min(copies.naslib_tuple)


def test_the_table_is_checked_and_copied():
    with pytest.raises(ValueError, match="no dataset 'cifar100'; its datasets: cifar10"):
        bench.load("nb101-zc", dataset="cifar100")
    frame = bench.load("nb101-zc")
    frame["val_accuracy"] = 0.0
    assert bench.load("nb101-zc").val_accuracy.max() > 94
    assert bench.table_files("nb101-zc")[0].name == "zc_nasbench101.json"


def test_search_benchmark_of_the_table():
    benchmark = tables.benchmark("nb101-zc")
    assert len(benchmark.keys) == 301 and benchmark.genotypes.shape == (301, 26)
    assert benchmark.test_accuracy is None  # NB201's test accuracies are never joined to NB101
    # a genotype decodes back to its cell: 21 edge bits of the padded 7 x 7 matrix, 5 labels
    bare = benchmark.keys.index("01/00:")
    assert benchmark.genotypes[bare].tolist() == [0] * 5 + [1] + [0] * 20
    assert "synflow" in benchmark.scores and "nb101-zc" in tables.having(["synflow", "jacov"])


@pytest.mark.parametrize("algorithm", ["random", "training_free"])
def test_random_search_and_training_free_selection_run_on_nb101(algorithm):
    benchmark = tables.benchmark("nb101-zc")
    options = {"score": "synflow"} if algorithm == "training_free" else {}
    result = run(algorithm, benchmark, budget=10, seed=0, **options)
    assert 73 < result.best_accuracy <= benchmark.accuracy.max()


def test_our_nb101_scores_are_a_search_table_with_naswot():
    benchmark = tables.benchmark("nb101-cifar-scores")
    assert "naswot" in benchmark.scores and "nb101-cifar-scores" in tables.having(["naswot", "das"])
    picked = run("training_free", benchmark, budget=1, seed=0, score="naswot", n_sample=len(benchmark))
    best = benchmark.keys[int(np.nanargmax(benchmark.scores["naswot"]))]
    assert picked.history.arch.iloc[0] == best       # one query, every cell drawn: the best-scored of the table
