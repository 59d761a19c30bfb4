"""A stopped parent leaves no worker behind (SIGINT, SIGTERM and SIGKILL), and Ctrl-C ends
the pool promptly wherever it lands: while jobs run, while the caller handles a result,
while jobs are still being queued.

Every wait below is on an event (a file a job or the caller writes); the timeouts are only
upper bounds, generous for a loaded machine.
"""
import os
import signal
import subprocess
import sys
import time

import pytest

from nascore.tables import executors
from nascore.paths import REPO_ROOT

PARENT = """
import os, pathlib, signal, sys, time
from nascore.tables.executors import LocalExecutor

MARKS = pathlib.Path(os.environ["MARKS"])

def slow(n):
    (MARKS / f"job-{n}").write_text(str(os.getpid()))  # this worker is inside a job
    if n == 0 and os.environ.get("FIRST_QUICK"):
        return n
    time.sleep(600)
    return n

if __name__ == "__main__":
    # Ctrl-C as at a terminal, even when the test runner was started with SIGINT ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    ex = LocalExecutor(2, progress=False)
    results = ex.imap(slow, range(4))  # held by this frame, as a caller's variable would be
    for item, result in results:
        (MARKS / "caller-busy").touch()  # the caller handles a result (stores it, say)
        time.sleep(600)
"""

UPPER_BOUND_S = 60  # far above what a prompt exit takes, even on a loaded machine


def _alive(pid):
    """Running (a zombie, or a pid gone from /proc, is dead for our purpose)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _wait_for(condition, what, process=None, timeout=UPPER_BOUND_S):
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the parent exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout} s")
        time.sleep(0.05)


def _start(tmp_path, **env):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "MARKS": str(marks), **env}
    return subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.DEVNULL), marks


def _stop_and_check(parent, sig, workers):
    parent.send_signal(sig)
    try:
        parent.wait(timeout=UPPER_BOUND_S)
    except subprocess.TimeoutExpired:
        parent.kill()
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
        pytest.fail(f"the parent was still running {UPPER_BOUND_S} s after {sig.name}")
    deadline = time.monotonic() + UPPER_BOUND_S
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], f"workers {left} outlived a parent stopped by {sig.name}"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=lambda s: s.name)
def test_workers_exit_when_the_parent_is_stopped(tmp_path, sig):
    parent, marks = _start(tmp_path)
    _wait_for(lambda: len(list(marks.glob("job-*"))) == 2, "two jobs running", parent)
    workers = [int(p.read_text()) for p in marks.glob("job-*")]
    _stop_and_check(parent, sig, workers)


def test_ctrl_c_while_the_caller_handles_a_result_ends_the_pool(tmp_path):
    # the caller still holds the iterator when Ctrl-C lands in its own code: the pool must
    # not be left for the interpreter's exit, which would wait for the running jobs
    parent, marks = _start(tmp_path, FIRST_QUICK="1")
    _wait_for(lambda: (marks / "caller-busy").exists() and len(list(marks.glob("job-*"))) >= 3,
              "a result handled while two jobs run", parent)
    workers = sorted({int(p.read_text()) for p in marks.glob("job-*")})
    _stop_and_check(parent, signal.SIGINT, workers)


def _sleep_forever(n):
    time.sleep(600)
    return n


def test_an_interrupt_while_jobs_are_queued_ends_the_workers_already_started(monkeypatch):
    pools, started = [], []
    real_submit = executors.ProcessPoolExecutor.submit

    def submit(pool, fn, *args):
        if pool not in pools:
            pools.append(pool)
        if len(pool._pending_work_items) == 2:  # two jobs queued, two workers started
            started.extend(pool._processes)
            raise KeyboardInterrupt
        return real_submit(pool, fn, *args)

    monkeypatch.setattr(executors.ProcessPoolExecutor, "submit", submit)
    with pytest.raises(KeyboardInterrupt):
        list(executors.LocalExecutor(2, progress=False).imap(_sleep_forever, range(4)))
    assert len(started) == 2
    left = [pid for pid in started if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert pools[0]._shutdown_thread, "the pool was not shut down"
    assert left == [], f"workers {left} kept running after an interrupt while jobs were queued"
