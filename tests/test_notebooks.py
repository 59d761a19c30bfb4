"""Every notebook runs in quick mode through papermill (via `nascore reproduce`), and
the values it records are checked, not only that it ran."""
import json

import nbformat
import pytest
from conftest import chapter_values

from nascore import reproduce
from nascore.paths import BOOK_DIR, NOTEBOOKS_DIR


@pytest.mark.parametrize("name", reproduce.notebook_names())
def test_notebook_has_parameters_cell_with_quick_and_seed(name):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1, f"{name} needs exactly one cell tagged 'parameters'"
    assert "quick = True" in tagged[0].source and "seed = 0" in tagged[0].source


@pytest.mark.parametrize("name", reproduce.notebook_names())
def test_notebook_ran_in_quick_mode(built_book, name):
    record = json.loads((BOOK_DIR / "generated" / "provenance.json").read_text())["notebooks"][name]
    assert record["status"] == "ok", record["error"]
    assert record["parameters"] == {"quick": True, "seed": 0}
    nb = nbformat.read(BOOK_DIR / "chapters" / f"{name}.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected and "remove-cell" in injected[0].metadata["tags"]


def test_nb201_table_values(built_book):
    values = chapter_values("10_nb201_table")
    # README of the shipped table: best cifar10 validation accuracy 91.57, nwot rho 0.79
    assert float(values["nb201_best_cifar10"]) == pytest.approx(91.57)
    assert float(values["rho_cifar10_nwot"]) == pytest.approx(0.79, abs=0.01)
    assert int(values["zc_total"]) == 18


def test_provenance_records_data_hashes(built_book):
    record = json.loads((BOOK_DIR / "generated" / "provenance.json").read_text())
    reads = record["notebooks"]["10_nb201_table"]["data_read"]
    assert any(line.endswith("data/nasbench201-zc/zc_nasbench201.json") for line in reads)
    assert record["packages"]["torch"].startswith("2.13.0")


def test_metrics_chapter_crosscheck(built_book):
    values = chapter_values("20_metrics")
    # params/flops do not depend on data: our full-size network must rank like the table
    assert float(values["metrics_cc_params_spearman"]) == 1.0
    assert float(values["metrics_cc_flops_spearman"]) == 1.0
    assert float(values["metrics_cc_synflow_spearman"]) > 0.99
    assert int(values["metrics_count"]) >= 19


def test_ground_truth_noise_ceiling(built_book):
    values = chapter_values("30_ground_truth")
    assert int(values["gt_mixed_archs"]) >= 500 and int(values["gt_mixed_seeds"]) >= 2
    # data/mixed-mnist5k/README.md: seed-to-seed Kendall tau 0.754
    assert float(values["gt_mixed_tau"]) == pytest.approx(0.754, abs=0.001)


def test_zhu_bounds_bracket_and_hermite(built_book):
    values = chapter_values("40_zhu")
    assert float(values["zhu_mu2_relu"]) == pytest.approx(1 / (2 * 3.141592653589793 ** 0.5), abs=1e-8)
    assert int(values["zhu_bracket_inside"]) == int(values["zhu_bracket_n"])


def test_hnas_unification_correlations(built_book):
    values = chapter_values("50_hnas")
    # M on real CIFAR-10 (batch 64, official convention) against the table's grad_norm
    assert float(values["hnas_rho_trace_grad_norm_cifar10_value"]) > 0.5
    # the 725 zc archs with CIFAR statistics, minus the one the CIFAR-10 zc table lacks
    assert int(values["hnas_ntk_archs"]) == 724


def test_supernet_chapter_values(built_book):
    values = chapter_values("80_supernet")
    # quick mode trains a tiny stand-in and says so
    assert values["sn_provisional"] == "'yes'" and int(values["sn_runs"]) == 8
    assert -1 <= float(values["sn_kendall_full_zc_value"]) <= 1
    assert float(values["sn_step_ratio"]) > 1  # a BigNAS step runs four children
    # no paper-scale table is shipped yet: the chapter says so and how to make it
    assert values["sn_paper_ran"] == "'no'" and "not run yet — needs a GPU" in values["sn_paper_status"]
    # the claims name their budget: the quick stand-in's C = 2, N = 1, one epoch on 64 images, two seeds
    assert values["sn_claim_basis"] == "'shipped'"
    assert values["sn_budget"] == "'C = 2, N = 1, 1 epochs, 64 training images, 2 seeds per variant'"
    assert 0 < float(values["sn_search_test_supernet_evolution"]) < 100
