"""The budget curve (issue 25, item 2): runs per budget through the run machinery,
resumable, read back into one row per (epochs, variant) with the sandwich gap."""
import pandas as pd
import pytest
import torch

from nascore import bench, stats
from nascore.supernet import children as kids
from nascore.supernet.curve import curve_runs, curve_table

torch.set_num_threads(1)


def main(argv):
    """``nascore supernet ARGV...``, in this process."""
    from nascore import cli

    return cli.main(["supernet", *argv])


def test_curve_runs_shortest_budget_first():
    runs = curve_runs(epochs=(4, 2, 4), C=2, N=1)
    assert [(f, r.epochs, r.variant) for f, r in runs] == [("e2", 2, "full"), ("e2", 2, "no_sandwich"),
                                                           ("e4", 4, "full"), ("e4", 4, "no_sandwich")]
    with pytest.raises(ValueError, match="positive integers"):
        curve_runs(epochs=(0,))


def test_a_tiny_curve_through_the_command_line_resumes_and_tabulates(tmp_path, capsys):
    work = tmp_path / "curve"
    argv = ["curve", "--work", str(work), "--budgets", "2", "1", "-C", "2", "-N", "1", "--batch-size", "16",
            "--train-images", "32", "--children", "sample:6", "ends", "--calibration-images", "16",
            "--test-images", "40", "--cost-steps", "0", "--threads", "1", "--no-progress"]
    assert main(argv) == 0
    first = pd.read_csv(work / "e1" / "full-s0" / "children-sample6.csv")
    assert main(argv) == 0  # a finished curve: nothing trained or evaluated again
    assert pd.read_csv(work / "e1" / "full-s0" / "children-sample6.csv").equals(first)
    assert main(["curve", "--work", str(work), "--epochs", "3"]) == 2

    table = curve_table(work, sample="sample:6")
    assert list(zip(table.epochs, table.variant)) == [(1, "full"), (1, "no_sandwich"), (2, "full"), (2, "no_sandwich")]
    assert table.finished.all() and (table.epochs_done == table.epochs).all() and (table.children == 6).all()
    # tau by an independent route: the run's CSV against NB201's table
    truth = bench.load("nb201", "cifar10").set_index("arch")["val_accuracy"]
    expected = stats.kendall(first.supernet_accuracy, truth.loc[first.arch].to_numpy(), n_boot=0).value
    row = table[(table.epochs == 1) & (table.variant == "full")].iloc[0]
    assert row.kendall == pytest.approx(expected)
    ends = pd.read_csv(work / "e1" / "full-s0" / "children-ends.csv").set_index("arch")["supernet_accuracy"]
    assert row.largest == ends[kids.largest(2, 1)] and row.smallest == ends[kids.smallest(2, 1)]
    plain = pd.read_csv(work / "e1" / "no_sandwich-s0" / "children-sample6.csv").set_index("arch")
    gap = (first.set_index("arch").supernet_accuracy - plain.supernet_accuracy).mean()
    assert row.sandwich_accuracy_gap == pytest.approx(gap)
    assert row.sandwich_tau_gap == pytest.approx(row.kendall - table.kendall[1])
    assert main(["curve-table", "--work", str(work), "--sample", "sample:6"]) == 0 and "no_sandwich" in capsys.readouterr().out

    # the export a chapter reads: the table, the ranked children, a manifest; read back checked
    from nascore.supernet.curve import read_curve

    dest = tmp_path / "data"
    assert main(["curve-table", "--work", str(work), "--sample", "sample:6", "--dest", str(dest)]) == 0
    runs, ranked = read_curve(dest)
    assert len(runs) == 4 and len(ranked) == 4 * 6 and ranked.finished.all()
    again = ranked[(ranked.epochs == 1) & (ranked.variant == "full")].set_index("arch").supernet_accuracy
    assert again.sort_index().tolist() == pytest.approx(first.set_index("arch").supernet_accuracy.sort_index().tolist(),
                                                        rel=1e-5)
    assert "curve_children.csv" in (dest / "manifest.json").read_text()
    assert all(f.empty for f in read_curve(tmp_path / "nothing"))  # nothing shipped: two empty frames
