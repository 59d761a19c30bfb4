"""The table registry (``nascore.tables``): every shipped table is one record, and the
records agree with ``data/``, its manifests, the command line and the modules they name."""
from __future__ import annotations

import importlib
import json
import re
import shlex

import pandas as pd
import pytest

from nascore import bench, tables
from nascore.paths import DATA_DIR
from nascore.tables.catalogue import NB201_NTK_VARIANTS, NB201_TEST_FILES, NOT_TABLES
from nascore.tables.registry import Table, register

TABLE_SUFFIXES = (".csv", ".json", ".zip", ".parquet")


def _toy(**fields) -> Table:
    defaults = dict(name="toy", folder="toy", files={"a": ("toy/a.csv",), "B": ("toy/b.csv", "toy/c.csv", "toy/a.csv")},
                    loader=lambda dataset: pd.DataFrame({"dataset": [dataset]}), description="a toy")
    return Table(**(defaults | fields))


# ----------------------------------------------------------------------------- the record
def test_a_record_checks_datasets_and_lists_each_file_once():
    toy = _toy()
    assert toy.datasets == ("a", "B")
    assert toy.dataset(None) == "a" and toy.dataset("b") == "B" and toy.dataset("A") == "a"
    assert toy.load("b").dataset.tolist() == ["B"]  # the loader gets the canonical spelling
    assert toy.paths() == [DATA_DIR / "toy/a.csv", DATA_DIR / "toy/b.csv", DATA_DIR / "toy/c.csv"]
    assert toy.readme == DATA_DIR / "toy" / "README.md"
    with pytest.raises(ValueError, match="table toy has no dataset 'c'; its datasets: a, B"):
        toy.dataset("c")
    with pytest.raises(ValueError, match="table toy has no dataset 3; its datasets: a, B"):
        toy.dataset(3)


