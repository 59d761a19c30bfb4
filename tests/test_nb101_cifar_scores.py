"""The NB101 score table's job (``nascore.tables.nb101_cifar_scores``): it resumes from its
results store, and its export reads the stored records whatever their key."""
import json

import pandas as pd
import pytest

from nascore import bench, cli
from nascore.bench.nb101_scores import NB101Protocol
from nascore.tables import nb101_cifar_scores as job
from nascore.tables.executors import LocalExecutor

ONE = LocalExecutor(1, threads=None, progress=False)


def _record(arch, values, seconds, protocol=NB101Protocol()):
    """A stored score record as :func:`nascore.bench.nb101_scores.score_architecture` writes it."""
    return {"kind": job.TABLE, "arch": arch, "dataset": "cifar10", "metrics": sorted(values),
            "values": values, "errors": {}, "seconds": seconds, "seconds_by_step": {}, "device": "cpu",
            "torch": "x", "protocol": protocol.to_dict()}


def test_the_scoring_job_resumes_and_exports_with_a_manifest(tmp_path):
    table = bench.load("nb101-zc", dataset="cifar10").sort_values("params")
    cheap = table.arch.iloc[0]
    order = job.job_order()
    assert len(order) == len(table) and sorted(order) == sorted(table.arch) and order == job.job_order()
    lines, store = [], job.open_store(tmp_path / "s")
    assert job.fill(store, ONE, [cheap], metrics=("params",), log=lines.append) == 1
    assert job.fill(store, ONE, [cheap], metrics=("params",), log=lines.append) == 0  # resumed
    assert lines[-1] == "1 stored, 0 to score"
    frame = job.export(store, tmp_path / "out", metrics=("params",))
    assert frame.arch.tolist() == [cheap] and frame.params.iloc[0] == pytest.approx(table.params.iloc[0], rel=1e-6)
    assert frame.order.iloc[0] == order.index(cheap)
    assert "scores.csv" in json.loads((tmp_path / "out" / "manifest.json").read_text())["files"]


def test_the_export_reads_records_under_any_key_and_round_trips_their_values(tmp_path):
    order = job.job_order()
    first, second, third = order[0], order[1], order[5]
    store = job.open_store(tmp_path / "s")
    metrics = ("naswot", "params")
    # under keys an older code closure made, and one under the current key
    store.put("ab" * 32, _record(third, {"naswot": 1234.5, "params": 0.125}, 2.5))
    store.put("cd" * 32, _record(first, {"naswot": -0.75, "params": 3.0}, 1.0))
    store.put(job.key_of(job.Scoring(first, metrics)), _record(first, {"naswot": 7.0, "params": 3.0}, 9.0))
    # not this table's protocol, nor its metrics: left out
    store.put("ef" * 32, _record(second, {"naswot": 1.0, "params": 1.0}, 1.0, NB101Protocol(batch_size=256)))
    store.put("0a" * 32, _record(second, {"naswot": 1.0}, 1.0))
    frame = job.export(store, tmp_path / "out", metrics)
    back = pd.read_csv(tmp_path / "out" / "scores.csv")
    assert list(back.columns) == ["arch", "order", "val_accuracy", "naswot", "params", "seconds"]
    assert back.arch.tolist() == [first, third] and back.order.tolist() == [0, 5]
    assert back.naswot.tolist() == [7.0, 1234.5]  # the current key's record wins over the older one
    assert back.params.tolist() == [3.0, 0.125] and back.seconds.tolist() == [9.0, 2.5]
    assert back.val_accuracy.tolist() == pytest.approx(frame.val_accuracy.tolist(), rel=1e-8)  # 9 digits
    text = (tmp_path / "out" / "scores.csv").read_text().splitlines()
    assert text[0] == "arch,order,val_accuracy,naswot,params,seconds" and text[2].endswith(",1234.5,0.125,2.5")


def test_the_command_line_resumes_from_its_store_and_refuses_a_missing_one(tmp_path, capsys):
    first = job.job_order()[0]
    store = job.open_store(tmp_path / "s")
    store.put(job.key_of(job.Scoring(first)), _record(first, {m: 1.0 for m in job.METRICS}, 1.0))
    assert cli.main(["bench", "nb101-scores", "--store", str(tmp_path / "s"), "--first", "1",
                     "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "1 stored, 0 to score" in out and "(1 cells)" in out
    assert cli.main(["bench", "nb101-scores", "--store", str(tmp_path / "none"), "--export-only",
                     "--out", str(tmp_path / "out")]) == 2
    assert "no results store at" in capsys.readouterr().err and not (tmp_path / "none").exists()
