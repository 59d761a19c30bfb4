"""Worked examples for nascore.analysis.hnas_cifar."""
import math

import numpy as np
import pandas as pd
import pytest

from nascore import bench
from nascore.studies import hnas as hnas_study
from nascore.analysis import hnas_cifar, hnas_official


def test_scaled_pool_is_the_official_fraction():
    # 725 * 2000 / 15625 = 92.8 -> 93; the whole space gives the official 2000.
    assert hnas_cifar.scaled_pool(725) == 93
    assert hnas_cifar.scaled_pool(15625) == 2000
    # 7 * 2000 / 15625 = 0.896 -> 1; 3 -> 0.384, floored at 1.
    assert hnas_cifar.scaled_pool(7) == 1
    assert hnas_cifar.scaled_pool(3) == 1
    # 100 * 1 / 8 = 12.5 rounds half up to 13.
    assert hnas_cifar.scaled_pool(100, pool=1, space=8) == 13
    with pytest.raises(ValueError, match="n_archs"):
        hnas_cifar.scaled_pool(0)
    with pytest.raises(ValueError, match="pool"):
        hnas_cifar.scaled_pool(10, pool=20, space=10)


def test_select_by_picks_the_largest_finite_score_and_ranks_it():
    frame = pd.DataFrame({"arch": list("abcde"), "lam": [1.0, 5.0, math.nan, 5.0, 2.0],
                          "val_accuracy": [90.0, 80.0, 99.0, 70.0, 80.0]})
    pick = hnas_cifar.select_by(frame, "lam")
    # b and d tie at 5: the first row wins; NaN row c is not scored.
    assert pick["arch"] == "b" and pick["score"] == 5.0 and pick["n"] == 4
    # accuracies of scored rows: 90, 80, 70, 80 -> one better than 80, rank 2;
    # strictly lower: only 70 -> 1/4.
    assert pick["rank"] == 2 and pick["percentile"] == 0.25 and pick["optimum"] == 90.0
    low = hnas_cifar.select_by(frame, "lam", higher_is_better=False)
    assert low["arch"] == "a" and low["rank"] == 1
    with pytest.raises(ValueError, match="missing"):
        hnas_cifar.select_by(frame, "missing")
    with pytest.raises(ValueError, match="no finite"):
        hnas_cifar.select_by(frame.assign(lam=math.nan), "lam")


def test_gain_row_reads_the_interval():
    assert hnas_cifar.gain_row("x", (0.5, 0.1, 0.9), batch=64, convention="c", data="d", pool=93)["interval"] == "above 0"
    assert hnas_cifar.gain_row("x", (-0.5, -0.9, -0.1), batch=64, convention="c", data="d", pool=93)["interval"] == "below 0"
    assert hnas_cifar.gain_row("x", (0.0, -0.1, 0.2), batch=10, convention="c", data="d", pool=2000)["interval"] == "includes 0"
    with pytest.raises(ValueError, match="low <= mean <= high"):
        hnas_cifar.gain_row("x", (1.0, 0.0, 0.5), batch=64, convention="c", data="d", pool=93)


def test_cifar_frame_joins_the_shipped_statistics():
    frame = hnas_cifar.cifar_frame("cifar10")
    # 725 zc archs with M on CIFAR-10, minus the one the zc CIFAR-10 table lacks.
    assert len(frame) == 724 and frame["ntk_trace"].notna().all()
    positive = frame["hnas_kappa"] > 0
    assert (frame["ntk_condition"][positive] == frame["hnas_kappa"][positive]).all()
    assert frame["ntk_condition"][~positive].isna().all()
    row = frame.iloc[0]
    assert row["kappa_over_m"] == pytest.approx(row["hnas_kappa"] / (row["ntk_trace"] + 1e-6))
    c100 = bench.load("nb201-cifar-ntk", dataset="cifar100").dropna(subset=["ntk_trace"])
    expected = len(c100.merge(bench.load("nb201-zc", "cifar100")[["arch"]], on="arch"))
    assert len(hnas_cifar.cifar_frame("cifar100", ntk_dataset="cifar100")) == expected >= 398
    with pytest.raises(ValueError, match="kappa"):
        hnas_cifar.cifar_frame(kappa="lga")


def test_eigennas_table_marks_what_was_not_run():
    table = hnas_cifar.eigennas_table(n_boot=0)
    status = dict(zip(zip(table.dataset, table.lambda_min), table.status))
    assert status[("ImageNet16-120", "none computed")] == "not attempted"
    assert status[("cifar100", "TE-NAS kernel, batch 72")] == "not computed"
    run = table[table.status == "run"]
    assert {"hnas", "tenas"} <= set(run.key) and (run.accuracy <= run.optimum).all()
    # a row is run exactly when its column has a finite value on that dataset
    for row in table[table.dataset != "ImageNet16-120"].itertuples():
        column = {key: col for col, key in hnas_cifar.LAMBDA_MIN_COLUMNS.values()}[row.key]
        frame = hnas_cifar.cifar_frame(row.dataset, ntk_dataset=row.dataset)
        assert (row.status == "run") == bool(np.isfinite(frame[column].to_numpy(float)).any()), row
    # the pick is the largest lambda_min of its rows: rank 1 means it is also the most accurate
    assert ((run["rank"] >= 1) & (run["rank"] <= run["n"])).all()


def test_singular_kernels_read_as_the_official_nan():
    assert hnas_cifar.singular_as_nan([5.0, -1e15, 0.0, np.nan]).isna().tolist() == [False, True, True, True]
    frame = hnas_cifar.cifar_frame("cifar10")
    negative = frame.hnas_kappa <= 0
    assert negative.any()  # the shipped table has one: a cell without a convolution
    assert (frame.kappa_over_m[negative] == hnas_cifar.KAPPA_NAN / (frame.ntk_trace[negative] + 1e-6)).all()
    assert frame.loc[frame.kappa_over_m.idxmin(), "hnas_kappa"] > 0


