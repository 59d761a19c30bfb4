"""The Zhu et al. chapter's sweeps: scaled bounds, caching, finite width, search helpers."""
import math

import numpy as np
import pandas as pd
import pytest

from nascore import theory
from nascore.spaces import mixed
from nascore.studies import zhu as ex


def sphere(n, d, seed=0):
    X = np.random.default_rng(seed).normal(size=(n, d))
    return X / np.linalg.norm(X, axis=1, keepdims=True)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CACHE", str(tmp_path / "cache"))


@pytest.mark.parametrize("method", ["layerwise", "series"])
def test_unit_norm_scaled_bounds_are_the_library_bounds(method):
    U = sphere(6, 4)
    arch = mixed.Architecture(("relu", "tanh", "swish"), ((1, 3),))
    ours = ex.scaled_bounds(arch, U, input_norm=1.0, method=method)
    ref = theory.lambda_min_bounds(arch, U, method=method)
    assert (ours.lower, ours.upper) == pytest.approx((ref.lower, ref.upper), rel=1e-12)


def test_scaling_equals_a_lower_dimensional_embedding_of_the_same_gram():
    # inputs of norm sqrt(2) in d = 8 act like unit inputs in d / 2 = 4 with the same Gram
    U = np.zeros((4, 8))
    U[:, :4] = sphere(4, 4, seed=3)
    X4 = np.linalg.cholesky(U @ U.T)          # 4 x 4, rows unit norm, same Gram
    arch = mixed.Architecture(("gelu", "sigmoid"), ((1, 2),))
    ours = ex.scaled_bounds(arch, U, input_norm=math.sqrt(2.0), method="series")
    ref = theory.lambda_min_bounds(arch, X4, method="series")
    assert (ours.lower, ours.upper) == pytest.approx((ref.lower, ref.upper), rel=1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_scaled_bounds_bracket_the_exact_lambda_min_of_the_scaled_inputs(seed):
    U = sphere(5, 3, seed=seed)
    arch = mixed.sample(1, 3, skip_slots="all", seed=seed)[0]
    for c in (1.0, 2.5, math.sqrt(3)):
        lower, upper = ex.scaled_bounds(arch, U, input_norm=c)
        exact = theory.infinite_width_lambda_min(arch, c * U)
        assert lower <= exact * (1 + 1e-7) + 1e-12 and exact <= upper * (1 + 1e-7) + 1e-12


def test_bracket_rows_and_depth_sweep_labels():
    U = sphere(4, 3)
    frame = ex.depth_sweep(["relu"], [1, 2], U, patterns=ex.PATTERNS, input_norm=2.0)
    assert len(frame) == 6 and set(frame.pattern) == set(ex.PATTERNS)
    assert (frame.lower_layerwise <= frame.lower_series + 1e-15).all()
    assert (frame.lower_series <= frame.exact * (1 + 1e-7)).all() and (frame.exact <= frame.upper).all()
    # one hidden layer: every pattern is the same net
    assert frame[frame.hidden_layers == 1].exact.nunique() == 1


def test_skip_patterns():
    assert ex.skip_pattern(3, "none") == ()
    assert ex.skip_pattern(3, "resnet") == ((1, 2), (2, 3))
    assert ex.skip_pattern(3, "dense") == ((1, 2), (1, 3), (2, 3))
    with pytest.raises(ValueError, match="unknown skip pattern 'densenet'"):
        ex.skip_pattern(3, "densenet")


def test_bad_inputs_are_named():
    arch = mixed.Architecture(("relu",))
    with pytest.raises(ValueError, match="input_norm must be a positive"):
        ex.scaled_bounds(arch, sphere(3, 2), input_norm=0.0)
    with pytest.raises(ValueError, match="unit-norm rows"):
        ex.scaled_bounds(arch, 2 * sphere(3, 2))
    with pytest.raises(ValueError, match="hadamard must hold 128 values"):
        ex.scaled_bounds(arch, sphere(3, 2), hadamard=np.ones(5))


def test_rms_norm_and_unit_rows():
    X = np.array([[3.0, 4.0], [0.0, 1.0]])       # norms 5 and 1
    assert ex.rms_norm(X) == pytest.approx(math.sqrt(13.0))
    assert np.linalg.norm(ex.unit_rows(X), axis=1) == pytest.approx([1.0, 1.0])


def test_cache_computes_once():
    calls = []

    def compute():
        calls.append(1)
        return {"value": 1.5}

    assert ex._cached("unit-test", compute, True, a=1)["value"] == 1.5
    assert ex._cached("unit-test", compute, True, a=1)["value"] == 1.5
    assert len(calls) == 1
    ex._cached("unit-test", compute, True, a=2)
    assert len(calls) == 2


def test_wide_empirical_lambda_min_is_near_the_infinite_width_value():
    U = sphere(4, 3, seed=1)
    arch = mixed.Architecture(("tanh", "relu"), ((1, 2),))
    frame = ex.width_sweep([arch], U, [2048], [0, 1], input_norm=math.sqrt(3))
    rel = (frame.lambda_min - frame.infinite).abs() / frame.infinite
    assert rel.mean() < 0.1


def test_hermite_table_closed_forms():
    table = ex.hermite_table(["relu", "tanh"], orders=range(3)).set_index(["activation", "r"]).mu
    assert table["relu", 0] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=1e-10)
    assert table["relu", 1] == pytest.approx(0.5, abs=1e-10)
    assert table["tanh", 2] == pytest.approx(0.0, abs=1e-10)


