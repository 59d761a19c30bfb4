"""Every shipped data file is checked against its folder's manifest before use
(``nascore.manifest``): a changed byte, a truncated file or swapped labels stop the run
with one line naming the file, both hashes and how to restore it."""
import json
import os
import shutil
import subprocess
import sys

import pytest

from nascore.manifest import MANIFEST, DataIntegrityError, check_folder, listed_files, verify, write_manifest
from nascore.paths import DATA_DIR, REPO_ROOT, sha256

FOLDERS = sorted(p for p in DATA_DIR.iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_shipped_folder_matches_its_manifest(folder):
    assert check_folder(folder) == []


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_shipped_readme_mentions_its_manifest(folder):
    assert MANIFEST in (folder / "README.md").read_text(), f"{folder}/README.md does not list {MANIFEST}"


def _copy(folder, tmp_path):
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    return copy


def _bump_mtime(path):
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_one_flipped_byte_in_any_file_is_refused_with_both_hashes(folder, tmp_path):
    copy = _copy(folder, tmp_path)
    for path in listed_files(copy):
        verify(path)  # the intact copy passes
        original = path.read_bytes()
        data = bytearray(original)
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        _bump_mtime(path)
        with pytest.raises(DataIntegrityError) as error:
            verify(path)
        message = str(error.value)
        assert str(path) in message and sha256(path) in message
        assert json.loads((copy / MANIFEST).read_text())["files"][path.relative_to(copy).as_posix()]["sha256"] in message
        assert "restore" in message
        path.write_bytes(original)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_a_truncated_file_is_refused_by_its_size(folder, tmp_path):
    copy = _copy(folder, tmp_path)
    path = max(listed_files(copy), key=lambda p: p.stat().st_size)
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(size * 2 // 3)
    with pytest.raises(DataIntegrityError, match=f"{size * 2 // 3} bytes, its manifest says {size}"):
        verify(path)


def test_swapping_two_class_names_is_refused(tmp_path):
    copy = _copy(DATA_DIR / "cifar", tmp_path)
    path = copy / "class_names.json"
    names = json.loads(path.read_text())
    ten = names["cifar10"]
    i, j = ten.index("cat"), ten.index("dog")
    ten[i], ten[j] = ten[j], ten[i]
    text = json.dumps(names)
    path.write_text(text)
    with pytest.raises(DataIntegrityError, match="class_names.json"):
        verify(path)


def _table(tmp_path, text="x\n1\n"):
    folder = tmp_path / "table"
    folder.mkdir()
    (folder / "a.csv").write_text(text)
    return folder


def test_an_unlisted_file_and_a_missing_manifest_are_refused(tmp_path):
    folder = _table(tmp_path)
    with pytest.raises(DataIntegrityError, match="no manifest.json"):
        verify(folder / "a.csv")
    write_manifest(folder)
    assert verify(folder / "a.csv") == (folder / "a.csv").resolve()
    (folder / "b.csv").write_text("x\n2\n")
    with pytest.raises(DataIntegrityError, match="not listed"):
        verify(folder / "b.csv")
    assert check_folder(folder) == [f"{folder / 'b.csv'}: not listed"]


def test_a_file_changed_after_it_was_verified_is_checked_again(tmp_path):
    folder = _table(tmp_path)
    path = folder / "a.csv"
    write_manifest(folder)
    verify(path)
    path.write_text("x\n7\n")  # same size: only the hash tells
    _bump_mtime(path)
    with pytest.raises(DataIntegrityError, match="has SHA-256"):
        verify(path)


def test_the_manifest_skips_readme_and_itself(tmp_path):
    folder = _table(tmp_path, "x\n")
    (folder / "README.md").write_text("prose")
    write_manifest(folder)
    assert sorted(json.loads((folder / MANIFEST).read_text())["files"]) == ["a.csv"]


def test_the_command_line_exits_3_naming_the_damaged_table(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR / "nasbench201-zc", data / "nasbench201-zc")
    path = data / "nasbench201-zc" / "zc_nasbench201.json"
    text = path.read_text()
    assert "86.06" in text
    path.write_text(text.replace("86.06", "96.06", 1))
    env = {**os.environ, "NASCORE_DATA": str(data), "NASCORE_CACHE": str(tmp_path / "cache"),
           "PYTHONPATH": str(REPO_ROOT)}
    run = subprocess.run([sys.executable, "-m", "nascore.cli", "search", "random", "--table", "nb201-zc",
                          "--budget", "20", "--seeds", "0", "1"], capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 3, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "zc_nasbench201.json" in lines[0] and "git checkout" in lines[0], run.stderr
