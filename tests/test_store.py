"""The results store: keys, atomic writes, and a real kill-and-resume of a training run."""
import json
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

from nascore.cli import bench as train_cli
from nascore.bench.store import ResultStore, result_key
from nascore.paths import REPO_ROOT


def test_key_depends_on_every_field_and_not_on_their_order():
    fields = dict(space="mixed", arch="relu|", dataset="digits", protocol={"lr": 1.0}, seed=0,
                  code={"nascore": "0.1.0"})
    base = result_key(**fields)
    assert base == result_key(**dict(reversed(list(fields.items()))))
    for name, other in [("space", "nb201"), ("arch", "tanh|"), ("dataset", "mnist5k"),
                        ("protocol", {"lr": 2.0}), ("seed", 1), ("code", {"nascore": "0.2.0"})]:
        assert result_key(**{**fields, name: other}) != base, name


def test_put_get_and_frame(tmp_path):
    store = ResultStore(tmp_path)
    key = result_key(arch="relu|", seed=0)
    assert store.get(key) is None and key not in store
    store.put(key, {"arch": "relu|", "acc": 0.5})
    assert store.get(key) == {"arch": "relu|", "acc": 0.5}
    assert len(store) == 1 and store.keys() == [key]
    assert store.frame().to_dict("records") == [{"key": key, "arch": "relu|", "acc": 0.5}]
    with pytest.raises(ValueError, match="bad result key 'x/../y'"):
        store.get("x/../y")


def test_a_write_that_fails_midway_leaves_nothing_behind(tmp_path, monkeypatch):
    store = ResultStore(tmp_path)
    key = result_key(n=1)
    store.put(key, {"v": 1})

    def crash(src, dst):
        raise KeyboardInterrupt  # as if the process were stopped between write and rename

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        store.put(key, {"v": 2})
    monkeypatch.undo()
    assert store.get(key) == {"v": 1}  # the old result is intact
    assert list(tmp_path.glob("*/.*.tmp")) == []
    (tmp_path / key[:2] / f".{key[:8]}-stale.tmp").write_text('{"v": ')  # torn leftover
    assert store.keys() == [key] and store.sweep() == 1


ARGS = ["--space", "mixed", "--dataset", "digits", "--n", "12", "--seeds", "1", "--width", "64",
        "--epochs", "2", "--batch-nets", "1", "--threads", "1", "--no-progress"]


def _results(folder):
    frame = ResultStore(folder).frame().drop(columns=["seconds"])
    return frame.sort_values("key").reset_index(drop=True)


def test_killed_run_resumes_and_matches_an_uninterrupted_run(tmp_path, capsys):
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    command = [sys.executable, "-m", "nascore.cli.bench", *ARGS, "--store", str(killed)]
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list(killed.glob("??/*.json"))) < 3 and process.poll() is None:
        assert time.monotonic() < deadline, "the run produced no results in time"
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    survivors = {p: p.stat().st_mtime_ns for p in killed.glob("??/*.json")}
    assert 3 <= len(survivors) < 12, "the run must be killed midway for this test to mean anything"
    for path in survivors:  # every finished result is whole
        json.loads(path.read_text())

    assert train_cli.main([*ARGS, "--store", str(killed)]) == 0  # the restart
    assert f"{len(survivors)} of 12 results already stored" in capsys.readouterr().err
    assert {p: p.stat().st_mtime_ns for p in survivors} == survivors  # not recomputed

    assert train_cli.main([*ARGS, "--store", str(clean)]) == 0
    pd.testing.assert_frame_equal(_results(killed), _results(clean))
