"""The shipped NAS-Bench-201 NTK table as read, and the HNAS study helpers (the job that
computes the table: ``tests/test_tables_nb201_ntk.py``)."""
import numpy as np
import pandas as pd
import pytest

from nascore import bench, search
from nascore.bench import nb201_ntk
from nascore.analysis import hnas_benchmark as hb
from nascore.studies import hnas as hnas_study


def test_arch_order_is_a_fixed_permutation_of_the_zero_cost_archs():
    order = nb201_ntk.arch_order()
    union = set().union(*(bench.load("nb201-zc", d).arch for d in bench.DATASETS))
    assert len(order) == len(set(order)) == len(union) == 725
    assert set(order) == union and order == nb201_ntk.arch_order()


def test_shipped_table_covers_every_architecture():
    table = nb201_ntk.load_nb201_ntk("mnist32")
    assert table.index.name == "arch" and set(table.index) == set(nb201_ntk.arch_order())
    assert (table.ntk_trace > 0).all() and np.isfinite(table.ntk_trace).all()
    finite = table.ntk_condition.dropna()
    assert (finite >= 1).all()
    assert np.allclose(finite, (table.lambda_max / table.lambda_min)[finite.index])


def test_digits_variant_repeats_the_first_hundred_archs():
    digits = nb201_ntk.load_nb201_ntk("digits32")
    assert list(digits.index) == nb201_ntk.arch_order()[:100]


def test_unknown_variant_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown NTK variant 'cifar'"):
        nb201_ntk.load_nb201_ntk("cifar")


def test_join_keeps_the_architectures_with_both_rows():
    frame = nb201_ntk.table_with_ntk("cifar10")
    assert len(frame) == len(bench.load("nb201-zc", "cifar10"))
    assert {"ntk_trace", "ntk_condition", "val_accuracy", "grad_norm"} <= set(frame.columns)


def test_hnas_benchmark_exposes_the_objective_terms():
    frame = hb.hnas_frame("cifar10")
    bench_ = hb.hnas_benchmark("cifar10", frame=frame)
    kappa = frame.ntk_condition.fillna(1e5).to_numpy()
    assert np.allclose(bench_.score("kappa_over_m"), kappa / (frame.ntk_trace.to_numpy() + 1e-6))
    assert not bench_.score("zero").any()


def test_objective_grid_by_hand():
    # kappa = 1 and M = accuracy: with C far above every M, -F = mu (M^2 - C^2) - 1/M rises
    # with M (rho = 1); with C = 0 and mu = 1, -F = -M^2 - 1/M falls with M for M > 1 (rho = -1).
    frame = pd.DataFrame({"ntk_trace": [2.0, 3.0, 5.0, 7.0], "ntk_condition": [1.0] * 4,
                          "val_accuracy": [2.0, 3.0, 5.0, 7.0]})
    grid = hnas_study.objective_grid(frame, [0.0, 1.0], [0.0], scale=100.0)
    assert grid.loc[1.0, 0.0] == pytest.approx(1.0) and grid.loc[0.0, 0.0] == pytest.approx(-1.0)


def test_budget_table_and_paired_gain_match_direct_computation():
    toy = search.synthetic()
    runs = hnas_study.run_methods({"toy": toy}, {"random": ("random", {}),
                                                 "oracle": ("training_free", {"score": "oracle", "n_sample": 50})},
                                  budget=5, seeds=[0, 1, 2])
    table = hnas_study.budget_table(runs, [5], n_boot=100)
    direct = np.mean([search.run("random", toy, budget=5, seed=s).best_accuracy for s in (0, 1, 2)])
    assert table.set_index("method").loc["random", "mean"] == pytest.approx(direct)
    mean, low, high = hnas_study.paired_gain(runs, "toy", "oracle", "random", 5, n_boot=100)
    assert low <= mean <= high and mean >= 0       # the best of 50 by the true accuracy is never worse
    with pytest.raises(ValueError, match="exceeds"):
        hnas_study.budget_table(runs, [6])


def test_query_overlap_of_a_method_with_itself_is_one_and_with_a_disjoint_one_zero():
    rows = [{"benchmark": "b", "method": m, "seed": 0, "query": q + 1, "arch": f"{m}{q}" if m == "x" else f"{q}"}
            for m in ("x", "y", "z") for q in range(3)]
    runs = pd.DataFrame(rows)
    assert hnas_study.query_overlap(runs, "b", "y", "z", 3) == 1.0
    assert hnas_study.query_overlap(runs, "b", "x", "y", 3) == 0.0
    assert hnas_study.query_overlap(runs, "b", "y", "z", 2) == 1.0
