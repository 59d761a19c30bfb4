"""The claims ledger: one file per chapter, replaced by each run of the chapter."""
import json

import pytest

from nascore import claims

BASE = dict(paper="P", where="Tab. 1", claim="c", paper_value="1", our_value="1")


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    monkeypatch.delenv("NASCORE_NOTEBOOK", raising=False)
    monkeypatch.delenv("NASCORE_RUN_STARTED", raising=False)
    return tmp_path


def new_run(monkeypatch, notebook, started):
    """What ``nascore reproduce`` does for a chapter: a fresh kernel (another session)."""
    monkeypatch.setattr(claims, "_SESSION", f"session-{notebook}-{started}")
    monkeypatch.setenv("NASCORE_NOTEBOOK", notebook)
    monkeypatch.setenv("NASCORE_RUN_STARTED", started)


def test_record_and_load(folder):
    claims.record("zc.synflow", paper="Abdelfattah 2021", where="Table 2", claim="synflow rho",
                  paper_value="0.74", our_value="0.74 [0.70, 0.77]", verdict="reproduced", chapter="nb201_table")
    frame = claims.load()
    assert frame.loc[0, "our_value"] == "0.74 [0.70, 0.77]"
    assert list(frame.columns) == list(claims.COLUMNS)
    with pytest.raises(ValueError, match="unknown verdict 'yes'"):
        claims.record("x", **BASE, verdict="yes", chapter="nb201_table")


def test_chapter_is_required_and_must_be_the_running_notebook(folder, monkeypatch):
    with pytest.raises(TypeError, match="chapter"):
        claims.record("a", **BASE, verdict="reproduced")
    new_run(monkeypatch, "10_nb201_table", "2025-01-01 10:00:00 UTC")
    claims.record("a", **BASE, verdict="reproduced", chapter="nb201_table")  # prefix optional
    claims.record("b", **BASE, verdict="reproduced", chapter="10_nb201_table")
    assert [p.name for p in folder.iterdir()] == ["10_nb201_table.json"]
    with pytest.raises(ValueError, match="chapter 'zhu' recorded by notebook '10_nb201_table'"):
        claims.record("c", **BASE, verdict="reproduced", chapter="zhu")


def test_verdict_for_interval():
    assert claims.verdict_for_interval(0.74, 0.70, 0.77) == "reproduced"
    assert claims.verdict_for_interval(0.74, 0.60, 0.68) == "partly"  # misses by 0.06
    assert claims.verdict_for_interval(0.74, 0.50, 0.60) == "not reproduced"  # misses by 0.14


def test_source_field_is_checked_and_defaults_to_unstated(folder):
    assert claims.record("a", **BASE, verdict="reproduced", chapter="x",
                         source="our code, real data")["source"] == "our code, real data"
    assert claims.record("b", **BASE, verdict="reproduced", chapter="x")["source"] == "unstated"
    with pytest.raises(ValueError, match="unknown source 'mnist'.*stand-in data"):
        claims.record("c", **BASE, verdict="reproduced", chapter="x", source="mnist")
    assert claims.load().set_index("id")["source"].to_dict() == {"a": "our code, real data", "b": "unstated"}


def test_a_new_run_of_a_chapter_replaces_its_claims_as_a_whole(folder, monkeypatch):
    new_run(monkeypatch, "40_zhu", "2025-01-01 10:00:00 UTC")
    claims.record("zhu.old", **BASE, verdict="reproduced", chapter="zhu")
    claims.record("zhu.kept", **BASE, verdict="partly", chapter="zhu")
    claims.record("zhu.kept", **BASE, verdict="reproduced", chapter="zhu")  # same run: replaced by id
    assert claims.load().set_index("id")["verdict"].to_dict() == {"zhu.kept": "reproduced", "zhu.old": "reproduced"}
    new_run(monkeypatch, "40_zhu", "2025-02-02 11:00:00 UTC")
    claims.record("zhu.kept", **BASE, verdict="partly", chapter="zhu")
    ledger = claims.load()
    assert ledger["id"].tolist() == ["zhu.kept"]  # the claim this run did not record is gone
    assert ledger.loc[0, "run_started"] == "2025-02-02 11:00:00 UTC"


def test_ledger_reads_only_the_chapters_asked_for_each_with_its_run(folder, monkeypatch):
    new_run(monkeypatch, "10_a", "2025-01-01 10:00:00 UTC")
    claims.record("a.1", **BASE, verdict="reproduced", chapter="a", source="precomputed table")
    new_run(monkeypatch, "20_b", "2025-01-03 09:00:00 UTC")
    claims.record("b.1", **BASE, verdict="partly", chapter="b", source="stand-in data")
    new_run(monkeypatch, "30_removed", "2024-12-01 08:00:00 UTC")  # a chapter no longer in the book
    claims.record("gone.1", **BASE, verdict="reproduced", chapter="removed")
    ledger = claims.load(chapters=["10_a", "20_b", "90_no_claims"])
    assert ledger.set_index("id")["run_started"].to_dict() == {"a.1": "2025-01-01 10:00:00 UTC",
                                                                 "b.1": "2025-01-03 09:00:00 UTC"}
    runs = claims.chapter_runs(ledger)
    assert runs.to_dict("records") == [{"chapter": "a", "run started": "2025-01-01 10:00:00 UTC", "claims": 1},
                                       {"chapter": "b", "run started": "2025-01-03 09:00:00 UTC", "claims": 1}]


