"""A table's job (``nascore.tables.jobs.Job``): its parts resolve, and its content key
follows what determines a result."""
from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass

import pytest

from nascore import tables
from nascore.fingerprint import result_key
from nascore.tables.executors import LocalExecutor
from nascore.tables.jobs import Job, fill_missing, store_trained
from nascore.tables.registry import Table
from nascore.tables.schema import Schema
from nascore.tables.store import ResultStore


@dataclass(frozen=True)
class Square:
    """A toy unit of work: square one number."""

    x: int
    power: int = 2


def _key(unit: Square) -> str:
    return result_key("toy-square", code=("nascore.stats",), params={"x": unit.x, "power": unit.power})


def _compute(unit: Square) -> dict:
    return {"x": unit.x, "value": unit.x ** unit.power}


def _fill(store, executor, units, **_):
    for unit, record in executor.imap(_compute, units):
        store.put(_key(unit), record)
    return store.frame([_key(u) for u in units])


TOY = Job(Square, _key, _compute, _fill)


def test_a_toy_job_fills_a_store_under_keys_that_follow_its_parameters(tmp_path):
    from nascore.tables.executors import LocalExecutor

    assert TOY.key_of(Square(3)) == TOY.key_of(Square(3))
    assert TOY.key_of(Square(3)) != TOY.key_of(Square(3, power=3))  # a parameter changed
    frame = TOY.fill(ResultStore(tmp_path), LocalExecutor(1, progress=False), [Square(2), Square(3)])
    assert sorted(frame.value) == [4, 9]


@pytest.mark.parametrize("fields, message", [
    ({"unit": dict}, "a job's unit must be a frozen dataclass type, not <class 'dict'>"),
    ({"compute": "nascore.x.run"}, "a job's compute must be a function, not 'nascore.x.run'"),
    ({"export": 3}, "a job's export must be a function, not 3"),
])
def test_a_bad_job_is_refused_naming_the_bad_part(fields, message):
    parts = dict(unit=Square, key_of=_key, compute=_compute, fill=_fill) | fields
    with pytest.raises(ValueError, match=re.escape(message)):
        Job(**parts)


def resolve(dotted: str):
    """What a dotted name ``"package.module.name"`` names (the registry never imports it)."""
    module, _, attribute = dotted.rpartition(".")
    return getattr(importlib.import_module(module), attribute)


def test_a_table_names_its_job_by_a_dotted_name():
    base = dict(name="toy", folder="toy", files={"a": ("toy/a.csv",)}, loader=lambda d: None, description="")
    assert Table(**base).job is None
    assert resolve(Table(**base, job=f"{__name__}.TOY").job) is TOY
    message = "table toy: job must be a dotted name (module.name), not 'toy job'"
    with pytest.raises(ValueError, match=re.escape(message)):
        Table(**base, job="toy job")


@pytest.mark.parametrize("name", [n for n in tables.names() if tables.get(n).job])
def test_every_registered_job_resolves_to_a_job_whose_export_is_the_tables(name):
    record = tables.get(name)
    job = resolve(record.job)
    assert isinstance(job, Job)
    assert job.unit.__module__ == record.job.rpartition(".")[0]  # the unit lives beside its job
    if record.export:
        assert resolve(record.export) is job.export


def test_the_trained_tables_keys_change_with_a_parameter_and_with_nothing_else():
    from dataclasses import replace

    from nascore.tables import mixed_mnist5k as mixed, nb201_mnist5k as conv

    space, protocol = mixed.MixedSpace(hidden_layers=2, width=8), mixed.MIXED_PROTOCOL
    key = mixed.key_of("digits", space, protocol, 0, "relu-relu|")
    assert key == mixed.key_of("digits", mixed.MixedSpace(hidden_layers=2, width=8), protocol, 0, "relu-relu|")
    assert key != mixed.key_of("digits", space, replace(protocol, lr=4.0), 0, "relu-relu|")
    assert key != mixed.key_of("digits", replace(space, width=16), protocol, 0, "relu-relu|")
    assert key != mixed.key_of("digits", space, protocol, 1, "relu-relu|")
    arch = conv.ConvSpace().architectures(1)[0]
    key = conv.key_of(conv.ConvSpace(), conv.CONV_PROTOCOL, 0, arch)
    assert key != conv.key_of(conv.ConvSpace(C=8), conv.CONV_PROTOCOL, 0, arch)
    assert key != conv.key_of(conv.ConvSpace(), replace(conv.CONV_PROTOCOL, epochs=5, checkpoints=(1, 2)), 0, arch)
    assert key != conv.key_of(conv.ConvSpace(), conv.CONV_PROTOCOL, 0, conv.ConvSpace().architectures(2)[1])


