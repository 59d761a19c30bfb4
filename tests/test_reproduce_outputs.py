"""`nascore reproduce` never leaves a half-run chapter in the book: Ctrl-C stops the kernel
within seconds, a failed, interrupted or killed chapter keeps its last complete outputs
(marked), two runs of one chapter keep their own files, and a failed book build names the
chapters whose glued values are missing.

Every wait is on an event (a file the notebook writes); timeouts are upper bounds.
"""
import json
import os
import signal
import subprocess
import sys
import threading
import time

import nbformat
import pytest

from nascore import claims, reproduce
from nascore.paths import REPO_ROOT

UPPER_BOUND_S = 120  # for events on a loaded machine (a kernel starting), never a measured time
STOP_WITHIN_S = 10  # the promise: a run stops this soon after Ctrl-C


def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("quick = True\nseed = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("# A chapter"), params] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


def claim_cell(claim_id, chapter="a", verdict="reproduced"):
    return (f"from nascore import claims\nclaims.record({claim_id!r}, paper='P', where='w', claim='c', "
            f"paper_value='1', our_value='1', verdict={verdict!r}, chapter={chapter!r}, "
            "source='our code, real data')")


def started_cell(marks):
    """Write the kernel's pid to ``marks/kernel`` (whole, by a rename): the chapter is running."""
    return (f"import os, pathlib\nmarks = pathlib.Path({str(marks)!r})\n"
            "(marks / 'kernel.tmp').write_text(str(os.getpid()))\nos.replace(marks / 'kernel.tmp', marks / 'kernel')")


def hang_cell(flag, ignore_sigint=False):
    """Sleep (up to 10 min) when ``flag`` exists, optionally deaf to SIGINT."""
    lines = ["import pathlib, signal, time", f"if pathlib.Path({str(flag)!r}).exists():"]
    if ignore_sigint:
        lines.append("    signal.signal(signal.SIGINT, signal.SIG_IGN)")
    return "\n".join(lines + ["    time.sleep(600)"])


def quiet(*args):
    pass


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def _wait_for(condition, what, process=None, timeout=UPPER_BOUND_S):
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"nascore reproduce exited ({process.returncode}) before {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout} s")
        time.sleep(0.05)


CHILD = """
import signal, sys
from pathlib import Path
from nascore import cli, reproduce

# Ctrl-C as at a terminal, even when the test runner was started with SIGINT ignored (a
# background job inherits that)
signal.signal(signal.SIGINT, signal.default_int_handler)

whole = reproduce.reproduce
reproduce.reproduce = lambda **kw: whole(**kw, book_dir=Path(sys.argv[1]), notebooks_dir=Path(sys.argv[2]))
sys.exit(cli.main(["reproduce", "--only", sys.argv[3], "--no-build"]))
"""


