"""The one-file exports of the real-CIFAR NTK table merge a results store into the file
already there (``nascore.tables.cifar_ntk.export``): a run resumed with ``--skip-table``
after its store was lost adds its rows and drops none of the shipped ones."""
from __future__ import annotations

import hashlib
import math
import shutil

import pandas as pd

from nascore.bench.nb201_test import nb201_accuracies
from nascore.paths import DATA_DIR
from nascore.tables.cifar_ntk import after_epoch, architectures, export
from nascore.tables.cifar_ntk.results import open_store

ZHU_COLUMNS = ["arch", "nb201_index", "uniform_position", "ntk_lambda_min_b16", "seconds", "device",
               "device_name", "torch"]


def _put(store, record):
    key = hashlib.sha256(repr(sorted(record.items())).encode()).hexdigest()  # any key: exports read them all
    assert store.put_checked(key, record)


def _zhu(store, arch, value, device="cpu", torch="2.13.0+cpu"):
    _put(store, {"kind": "stats", "arch": arch, "dataset": "cifar10", "group": "zhu", "batch": 16, "seed": 0,
                 "repeats": 1, "ntk_lambda_min": value, "seconds": 2.0, "device": device, "device_name": "x",
                 "torch": torch})


def _index(arch):
    return int(nb201_accuracies("cifar10").set_index("arch").nb201_index[arch])


def test_zhu_uniform_keeps_shipped_rows_adds_the_stores_and_a_stored_row_replaces_a_shipped_one(tmp_path):
    order = architectures.arch_list("all")
    dest = tmp_path / "d"
    dest.mkdir()
    shipped = [{"arch": a, "nb201_index": _index(a), "uniform_position": p, "ntk_lambda_min_b16": v, "seconds": 1.5,
                "device": "cpu", "device_name": "x86_64", "torch": "2.10"}  # "2.10" must not become 2.1
               for a, p, v in ((order[0], 0, 1.0), (order[3], 3, 4.0))]
    pd.DataFrame(shipped).to_csv(dest / export.ZHU_UNIFORM_FILE, index=False)
    store = open_store(tmp_path / "s")
    _zhu(store, order[3], 40.0)                       # replaces the shipped row of the same cell
    _zhu(store, order[1], 2.0)
    _zhu(store, order[1], 20.0, device="cuda")        # the GPU record wins over the CPU one
    _zhu(store, order[5], 6.0)                        # added
    path, rows = export.export_zhu_uniform(tmp_path / "s", dest)
    text = path.read_text()
    back = pd.read_csv(path, dtype={"torch": str})
    assert rows == 4 and list(back.columns) == ZHU_COLUMNS
    assert back.uniform_position.tolist() == [0, 1, 3, 5]
    assert back.ntk_lambda_min_b16.tolist() == [1.0, 20.0, 40.0, 6.0]
    assert back.device.tolist() == ["cpu", "cuda", "cpu", "cpu"] and back.seconds.tolist() == [1.5, 2.0, 2.0, 2.0]
    assert back.torch.tolist() == ["2.10", "2.13.0+cpu", "2.13.0+cpu", "2.13.0+cpu"] and ",2.10\n" in text
    assert back.nb201_index.tolist() == [_index(order[i]) for i in (0, 1, 3, 5)]


def test_zhu_uniform_merged_into_the_shipped_file_with_one_of_its_own_rows_leaves_it_byte_for_byte(tmp_path):
    source = DATA_DIR / "nb201-cifar-ntk" / export.ZHU_UNIFORM_FILE
    dest = tmp_path / "d"
    dest.mkdir()
    shutil.copyfile(source, dest / export.ZHU_UNIFORM_FILE)
    first = pd.read_csv(source, dtype={"torch": str}).iloc[0]
    store = open_store(tmp_path / "s")
    _put(store, {"kind": "stats", "arch": first.arch, "dataset": "cifar10", "group": "zhu", "batch": 16, "seed": 0,
                 "repeats": 1, "ntk_lambda_min": float(first.ntk_lambda_min_b16), "seconds": float(first.seconds),
                 "device": first.device, "device_name": first.device_name, "torch": first.torch})
    path, rows = export.export_zhu_uniform(tmp_path / "s", dest)
    assert path.read_bytes() == source.read_bytes() and rows == len(pd.read_csv(source))


def _lga(store, arch, value):
    _put(store, {"kind": "stats", "arch": arch, "dataset": "cifar10", "group": "lga", "batch": 32, "seed": 0,
                 "repeats": 1, "ntk_mean": value, "ntk_frobenius": 10 * value, "lga": value / 10, "seconds": 1.0,
                 "device": "cpu", "device_name": "x", "torch": "2.13"})


def test_lga_population_keeps_shipped_cells_and_the_columns_the_store_did_not_compute(tmp_path):
    cells = sorted(architectures.first_thousand()[:3], key=_index)  # three of NB201's cells 0..999
    kept, replaced, added = cells[0], cells[1], cells[2]
    dest = tmp_path / "d"
    dest.mkdir()
    pd.DataFrame([{"arch": a, "nb201_index": _index(a), "ntk_mean_b32": v, "ntk_frobenius_b32": 10 * v,
                   "lga_b32": v / 10} for a, v in ((kept, 3.0), (replaced, 5.0))]).to_csv(
        dest / export.POPULATION_FILE, index=False)
    store = open_store(tmp_path / "s")
    _lga(store, replaced, 9.0)
    _lga(store, added, 7.0)
    _put(store, {"kind": "train", "arch": kept, "dataset": "cifar10", "batch": 205, "seed": 0, "limit": None,
                 "held_out": 256, **{c: 0.5 for c in after_epoch.COLUMNS}, "steps": 49, "seconds_train": 1.0,
                 "seconds_score": 1.0, "device": "cpu", "device_name": "x", "torch": "2.13"})
    path, rows = export.export_lga_population(tmp_path / "s", dest)
    back = pd.read_csv(path)
    assert rows == 3 and back.arch.tolist() == cells and back.nb201_index.tolist() == sorted(map(_index, cells))
    assert back.ntk_mean_b32.tolist() == [3.0, 9.0, 7.0] and back.lga_b32.tolist() == [0.3, 0.9, 0.7]
    # the shipped cell keeps its at-init values and gains its training columns; the others have none
    assert back.lga_after_1_epoch[0] == 0.5 and back.steps[0] == 49
    assert math.isnan(back.lga_after_1_epoch[1]) and math.isnan(back.lga_after_1_epoch[2])
    assert list(back.columns[:5]) == ["arch", "nb201_index", "ntk_mean_b32", "ntk_frobenius_b32", "lga_b32"]


def test_merged_rows_of_a_missing_file_are_the_stores_alone(tmp_path):
    assert export.merged_rows(tmp_path / "none.csv", {"a": {"x": 1.0}}) == {"a": {"x": 1.0}}
    (tmp_path / "f.csv").write_text("arch,x,y,pos\na,1,2,0\nb,3,4,1\n")
    assert export.merged_rows(tmp_path / "f.csv", {"b": {"x": 30}, "c": {"y": 5}}, derived=("pos",)) == {
        "a": {"x": 1, "y": 2}, "b": {"x": 30, "y": 4}, "c": {"y": 5}}