def test_a_trained_record_with_a_non_finite_value_is_stored_as_failed(tmp_path):
    store = ResultStore(tmp_path)
    assert store_trained(store, "ab" * 32, {"arch": "a", "acc_e1": math.inf, "train_loss": 0.5}) == "non-finite acc_e1"
    assert store_trained(store, "cd" * 32, {"arch": "b", "train_loss": 0.5, "failure": "diverged"}) == "diverged"
    assert store_trained(store, "ef" * 32, {"arch": "c", "acc_final": 0.9, "train_loss": 0.5}) is None
    assert store.status("ab" * 32) == store.status("cd" * 32) == "failed"
    assert store.frame().arch.tolist() == ["c"]


# -- fill_missing: the loop every fill runs -------------------------------------------------
def _counting(calls):
    def compute(unit):
        calls.append(unit.x)
        return {"x": unit.x, "value": float("nan") if unit.x == 4 else float(unit.x ** unit.power)}
    return compute


def test_fill_missing_computes_only_what_the_store_lacks_and_files_each_result(tmp_path):
    store = ResultStore(tmp_path, Schema({"x": int, "value": float}, finite=("value",)))
    units = [Square(x) for x in range(1, 6)]
    store.put(_key(units[1]), {"x": 2, "value": 4.0})
    calls, seen, before = [], [], []
    computed = fill_missing(store, LocalExecutor(1, progress=False), _counting(calls), units, _key,
                            before=lambda stored, missing: before.append((stored, missing)),
                            after_each=lambda i, n, unit, record, valid: seen.append((i, n, unit.x, valid)))
    assert computed == 4 and calls == [1, 3, 4, 5] and before == [(1, 4)]
    # x = 4 gave NaN: filed as a failed result (valid False), never as a row
    assert seen == [(1, 4, 1, True), (2, 4, 3, True), (3, 4, 4, False), (4, 4, 5, True)]
    assert store.status(_key(units[3])) == "failed" and store.get(_key(units[4])) == {"x": 5, "value": 25.0}
    # a second run finds everything stored, the failed unit included: nothing is recomputed
    calls.clear()
    assert fill_missing(store, LocalExecutor(1, progress=False), _counting(calls), units, _key) == 0 and calls == []
    # a caller that retries failed results says so with is_stored
    again = fill_missing(store, LocalExecutor(1, progress=False), _counting(calls), units, _key,
                         is_stored=lambda u: store.get(_key(u)) is not None)
    assert again == 1 and calls == [4]


def test_fill_missing_stops_taking_units_after_max_seconds(tmp_path):
    store, calls = ResultStore(tmp_path, Schema({"x": int, "value": float}, finite=("value",))), []
    units = [Square(x) for x in range(1, 6)]
    # a budget of 0 s is spent once the first unit is filed: that one is kept, no other is started
    assert fill_missing(store, LocalExecutor(1, progress=False), _counting(calls), units, _key, max_seconds=0) == 1
    assert calls == [1] and store.get(_key(units[0])) == {"x": 1, "value": 1.0}
    assert fill_missing(store, LocalExecutor(1, progress=False), _counting(calls), units, _key) == 4  # resumes
    with pytest.raises(ValueError, match=r"max_seconds must be a non-negative number of seconds or None, got -1"):
        fill_missing(store, LocalExecutor(1, progress=False), _counting(calls), units, _key, max_seconds=-1)


def test_fill_missing_files_through_the_callers_function(tmp_path):
    store, filed = ResultStore(tmp_path), []
    units = [Square(x) for x in (2, 3)]
    count = fill_missing(store, LocalExecutor(1, progress=False), _compute, units, key_of=None,
                         is_stored=lambda u: False, file_result=lambda u, record: filed.append(record["value"]))
    assert count == 2 and filed == [4, 9] and len(store) == 0
