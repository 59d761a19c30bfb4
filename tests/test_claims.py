import pytest

from nascore import claims


def test_record_and_load(tmp_path, monkeypatch):
    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    claims.record("zc.synflow", paper="Abdelfattah 2021", where="Table 2", claim="synflow rho",
                  paper_value="0.74", our_value="0.74 [0.70, 0.77]", verdict="reproduced")
    frame = claims.load()
    assert frame.loc[0, "our_value"] == "0.74 [0.70, 0.77]"
    with pytest.raises(ValueError, match="unknown verdict 'yes'"):
        claims.record("x", paper="p", where="w", claim="c", paper_value="1", our_value="1", verdict="yes")


def test_verdict_for_interval():
    assert claims.verdict_for_interval(0.74, 0.70, 0.77) == "reproduced"
    assert claims.verdict_for_interval(0.74, 0.60, 0.68) == "partly"  # misses by 0.06
    assert claims.verdict_for_interval(0.74, 0.50, 0.60) == "not reproduced"  # misses by 0.14


def test_source_field_is_checked_and_defaults_to_unstated(tmp_path, monkeypatch):
    from nascore import claims

    monkeypatch.setenv("NASCORE_CLAIMS", str(tmp_path))
    base = dict(paper="P", where="Tab. 1", claim="c", paper_value="1", our_value="1", verdict="reproduced")
    assert claims.record("a", **base, source="our code, real data")["source"] == "our code, real data"
    assert claims.record("b", **base)["source"] == "unstated"
    with pytest.raises(ValueError, match="unknown source 'mnist'.*stand-in data"):
        claims.record("c", **base, source="mnist")
    assert claims.load().set_index("id")["source"].to_dict() == {"a": "our code, real data", "b": "unstated"}
