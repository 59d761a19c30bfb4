"""A killed parent leaves no worker behind (SIGINT, SIGTERM and SIGKILL)."""
import os
import signal
import subprocess
import sys
import time

import pytest

from nascore.paths import REPO_ROOT

PARENT = """
import os, sys, time
from nascore.bench.executors import LocalExecutor

def slow(n):
    time.sleep(60)
    return n

if __name__ == "__main__":
    ex = LocalExecutor(2, progress=False)
    for item, result in ex.imap(slow, range(4)):
        pass
"""


def _children(pid):
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True, text=True).stdout
    return bool(state.strip()) and not state.strip().startswith("Z")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_workers_exit_when_the_parent_is_stopped(tmp_path, sig):
    script = tmp_path / "parent.py"
    script.write_text(PARENT)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    parent = subprocess.Popen([sys.executable, str(script)], env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers = []
    while time.monotonic() < deadline:  # the pool's workers (and its resource tracker) start
        workers = [p for p in _children(parent.pid)
                   if "spawn_main" in open(f"/proc/{p}/cmdline").read()] if parent.poll() is None else []
        if len(workers) == 2:
            break
        time.sleep(0.1)
    assert len(workers) == 2, "the pool did not start two workers"
    time.sleep(1.0)  # workers are inside a job
    parent.send_signal(sig)
    parent.wait(timeout=30)
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [w for w in workers if _alive(w)]
    for w in left:
        os.kill(w, signal.SIGKILL)
    assert left == [], f"workers {left} outlived a parent stopped by {sig.name}"