def test_score_architectures_theory_column_is_the_scaled_bound():
    X = np.abs(np.random.default_rng(0).normal(size=(8, 6)))
    y = np.arange(8) % 3
    keys = ["relu-tanh|1>2", "sigmoid-sigmoid|"]
    frame = ex.score_architectures(keys, X, y, width=16, num_classes=3, metrics=("ntk_condition",))
    expected = ex.scaled_bounds(mixed.from_key(keys[0]), ex.unit_rows(X), input_norm=ex.rms_norm(X))
    assert frame.theory_series.iloc[0] == pytest.approx(expected.lower, rel=1e-12)
    assert np.isfinite(frame.ntk_condition).all() and list(frame.arch) == keys


def small_table():
    return pd.DataFrame({"arch": list("abcd"), "accuracy": [0.1, 0.4, 0.3, 0.2],
                         "theory_series": [1.0, 4.0, 3.0, np.nan],      # picks b
                         "ntk_condition": [5.0, 9.0, 1.0, 2.0]})        # lower is better: picks c


def test_picks_respect_direction_and_report_percentile():
    out = ex.picks(small_table(), ["theory_series", "ntk_condition"]).set_index("score")
    assert out.loc["theory_series", "arch"] == "b" and out.loc["theory_series", "percentile"] == 100.0
    assert out.loc["ntk_condition", "arch"] == "c" and out.loc["ntk_condition", "picked"] == 0.3
    assert out.loc["theory_series", "median"] == pytest.approx(0.25)


def test_sampled_search_with_the_whole_table_always_picks_the_top_score():
    out = ex.sampled_search(small_table(), ["theory_series"], n_sample=4, repeats=5)
    assert (out[out.score == "theory_series"].accuracy == 0.4).all()
    assert len(out[out.score == "random"]) == 5
    with pytest.raises(ValueError, match="n_sample must be an integer in 1..4"):
        ex.sampled_search(small_table(), ["theory_series"], n_sample=5)


def test_generalization_column_matches_the_bound():
    frame = pd.DataFrame({"lam": [0.5, 0.0], "depth": [3, 3]})
    out = ex.with_generalization(frame, "lam", 10)
    assert out.iloc[0] == pytest.approx(theory.generalization_bound(0.5, 10, depth=3))
    assert out.iloc[1] == math.inf


def test_structure_and_kendall_within_groups():
    keys = ["relu-relu|1>2", "sigmoid-relu|", "tanh-sigmoid|1>2", "relu-tanh|"]
    info = ex.structure(keys).set_index("arch")
    assert info.loc["tanh-sigmoid|1>2", "n_sigmoid"] == 1 and info.loc["relu-relu|1>2", "n_skips"] == 1
    frame = pd.DataFrame({"arch": list("abcdef"), "g": [0, 0, 0, 1, 1, 1],
                          "accuracy": [1, 2, 3, 3, 2, 1], "ntk_condition": [3, 2, 1, 3, 2, 1]})
    out = ex.kendall_within(frame, "ntk_condition", "g", n_boot=0).set_index("g")
    # lower condition number is better: perfect inside group 0, reversed inside group 1
    assert out.loc[0, "tau"] == pytest.approx(1.0) and out.loc[1, "tau"] == pytest.approx(-1.0)
