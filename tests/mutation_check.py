"""Mutation check: plant known plausible bugs, one at a time, and see which tests catch them.

Not collected by pytest (the name does not start with ``test_``). Run from the repository
root with the project's interpreter::

    python tests/mutation_check.py                 # every mutation below
    python tests/mutation_check.py --only stats-   # ids starting with "stats-"
    python tests/mutation_check.py --list          # what would be planted, and where
    python tests/mutation_check.py --move nascore/ntk.py=nascore/ntk/core.py   # after a file moved

For each mutation the repository (``nascore/``, ``tests/``, ``data/``, ``notebooks/``,
``book/`` without its build, ``pyproject.toml``) is copied once to a temporary folder; the
mutation's text ``old`` is replaced by ``new`` in ``file`` (``old`` must occur exactly
once, otherwise the mutation is reported as NOT APPLIED: the list is out of date), the
``tests`` are run there with ``PYTHONPATH`` pointing at the copy and an empty cache, and
the file is restored. A mutation no test fails on is a survivor. Before planting anything
the target tests run once unmutated and must pass. Exit status 1 if a mutation survives
that is not marked ``expected_survivor`` (or one could not be applied).
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
COPIED = ("nascore", "tests", "data", "notebooks", "book", "pyproject.toml")


@dataclass(frozen=True)
class Mutation:
    id: str
    file: str                     # relative to the repository root; --move remaps it
    old: str
    new: str
    tests: tuple                  # pytest targets (files or node ids), relative to the root
    what: str
    expected_survivor: str = ""   # why it may survive for now (then it does not fail the run)


MUTATIONS = [
    # --- issue 17: the eight bugs that survived the earlier suite ------------------------
    Mutation("stats-kendall-tau-a", "nascore/stats.py",
             "return float(sps.kendalltau(a, b).statistic)",
             "return float(np.sum(np.sign(np.subtract.outer(a, a)) * np.sign(np.subtract.outer(b, b)))"
             " / (len(a) * (len(a) - 1)))",
             ("tests/test_stats.py", "tests/test_stats_ties.py"), "Kendall tau-b replaced by tau-a"),
    Mutation("stats-spearman-ordinal", "nascore/stats.py",
             "ra = sps.rankdata(a, axis=-1)\n    rb = sps.rankdata(b, axis=-1)",
             "ra = sps.rankdata(a, axis=-1, method='ordinal')\n    rb = sps.rankdata(b, axis=-1, method='ordinal')",
             ("tests/test_stats.py", "tests/test_stats_ties.py"), "Spearman on ordinal instead of averaged ranks"),
    Mutation("stats-interval-90-as-95", "nascore/stats.py",
             "tail = (1 - level) / 2\n    low, high = np.quantile(boot",
             "tail = (1 - level)\n    low, high = np.quantile(boot",
             ("tests/test_stats.py", "tests/test_stats_ties.py"), "a 90 % interval reported as 95 %"),
    Mutation("stats-mean-ci-iqr", "nascore/stats.py",
             "low, high = np.quantile(means, [tail, 1 - tail])",
             "low, high = np.quantile(values, [0.25, 0.75])",
             ("tests/test_stats.py", "tests/test_stats_ties.py"), "mean_ci returns the interquartile range"),
    Mutation("ntk-trace-full-over-NK", "nascore/metrics/ntk_metrics.py",
             "return math.sqrt(float(ntk.trace(theta)) / inputs.shape[0])",
             "return math.sqrt(float(ntk.trace(theta)) / theta.shape[0])",
             ("tests/test_metrics_ntk.py", "tests/test_metrics.py"),
             'ntk_trace with output="full" divides by N*K instead of N',
             expected_survivor="caught by the NTK-conventions branch's tests (issue 17 item 2), not yet merged"),
    Mutation("theory-layerwise-no-tail", "nascore/theory/bounds.py",
             " + max(diag.centred[0] - mu2.sum(), 0.0) * lam[R]", "",
             ("tests/test_theory.py", "tests/test_theory_tightness.py"),
             "layerwise lower bound loses its tail term (one ReLU layer, N > d: lower/exact 0.204 -> 0.137)"),
    Mutation("theory-upper-trivial", "nascore/theory/bounds.py",
             "best = theta_diag - float(np.polynomial.polynomial.polyval(g, series))",
             "best = theta_diag",
             ("tests/test_theory.py", "tests/test_theory_tightness.py"),
             "upper bound degraded to the trivial Theta(x, x)"),
    Mutation("search-evolution-population-9", "nascore/search/baselines.py",
             "population_size=10, sample_size=3", "population_size=9, sample_size=3",
             ("tests/test_search.py", "tests/test_search_evolution.py"), "evolution's default population one smaller"),
    # (">" -> ">=" in the aging test would be an equivalent mutant: it runs right after an
    # append, so both pop exactly one member; a deque one shorter really keeps one fewer)
    Mutation("search-evolution-keeps-one-fewer", "nascore/search/baselines.py",
             "population: deque = deque()", "population: deque = deque(maxlen=population_size - 1)",
             ("tests/test_search.py", "tests/test_search_evolution.py"),
             "evolution's population one smaller after the first child"),
    Mutation("reproduce-claims-not-last", "nascore/reproduce/chapters.py",
             "return [n for n in names if not n.endswith(LAST)] + [n for n in names if n.endswith(LAST)]",
             "return names",
             ("tests/test_reproduce.py", "tests/test_reproduce_units.py"), "claims notebook no longer forced last"),
    Mutation("data-mnist-over-256", "nascore/data.py",
             "table[:, :-1] / 255.0", "table[:, :-1] / 256.0",
             ("tests/test_data.py", "tests/test_data_pixels.py"), "MNIST pixels scaled by 1/256"),
    # --- our own --------------------------------------------------------------------------
    Mutation("stats-mean-ci-ignores-level", "nascore/stats.py",
             "tail = (1 - level) / 2\n    low, high = np.quantile(means",
             "tail = 0.025\n    low, high = np.quantile(means",
             ("tests/test_stats.py", "tests/test_stats_ties.py"), "mean_ci always gives a 95 % interval"),
    Mutation("theory-layerwise-no-deep-terms", "nascore/theory/bounds.py",
             "    lower += sum(sw2 * ell[l - 1] * diag.deriv[l - 1] * diag.b[l - 1] for l in range(2, n + 1))\n",
             "", ("tests/test_theory.py", "tests/test_theory_tightness.py"),
             "layerwise bound drops the backward terms of layers >= 2 (chapter median 0.84 -> 0.69)"),
    Mutation("theory-series-drops-linear-term", "nascore/theory/bounds.py",
             "series_lower = float(series[1:] @ lam[:degree])",
             "series_lower = float(series[2:] @ lam[1:degree])",
             ("tests/test_theory.py", "tests/test_theory_tightness.py"), "series bound drops theta_1 lambda_1"),
    Mutation("theory-hadamard-off-by-one", "nascore/theory/bounds.py",
             "np.linalg.eigvalsh(G ** t)[0] for t in range(1, top + 1)",
             "np.linalg.eigvalsh(G ** (t + 1))[0] for t in range(1, top + 1)",
             ("tests/test_theory.py", "tests/test_theory_tightness.py"), "Hadamard powers shifted by one"),
    Mutation("search-evolution-sample-2", "nascore/search/baselines.py",
             "population_size=10, sample_size=3", "population_size=10, sample_size=2",
             ("tests/test_search.py", "tests/test_search_evolution.py"), "evolution's default tournament one smaller"),
    Mutation("metrics-grasp-sign", "nascore/metrics/zero_cost.py",
             "(-w.detach() * h).sum()", "(w.detach() * h).sum()",
             ("tests/test_metrics_zero_cost.py",), "GraSP with the pruning paper's sign"),
    Mutation("reproduce-env-from-threads", "nascore/reproduce/kernel.py",
             "_kernel_manager_class(env, log, kernels, token)",
             "_kernel_manager_class(os.environ.update(env) or {}, log, kernels, token)",
             ("tests/test_reproduce.py",), "the --jobs 2 bug: kernels' variables set in os.environ from threads"),
    Mutation("reproduce-keeps-last-runs-claims", "nascore/reproduce/outputs.py",
             "            claims.chapter_file(run.name, claims_dir).unlink(missing_ok=True)\n", "            pass\n",
             ("tests/test_reproduce.py",), "a chapter's claims file from its last run survives a rerun"),
    Mutation("reproduce-ctrl-c-waits-for-the-notebook", "nascore/reproduce/run.py",
             "    for name in kernels.stop():", "    for name in kernels._wait_empty(600) or []:",
             ("tests/test_reproduce_outputs.py",), "Ctrl-C waits for the running notebook to end (issue 22)"),
    Mutation("reproduce-commits-a-failed-chapter", "nascore/reproduce/kernel.py",
             '        if run.status == "ok":\n            _finish_chapter',
             '        if run.status in ("ok", "failed"):\n            _finish_chapter',
             ("tests/test_reproduce_outputs.py",), "a failed chapter's partial outputs replace its complete ones"),
    Mutation("reproduce-shared-run-folder", "nascore/reproduce/outputs.py",
             'folder = book_dir / RUNS / f"{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"\n'
             '    (folder / "claims").mkdir(parents=True)\n    (folder / "figures").mkdir()',
             'folder = book_dir / RUNS / f"{name}.0.shared"\n'
             '    (folder / "claims").mkdir(parents=True, exist_ok=True)\n    (folder / "figures").mkdir(exist_ok=True)',
             ("tests/test_reproduce_outputs.py",), "two runs of one chapter share their reads/sizes/claims folder"),
    Mutation("reproduce-killed-run-unmarked", "nascore/reproduce/run.py",
             "    for run in sweep_killed(book_dir, state):", "    for run in []:",
             ("tests/test_reproduce_outputs.py",), "a chapter whose run was killed is not marked"),
    Mutation("executors-open-pool-left-to-exit", "nascore/tables/executors.py",
             'getattr(threading, "_register_atexit", atexit.register)(_end_open_pools)', "pass",
             ("tests/test_executors_cleanup.py::test_ctrl_c_while_the_caller_handles_a_result_ends_the_pool",),
             "Ctrl-C in the caller's loop: the interpreter's exit waits for the pool's running jobs"),
    Mutation("tables-default-is-last-dataset", "nascore/tables/registry.py",
             "            return self.datasets[0]", "            return self.datasets[-1]",
             ("tests/test_tables.py",), "a table read without a dataset gets its last dataset, not its first"),
    Mutation("tables-provenance-first-file-only", "nascore/tables/registry.py",
             "        seen = dict.fromkeys(p for paths in self.files.values() for p in paths)",
             "        seen = dict.fromkeys(paths[0] for paths in self.files.values())",
             ("tests/test_tables.py",), "a table's provenance hashes leave out all but its first file per dataset"),
    Mutation("claims-run-not-replaced", "nascore/claims.py",
             'if current is None or current.get("session") != _SESSION:', "if current is None:",
             ("tests/test_claims.py",), "a new run of a chapter adds to its old claims instead of replacing them"),
    Mutation("claims-malformed-accepted", "nascore/claims.py",
             "bad = [k for k in FIELDS if not isinstance(entry.get(k), str) or not entry[k].strip()]", "bad = []",
             ("tests/test_claims.py",), "a claim with missing fields enters the ledger"),
    Mutation("metrics-naswot-hamming", "nascore/metrics/naswot.py",
             "agree = 2 * (c @ c.T).to(torch.float64) - ones[:, None] - ones[None, :] + units",
             "agree = ones[:, None] + ones[None, :] - 2 * (c @ c.T).to(torch.float64)",
             ("tests/test_metrics_naswot.py",), "NASWOT kernel of Hamming distances instead of agreements"),
    # --- issue 26: the 200-epoch test accuracies joined to NB201 --------------------------
    Mutation("bench-nb201-test-value-shift", "nascore/bench/nb201_test.py",
             '"test_accuracy": test[TEST_200[dataset]].astype(float),',
             '"test_accuracy": np.roll(test[TEST_200[dataset]].to_numpy(float), 1),',
             ("tests/test_bench_nb201_test.py",), "test accuracies shifted one row against their cells"),
    Mutation("bench-nb201-test-12-swapped", "nascore/bench/nb201_test.py",
             "val_12, test_12 = HP12[dataset]", "test_12, val_12 = HP12[dataset]",
             ("tests/test_bench_nb201_test.py",), "12-epoch validation and test columns swapped"),
    Mutation("bench-nb201-join-positional", "nascore/bench/nb201_test.py",
             'matched = table.loc[out["arch"].to_numpy()]', "matched = table.iloc[:len(out)]",
             ("tests/test_bench_nb201_test.py",), "join by position instead of by architecture"),
    Mutation("search-report-last-query", "nascore/search/report.py",
             "return [str(r.best_arch) for r in _results(results)]",
             'return [str(r.history["arch"].iloc[-1]) for r in _results(results)]',
             ("tests/test_search_report.py",), "the last query reported instead of the best queried"),
    Mutation("search-report-std-ddof0", "nascore/search/report.py",
             "std=float(values.std(ddof=1))", "std=float(values.std())",
             ("tests/test_search_report.py",), "population std (ddof 0) reported over seeds"),
    Mutation("search-report-level-ignored", "nascore/search/report.py",
             "mean_ci(values, level=level,", "mean_ci(values, level=0.95,",
             ("tests/test_search_report.py",), "the report's interval ignores its level"),
    Mutation("search-nb201-test-as-score", "nascore/search/benchmark.py",
             '("arch", "op_indices", "val_accuracy", *NOT_SCORES)', '("arch", "op_indices", "val_accuracy")',
             ("tests/test_search_report.py",), "NB201's test accuracy offered to algorithms as a free score"),
    Mutation("search-bo-fits-test-accuracy", "nascore/search/bo.py",
             "y = benchmark.accuracy[done]", "y = benchmark.test_accuracy[done]",
             ("tests/test_search_report.py",), "BO's surrogate fitted on the test accuracy"),
    Mutation("papers-typo", "nascore/papers.py", "(71.24, 0.56)", "(71.42, 0.56)",
             ("tests/test_papers.py",), "a reported number mistyped (TE-NAS CIFAR-100)"),
    Mutation("papers-secondary-as-primary", "nascore/papers.py",
             '"leaderboard mirrors of the Papers-with-Code archive (NATS-Bench topology)", secondary=True',
             '"leaderboard mirrors of the Papers-with-Code archive (NATS-Bench topology)", secondary=False',
             ("tests/test_papers.py",), "a secondary source presented as the paper's own"),
    Mutation("protocol-normalisation-std", "nascore/inputs/normalisation.py",
             '"zero-cost-nas": {d: ((0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010), 1.0)',
             '"zero-cost-nas": {d: ((0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616), 1.0)',
             ("tests/test_cifar_scores.py", "tests/test_inputs.py"), "zero-cost-nas normalisation with the NASLib std"),
    Mutation("inputs-crop-draws-swapped", "nascore/inputs/augmentation.py",
             "rows, cols = pairs[:, 0], pairs[:, 1]", "rows, cols = pairs[:, 1], pairs[:, 0]",
             ("tests/test_inputs.py",), "the score tables' crop offsets read column first (another batch)"),
    Mutation("inputs-crc32-seed-constant", "nascore/inputs/seeds.py",
             "(zlib.crc32(arch.encode()) + 1_000_003 * seed)", "(zlib.crc32(arch.encode()) + 1_000_033 * seed)",
             ("tests/test_inputs.py",), "the NTK tables' batch seeds derived with a mistyped multiplier"),
    Mutation("manifest-skips-hash", "nascore/manifest.py", 'if digest != entry["sha256"]:', "if False:",
             ("tests/test_manifest.py",), "a changed byte of the same size passes the manifest check"),
    Mutation("fill-retries-failed-results", "nascore/tables/jobs.py",
             "is_stored = is_stored or (lambda u: store.done(key_of(u)))",
             "is_stored = is_stored or (lambda u: store.get(key_of(u)) is not None)", ("tests/test_jobs.py",),
             "every fill recomputes the units stored as failed"),
    Mutation("fill-ignores-the-time-budget", "nascore/tables/jobs.py",
             "if deadline is not None and time.monotonic() > deadline:", "if False:", ("tests/test_jobs.py",),
             "a fill with max_seconds runs every missing unit"),
    Mutation("hnas-official-queries-200-epochs", "nascore/analysis/hnas_official.py",
             'QUERY = "val_accuracy_12"', 'QUERY = "test_accuracy_12"', ("tests/test_studies_hnas_official.py",),
             "HNAS's official search queries the wrong 12-epoch column"),
    Mutation("cache-clear-without-marker", "nascore/cli/cache.py",
             "    if not (root / CACHE_MARKER).is_file():", "    if False:", ("tests/test_cli_cache.py",),
             "cache clear deletes a folder nascore never marked"),
    # --- issue 22: HNAS's constants and pool, and the round-off-proof picks --------------
    Mutation("hnas-pool-not-persistent", "nascore/search/hnas.py",
             "in_pool[rng.integers(0, len(benchmark), size=n_sample)] = True",
             "in_pool = np.isin(np.arange(len(benchmark)), rng.integers(0, len(benchmark), size=n_sample))",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "HNAS's pool rebuilt from each step's fresh draws (the earlier draws forgotten)"),
    Mutation("hnas-pool-one-fewer-draw", "nascore/search/hnas.py",
             "size=n_sample)] = True", "size=n_sample - 1)] = True",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "HNAS draws one architecture fewer per step than its pool size"),
    Mutation("hnas-default-pool-1000", "nascore/search/hnas.py",
             "n_sample=2000, init_fraction", "n_sample=1000, init_fraction",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "HNAS's default pool of fresh draws halved"),
    Mutation("hnas-official-pool-1000", "nascore/analysis/hnas_cifar.py",
             "OFFICIAL_POOL = 2000", "OFFICIAL_POOL = 1000",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "the chapter's official pool constant halved"),
    Mutation("hnas-kappa-nan-1e6", "nascore/search/hnas.py",
             "KAPPA_NAN = 1e5", "KAPPA_NAN = 1e6",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "a singular kernel's condition number read as 1e6 instead of the official 1e5"),
    Mutation("hnas-kappa-nan-zero", "nascore/search/hnas.py",
             "k_values = np.where(np.isnan(k_values), kappa_nan, k_values)",
             "k_values = np.where(np.isnan(k_values), 0.0, k_values)",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "a singular kernel ranked as the best conditioned (NaN kappa read as 0)"),
    Mutation("hnas-probe-mu-minus-1", "nascore/search/hnas.py",
             "probes = [(t, -2.0) for t", "probes = [(t, -1.0) for t",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "HNAS's probes at log10 mu = -1 instead of -2"),
    Mutation("hnas-probe-fraction", "nascore/search/hnas.py",
             "n_init = min(int(recorder.budget * init_fraction), max_init)",
             "n_init = min(int(recorder.budget * init_fraction) + 1, max_init)",
             ("tests/test_search_hnas.py", "tests/test_studies_hnas_cifar.py"), "one probe more than the official min(int(0.25 budget), 10)"),
    Mutation("picks-exact-argmax", "nascore/search/picks.py",
             "    tied = _ties(key, rel_tol)\n", "    tied = np.array([int(np.argmax(key))])\n",
             ("tests/test_search_roundoff.py",), "argbest back to an exact argmax (ties decided by round-off)"),
    Mutation("picks-ranked-exact", "nascore/search/picks.py",
             "floor = _threshold(key[by_value[lo]], rel_tol)", "floor = key[by_value[lo]]",
             ("tests/test_search_roundoff.py",), "ranked without the tolerance (near-ties ordered by round-off)"),
    Mutation("picks-climb-exact", "nascore/search/picks.py",
             "return old == -np.inf or new - old > rel_tol * max(abs(new), abs(old))",
             "return old == -np.inf or new > old",
             ("tests/test_search_roundoff.py",), "the GP fit's and EI's local search move on any gain, round-off included"),
    Mutation("result-best-last-on-ties", "nascore/search/result.py",
             "incumbent[step] = step if improves(accuracy[step], accuracy[previous]) else previous",
             "incumbent[step] = step if accuracy[step] >= accuracy[previous] else previous",
             ("tests/test_search_roundoff.py",), "the incumbent moves to a later query of equal accuracy"),
    # --- issue 24: the NAS-Bench-101 cell and network ----------------------------------------
    Mutation("nb101-remainder-to-last", "nascore/spaces/nb101.py",
             "channels[v] = share + (rank < extra)", "channels[v] = share + (rank >= len(feeders) - extra)",
             ("tests/test_spaces_nb101.py",), "the extra channels of an uneven split go to the last feeders of the output"),
    Mutation("nb101-truncate-last-channels", "nascore/spaces/nb101_network.py",
             "values[s][:, :channels[t]]", "values[s][:, -channels[t]:]",
             ("tests/test_spaces_nb101.py",), "a wider predecessor is cut to its last channels, not its first"),
    Mutation("nb101-no-output-projection", "nascore/spaces/nb101_network.py",
             "return out if projected is None else out + projected", "return out",
             ("tests/test_spaces_nb101.py",), "the input -> output edge's projection is dropped from the cell output"),
    Mutation("nb101-prune-forward-only", "nascore/spaces/nb101.py",
             "kept = sorted(_reachable(rows, 0, True) & _reachable(rows, n - 1, False))",
             "kept = sorted(_reachable(rows, 0, True))",
             ("tests/test_spaces_nb101.py",), "vertices that lead nowhere are kept (pruning from the input only)"),
    Mutation("nb101-edges-before-pruning", "nascore/spaces/nb101.py",
             "edges = sum(map(sum, pruned))", "edges = sum(map(sum, rows))",
             ("tests/test_spaces_nb101.py",), "the 9-edge limit applied before pruning, unlike the official API"),
    Mutation("nb101-no-downsampling", "nascore/spaces/nb101_network.py",
             "            if stack > 0:  # TF 'same' pooling", "            if stack > 5:  # TF 'same' pooling",
             ("tests/test_spaces_nb101.py",), "no max-pool between stacks (the parameter count does not see it)"),
    # --- issue 25: sanity checks of the weight-sharing supernet -----------------------------
    Mutation("supernet-recalibration-keeps-old-statistics", "nascore/supernet/evaluate.py",
             "        m.reset_running_stats()\n", "",
             ("tests/test_supernet_sanity.py::test_recalibrated_statistics_are_those_of_a_fresh_pass",
              "tests/test_supernet_sanity.py::test_a_childs_evaluation_does_not_depend_on_the_children_before_it"),
             "recalibration averages into the statistics left by training or by the previous child"),
    Mutation("supernet-recalibration-short-last-batch", "nascore/supernet/evaluate.py",
             "batches = torch.tensor_split(calibration, -(-len(calibration) // batch_size))",
             "batches = calibration.split(batch_size)",
             ("tests/test_supernet_sanity.py::test_recalibrated_statistics_are_those_of_a_fresh_pass",),
             "a short last calibration batch weighs as much as a full one"),
    Mutation("supernet-one-child-still-draws", "nascore/supernet/sandwich.py",
             "    if recipe.only_child is not None:\n        return [recipe.only_child]",
             "    if recipe.only_child is not None:\n        kids.sample_connected(1, generator)\n"
             "        return [recipe.only_child]",
             ("tests/test_supernet_sanity.py::test_a_one_child_recipe_draws_nothing",
              "tests/test_supernet_sanity.py::test_a_supernet_trained_on_one_child_is_that_child_trained_alone"),
             "the supernet's random stream drifts from the lone network's (other data order and crops)"),
    Mutation("supernet-curve-overrides-ablation-at-one-budget", "nascore/studies/supernet_verdicts.py",
             "    if longest <= b[\"epochs\"]:", "    if longest < b[\"epochs\"]:",
             ("tests/test_studies_supernet_verdicts.py::test_a_technique_rests_on_the_longest_budget_of_its_size",),
             "the curve's one seed decides over the ablation's two at the same budget"),
    Mutation("supernet-curve-rows-at-the-ablation-budget", "nascore/tables/readers.py",
             "(curve.epochs > frame.epochs.max())", "(curve.epochs >= frame.epochs.max())",
             ("tests/test_supernet_curve.py::test_the_loaded_table_holds_the_ablation_runs_and_the_curves_longer_ones",),
             "the curve's 8-epoch runs join the ablation's: two runs under one (epochs, variant, seed)"),
    Mutation("supernet-teacher-label-loss-dropped", "nascore/supernet/sandwich.py",
             "        total.backward()\n", "        if i > 0:\n            total.backward()\n",
             ("tests/test_supernet_sanity.py::test_the_largest_child_fits_its_training_images_better_with_more_epochs",),
             "the teacher's label loss never reaches the weights (only distillation to an untaught teacher)"),
    Mutation("supernet-one-child-zero-init", "nascore/supernet/trainer.py",
             "    if recipe.zero_init_residual:\n        net.zero_init_residual()",
             "    net.zero_init_residual()",
             ("tests/test_supernet_sanity.py::test_a_supernet_trained_on_one_child_is_that_child_trained_alone",),
             "a recipe switch ignored by the trainer (zero-init always on)"),
    Mutation("supernet-calibration-class-sorted", "nascore/supernet/inputs.py",
             "order = torch.randperm(len(y), generator=torch.Generator().manual_seed(20_000 + seed))",
             "order = torch.arange(len(y))",
             ("tests/test_supernet_sanity.py::test_calibration_batches_mix_the_classes",),
             "calibration images in the stored (class) order: each recalibration batch holds one or two classes"),
    Mutation("claims-stand-in-gives-a-verdict", "nascore/claims.py",
             'if source in STUDY_SOURCES and verdict != "not attempted":',
             'if False and source in STUDY_SOURCES and verdict != "not attempted":',
             ("tests/test_claims.py",), "a claim on stand-in data keeps its verdict instead of being a study"),
    Mutation("nb101-compare-signed-interval", "nascore/bench/nb101_compare.py",
             "lo, hi = sorted((abs(low), abs(high)))", "lo, hi = sorted((low, high))",
             ("tests/test_bench_nb101_compare.py",), "a negative rho's interval compared with an unsigned published |rho|"),
    Mutation("lga-weak-threshold-inclusive", "nascore/studies/lga.py",
             "if taus.max() < WEAK_TAU:", "if taus.max() <= WEAK_TAU:",
             ("tests/test_studies_lga_population.py",), "a tau exactly at the weak threshold counted as weak"),
    Mutation("selection-random-search-minimises", "nascore/search/selection.py",
             'methods = {"random search": (truth, True)}', 'methods = {"random search": (truth, False)}',
             ("tests/test_search_selection.py",), "random search keeps its worst queried cell"),
    Mutation("lga-population-outside-cells", "nascore/tables/cifar_ntk/export.py",
             "part = part[part.arch.map(index) < LGA_POPULATION]", "part = part[part.arch.map(index) < 15625]",
             ("tests/test_cifar_ntk.py",), "cells outside NB201's first 1,000 exported as LGA's population"),
    Mutation("cifar-ntk-export-drops-shipped-rows", "nascore/tables/cifar_ntk/export.py",
             'rows[row.pop("arch")] = row', 'row.pop("arch")',
             ("tests/test_cifar_ntk_export.py",), "a one-file export rewrites the shipped file from the store alone"),
    Mutation("cifar-ntk-export-shipped-row-wins", "nascore/tables/cifar_ntk/export.py",
             "rows.setdefault(arch, {}).update(values)", "rows.setdefault(arch, dict(values))",
             ("tests/test_cifar_ntk_export.py",), "a shipped row is kept over the store's row of the same cell"),
    Mutation("das-readable-ratio-strict", "nascore/studies/das_claims.py",
             "bool(naswot_tau >= MIN_BASE_TAU)", "bool(naswot_tau > MIN_BASE_TAU)",
             ("tests/test_studies_das_claims.py",), "a NASWOT tau exactly at 0.1 makes its ratio unreadable"),
    Mutation("das-fast-training-point-estimates", "nascore/studies/das_claims.py",
             "if all(by_epoch.low[e] > base for e in epochs):", "if all(by_epoch.value[e] > base for e in epochs):",
             ("tests/test_studies_das_claims.py",), "fast training reproduced on point estimates, not intervals"),
    Mutation("lga-dead-tolerance-strict", "nascore/studies/lga_curves.py",
             "(frame.lga_raw_e0 >= 1 - tol)", "(frame.lga_raw_e0 > 1 - tol)",
             ("tests/test_studies_lga_parts.py",), "a raw LGA exactly at 1 - tol not counted as a dead network"),
    Mutation("supernet-paper-scale-is-stand-in", "nascore/studies/supernet_claims.py",
             'basis_name == "paper-scale" or not provisional', "not provisional",
             ("tests/test_studies_supernet_parts.py",), "claims on the paper-scale GPU run recorded as stand-in data"),
    # --- issue 23: the NTK and zc-NASWOT tables' jobs, resumed through a results store ------
    Mutation("ntk-export-float-format", "nascore/tables/nb201_ntk.py",
             'return "" if math.isnan(value) else repr(value)',
             'return "" if math.isnan(value) else f"{value:.9g}"',
             ("tests/test_tables_nb201_ntk.py",), "the NTK table exported with 9 significant digits, not the shipped repr"),
    Mutation("ntk-nan-trace-kept", "nascore/tables/nb201_ntk.py",
             'nan_allowed=("ntk_condition",)', 'nan_allowed=("ntk_condition", "ntk_trace")',
             ("tests/test_tables_nb201_ntk.py",), "a NaN NTK trace stored as a row instead of a failed kernel"),
    Mutation("zc-naswot-minus-inf-refused", "nascore/tables/nb201_zc_naswot.py",
             "math.isnan(value) or value == math.inf or", "not math.isfinite(value) or",
             ("tests/test_tables_nb201_zc_naswot.py",), "a log-determinant of -inf (singular kernel) refused, so shipped rows go missing"),
    Mutation("zc-naswot-refill-stored", "nascore/tables/nb201_zc_naswot.py",
             "todo = [u for u in units if not store.done(key_of(u))]", "todo = units",
             ("tests/test_tables_nb201_zc_naswot.py",), "a resumed fill scores the stored architectures again"),
    # --- issue 23: the one training loop ----------------------------------------------------
    Mutation("training-loop-rate-one-step-late", "nascore/training/loop.py",
             'group["lr"] = lr_at(epoch * steps_per_epoch + b, total)',
             'group["lr"] = lr_at(epoch * steps_per_epoch + b + 1, total)',
             ("tests/test_training_one_loop.py", "tests/test_training_loop.py"),
             "every step takes the next step's learning rate (the schedule shifted by one)"),
    Mutation("training-stacked-loss-averaged-over-nets", "nascore/training/steps.py",
             "losses.sum().backward()", "losses.mean().backward()",
             ("tests/test_training_one_loop.py", "tests/test_training_loop.py"),
             "a stack's nets share the step: each net's gradient divided by the stack's size"),
    # --- issue 23: one writer of a table's files ---------------------------------------------
    Mutation("export-readme-without-integrity", "nascore/tables/export_files.py",
             'return "\\n".join([*lines, *INTEGRITY])', 'return "\\n".join(lines)',
             ("tests/test_export_files.py", "tests/test_export_bytes.py"),
             "a data README written without the integrity note it must end with"),
    Mutation("export-csv-written-in-place", "nascore/tables/export_files.py",
             "frame.to_csv(tmp, index=False", "frame.to_csv(path, index=False",
             ("tests/test_export_files.py",), "a CSV written over the shipped file directly: a killed export leaves half a file"),
]


def copy_repository(root: Path, target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "_build", ".pytest_cache", "*.pyc", ".hypothesis")
    for name in COPIED:
        source = root / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=ignore, symlinks=True)
        elif source.exists():
            shutil.copy2(source, target / name)


def run_tests(copy: Path, targets, cache: Path, timeout: float, log: Path | None = None):
    """``(returncode, failing node ids, seconds)`` of pytest on ``targets`` in ``copy``;
    pytest's output goes to ``log`` when given."""
    env = dict(os.environ, PYTHONPATH=str(copy), NASCORE_CACHE=str(cache), PYTHONDONTWRITEBYTECODE="1",
               MPLBACKEND="Agg")
    # property tests: the same examples for every mutant, and no failing example carried
    # over from one mutant to the next through hypothesis's example database
    shutil.rmtree(copy / ".hypothesis", ignore_errors=True)
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider",
                               "-o", "addopts=", "--hypothesis-seed=0", *targets], cwd=copy, env=env, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, ["(timed out)"], time.perf_counter() - start
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text(done.stdout + done.stderr)
    failing = sorted(set(re.findall(r"^(?:FAILED|ERROR) (\S+)", done.stdout, flags=re.M)))
    if done.returncode != 0 and not failing:
        failing = [f"(pytest exit {done.returncode}: {done.stdout.strip().splitlines()[-1:] or done.stderr[-200:]})"]
    return done.returncode, failing, time.perf_counter() - start


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=None, help="ids (or id prefixes) to run")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    parser.add_argument("--move", nargs="*", default=[], metavar="OLD=NEW",
                        help="remap a mutated file or test path that has moved (repeatable)")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per pytest run")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (and logs/<id>.txt)")
    args = parser.parse_args(argv)

    moves = dict(m.split("=", 1) for m in args.move)
    chosen = [m for m in MUTATIONS if not args.only or any(m.id.startswith(p) for p in args.only)]
    if args.list:
        for m in chosen:
            print(f"{m.id:36s} {moves.get(m.file, m.file):34s} {m.what}")
        return 0
    if not chosen:
        print("no mutation matches --only", args.only)
        return 2

    workdir = Path(tempfile.mkdtemp(prefix="nascore-mutants-"))
    copy = workdir / "repo"
    copy.mkdir()
    copy_repository(REPO, copy)
    rows, bad = [], 0
    try:
        env = dict(os.environ, PYTHONPATH=str(copy))
        where = subprocess.run([sys.executable, "-c", "import nascore; print(nascore.__file__)"], cwd=copy,
                               env=env, capture_output=True, text=True).stdout.strip()
        if not where.startswith(str(copy)):
            print(f"the copy's package is not the one imported ({where!r}); is nascore installed non-editable?")
            return 2
        targets_all = sorted({moves.get(t, t) for m in chosen for t in m.tests})
        code, failing, seconds = run_tests(copy, targets_all, workdir / "cache-baseline", args.timeout)
        print(f"baseline: {len(targets_all)} test files, exit {code}, {seconds:.0f} s")
        if code != 0:
            print("the unmutated tests fail; fix that first:", *failing, sep="\n  ")
            return 2
        for i, m in enumerate(chosen):
            path = copy / moves.get(m.file, m.file)
            original = path.read_text() if path.exists() else None
            found = original.count(m.old) if original is not None else 0
            if found != 1:
                rows.append((m, "NOT APPLIED", [f"'old' text found {found} times in {path.relative_to(copy)}"], 0.0))
                bad += 1
                continue
            path.write_text(original.replace(m.old, m.new))
            try:
                code, failing, seconds = run_tests(copy, [moves.get(t, t) for t in m.tests],
                                                   workdir / f"cache-{i}", args.timeout,
                                                   log=workdir / "logs" / f"{m.id}.txt")
            finally:
                path.write_text(original)
            status = "caught" if code != 0 else ("survived (expected)" if m.expected_survivor else "SURVIVED")
            bad += status == "SURVIVED"
            rows.append((m, status, failing if code != 0 else [m.expected_survivor] if m.expected_survivor else [],
                         seconds))
            print(f"  {m.id}: {status} ({seconds:.0f} s)", flush=True)
    finally:
        if args.keep:
            print("copy kept in", workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\n| mutation | file | result | caught by |\n|---|---|---|---|")
    for m, status, detail, _ in rows:
        shown = "<br>".join(detail[:6]) + (f"<br>(+{len(detail) - 6} more)" if len(detail) > 6 else "")
        print(f"| {m.id}: {m.what} | {moves.get(m.file, m.file)} | {status} | {shown} |")
    survivors = [m.id for m, status, _, _ in rows if status != "caught"]
    print(f"\n{len(rows) - len(survivors)} of {len(rows)} caught" + (f"; not caught: {', '.join(survivors)}"
                                                                  if survivors else ""))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