def start_cli(tmp_path, book, notebooks, only):
    """``nascore reproduce --only <only> --no-build`` on these folders, in its own session
    (as a terminal's foreground job: Ctrl-C goes to its process group)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.Popen([sys.executable, str(script), str(book), str(notebooks), only], env=env,
                            start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def chapter(tmp_path):
    """A book with chapter 10_a run once to completion (claim a.one, a glued value); the
    chapter hangs in later runs once ``flag`` exists."""
    notebooks, book, marks = tmp_path / "notebooks", tmp_path / "book", tmp_path / "marks"
    notebooks.mkdir()
    marks.mkdir()
    flag = tmp_path / "hang"

    def write(ignore_sigint=False):
        write_notebook(notebooks / "10_a.ipynb", started_cell(marks), hang_cell(flag, ignore_sigint),
                       "from myst_nb import glue\nglue('a_value', 42, display=False)", claim_cell("a.one"))

    write()
    runs = reproduce.reproduce(only=["a"], build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert [r.status for r in runs] == ["ok"]
    (marks / "kernel").unlink()
    return notebooks, book, marks, flag, write


def complete_outputs(book):
    """What the book holds for chapter 10_a: its notebook, its claims, its provenance record."""
    content = json.loads((book / "generated" / "claims" / "10_a.json").read_text())
    record = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]["10_a"]
    return ((book / "chapters" / "10_a.ipynb").read_bytes(), content["claims"], content["run_started"],
            {k: v for k, v in record.items() if k != "last_attempt"})


@pytest.mark.parametrize("how", ["ctrl-c", "sigterm", "kernel-deaf-to-sigint"])
def test_ctrl_c_stops_the_chapter_within_seconds_and_keeps_its_last_outputs(tmp_path, chapter, how):
    notebooks, book, marks, flag, write = chapter
    write(ignore_sigint=how == "kernel-deaf-to-sigint")
    before = complete_outputs(book)
    flag.touch()
    cli = start_cli(tmp_path, book, notebooks, "a")
    try:
        _wait_for(lambda: (marks / "kernel").exists(), "kernel running the chapter", cli)
        kernel = int((marks / "kernel").read_text())
        if how == "sigterm":
            cli.send_signal(signal.SIGTERM)
        else:  # Ctrl-C at a terminal: SIGINT to the whole foreground process group
            os.killpg(cli.pid, signal.SIGINT)
        try:
            out, _ = cli.communicate(timeout=STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"nascore reproduce still running {STOP_WITHIN_S} s after {how}")
    finally:
        if cli.poll() is None:
            os.killpg(cli.pid, signal.SIGKILL)
        if (marks / "kernel").exists() and _alive(int((marks / "kernel").read_text())):
            os.kill(int((marks / "kernel").read_text()), signal.SIGKILL)
    assert cli.returncode == 130, out
    _wait_for(lambda: not _alive(kernel), "kernel gone", timeout=STOP_WITHIN_S)
    assert complete_outputs(book) == before  # notebook, claims and record of the complete run
    content = json.loads((book / "generated" / "claims" / "10_a.json").read_text())
    assert content["last_attempt"].startswith("interrupted at ")
    record = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]["10_a"]
    assert record["status"] == "ok" and record["last_attempt"]["status"] == "interrupted"
    assert "last run interrupted at" in (book / "generated" / "provenance.md").read_text()
    assert [p.name for p in (book / "_build" / "runs").iterdir()] == [".lock"]  # no run-private folder left


def test_a_failed_chapter_keeps_its_last_complete_outputs_marked_on_the_front_page_and_ledger(chapter):
    notebooks, book, marks, flag, write = chapter
    before = complete_outputs(book)
    write_notebook(notebooks / "10_a.ipynb", claim_cell("a.one", verdict="partly"), claim_cell("a.two"),
                   "raise RuntimeError('boom')")
    with pytest.raises(reproduce.ReproduceError, match="the chapter keeps its last complete outputs"):
        reproduce.reproduce(only=["a"], build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert complete_outputs(book) == before  # not the failed run's two claims, nor its notebook
    ledger = claims.load(chapters=["10_a"], folder=book / "generated" / "claims")
    assert list(ledger["id"]) == ["a.one"] and list(ledger["verdict"]) == ["reproduced"]
    mark = ledger.loc[0, "last_attempt"]
    assert mark.startswith("failed at ") and mark.endswith(" UTC")
    assert list(claims.chapter_runs(ledger)["last attempt"]) == [mark]
    front = (book / "generated" / "findings.md").read_text()
    assert "Of **1** claims" in front and f"did not finish ({mark})" in front
    record = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]["10_a"]
    assert record["last_attempt"]["status"] == "failed" and "RuntimeError: boom" in record["last_attempt"]["error"]
    assert record["last_attempt"]["partial_output"] == "_build/partial/10_a.ipynb"
    # the next complete run replaces everything and clears the mark
    write()
    reproduce.reproduce(only=["a"], build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert claims.load(chapters=["10_a"], folder=book / "generated" / "claims").loc[0, "last_attempt"] == ""
    assert "last_attempt" not in json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]["10_a"]
    assert "did not finish" not in (book / "generated" / "findings.md").read_text()


def test_a_killed_run_is_marked_by_the_next_run_and_the_chapter_keeps_its_outputs(tmp_path, chapter):
    notebooks, book, marks, flag, write = chapter
    write_notebook(notebooks / "20_b.ipynb", claim_cell("b.one", chapter="b"))
    before = complete_outputs(book)
    flag.touch()
    cli = start_cli(tmp_path, book, notebooks, "a")
    try:
        _wait_for(lambda: (marks / "kernel").exists(), "kernel running the chapter", cli)
        os.killpg(cli.pid, signal.SIGKILL)  # no clean-up of any kind
        cli.communicate(timeout=UPPER_BOUND_S)
    finally:
        kernel = int((marks / "kernel").read_text()) if (marks / "kernel").exists() else None
        if kernel and _alive(kernel):  # its own session: SIGKILL to the group above missed it
            os.kill(kernel, signal.SIGKILL)
    assert complete_outputs(book) == before
    lines = []
    reproduce.reproduce(only=["b"], build=False, book_dir=book, notebooks_dir=notebooks, echo=lines.append)
    assert any(line.startswith("  10_a: an earlier run was killed") for line in lines)
    assert complete_outputs(book) == before
    ledger = claims.load(chapters=["10_a", "20_b"], folder=book / "generated" / "claims").set_index("id")
    assert ledger.loc["a.one", "last_attempt"].startswith("killed at ") and ledger.loc["b.one", "last_attempt"] == ""
    assert "did not finish (killed at" in (book / "generated" / "findings.md").read_text()
    assert (book / "_build" / "partial" / "10_a.ipynb").exists()
    assert [p.name for p in (book / "_build" / "runs").iterdir()] == [".lock"]


def test_two_runs_of_one_chapter_at_once_keep_their_own_reads_and_sizes(tmp_path):
    notebooks, book, marks = tmp_path / "notebooks", tmp_path / "book", tmp_path / "marks"
    notebooks.mkdir()
    marks.mkdir()
    data = tmp_path / "table.csv"
    data.write_text("a\n1\n")
    # each run announces itself, waits (up to a minute) for the other, then reads and notes sizes
    write_notebook(notebooks / "10_a.ipynb",
                   f"import os, pathlib, time\nfrom nascore.manifest import note_read\nfrom nascore.provenance import "
                   f"note_sizes\nmarks = pathlib.Path({str(marks)!r})\n(marks / str(os.getpid())).touch()\n"
                   "deadline = time.time() + 60\n"
                   "while len(list(marks.iterdir())) < 2 and time.time() < deadline:\n    time.sleep(0.05)\n"
                   f"note_read({str(data)!r})\nnote_sizes(seeds=3)", claim_cell("a.one"))
    runs = []

    def one():
        runs.append(reproduce.run_notebook("10_a", {"quick": True, "seed": 0}, book, notebooks))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(UPPER_BOUND_S)
    assert len(list(marks.iterdir())) == 2  # the two runs overlapped
    assert [r.status for r in runs] == ["ok", "ok"]
    for run in runs:
        assert [line.split(" ", 1)[1] for line in run.data_read] == [str(data)] and run.sizes == {"seeds": 3}
    box = nbformat.read(book / "chapters" / "10_a.ipynb", as_version=4).cells[1].source
    assert f"`{data}`" in box and "Sample sizes: seeds 3." in box
    assert list(claims.load(chapters=["10_a"], folder=book / "generated" / "claims")["id"]) == ["a.one"]
    assert [p.name for p in (book / "_build" / "runs").iterdir()] == [".lock"]


def test_a_failed_book_build_names_the_chapters_whose_glue_is_missing(tmp_path):
    red, plain = "\x1b[91m", "\x1b[39;49;00m"
    log = "\n".join([
        "Running Sphinx v7.4.7",
        f"{red}/b/book/chapters/40_zhu.ipynb:12: WARNING: No key 'zhu_rho' found in glue data for this "
        f"document. [mystnb.glue]{plain}",
        f"{red}/b/book/chapters/40_zhu.ipynb:30: WARNING: No key 'zhu_n' found in glue data for this "
        f"document. [mystnb.glue]{plain}",
        f"{red}/b/book/intro.md:7: WARNING: Glue reference 'hnas_acc' not found in doc 'chapters/50_hnas' "
        f"[mystnb.glue]{plain}",
        "/b/book/chapters/10_x.ipynb:3: WARNING: undefined label: 'nowhere'",
        "build finished with problems, 4 warnings."])
    assert reproduce.missing_glue(log) == {"40_zhu": 2, "50_hnas": 1}
    message = reproduce.build_failure(log, 1, tmp_path / "build.log")
    assert "glued values missing in: 40_zhu (2 values), 50_hnas (1 value)" in message
    assert "\x1b" not in message and "build finished with problems" in message