@pytest.mark.parametrize("fields, message", [
    ({"name": ""}, "a table's name must be a non-empty string, not ''"),
    ({"files": {}}, "table toy: files must map each dataset to its files, not {}"),
    ({"files": {"a": "toy/a.csv"}}, "the files of dataset 'a' must be a non-empty tuple of paths"),
    ({"files": {"a": ()}}, "the files of dataset 'a' must be a non-empty tuple of paths"),
    ({"command": "bench train"}, "table toy: command 'bench train' must start with one of 'nascore '"),
    ({"regenerated_by": "60_das"}, "table toy: regenerated_by must be a tuple of notebook names, not '60_das'"),
    ({"regenerated_by": ("",)}, "table toy: regenerated_by must be a tuple of notebook names, not ('',)"),
])
def test_a_bad_record_is_refused_naming_the_bad_value(fields, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        _toy(**fields)


def test_the_registry_refuses_unknown_names_duplicates_and_non_records():
    with pytest.raises(ValueError, match="unknown benchmark 'nb101'; known benchmarks: nb201, nb201-zc, "):
        tables.get("nb101")
    with pytest.raises(ValueError, match="unknown benchmark None"):
        tables.load(None)
    with pytest.raises(ValueError, match="a table named 'nb201' is already registered"):
        register(_toy(name="nb201"))
    with pytest.raises(ValueError, match="only a Table record can be registered, not 'nb201'"):
        register("nb201")
    assert "toy" not in tables.names()


# ----------------------------------------------------------------------------- the shipped records
def test_bench_reads_the_registry():
    assert bench.BENCHMARKS == tables.names()
    for name in tables.names():
        assert bench.table_files(name) == tables.get(name).paths()
    assert bench.load("nb201-cifar-ntk-lga1000").equals(tables.load("nb201-cifar-ntk-lga1000", "CIFAR10"))


@pytest.mark.parametrize("name", tables.names())
def test_every_table_file_exists_and_is_in_its_folders_manifest(name):
    record = tables.get(name)
    assert record.readme.is_file()
    for path in record.paths():
        assert path.is_file(), path
        listed = json.loads((path.parent / "manifest.json").read_text())["files"]
        assert path.name in listed, f"{path} is not in its folder's manifest.json"
    assert any(p.parent == DATA_DIR / record.folder for p in record.paths())


def test_every_data_folder_with_a_table_file_is_registered_or_said_not_to_be_a_table():
    registered = {tables.get(n).folder for n in tables.names()}
    with_tables = {p.parent.name for p in DATA_DIR.glob("*/*") if p.suffix in TABLE_SUFFIXES
                   and p.name != "manifest.json"}
    assert with_tables - registered - set(NOT_TABLES) == set()
    assert not registered & set(NOT_TABLES)
    assert set(NOT_TABLES) <= {p.name for p in DATA_DIR.iterdir() if p.is_dir()}  # no stale entry


def _help(command: str, capsys) -> str:
    from nascore.cli import main

    words = shlex.split(command)
    assert words[0] == "nascore", command
    assert main(words[1:] + ["--help"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", [n for n in tables.names() if tables.get(n).command])
def test_every_command_parses_with_help(name, capsys):
    assert "usage:" in _help(tables.get(name).command, capsys)


@pytest.mark.parametrize("name", [n for n in tables.names() if tables.get(n).export])
def test_every_export_names_a_function(name):
    module, _, function = tables.get(name).export.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function))


def test_the_catalogues_copies_of_file_names_match_their_modules():
    from nascore.bench import nb101_zc, nb201_ntk, nb201_test, zc_naswot

    assert [DATA_DIR / f for f in NB201_TEST_FILES] == nb201_test.files()
    assert bench.table_files("nb201") == [DATA_DIR / "nasbench201-full" / "nb201_zen.zip", *nb201_test.files()]
    assert {v: [nb201_ntk.VARIANTS[v].path] for v in NB201_NTK_VARIANTS} == \
           {v: tables.get("nb201-ntk").paths()[i:i + 1] for i, v in enumerate(NB201_NTK_VARIANTS)}
    assert set(NB201_NTK_VARIANTS) == set(nb201_ntk.VARIANTS)
    assert tables.get("nb201-zc-naswot").paths() == [zc_naswot.PATH]
    assert tables.get("nb101-zc").paths() == [nb101_zc.PATH]


def test_the_tables_outside_the_old_list_load_as_their_own_readers_do():
    from nascore.bench.nb201_ntk import load_nb201_ntk
    from nascore.bench.zc_naswot import load_zc_naswot

    ntk = bench.load("nb201-ntk", "DIGITS32")
    assert ntk.equals(load_nb201_ntk("digits32").reset_index()) and len(ntk) == 100
    assert bench.load("nb201-zc-naswot").equals(load_zc_naswot())


def test_bench_help_lists_every_table_with_its_command(capsys):
    text = _help("nascore bench", capsys)
    assert re.search(r"\n  nb201-cifar-ntk-lga1000 +nascore bench cifar-ntk stats\n", text)  # padded to the longest name
    assert re.search(r"\n  nb201 +downloaded \(see its README\)\n", text)
    for name in tables.names():
        assert name in text and (tables.get(name).command or "downloaded") in text


def test_regenerated_tables_match_the_chapters_with_a_regenerate_parameter():
    from nascore.paths import NOTEBOOKS_DIR

    def has_regenerate(notebook):
        cells = json.loads(notebook.read_text())["cells"]
        return any("parameters" in c["metadata"].get("tags", []) and "regenerate =" in "".join(c["source"])
                   for c in cells)

    with_parameter = {nb.stem for nb in NOTEBOOKS_DIR.glob("*.ipynb") if has_regenerate(nb)}
    named = {c for n in tables.names() for c in tables.get(n).regenerated_by}
    assert named == with_parameter == {"60_das", "70_lga"}
    assert tables.regenerated("60_das") == ("nb201-mnist5k", "nb201-zc-naswot")
    assert tables.regenerated("70_lga") == ("nb201-mnist5k",)
    assert tables.regenerated("10_zhu") == ()
    assert tables.regenerated() == ("nb201-mnist5k", "nb201-zc-naswot")


def test_regenerate_help_names_the_tables_the_chapters_recompute(capsys):
    text = " ".join(_help("nascore reproduce", capsys).split())
    assert "(nb201-mnist5k, nb201-zc- naswot)" in text or "(nb201-mnist5k, nb201-zc-naswot)" in text
