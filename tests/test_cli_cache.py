"""``nascore cache list|clear`` on a throw-away cache folder."""
import os

import pytest

from nascore import cli
from nascore.paths import CACHE_MARKER, cache_dir


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    (root / "metric-scores" / "ab").mkdir(parents=True)
    (root / "metric-scores" / "ab" / "ab12.json").write_text("x" * 2048)
    (root / "metric-scores" / "quarantine").mkdir()
    (root / "metric-scores" / "quarantine" / "cd34.json").write_text("{}")
    (root / "zhu").mkdir()
    (root / "zhu" / "k.json").write_text("1")
    (root / CACHE_MARKER).write_text("nascore cache\n")
    monkeypatch.setenv("NASCORE_CACHE", str(root))
    return root


def test_list_counts_files_and_quarantined_entries(cache, capsys):
    assert cli.main(["cache", "list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"cache: {cache}"
    scores = next(line for line in out if "metric-scores" in line)
    assert "2 files" in scores and "1 quarantined" in scores
    assert "1 files" in next(line for line in out if "zhu" in line)


def test_clear_removes_only_the_named_folder(cache, capsys):
    assert cli.main(["cache", "clear", "zhu"]) == 0
    assert not (cache / "zhu").exists() and (cache / "metric-scores").exists()
    assert cli.main(["cache", "clear", "--all", "--yes"]) == 0
    assert [p.name for p in cache.iterdir()] == [CACHE_MARKER]


def test_clear_refuses_unknown_names_and_an_empty_request(cache, capsys):
    assert cli.main(["cache", "clear", "zhu", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "no cache folder 'nosuch'" in err and "metric-scores, zhu" in err
    assert (cache / "zhu").exists()  # nothing removed when one name is wrong
    assert cli.main(["cache", "clear"]) == 2
    assert "name the folders to clear, or give --all" in capsys.readouterr().err


@pytest.fixture
def fake_home(tmp_path, monkeypatch):
    """A home folder with a user's files, and HOME pointing at it."""
    home = tmp_path / "home"
    for name in (".ssh", "Documents", "projects"):
        (home / name).mkdir(parents=True)
        (home / name / "keep.txt").write_text(name)
    monkeypatch.setenv("HOME", str(home))
    return home


def _untouched(home):
    return all((home / name / "keep.txt").read_text() == name for name in (".ssh", "Documents", "projects"))


def test_clear_all_refuses_a_folder_nascore_did_not_create(fake_home, monkeypatch, capsys):
    user_folder = fake_home / "projects"
    monkeypatch.setenv("NASCORE_CACHE", str(user_folder))
    assert cli.main(["cache", "clear", "--all", "--yes"]) == 2
    assert "not marked as nascore's cache" in capsys.readouterr().err
    assert _untouched(fake_home)


def test_clear_all_refuses_the_home_folder_even_when_marked(fake_home, monkeypatch, capsys):
    (fake_home / CACHE_MARKER).write_text("planted")
    monkeypatch.setenv("NASCORE_CACHE", str(fake_home))
    assert cli.main(["cache", "clear", "--all", "--yes"]) == 2
    assert "home folder" in capsys.readouterr().err
    assert _untouched(fake_home)


def test_clear_all_refuses_a_marked_cache_holding_foreign_files(cache, capsys):
    (cache / "Documents").mkdir()
    (cache / "notes.txt").write_text("mine")
    assert cli.main(["cache", "clear", "--all", "--yes"]) == 2
    err = capsys.readouterr().err
    assert "'Documents', 'notes.txt'" in err and "nothing deleted" in err
    assert (cache / "zhu").exists() and (cache / "Documents").exists()
    assert cli.main(["cache", "clear", "Documents"]) == 2  # not one of nascore's folders
    assert (cache / "Documents").exists()


def test_clear_all_asks_first_and_refuses_without_a_terminal(cache, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert cli.main(["cache", "clear", "--all"]) == 2
    assert "add --yes" in capsys.readouterr().err and (cache / "zhu").exists()
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert cli.main(["cache", "clear", "--all"]) == 1 and (cache / "zhu").exists()
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert cli.main(["cache", "clear", "--all"]) == 0 and not (cache / "zhu").exists()


def test_a_name_given_twice_is_removed_once(cache, capsys):
    assert cli.main(["cache", "clear", "zhu", "zhu"]) == 0
    assert capsys.readouterr().out.count("removed") == 1


def test_a_new_or_empty_cache_is_marked_and_a_used_folder_is_not(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CACHE", str(tmp_path / "new"))
    assert (cache_dir() / CACHE_MARKER).is_file()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.tex").write_text("x")
    monkeypatch.setenv("NASCORE_CACHE", str(busy))
    assert not (cache_dir() / CACHE_MARKER).exists()


def test_list_reads_a_cache_it_may_not_write(cache, monkeypatch, capsys):
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # as for a read-only folder
    with pytest.raises(ValueError, match="not writable"):
        cache_dir()
    assert cli.main(["cache", "list"]) == 0
    assert "zhu" in capsys.readouterr().out