def test_malformed_claim_is_an_error_naming_the_chapter(folder):
    entry = {"id": "lga.rho", "paper": "P", "where": "w", "claim": "c", "paper_value": "1",
             "verdict": "reproduced", "chapter": "lga", "source": "unstated"}  # no our_value
    (folder / "70_lga.json").write_text(json.dumps({"chapter": "70_lga", "run_started": "t", "claims": [entry]}))
    with pytest.raises(ValueError, match=r"chapter '70_lga'.*claim 'lga.rho': missing or empty our_value"):
        claims.load(chapters=["70_lga"])
    (folder / "70_lga.json").write_text("{not json")
    with pytest.raises(ValueError, match="claims of chapter '70_lga'.*unreadable"):
        claims.load(chapters=["70_lga"])
    (folder / "70_lga.json").write_text("[]")
    with pytest.raises(ValueError, match="claims of chapter '70_lga'.*'claims' list"):
        claims.load()
    with pytest.raises(ValueError, match="claim 'x' of chapter 'lga': empty or non-text our_value"):
        claims.record("x", **(BASE | {"our_value": " "}), verdict="reproduced", chapter="lga")


def test_one_id_in_two_chapters_is_an_error(folder, monkeypatch):
    new_run(monkeypatch, "10_a", "t1")
    claims.record("same", **BASE, verdict="reproduced", chapter="a")
    new_run(monkeypatch, "20_b", "t2")
    claims.record("same", **BASE, verdict="reproduced", chapter="b")
    with pytest.raises(ValueError, match="claim 'same' recorded by chapters '10_a' and '20_b'"):
        claims.load()


def test_verdict_counts_per_source(folder):
    for n, (verdict, source) in enumerate([("reproduced", "our code, real data"), ("partly", "our code, real data"),
                                           ("reproduced", "stand-in data"), ("not reproduced", "")]):
        claims.record(f"c{n}", **BASE, verdict=verdict, chapter="x", source=source)
    ledger = claims.load()
    table = claims.verdict_counts(ledger)
    assert table.index.tolist() == ["our code, real data", "stand-in data", "unstated", "total"]
    assert table.loc["our code, real data"].tolist() == [1, 1, 0, 0, 2]
    assert table.loc["stand-in data"].tolist() == [0, 0, 0, 1, 1]  # a study: not attempted
    assert table.loc["total"].tolist() == [1, 1, 1, 1, 4]
    values = claims.count_values(ledger)
    assert values["claims_total"] == 4 and values["claims_reproduced"] == 1
    assert values["claims_theory_check_total"] == 0
    assert values["claims_our_code_real_data_partly"] == 1 and values["claims_our_code_real_data_total"] == 2
    assert values["claims_precomputed_table_total"] == 0  # absent sources still glued, as 0
    assert values["claims_unstated_not_reproduced"] == 1
    assert set(claims.count_values(claims.load(chapters=[]))) == set(values)  # same names when empty


@pytest.mark.parametrize("verdict, n, expected", [
    ("reproduced", 100, "reproduced"), ("not reproduced", 99, "not attempted"), ("partly", 3, "not attempted"),
    ("not attempted", 500, "not attempted"),
])
def test_a_verdict_needs_a_hundred_architectures(verdict, n, expected):
    assert claims.verdict_on_population(verdict, n) == expected


def test_an_unknown_verdict_is_refused_even_below_the_minimum():
    with pytest.raises(ValueError, match="unknown verdict 'yes'"):
        claims.verdict_on_population("yes", 3)


@pytest.mark.parametrize("verdict", ["reproduced", "partly", "not reproduced"])
def test_stand_in_data_gives_a_study_never_a_verdict(folder, verdict):
    entry = claims.record("s.1", **BASE, verdict=verdict, chapter="s", source="stand-in data")
    assert entry["verdict"] == "not attempted"
    assert entry["our_value"].endswith(f"(a study on stand-in data; on its own terms: {verdict})")
    kept = claims.record("s.2", **BASE, verdict="not attempted", chapter="s", source="stand-in data")
    assert kept["our_value"] == BASE["our_value"]                        # nothing to keep
    theory = claims.record("s.3", **BASE, verdict=verdict, chapter="s", source="theory check")
    assert theory["verdict"] == verdict and theory["our_value"] == BASE["our_value"]
