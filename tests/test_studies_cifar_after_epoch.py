"""Worked examples for nascore.analysis.cifar_after_epoch."""
import math

import numpy as np
import pandas as pd
import pytest

from nascore import bench

from nascore.analysis import cifar_after_epoch as cae


def test_correlations_drop_missing_rows():
    # a: 1, 2, 3, NaN against 10, 20, 30, 40 -> the NaN row is dropped: perfect order, n = 3
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0, math.nan], "b": [4.0, 3.0, 2.0, 1.0],
                          "test_accuracy": [10.0, 20.0, 30.0, 40.0]})
    table = cae.correlations(frame, ["a", "b"], n_boot=0).set_index("score")
    assert table.loc["a", "value"] == pytest.approx(1.0) and table.loc["a", "n"] == 3
    assert table.loc["b", "value"] == pytest.approx(-1.0) and table.loc["b", "n"] == 4
    with pytest.raises(ValueError, match="not in the frame"):
        cae.correlations(frame, ["c"])


def test_trained_frame_holds_the_shipped_rows():
    frame = cae.trained_frame()
    assert 20 <= len(frame) <= 400  # 200 of the stratified sample and 200 of the population, at most
    # NASWOT is left empty only where it is -inf: a cell cut off by `none` edges, whose
    # output ignores the input, so its after-training kernel is exactly zero as well
    missing = frame["naswot_after_1_epoch"].isna()
    assert (frame.loc[missing, "ntk_mean_after_1_epoch"] == 0).all()
    assert missing.sum() < len(frame) / 10
    # every trained cell found its 200-epoch test accuracy (a CIFAR-10 accuracy in percent)
    assert frame["test_accuracy"].between(10, 95).all()


def test_correlations_rank_against_the_chosen_truth():
    # the default truth is the 200-epoch test accuracy; val_accuracy is the labelled option.
    # a = 1, 2, 3: test accuracy in the same order (tau +1), validation reversed (tau -1)
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "test_accuracy": [90.0, 91.0, 92.0],
                          "val_accuracy": [80.0, 79.0, 78.0]})
    default = cae.correlations(frame, ["a"], n_boot=0).iloc[0]
    assert default.value == pytest.approx(1.0) and default.truth == "test_accuracy"
    assert cae.correlations(frame, ["a"], n_boot=0, truth="val_accuracy").iloc[0].value == pytest.approx(-1.0)
    with pytest.raises(ValueError, match="truth='train_accuracy'.*test_accuracy, val_accuracy"):
        cae.correlations(frame, ["a"], truth="train_accuracy")
    with pytest.raises(ValueError, match="no val_accuracy column"):
        cae.correlations(frame.drop(columns="val_accuracy"), ["a"], truth="val_accuracy")


def _trained(population: int, stratified: int) -> pd.DataFrame:
    return pd.DataFrame({"arch": [f"p{i}" for i in range(population)] + [f"s{i}" for i in range(stratified)],
                         "sample": ["population"] * population + ["stratified"] * stratified})


def test_claims_rest_on_one_sample_never_pooled():
    # population from 100 cells on, whatever the other sample holds; before that the larger
    # sample, a tie going to the population
    for population, stratified, chosen in [(100, 200, "population"), (99, 24, "population"), (17, 24, "stratified"),
                                           (24, 24, "population"), (0, 24, "stratified"), (5, 0, "population")]:
        frame = cae.claim_frame(_trained(population, stratified))
        assert set(frame["sample"]) == {chosen}, (population, stratified)
        assert len(frame) == (population if chosen == "population" else stratified)


def test_sample_text_counts_each_sample():
    assert cae.sample_text(_trained(30, 24)) == ("30 of LGA's population (uniform among NB201 cells 0..999) "
                                                 "and 24 of the sample stratified by accuracy")
    assert cae.sample_text(_trained(0, 24)) == "24 of the sample stratified by accuracy"
    assert cae.sample_text(_trained(0, 0)) == "no cells"


def test_trained_frame_by_sample():
    everything = cae.trained_frame()
    stratified = cae.trained_frame("stratified")
    population = cae.trained_frame("population")
    assert set(stratified["sample"]) <= {"stratified"} and set(population["sample"]) <= {"population"}
    # a cell in both samples counts once, as a population cell
    assert len(everything) == len(population) + len(set(stratified.arch) - set(population.arch))
    assert not everything.arch.duplicated().any()
    # population cells are NB201 cells 0..999
    index = bench.load("nb201", dataset="cifar10").set_index("arch").nb201_index
    assert (index[population.arch] < 1000).all()
    with pytest.raises(ValueError, match="sample='uniform'.*all, population, stratified"):
        cae.trained_frame("uniform")


def test_trained_frame_carries_each_samples_own_lga_at_init(monkeypatch):
    tables = {"nb201-cifar-ntk-lga1000": pd.DataFrame({"arch": ["p", "s"], "lga_b32": [0.1, 0.2],
                                                       "lga_after_1_epoch": [1.0, 2.0]}),
              "nb201-cifar-ntk": pd.DataFrame({"arch": ["s", "t"], "lga_b32": [0.7, 0.8],
                                               "lga_after_1_epoch": [3.0, np.nan],
                                               "naswot_after_1_epoch": [np.nan, 4.0]}),
              "nb201": pd.DataFrame({"arch": ["p", "s", "t"], "test_accuracy": [90.0, 91, 92],
                                     "val_accuracy": [80.0, 81, 82]})}
    monkeypatch.setattr(bench, "load", lambda name, dataset: tables[name])
    frame = cae.trained_frame().set_index("arch")
    # "s" is in both: it counts once, as a population cell, with the population table's values
    assert frame.loc["s", "sample"] == "population" and frame.loc["s", "lga_b32"] == 0.2
    assert frame.loc["p", "lga_b32"] == 0.1 and frame.loc["t", "lga_b32"] == 0.8
    assert frame.loc["t", "sample"] == "stratified" and frame.loc["t", "test_accuracy"] == 92.0
