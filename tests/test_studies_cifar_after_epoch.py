"""Worked examples for nascore.analysis.cifar_after_epoch."""
import math

import pandas as pd
import pytest

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
    assert 20 <= len(frame) <= 200
    assert frame["naswot_after_1_epoch"].notna().sum() == len(frame)
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
