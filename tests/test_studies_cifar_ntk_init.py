"""At-init NTK statistics on real CIFAR against NB201 accuracy: column names, orientation, NaN rows."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nascore.analysis import cifar_ntk_init as init


def test_describe_reads_the_batch_suffix_and_the_official_batch():
    lga = init.describe("lga_b32")
    assert (lga["statistic"], lga["group"], lga["batch"], lga["official_batch"], lga["direction"]) == \
        ("lga", "lga", 32, 256, 1)
    assert init.describe("hnas_kappa")["direction"] == -1 and init.describe("hnas_kappa")["batch"] == 64
    assert init.describe("ntk_condition")["batch"] == 72
    assert init.describe("ntk_lambda_min_b16")["group"] == "zhu"
    for bad in ("lga_b", "tenas_lambda_max", "lga_bx32", "bogus_b16", "lga_b0"):
        with pytest.raises(ValueError, match=f"unknown statistic column '{bad}'"):
            init.describe(bad)


def test_correlations_are_oriented_and_skip_missing_rows():
    frame = pd.DataFrame({"arch": list("abcde"), "val_accuracy": [1.0, 2.0, 3.0, 4.0, 5.0],
                          "hnas_kappa": [50.0, 40.0, 30.0, 20.0, 10.0],      # lower is better: perfect
                          "lga_b32": [0.1, np.nan, 0.3, 0.2, np.nan],        # 3 finite: a, c, d
                          "seconds": [9.0] * 5})
    assert init.statistic_columns(frame) == ["hnas_kappa", "lga_b32"]
    table = init.init_correlations(frame, n_boot=0).set_index("column")
    assert table.loc["hnas_kappa", "value"] == pytest.approx(1.0)
    # lga on (a, c, d) = (0.1, 0.3, 0.2) against (1, 3, 4): pairs ac +, ad +, cd - -> tau 1/3
    assert table.loc["lga_b32", "n"] == 3 and table.loc["lga_b32", "value"] == pytest.approx(1 / 3)
    with pytest.raises(ValueError, match="has 2 finite values; need at least 3"):
        init.init_correlations(frame.assign(lga_b32=[np.nan, np.nan, 0.1, 0.2, np.nan]), ["lga_b32"], n_boot=0)


def test_a_negative_condition_number_is_a_singular_kernel_and_ranks_worst():
    # accuracy 1..4; kappa 40, 30, 20 then -1e15 (round-off lambda_min of a singular kernel)
    frame = pd.DataFrame({"val_accuracy": [1.0, 2.0, 3.0, 4.0, 5.0], "hnas_kappa": [40.0, 30.0, 20.0, -1e15, np.nan]})
    assert init.init_correlations(frame, ["hnas_kappa"], n_boot=0).n.iloc[0] == 4  # NaN: not computed, dropped
    # read as infinite: order (2nd, 3rd best, ..., worst) = 3, 2, 1, 4 -> 3 concordant, 3 discordant
    assert init.init_correlations(frame, ["hnas_kappa"], n_boot=0).value.iloc[0] == pytest.approx(0.0)
    # a missing accuracy drops the row
    frame.loc[3, "val_accuracy"] = np.nan
    assert init.init_correlations(frame, ["hnas_kappa"], n_boot=0).value.iloc[0] == pytest.approx(1.0)


def test_the_shipped_table_ranks_hnas_statistics_on_cifar10():
    frame = init.init_frame("cifar10")
    table = init.init_correlations(frame, ["ntk_trace", "hnas_kappa"], n_boot=0).set_index("column")
    assert (table.n == 724).all()
    # kappa's raw Spearman with accuracy is negative (batch_study.csv); oriented it is positive
    assert table.loc["hnas_kappa", "value"] > 0.3