def test_eigennas_basis_prefers_zhus_kernel_run_on_every_dataset():
    def rows(*pairs):
        return pd.DataFrame([{"dataset": d, "key": k, "status": "run", "lambda_min": k} for d, k in pairs])

    both = rows(("cifar10", "hnas"), ("cifar100", "hnas"), ("cifar10", "zhu"), ("cifar100", "zhu"))
    assert set(hnas_cifar.eigennas_basis(both).key) == {"zhu"}
    # Zhu's kernel on CIFAR-10 only: the verdict falls back to HNAS's kernel on both
    half = rows(("cifar10", "hnas"), ("cifar100", "hnas"), ("cifar10", "zhu"))
    assert list(hnas_cifar.eigennas_basis(half).key) == ["hnas", "hnas"]
    assert hnas_cifar.eigennas_basis(rows(("cifar10", "hnas"))).empty


def test_eigennas_rho_counts_only_scored_rows():
    table = hnas_cifar.eigennas_table(n_boot=0)
    tenas = table[(table.dataset == "cifar10") & (table.lambda_min == "TE-NAS kernel, batch 72")].iloc[0]
    frame = hnas_cifar.cifar_frame("cifar10")
    scored = frame.dropna(subset=["tenas_lambda_min"])
    from scipy.stats import spearmanr
    assert tenas["n"] == len(scored) < len(frame)
    assert tenas["rho"] == pytest.approx(spearmanr(scored.tenas_lambda_min, scored.val_accuracy).statistic)


def test_uniform_positions_keeps_each_shards_unbroken_prefix():
    order = list("abcdefghij")
    assert hnas_cifar.uniform_positions(order, set()) == []
    assert hnas_cifar.uniform_positions(order, set("abcde")) == list("abcde")     # one process, cut short
    # two shards (a c e g i | b d f h j) that stopped after 4 and 2 items
    assert hnas_cifar.uniform_positions(order, set("acegbd")) == list("abcdeg")
    # an item scored for another reason (NASLib's 'i', 'c') neither stops a shard nor joins beyond the stops
    # ('c' is missing from the run's own work but 'f' is where it stopped)
    assert hnas_cifar.uniform_positions(order, set("abde") | {"i", "c"}, scored_anyway={"c", "i"},
                                        max_shards=2) == list("abcde")
    # an item scored elsewhere that this table lacks does not stop the shard, and is not kept
    assert hnas_cifar.uniform_positions(order, set("abde"), scored_anyway={"c"}, max_shards=2) == list("abde")
    # without saying so, 'c' unscored by the run would look like its stop
    assert hnas_cifar.uniform_positions(order, set("abde"), max_shards=2) == list("abd")
    assert hnas_cifar.uniform_positions(order, set(order)) == order


def test_gain_table_pairs_seeds_and_beats_verdict_reads_it():
    # best-so-far at query 2: HNAS (3, 5), random (1, 2), BO (4, 6) -> gains 2.5 over random, -1 over BO
    rows = [{"benchmark": "d", "method": m, "seed": s, "query": q, "best": b}
            for m, bests in (("HNAS", ((1, 3), (2, 5))), ("random", ((1, 1), (1, 2))), ("BO", ((2, 4), (3, 6))))
            for s, curve in enumerate(bests) for q, b in zip((1, 2), curve)]
    gains = hnas_study.gain_table(pd.DataFrame(rows), ["d"], ["random", "BO"], 2, n_boot=200)
    assert gains.baseline.tolist() == ["random", "BO"] and gains.gain.tolist() == pytest.approx([2.5, -1.0])
    assert (gains.low <= gains.gain).all() and (gains.gain <= gains.high).all()
    assert hnas_official.beats_verdict(gains) == "not reproduced"
    assert hnas_official.beats_verdict(gains.iloc[:1]) == "reproduced"  # 2 and 3: every resample above 0
    assert hnas_official.beats_verdict(pd.DataFrame({"gain": [0.5, 0.2], "low": [0.1, -0.1]})) == "partly"


@pytest.mark.parametrize("c10, c100, pct, verdict", [
    (93.0, 71.0, 0.5, "reproduced"),        # 0.46 and 0.42 below the leaderboard: within 0.5
    (92.96, 71.0, 0.5, "reproduced"),       # exactly 0.50 below on CIFAR-10
    (92.9, 71.0, 0.8, "partly"),            # 0.56 below, but the pick is in the top quarter
    (92.9, 71.0, 0.74, "not reproduced"),
])
def test_eigennas_verdict_boundaries(c10, c100, pct, verdict):
    import pandas as pd

    from nascore.analysis import hnas_cifar

    basis = pd.DataFrame([{"dataset": "cifar10", "pick_test": c10, "percentile": pct},
                          {"dataset": "cifar100", "pick_test": c100, "percentile": 0.9}])
    assert hnas_cifar.eigennas_verdict(basis) == verdict
    assert hnas_cifar.eigennas_verdict(basis.iloc[:0]) == "not attempted"


def test_eigennas_table_reports_the_picks_test_accuracy():
    from nascore.bench import nb201_accuracies
    from nascore.analysis import hnas_cifar

    table = hnas_cifar.eigennas_table(n_boot=20)
    row = table[(table.dataset == "cifar10") & (table.key == "zhu")].iloc[0]
    assert row.pick_test == nb201_accuracies("cifar10").set_index("arch").loc[row.arch, "test_accuracy"]
    assert row.pick_test <= row.optimum_test
