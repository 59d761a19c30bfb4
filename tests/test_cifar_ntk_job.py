"""The real-CIFAR NTK table's job (``nascore.tables.cifar_ntk.job``): its units, content
keys, compute and fill over an executor, and the job records the registry names."""
from __future__ import annotations

import re

import pytest

from nascore import tables
from nascore.tables.cifar_ntk import after_epoch, export, job, statistics
from nascore.tables.cifar_ntk.results import open_store
from nascore.tables.executors import LocalExecutor
from nascore.tables.jobs import Job

A = "|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|"
B = "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"


def test_a_units_key_follows_every_parameter_but_the_device():
    unit = job.Statistics(A, "cifar10", "hnas", 64)
    assert job.key_of(unit) == job.key_of(job.Statistics(A, "cifar10", "hnas", 64, device="cuda"))
    changed = [job.Statistics(B, "cifar10", "hnas", 64), job.Statistics(A, "cifar100", "hnas", 64),
               job.Statistics(A, "cifar10", "lga", 64), job.Statistics(A, "cifar10", "hnas", 32),
               job.Statistics(A, "cifar10", "hnas", 64, seed=1), job.Training(A, batch=64)]
    keys = {job.key_of(u) for u in changed}
    assert len(keys) == 6 and job.key_of(unit) not in keys
    assert job.key_of(job.Training(A)) != job.key_of(job.Training(A, limit=410))


@pytest.mark.parametrize("make, message", [
    (lambda: job.Statistics(A, "cifar10", "bogus", 8), "unknown group 'bogus'; allowed: hnas, tenas, zhu, lga"),
    (lambda: job.Statistics(A, "imagenet", "hnas", 8), "unknown dataset 'imagenet'; allowed: cifar10, cifar100"),
    (lambda: job.Statistics(A, "cifar10", "hnas", 0), "batch must be a positive integer, got 0"),
    (lambda: job.Statistics(A, "cifar10", "hnas", 8, repeats=3), "repeats 3 for group 'hnas': only tenas"),
    (lambda: job.Training(A, limit=0), "limit must be a positive integer or None, got 0"),
    (lambda: job.Training(A, held_out=True), "held_out must be a positive integer, got True"),
])
def test_a_bad_unit_is_refused_naming_the_bad_value(make, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def _fake_stats(calls):
    def fake(group, arch, dataset, *, batch, seed, **kw):
        calls.append((group, arch, seed))
        # hand-checkable: the arch's length, 1000 x the batch, plus the seed
        return {**{c: float(len(arch) + 1000 * batch + seed) for c in statistics.COLUMNS[group]}, "seconds": 0.25}
    return fake


def test_fill_computes_what_the_store_lacks_over_an_executor_group_major(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(statistics, "group_stats", _fake_stats(calls))
    store, executor = open_store(tmp_path), LocalExecutor(1, threads=None, progress=False)
    frame = job.JOB.fill(store, executor, [A, B], [0, 1], groups=("hnas", "zhu"), batches={"zhu": 16})
    assert len(frame) == 8 and len(calls) == 8
    assert calls[:4] == [("hnas", A, 0), ("hnas", B, 0), ("hnas", A, 1), ("hnas", B, 1)]  # cheap group first
    row = frame[(frame.arch == B) & (frame.group == "zhu") & (frame.seed == 1)].iloc[0]
    assert row.ntk_lambda_min == len(B) + 16_000 + 1 and row.batch == 16 and row.device == "cpu"
    assert row.kind == "stats" and row.repeats == 1
    again = job.JOB.fill(store, executor, [A, B], [0, 1], groups=("hnas", "zhu"), batches={"zhu": 16})
    assert len(calls) == 8 and len(again) == 8  # a rerun resumes: nothing recomputed
    assert job.run_stats(tmp_path, groups=["hnas"], dataset="cifar10", archs=[A, B], progress=False) == 0


def test_a_non_finite_value_is_stored_as_a_failure_never_a_row(tmp_path, monkeypatch):
    monkeypatch.setattr(statistics, "group_stats", lambda group, arch, dataset, **kw: {
        "ntk_trace": float("inf") if arch == A else 2.0, "hnas_kappa": 1.0, "hnas_lambda_min": 1.0,
        "hnas_lambda_max": 1.0, "seconds": 0.1})
    store = open_store(tmp_path)
    frame = job.fill(store, LocalExecutor(1, progress=False), [A, B], [0], groups=("hnas",))
    assert frame.arch.tolist() == [B]
    assert store.status(job.key_of(job.Statistics(A, "cifar10", "hnas", 64))) == "failed"


def test_a_training_unit_is_computed_and_keyed_as_the_train_command_does(tmp_path, monkeypatch):
    seen = {}

    def fake(arch, **kw):
        seen.update(kw)
        return {**{c: 0.5 for c in after_epoch.COLUMNS}, "seconds_train": 3.0, "seconds_score": 1.0}

    monkeypatch.setattr(after_epoch, "trained_stats", fake)
    record = job.compute(job.Training(A, limit=410, held_out=16))
    assert seen == {"device": "cpu", "seed": 0, "batch": 205, "held_out": 16, "limit": 410}
    assert (record["kind"], record["dataset"], record["batch"], record["lga_after_1_epoch"]) == ("train", "cifar10", 205, 0.5)
    assert job.run_train(tmp_path, archs=[A], limit=410, held_out=16, progress=False) == 1
    assert job.key_of(job.Training(A, limit=410, held_out=16)) in open_store(tmp_path)
    frame = job.fill_trained(open_store(tmp_path), LocalExecutor(1, progress=False), [A], [0], limit=410, held_out=16)
    assert frame.steps.tolist() == [0.5]  # already stored: read back, not retrained


def test_every_real_cifar_ntk_table_names_the_job_whose_export_writes_it():
    names = [n for n in tables.names() if n.startswith("nb201-cifar-ntk")]
    assert len(names) == 4
    jobs = {n: tables.get(n).job.rpartition(".")[2] for n in names}
    assert jobs == {"nb201-cifar-ntk": "JOB", "nb201-cifar-ntk-hnas": "JOB",
                    "nb201-cifar-ntk-lga1000": "LGA_POPULATION_JOB", "nb201-cifar-ntk-zhu-uniform": "ZHU_UNIFORM_JOB"}
    assert job.LGA_POPULATION_JOB.export is export.export_lga_population
    assert job.ZHU_UNIFORM_JOB.export is export.export_zhu_uniform
    for other in (job.LGA_POPULATION_JOB, job.ZHU_UNIFORM_JOB):
        assert isinstance(other, Job) and (other.unit, other.key_of, other.compute, other.fill) == (
            job.Statistics, job.key_of, job.compute, job.fill)


def test_a_training_line_reports_what_the_cell_cost():
    unit = job.Training("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|")
    line = job._progress(unit, {"seconds_train": 81.6, "seconds_score": 426.4}, "3/92")
    assert line == "[3/92] trained in 82 s, scored in 426 s: |none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    assert job._progress(unit, {}, "1/2") == "[1/2] trained |none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
