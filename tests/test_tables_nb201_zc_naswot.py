"""The job of the table ``nb201-zc-naswot`` (:mod:`nascore.tables.nb201_zc_naswot`): one scored
architecture, the resume through the results store, a failed unit, the export against the
shipped file, and the chapter's ``--regenerate`` path."""
import math
import re

import pytest

from nascore.bench import zc_naswot as table
from nascore.tables import nb201_zc_naswot as job
from nascore.tables.executors import LocalExecutor

ARCHS = ("|skip_connect~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|none~2|",
         "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|",
         "|nor_conv_1x1~0|+|none~0|none~1|+|none~0|none~1|nor_conv_3x3~2|")


def quiet(*_):
    pass


def fake(unit, naswot=30.0, layerwise=-2.5):
    """A record with round numbers: NASWOT = units + D = 40 - 10."""
    return {"arch": unit.arch, "naswot": naswot, "das_units": 40.0, "das_distinguishing": -10.0,
            "das_layerwise": layerwise, "n_units": 512.0, "batch_size": unit.batch_size,
            "seed": unit.seed, "seconds": 0.25}


def test_one_architecture_scored_decouples_into_the_two_terms():
    record = job.compute(job.Scoring(ARCHS[0], batch_size=10))
    assert record["batch_size"] == 10 and record["seed"] == 0 and record["n_units"] > 0
    assert record["naswot"] == pytest.approx(record["das_units"] + record["das_distinguishing"], rel=1e-9)
    assert record["das_units"] == pytest.approx(10 * math.log(record["n_units"]))
    assert job.value_problems(record) == []


def test_a_resumed_fill_scores_only_the_missing_architectures(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(job, "compute", lambda unit: calls.append(unit.arch) or fake(unit))
    store = job.open_store(tmp_path)
    job.fill(store, LocalExecutor(1, progress=False), ARCHS[1:2], log=quiet)
    frame = job.fill(store, LocalExecutor(1, progress=False), ARCHS, log=quiet)
    assert calls == [ARCHS[1], ARCHS[0], ARCHS[2]]             # the stored one was not scored again
    assert frame.arch.tolist() == list(ARCHS) and list(frame.columns) == list(table.COLUMNS)


def test_a_nan_value_is_a_failed_unit_and_minus_infinity_a_value(tmp_path, monkeypatch):
    values = {ARCHS[0]: {}, ARCHS[1]: {"naswot": math.nan}, ARCHS[2]: {"layerwise": -math.inf}}
    monkeypatch.setattr(job, "compute", lambda unit: fake(unit, **values[unit.arch]))
    store, logged = job.open_store(tmp_path / "store"), []
    frame = job.fill(store, LocalExecutor(1, progress=False), ARCHS, log=logged.append)
    assert frame.arch.tolist() == [ARCHS[0], ARCHS[2]]         # log|K| = -inf: a singular kernel
    assert store.status(job.key_of(job.Scoring(ARCHS[1]))) == "failed"
    assert "value 'naswot' is not allowed (nan)" in logged[-1]
    assert job.value_problems(fake(job.Scoring(ARCHS[0]), naswot=math.inf)) == ["value 'naswot' is not allowed (inf)"]
    assert job.value_problems(fake(job.Scoring(ARCHS[0])) | {"seconds": "1"}) == ["value 'seconds' is not a number ('1')"]


def test_an_export_of_the_shipped_rows_is_the_shipped_file_byte_for_byte(tmp_path):
    lines = table.PATH.read_text().split("\n")
    header = lines[0].split(",")
    first_minus_inf = next(i for i, line in enumerate(lines) if ",-inf," in line)
    rows = [1, 2, 3, first_minus_inf]
    store = job.open_store(tmp_path / "store")
    for i in rows:
        record = dict(zip(header, lines[i].split(",")))
        record = {k: (v if k == "arch" else int(v) if k in ("batch_size", "seed") else float(v))
                  for k, v in record.items()}
        store.put_checked(job.key_of(job.Scoring(record["arch"])), record)
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("# a README\n\n- `zc_naswot.csv` (same folder): old note\n\n## Columns\n")
    paths = job.export(store, out, command="nascore bench zc-naswot")
    assert [p.name for p in paths] == ["zc_naswot.csv", "README.md", "manifest.json"]
    assert paths[0].read_text() == "\n".join([lines[0], *(lines[i] for i in rows), ""])
    readme = paths[1].read_text().split("\n")
    assert readme[2].startswith("- `zc_naswot.csv` (same folder): NASWOT, the DAS terms and N_A of 4 ")
    assert readme[4] == "## Columns" and "old note" not in paths[1].read_text()


def test_bad_input_is_refused_naming_the_bad_value(tmp_path):
    with pytest.raises(ValueError, match=re.escape("bad NAS-Bench-201 architecture string '|bad|'")):
        job.fill(job.open_store(tmp_path), LocalExecutor(1, progress=False), ["|bad|"], log=quiet)
    with pytest.raises(ValueError, match=re.escape("seed must be a non-negative integer, got -1")):
        job.Scoring(ARCHS[0], seed=-1)
    with pytest.raises(ValueError, match=re.escape("batch_size must be a positive integer, got 0")):
        job.fill(job.open_store(tmp_path), LocalExecutor(1, progress=False), ARCHS, batch_size=0, log=quiet)
    with pytest.raises(ValueError, match="holds no record of this table: nothing to export"):
        job.export(job.open_store(tmp_path), tmp_path / "out")


def test_the_chapters_regenerate_path_scores_into_the_store_and_reads_it_back(tmp_path, monkeypatch):
    # The DAS chapter's --regenerate mode, cut to two architectures.
    calls = []
    monkeypatch.setattr(job, "table_archs", lambda: list(ARCHS[:2]))
    monkeypatch.setattr(job, "compute", lambda unit: calls.append(unit.arch) or fake(unit))
    frame = job.regenerated(store=tmp_path, log=quiet)
    assert frame.arch.tolist() == list(ARCHS[:2]) and calls == list(ARCHS[:2])
    again = job.regenerated(store=tmp_path, log=quiet)          # stored: nothing scored again
    assert again.equals(frame) and len(calls) == 2


def test_the_tables_architectures_are_the_shipped_files_in_its_order():
    assert job.table_archs() == table.load_zc_naswot().arch.tolist()


def test_the_command_resumes_from_its_store_and_exports_the_table(tmp_path, capsys, monkeypatch):
    # The table cut to its first 20 architectures, all stored with their shipped values:
    # the command scores none and writes the shipped file's first 20 rows, byte for byte.
    from nascore.cli import main

    shipped = table.load_zc_naswot().head(20)
    monkeypatch.setattr(job, "table_archs", lambda: shipped.arch.tolist())
    store = job.open_store(tmp_path / "store")
    for record in shipped.to_dict("records"):
        record = {k: (v.item() if hasattr(v, "item") else v) for k, v in record.items()}
        store.put_checked(job.key_of(job.Scoring(record["arch"])), record)
    assert main(["bench", "zc-naswot", "--store", str(tmp_path / "store"), "--out", str(tmp_path / "out")]) == 0
    assert "20 of 20 architectures already stored; 0 to score" in capsys.readouterr().err
    lines = table.PATH.read_text().split("\n")
    assert (tmp_path / "out" / "zc_naswot.csv").read_text() == "\n".join(lines[:21] + [""])
