"""Metric sweeps (nascore.metrics.table) and the metrics chapter's NAS-Bench-201 cross-check (nascore.studies.metrics)."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from nascore.metrics import table as mt
from nascore.studies import metrics as crosscheck
from nascore.tables.store import ResultStore
from nascore.spaces import mixed

MIXED = {"input_dim": 5, "width": 8, "num_classes": 3}


def tiny_batch(n=6, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, 5, generator=g), torch.arange(n) % 3


# --------------------------------------------------------------------------- score_table
def test_one_row_per_architecture_one_column_per_metric_equal_to_direct_scores(tmp_path):
    import nascore.metrics as metrics

    x, y = tiny_batch()
    archs = mt.sample_architectures("mixed", 4, seed=1, hidden_layers=(2,))
    table = mt.score_table(archs, ["naswot", "snip"], x, y, space="mixed", space_options=MIXED,
                           seed=3, cache=tmp_path)
    assert list(table.columns) == ["arch", "naswot", "snip"] and table.arch.tolist() == archs
    net = mixed.from_key(archs[2]).build(seed=3, **MIXED)
    assert table.snip[2] == metrics.score("snip", net, x, y)


def test_cache_is_read_back_and_keyed_by_the_batch_and_the_seed(tmp_path):
    x, y = tiny_batch()
    archs = ["relu-tanh|", "gelu-elu|1>2"]
    first = mt.score_table(archs, ["params", "snip"], x, y, space="mixed", space_options=MIXED,
                           cache=tmp_path)
    store = ResultStore(tmp_path)
    assert len(store) == 4
    # Plant a sentinel in one stored value: a repeated sweep must return it (it read the cache) ...
    key = mt.score_key(space="mixed", space_options=MIXED, arch="gelu-elu|1>2", metric="snip", options={},
                       seed=0, inputs=mt.tensor_digest(x), targets=mt.tensor_digest(y))
    store.put(key, {**store.get(key), "value": -7.0})
    again = mt.score_table(archs, ["params", "snip"], x, y, space="mixed", space_options=MIXED,
                           cache=tmp_path)
    assert again.snip[1] == -7.0 and again.snip[0] == first.snip[0]
    # ... while another batch or another weight seed is another result.
    other = mt.score_table(archs, ["snip"], x + 1, y, space="mixed", space_options=MIXED, cache=tmp_path)
    reseeded = mt.score_table(archs, ["snip"], x, y, space="mixed", space_options=MIXED, seed=1,
                              cache=tmp_path)
    assert other.snip[1] != -7.0 and reseeded.snip[1] != -7.0
    assert len(store) == 8


KEY = dict(space="mixed", space_options=MIXED, arch="relu|", metric="snip", options={}, seed=0,
           inputs="ab" * 32, targets=None)


@pytest.mark.parametrize("field, other", [
    ("space_options", {**MIXED, "width": 9}), ("arch", "tanh|"), ("metric", "grad_norm"),
    ("options", {"log": True}), ("seed", 1), ("inputs", "cd" * 32), ("targets", "ef" * 32),
])
def test_every_input_of_a_value_is_in_its_cache_key(field, other):
    assert mt.score_key(**{**KEY, field: other}) != mt.score_key(**KEY)


def test_a_killed_sweep_resumes_from_what_it_stored(tmp_path):
    x, y = tiny_batch()
    archs = ["relu-relu|", "tanh-relu|", "elu-gelu|"]
    full = mt.score_long(archs, ["snip", "grad_norm"], x, y, space="mixed", space_options=MIXED, cache=tmp_path)
    # Lose one value, as if the run had died just before writing it.
    key = mt.score_key(space="mixed", space_options=MIXED, arch="tanh-relu|", metric="grad_norm", options={},
                       seed=0, inputs=mt.tensor_digest(x), targets=mt.tensor_digest(y))
    (tmp_path / key[:2] / f"{key}.json").unlink()
    resumed = mt.score_long(archs, ["snip", "grad_norm"], x, y, space="mixed", space_options=MIXED,
                            cache=tmp_path)
    pd.testing.assert_series_equal(resumed.value, full.value)
    assert len(ResultStore(tmp_path)) == 6


def test_a_failing_metric_is_a_nan_with_its_message_or_an_error_on_request():
    x, _ = tiny_batch()
    same_label = torch.zeros(6, dtype=torch.int64)  # LGA is undefined when all labels agree
    long = mt.score_long(["relu-relu|"], ["lga"], x, same_label, space="mixed", space_options=MIXED,
                         cache=False)
    assert math.isnan(long.value[0]) and "labels" in long.error[0]
    with pytest.raises(ValueError, match="labels"):
        mt.score_table(["relu-relu|"], ["lga"], x, same_label, space="mixed", space_options=MIXED,
                       cache=False, on_error="raise")


@pytest.mark.parametrize("bad, match", [
    ({"metrics": ["no_such_metric"]}, "unknown metric"),
    ({"space": "darts"}, "unknown space"),
    ({"archs": ["relu|", "relu|"]}, "duplicates"),
    ({"metric_options": {"synflow": {"log": True}}}, "not scored"),
])
def test_bad_arguments_are_named(bad, match):
    x, y = tiny_batch()
    arguments = {"archs": ["relu|"], "metrics": ["params"], "space": "mixed", **bad}
    with pytest.raises(ValueError, match=match):
        mt.score_table(arguments.pop("archs"), arguments.pop("metrics"), x, y, space_options=MIXED,
                       cache=False, **arguments)


def test_samples_are_distinct_and_reproducible():
    a = mt.sample_architectures("mixed", 10, seed=4)
    assert a == mt.sample_architectures("mixed", 10, seed=4) and len(set(a)) == 10
    assert [len(mixed.from_key(k).activations) for k in a] == [2] * 4 + [3] * 3 + [4] * 3
    b = mt.sample_architectures("nb201", 30, seed=4)
    assert len(set(b)) == 30 and b != mt.sample_architectures("nb201", 30, seed=5)


# --------------------------------------------------------------------------- correlation matrix
def test_rank_correlation_matrix_orients_lower_is_better_metrics():
    # Condition number falls exactly as params rise: oriented, they agree perfectly.
    params = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    table = pd.DataFrame({"arch": list("abcde"), "params": params, "ntk_condition": 10 / params,
                          "naswot": [5.0, 4.0, 3.0, 2.0, 1.0], "das_units": 2.0})
    matrix = crosscheck.rank_correlation_matrix(table)
    assert matrix.loc["params", "ntk_condition"] == pytest.approx(1.0)
    assert matrix.loc["params", "naswot"] == pytest.approx(-1.0)
    assert np.isnan(matrix.loc["das_units", "params"])  # constant: no correlation


def test_rank_correlation_matrix_ranks_a_failed_score_last():
    table = pd.DataFrame({"params": [1.0, 2.0, 3.0, 4.0], "snip": [np.nan, 2.0, 3.0, 4.0]})
    assert crosscheck.rank_correlation_matrix(table).loc["params", "snip"] == pytest.approx(1.0)
    table.loc[0, "snip"] = np.nan
    table.loc[3, "snip"] = np.nan  # the best by params is now among the worst by snip
    assert crosscheck.rank_correlation_matrix(table).loc["params", "snip"] < 0.5


def test_metric_records_cover_the_registry():
    import nascore.metrics as metrics

    records = crosscheck.metric_records()
    assert records.metric.tolist() == metrics.available()
    assert records.set_index("metric").loc["ntk_condition", "direction"] == "lower is better"


# --------------------------------------------------------------------------- NAS-Bench-201 cross-check
def test_relu_conv_bn_operations_by_hand():
    # One nor_conv edge per cell: 5 cells per stage at 16x32x32, 32x16x16 and 64x8x8 output
    # elements, plus the two ReLU-Conv-BN blocks of each residual reduction; 3 ops each.
    from nascore.spaces import nb201

    arch = "|nor_conv_3x3~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|"
    net = nb201.Network(arch, **crosscheck.FULL_SIZE, seed=0)
    per_cell_edge = 5 * (16 * 32 * 32 + 32 * 16 * 16 + 64 * 8 * 8)
    reductions = 2 * 32 * 16 * 16 + 2 * 64 * 8 * 8
    assert crosscheck.relu_conv_bn_ops(net) == 3 * (per_cell_edge + reductions)
    assert 3 * per_cell_edge == 430080  # the 0.43008 M per convolution edge of the metrics' docstring


@pytest.fixture(scope="module")
def small_crosscheck(tmp_path_factory):
    """Eight architectures of the shipped table scored at full size (a few seconds)."""
    return crosscheck.crosscheck(n=8, seed=0, cache=tmp_path_factory.mktemp("cache"))


def test_params_flops_synflow_rank_like_the_nb201_table(small_crosscheck):
    summary = crosscheck.crosscheck_summary(small_crosscheck, n_boot=200).set_index("metric")
    assert summary.loc["params", "spearman"] == 1.0
    assert summary.loc["flops", "spearman"] == 1.0
    assert summary.loc["synflow", "spearman"] > 0.9 and summary.loc["synflow", "n_nan"] == 0


def test_values_agree_once_conventions_match(small_crosscheck):
    frame = small_crosscheck
    np.testing.assert_allclose(frame.params, frame.params_table, atol=1e-9)
    # flops: after the ReLU-Conv-BN operations, the table is ours plus one constant.
    residual = frame.flops_table - frame.flops - frame.flops_relu_bn
    assert residual.max() - residual.min() < 1e-6 and residual.mean() > 0
    # synflow: both are log SynFlow; weights differ only by their random draw.
    np.testing.assert_allclose(frame.synflow, frame.synflow_table, rtol=0.02)


def test_crosscheck_sample_is_reproducible_and_checked():
    assert crosscheck.crosscheck_sample(5, seed=1) == crosscheck.crosscheck_sample(5, seed=1)
    assert len(crosscheck.crosscheck_sample(None)) == len(crosscheck.crosscheck_table())
    with pytest.raises(ValueError, match="not in the NAS-Bench-201 table"):
        crosscheck.crosscheck(["|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", "x"], cache=False)
