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
from nascore.tables.keys import result_key
from nascore.tables.store import ResultStore
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
    import socket  # a torn leftover of a writer on this host whose process is gone:
    (tmp_path / key[:2] / f".{key[:8]}-{socket.gethostname()}-999999999-x.tmp").write_text('{"v": ')
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


# -- every read is checked; bad files are quarantined and recomputed -------------------
from nascore.tables.schema import Schema
from nascore.tables.store import StoreWarning  # noqa: E402

SCHEMA = Schema({"arch": str, "accuracy": float}, finite=("accuracy",))


def _bad_store(tmp_path, content):
    store = ResultStore(tmp_path, SCHEMA)
    key = result_key(arch="relu|", seed=0)
    store.put(key, {"arch": "relu|", "accuracy": 0.9})
    path = tmp_path / key[:2] / f"{key}.json"
    path.write_text(content)
    return store, key, path


@pytest.mark.parametrize("content, reason", [
    ("{}", "does not match its file name"),
    ("null", "JSON NoneType"),
    ("[1, 2]", "JSON list"),
    ('{"key": "ab', "not valid JSON"),
])
def test_a_bad_file_is_named_moved_aside_and_treated_as_absent(tmp_path, content, reason):
    store, key, path = _bad_store(tmp_path, content)
    with pytest.warns(StoreWarning, match=rf"{path}.*{reason}.*quarantine"):
        assert store.get(key) is None
    assert not path.exists()
    kept = list((tmp_path / "quarantine").glob("*.json"))
    assert len(kept) == 1 and kept[0].read_text() == content  # moved, not deleted
    assert reason.split()[0] in kept[0].with_suffix(".reason.txt").read_text()
    assert store.frame().empty and len(store) == 0


def test_a_copy_of_another_result_is_caught_by_its_inner_key(tmp_path):
    store = ResultStore(tmp_path, SCHEMA)
    a, b = result_key(arch="a"), result_key(arch="b")
    store.put(a, {"arch": "a", "accuracy": 0.5})
    (tmp_path / b[:2]).mkdir(exist_ok=True)
    (tmp_path / b[:2] / f"{b}.json").write_text((tmp_path / a[:2] / f"{a}.json").read_text())
    with pytest.warns(StoreWarning, match="does not match its file name"):
        frame = store.frame()
    assert frame["key"].tolist() == [a]  # no duplicate row


def test_schema_violations_in_a_stored_record(tmp_path):
    store, key, path = _bad_store(tmp_path, "")
    for record, reason in [({"arch": "relu|"}, "missing field 'accuracy'"),
                           ({"arch": "relu|", "accuracy": "0.9"}, "type str, expected float"),
                           ({"arch": "relu|", "accuracy": float("nan")}, "not finite")]:
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps({"key": key, "status": "ok", "record": record}))
        with pytest.warns(StoreWarning, match=reason):
            assert store.get(key) is None


def test_non_finite_results_are_refused_and_stored_as_failures(tmp_path):
    store = ResultStore(tmp_path, SCHEMA)
    key = result_key(arch="x")
    with pytest.raises(ValueError, match="refusing to store an invalid result.*'accuracy' is not finite"):
        store.put(key, {"arch": "x", "accuracy": float("inf")})
    store.put_failure(key, "training loss became nan at epoch 1", {"arch": "x"})
    assert store.status(key) == "failed" and store.done(key) and store.get(key) is None
    assert store.frame().empty
    assert store.failures().to_dict("records") == [
        {"key": key, "reason": "training loss became nan at epoch 1", "arch": "x"}]


def test_sweep_spares_a_live_writers_temporary_file(tmp_path):
    import socket

    store = ResultStore(tmp_path)
    folder = tmp_path / "ab"
    folder.mkdir()
    host = socket.gethostname()
    live = folder / f".abcdef01-{host}-{os.getpid()}-x1y2.tmp"  # this process: alive
    dead_pid = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True).stdout.strip()
    dead = folder / f".abcdef01-{host}-{dead_pid}-z3.tmp"
    other_host = folder / f".abcdef01-elsewhere-1-q.tmp"
    for path in (live, dead, other_host):
        path.write_text("{")
    assert store.sweep() == 1
    assert live.exists() and other_host.exists() and not dead.exists()


def test_two_concurrent_writers_on_one_store_lose_nothing(tmp_path):
    code = ("import sys; from nascore.tables.keys import result_key; from nascore.tables.store import ResultStore\n"
            "s = ResultStore(sys.argv[1]); s.sweep()\n"
            "for i in range(150):\n"
            "    s.sweep(); s.put(result_key(i=i, w=sys.argv[2]), {'i': i, 'w': sys.argv[2]})\n"
            "    s.put(result_key(i=i), {'i': i})\n")
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path), w], env=env,
                              stderr=subprocess.PIPE, text=True) for w in "ab"]
    errors = [p.communicate()[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    assert len(ResultStore(tmp_path).frame()) == 150 * 3  # 150 per writer + 150 shared keys


def test_store_path_that_is_a_file_is_a_clear_error(tmp_path):
    target = tmp_path / "results.csv"
    target.write_text("x")
    with pytest.raises(ValueError, match="results.csv' is a file; it must be a folder"):
        ResultStore(target)
