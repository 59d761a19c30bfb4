"""The one writer of a table's files (``nascore.tables.export_files``): CSVs replaced
atomically, the README closed by the integrity note exactly once, the manifest listing
what was written."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from nascore.bench.licence import INTEGRITY
from nascore.manifest import README_NOTE, check_folder
from nascore.tables import export_files
from nascore.tables.export_files import (command_line, provenance_lines, readme_text, replacing, without_integrity,
                                         write_csv, write_table_files)

FRAME = pd.DataFrame({"arch": ["a", "b"], "value": [1 / 3, 2.5], "n": [1, 2]})


def test_a_csv_is_written_with_the_tables_float_format(tmp_path):
    path = write_csv(FRAME, tmp_path / "t.csv", "%.3g")
    assert path.read_text() == "arch,value,n\na,0.333,1\nb,2.5,2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]  # no temporary file left


def test_a_failing_write_leaves_the_previous_file_intact_and_no_temporary_file(tmp_path, monkeypatch):
    path = write_csv(FRAME, tmp_path / "t.csv", "%.3g")

    def half_then_fail(self, target, **options):
        open(target, "w").write("arch,val")  # half a file, then the export is killed
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_csv(FRAME.assign(value=0.0), path, "%.3g")
    assert path.read_text() == "arch,value,n\na,0.333,1\nb,2.5,2\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_replacing_moves_the_temporary_file_over_the_target_only_on_success(tmp_path):
    target = tmp_path / "x.txt"
    target.write_text("old")
    with replacing(target) as tmp:
        assert tmp.parent == tmp_path and tmp != target
        tmp.write_text("new")
        assert target.read_text() == "old"  # untouched until the block ends
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]


def test_the_readme_ends_with_the_integrity_note_exactly_once(tmp_path):
    text = readme_text(["# A table", ""])
    assert text == "# A table\n\n## Integrity\n\n" + README_NOTE + "\n"
    paths = write_table_files(tmp_path, readme=["# A table", ""])
    assert (tmp_path / "README.md").read_text() == text
    # a README read back and rewritten keeps one note, not two
    again = without_integrity((tmp_path / "README.md").read_text().split("\n"))
    assert again == ["# A table", ""]
    write_table_files(tmp_path, readme=again)
    assert (tmp_path / "README.md").read_text().count("## Integrity") == 1
    assert [p.name for p in paths] == ["README.md", "manifest.json"]
    assert without_integrity(["# no note", ""]) == ["# no note", ""]
    assert INTEGRITY[-2] == README_NOTE


def test_the_manifest_lists_the_written_files_and_the_paths_come_back_in_order(tmp_path):
    folder = tmp_path / "new"  # created by the writer
    paths = write_table_files(folder, {"b.csv": (FRAME, None), "a.csv": (FRAME.head(1), "%.2f")},
                              readme=["# t", ""])
    assert [p.name for p in paths] == ["b.csv", "a.csv", "README.md", "manifest.json"]
    listed = json.loads((folder / "manifest.json").read_text())["files"]
    assert sorted(listed) == ["a.csv", "b.csv"]
    assert listed["a.csv"]["bytes"] == len("arch,value,n\na,0.33,1\n")
    assert check_folder(folder) == []


def test_no_readme_leaves_the_folders_readme_alone(tmp_path):
    (tmp_path / "README.md").write_text("kept")
    write_table_files(tmp_path, {"t.csv": (FRAME, None)})
    assert (tmp_path / "README.md").read_text() == "kept"


def test_the_shared_provenance_lines(monkeypatch):
    info = {"commit": "abc-dirty", "date": "2026-01-02 03:04 UTC", "machine": "Linux x86_64, 2 CPUs",
            "versions": "python 3.11.0, torch 2.0"}
    assert provenance_lines(info) == ["- commit: abc-dirty", "- date: 2026-01-02 03:04 UTC",
                                      "- machine: Linux x86_64, 2 CPUs", "- versions: python 3.11.0, torch 2.0"]
    from nascore import provenance

    monkeypatch.setattr(provenance, "snapshot", lambda *a, **k: info)
    assert provenance_lines() == provenance_lines(info)  # default: a fresh snapshot
    assert command_line("nascore bench train") == "- command: `nascore bench train`"
    assert command_line("") == "- command: (library call)"
    assert command_line("", absent="not recorded") == "- command: not recorded"
    assert export_files.README == "README.md"
