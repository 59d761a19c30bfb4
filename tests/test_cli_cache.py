"""``nascore cache list|clear`` on a throw-away cache folder."""
import pytest

from nascore import cli


@pytest.fixture
def cache(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    (root / "metric-scores" / "ab").mkdir(parents=True)
    (root / "metric-scores" / "ab" / "ab12.json").write_text("x" * 2048)
    (root / "metric-scores" / "quarantine").mkdir()
    (root / "metric-scores" / "quarantine" / "cd34.json").write_text("{}")
    (root / "zhu").mkdir()
    (root / "zhu" / "k.json").write_text("1")
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
    assert cli.main(["cache", "clear", "--all"]) == 0
    assert list(cache.iterdir()) == []


def test_clear_refuses_unknown_names_and_an_empty_request(cache, capsys):
    assert cli.main(["cache", "clear", "zhu", "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "no cache folder 'nosuch'" in err and "metric-scores, zhu" in err
    assert (cache / "zhu").exists()  # nothing removed when one name is wrong
    assert cli.main(["cache", "clear"]) == 2
    assert "name the folders to clear, or give --all" in capsys.readouterr().err
