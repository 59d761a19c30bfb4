"""A stored value that is NaN, infinite, not a number, null or missing is never an
ordinary row: each table's store schema quarantines such a record on read (it is then
recomputed) and ``put_checked`` stores a computed one as a failure with its reason."""
import json
import math
import warnings

import pytest

from nascore.tables import nb201_cifar_scores as cifar_scores
from nascore.tables.schema import explained_values, number_values
from nascore.tables.store import ResultStore, StoreWarning
from nascore.tables.cifar_ntk import export as cifar_ntk_export
from nascore.tables.cifar_ntk.results import open_store as open_ntk_store
from nascore.tables.cifar_ntk.store_tables import table as ntk_table

POISON = {"NaN": math.nan, "Infinity": math.inf, "abc": "abc", "null": None}


def _poison_file(store, key, path_in_record, value):
    """Rewrite the stored file of ``key`` with one value replaced (``...`` deletes it)."""
    path = store.root / key[:2] / f"{key}.json"
    envelope = json.loads(path.read_text())
    target = envelope["record"]
    for part in path_in_record[:-1]:
        target = target[part]
    if value is ...:
        del target[path_in_record[-1]]
    else:
        target[path_in_record[-1]] = value
    path.write_text(json.dumps(envelope, allow_nan=True))


def _hnas_record(arch, trace=12.5, kappa=300.0):
    return {"kind": "stats", "arch": arch, "dataset": "cifar10", "group": "hnas", "batch": 64, "seed": 0,
            "repeats": 1, "ntk_trace": trace, "hnas_kappa": kappa, "hnas_lambda_min": 1.0,
            "hnas_lambda_max": 300.0, "seconds": 1.0, "device": "cpu"}


ARCH = "|nor_conv_3x3~0|+|none~0|skip_connect~1|+|nor_conv_1x1~0|none~1|avg_pool_3x3~2|"


@pytest.mark.parametrize("poison", [*POISON, "missing"])
def test_a_poisoned_ntk_record_is_quarantined_and_not_exported(tmp_path, poison):
    store = open_ntk_store(tmp_path)
    store.put("ab" * 32, _hnas_record(ARCH))
    store.put("cd" * 32, _hnas_record("|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|", trace=3.0))
    _poison_file(store, "ab" * 32, ["ntk_trace"], ... if poison == "missing" else POISON[poison])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = ntk_table(tmp_path, "cifar10")
    assert frame.arch.tolist() == ["|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"]
    assert any(issubclass(w.category, StoreWarning) and "ntk_trace" in str(w.message) for w in caught)
    assert len(list((tmp_path / "quarantine").glob("*.reason.txt"))) == 1


def test_a_singular_kernel_keeps_its_documented_nan_kappa(tmp_path):
    store = open_ntk_store(tmp_path)
    assert store.put_checked("ab" * 32, _hnas_record(ARCH, kappa=math.nan))
    frame = ntk_table(tmp_path, "cifar10")
    assert frame.ntk_trace.tolist() == [12.5] and math.isnan(frame.hnas_kappa[0])


def test_a_computed_infinite_value_is_stored_as_a_failure_with_its_reason(tmp_path):
    store = open_ntk_store(tmp_path)
    assert not store.put_checked("ab" * 32, _hnas_record(ARCH, kappa=math.inf))
    assert store.status("ab" * 32) == "failed"
    assert "hnas_kappa" in store.failures().reason[0] and "not finite" in store.failures().reason[0]
    assert ntk_table(tmp_path, "cifar10").empty


def _score_record(values, errors=None):
    return {"kind": cifar_scores.KIND, "arch": ARCH, "dataset": "cifar10", "metrics": sorted(values),
            "values": values, "errors": errors or {}, "seconds": 2.0}


@pytest.mark.parametrize("poison", [*POISON, "missing"])
def test_a_poisoned_score_record_is_quarantined(tmp_path, poison):
    store = cifar_scores.open_store(tmp_path)
    store.put("ab" * 32, _score_record({"naswot": 1500.0, "synflow": 1.03e24}))
    _poison_file(store, "ab" * 32, ["values", "synflow"], ... if poison == "missing" else POISON[poison])
    with pytest.warns(StoreWarning, match="synflow"):
        assert store.get("ab" * 32) is None


def test_a_failed_metric_is_none_with_its_error(tmp_path):
    store = cifar_scores.open_store(tmp_path)
    record = _score_record({"naswot": None, "synflow": 2.0}, {"naswot": "singular kernel"})
    store.put("ab" * 32, record)
    assert store.get("ab" * 32)["values"]["naswot"] is None


def test_the_metric_score_cache_refuses_a_poisoned_value(tmp_path):
    from nascore.metrics.table import _store

    store = _store(tmp_path)
    store.put("ab" * 32, {"value": 3.5, "seconds": 0.1, "error": None})
    _poison_file(store, "ab" * 32, ["value"], "abc")
    with pytest.warns(StoreWarning, match="not a number"):
        assert store.get("ab" * 32) is None


def test_the_value_rules_by_hand():
    assert explained_values({"a": 1, "b": None}, {"b": "why"}, ["a", "b"]) == []
    assert explained_values({"a": math.nan}, {}, ["a"]) == ["value 'a' is not finite (nan)"]
    assert explained_values({"a": True}, {}, ["a"]) == ["value 'a' is not a number (True)"]
    assert explained_values({"a": None}, {"a": ""}, ["a"]) == ["value 'a' is missing without a reason"]
    assert number_values({"k": math.nan, "m": math.nan}, ["k", "m"], nan_allowed={"k"}) == [
        "value 'm' is not finite (nan)"]
    assert number_values({"k": -math.inf}, ["k"], nan_allowed={"k"}) == ["value 'k' is not finite (-inf)"]
    assert number_values({}, ["k"]) == ["value 'k' is missing"]
    assert number_values({"k": None}, ["k"]) == ["value 'k' is not a number (None)"]


def test_a_full_disk_names_the_file_it_could_not_write(tmp_path, monkeypatch):
    import os

    store = ResultStore(tmp_path)
    monkeypatch.setattr("os.fdopen", lambda fd, mode: os.close(fd) or _Full())
    with pytest.raises(OSError) as error:
        store.put("ab" * 32, {"a": 1})
    assert error.value.filename == str(tmp_path / "ab" / f"{'ab' * 32}.json")
    assert "No space left" in error.value.strerror
    assert list((tmp_path / "ab").iterdir()) == []  # no temporary file left behind


class _Full:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def write(self, text):
        import errno
        import os

        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_extending_the_shipped_full_space_table_keeps_its_rows_and_adds_the_new(tmp_path):
    import pandas as pd

    other = "|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|"
    dest = tmp_path / "dest"
    dest.mkdir()
    pd.DataFrame([{"arch": ARCH, "ntk_trace": 99.0, "hnas_kappa": 7.0, "hnas_lambda_min": 1.0,
                   "hnas_lambda_max": 7.0, "op_indices": "(0,)"}]).to_csv(dest / "hnas_all_cifar10.csv", index=False)
    store = open_ntk_store(tmp_path / "store")
    store.put("ab" * 32, _hnas_record(ARCH, trace=1.0))      # recomputed elsewhere: the shipped row stays
    store.put("cd" * 32, _hnas_record(other, trace=3.0))
    path, added = cifar_ntk_export.extend_hnas_all(tmp_path / "store", dest)
    frame = pd.read_csv(path).set_index("arch")
    assert added == 1 and frame.loc[ARCH, "ntk_trace"] == 99.0 and frame.loc[other, "ntk_trace"] == 3.0
    assert (dest / "manifest.json").exists()
