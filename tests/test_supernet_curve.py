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


# ----------------------------------------------------------------------------- the loaded table
def test_the_loaded_table_holds_the_ablation_runs_and_the_curves_longer_ones():
    from nascore.paths import DATA_DIR
    from nascore.supernet.table import ABLATION_EPOCHS, ablation_rows, load_runs

    table = bench.load("nb201-supernet", "cifar10")
    results = pd.read_csv(DATA_DIR / "nb201-supernet" / "results.csv")
    runs = load_runs()
    curve = pd.read_csv(DATA_DIR / "nb201-supernet" / "curve_children.csv")
    # every results.csv row is an 8-epoch ablation row, unchanged
    assert set(runs.epochs) == {ABLATION_EPOCHS} == {8}
    pd.testing.assert_frame_equal(ablation_rows(table), results[list(ablation_rows(table).columns)])
    assert list(ablation_rows(table).columns) == list(results.columns)
    # the 16-epoch rows are curve_children.csv's finished 16-epoch rows (full, no_sandwich, seed 0, 200 each)
    sixteen = table[table.epochs == 16].sort_values(["variant", "arch"]).reset_index(drop=True)
    shipped = curve[(curve.epochs == 16) & curve.finished].sort_values(["variant", "arch"]).reset_index(drop=True)
    assert len(sixteen) == 400 and sixteen.variant.value_counts().to_dict() == {"full": 200, "no_sandwich": 200}
    assert sixteen[["arch", "variant", "supernet_accuracy"]].equals(shipped[["arch", "variant", "supernet_accuracy"]])
    assert (sixteen.supernet_seed == shipped.seed).all() and (sixteen.sets == "sample200").all()
    assert sixteen.eval_seconds.isna().all()
    # no finished longer run is left out, and the curve's 8-epoch runs (other runs) are not in it
    longer = curve[curve.finished & (curve.epochs > ABLATION_EPOCHS)]
    assert len(table) == len(results) + len(longer)
    # the curve's children are the ablation's uniform sample200 (the same fixed order)
    full8 = table[(table.epochs == 8) & (table.variant == "full") & (table.supernet_seed == 0)]
    assert set(sixteen.arch) == set(full8[full8.sets.str.contains("sample200")].arch)
    # every (epochs, variant, seed) group is one run: each architecture once
    assert not table.duplicated(["epochs", "variant", "supernet_seed", "arch"]).any()
    groups = set(map(tuple, table[["epochs", "variant", "supernet_seed"]].drop_duplicates().to_numpy().tolist()))
    finished_runs = {(int(e), v, int(s)) for e, v, s in longer[["epochs", "variant", "seed"]].drop_duplicates()
                     .itertuples(index=False)}
    assert {(16, "full", 0), (16, "no_sandwich", 0)} <= finished_runs  # what the shipped curve reached first
    assert groups == {(8, v, s) for v, s in zip(runs.variant, runs.supernet_seed)} | finished_runs


def test_ablation_rows_pick_one_budget_and_refuse_a_frame_without_it():
    from nascore.supernet.table import ablation_rows

    frame = pd.DataFrame({"arch": ["a", "b", "a"], "epochs": [8, 8, 16], "supernet_accuracy": [1.0, 2.0, 3.0]})
    assert ablation_rows(frame).to_dict("list") == {"arch": ["a", "b"], "supernet_accuracy": [1.0, 2.0]}
    assert ablation_rows(frame, 16).to_dict("list") == {"arch": ["a"], "supernet_accuracy": [3.0]}
    with pytest.raises(ValueError, match="no supernet child trained for 32 epochs; budgets: 8, 16"):
        ablation_rows(frame, 32)
    with pytest.raises(ValueError, match="no `epochs` column"):
        ablation_rows(frame.drop(columns="epochs"))


def test_the_sandwich_difference_per_budget_by_hand():
    from nascore.studies.supernet_curve import sandwich_by_budget

    runs = pd.DataFrame({"epochs": [8, 8, 16, 16, 32], "variant": ["full", "no_sandwich"] * 2 + ["full"],
                         "C": 8, "N": 1, "seed": 0, "kendall": [-0.2, 0.1, -0.25, 0.05, 0.0],
                         "finished": [True, True, True, True, False]})
    children = pd.DataFrame({"epochs": [8] * 6 + [16] * 4, "finished": True,
                             "variant": ["full"] * 3 + ["no_sandwich"] * 3 + ["full", "full", "no_sandwich", "no_sandwich"],
                             "arch": ["a", "b", "c", "a", "b", "d", "a", "b", "a", "b"],
                             "supernet_accuracy": [30.0, 20.0, 99.0, 27.0, 21.0, 0.0, 40.0, 30.0, 30.0, 30.0]})
    got = sandwich_by_budget(runs, children, n_boot=200)
    assert (got["C"], got["N"], got["seeds"]) == (8, 1, 1) and sorted(got["diffs"]) == [8, 16]  # 32: one variant, unfinished
    # 8 epochs: children a and b in both runs: (30 - 27 + 20 - 21) / 2 = 1.0; the tau gap -0.2 - 0.1
    assert got["diffs"][8]["mean"] == pytest.approx(1.0) and got["diffs"][8]["n"] == 2
    assert got["diffs"][8]["tau_gap"] == pytest.approx(-0.3)
    assert got["diffs"][8]["low"] == pytest.approx(-1.0) and got["diffs"][8]["high"] == pytest.approx(3.0)
    # 16 epochs: (10 + 0) / 2 = 5.0, tau gap -0.30
    assert got["diffs"][16]["mean"] == pytest.approx(5.0) and got["diffs"][16]["tau_gap"] == pytest.approx(-0.3)
    assert sandwich_by_budget(runs[runs.variant == "full"], children) is None
    assert sandwich_by_budget(pd.DataFrame(), pd.DataFrame()) is None
    with pytest.raises(ValueError, match="mixes supernet sizes"):
        sandwich_by_budget(runs.assign(C=[8, 8, 16, 16, 8]), children)


def test_the_shipped_curves_sandwich_differences():
    from nascore.studies.supernet_curve import sandwich_by_budget
    from nascore.supernet.curve import read_curve

    runs, children = read_curve()
    got = sandwich_by_budget(runs, children, n_boot=200)
    finished = runs[runs.finished]
    assert sorted(got["diffs"]) == sorted(set(finished.epochs[finished.variant == "no_sandwich"]))
    for epochs, d in got["diffs"].items():
        gap = runs[runs.epochs == epochs].sandwich_accuracy_gap.iloc[0]  # curve.csv's own column
        assert d["mean"] == pytest.approx(gap, abs=1e-4) and d["n"] == 200
        assert d["tau_gap"] == pytest.approx(runs[runs.epochs == epochs].sandwich_tau_gap.iloc[0], abs=1e-5)
