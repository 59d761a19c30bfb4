"""A chapter's outputs, replaced whole or not at all, and the provenance record of the chapters.

A run of a chapter writes everything to its own folder, ``book/_build/runs/<name>.<pid>.<id>/``
(:func:`open_staging`): the executed notebook, its claims, figures, the data files it read
and its sample sizes. Only when the chapter finished are they moved into place, under a
lock shared by every run on this book (:func:`commit`), together with the chapter's
provenance record: two runs of one chapter never mix their files, and a reader of the book
never meets half a run. A run that failed or was interrupted changes none of them: the
chapter's record and claims keep their last complete run, marked ``"failed at <time>"``
or ``"interrupted at <time>"`` (:func:`record_unfinished`); its partial notebook goes to
``_build/partial/<name>.ipynb``. A run killed outright (SIGKILL, a crash) leaves its
folder behind with a dead process id in it: the next ``reproduce`` marks that chapter
``"killed at <time>"`` (:func:`sweep_killed`).

``generated/provenance.json`` holds, per chapter, its last complete run (parameters,
duration, commit, data read, sample sizes) and, when a later one did not finish,
``"last_attempt": {"status", "at", "error", "partial_output"}``.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from .. import claims, provenance
from ..paths import BOOK_DIR
from .chapters import NotebookRun

#: Where the run-private folders live, under the book.
RUNS = Path("_build") / "runs"


def stamp() -> str:
    """Now, as the book shows times: ``"2025-01-31 09:12:03 UTC"``."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def code_state() -> dict:
    """``{"git_commit": label, "git_tree": worktree id}`` of the checkout now (:mod:`nascore.provenance`)."""
    return {"git_commit": provenance.commit_label(), "git_tree": provenance.worktree_id()}


def _process_start(pid: int) -> str | None:
    """The start time of process ``pid`` in clock ticks since boot (Linux), to tell a
    reused process id from the process that wrote a folder; None when unknown or gone."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _running(pid: int, started: str | None) -> bool:
    """Whether process ``pid``, started at ``started`` (:func:`_process_start`), still runs."""
    from ..tables.store import pid_alive

    if started is not None:
        return _process_start(pid) == started
    return pid_alive(pid)


def open_staging(name: str, book_dir: Path = BOOK_DIR) -> Path:
    """A new run-private folder for one run of chapter ``name``, with ``attempt.json``
    saying which process runs it and since when."""
    folder = book_dir / RUNS / f"{name}.{os.getpid()}.{uuid.uuid4().hex[:8]}"
    (folder / "claims").mkdir(parents=True)
    (folder / "figures").mkdir()
    attempt = {"chapter": name, "pid": os.getpid(), "pid_start": _process_start(os.getpid()), "started": stamp()}
    (folder / "attempt.json").write_text(json.dumps(attempt))
    return folder


@contextlib.contextmanager
def book_lock(book_dir: Path = BOOK_DIR):
    """Hold the book's lock (one file, ``flock``): moving a chapter's outputs into place and
    merging the provenance record happen under it, one run at a time."""
    path = book_dir / RUNS / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock, as before
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def commit(run: NotebookRun, staging: Path, book_dir: Path = BOOK_DIR, state: dict | None = None) -> None:
    """Move a finished run's outputs from ``staging`` into the book and record its provenance.

    The executed notebook replaces ``chapters/<name>.ipynb``, its claims file replaces the
    chapter's (no file: the chapter recorded no claims, and keeps none), its figures
    replace those of the same name; then the provenance record. Each file is replaced by
    a rename, all of them under :func:`book_lock`.
    """
    state = state or code_state()
    chapters, claims_dir = book_dir / "chapters", book_dir / "generated" / "claims"
    with book_lock(book_dir):
        (chapters / "figures").mkdir(parents=True, exist_ok=True)
        claims_dir.mkdir(parents=True, exist_ok=True)
        for figure in sorted((staging / "figures").iterdir()):
            os.replace(figure, chapters / "figures" / figure.name)
        new_claims = claims.chapter_file(run.name, staging / "claims")
        if new_claims.exists():
            os.replace(new_claims, claims.chapter_file(run.name, claims_dir))
        else:
            claims.chapter_file(run.name, claims_dir).unlink(missing_ok=True)
        os.replace(staging / f"{run.name}.ipynb", chapters / f"{run.name}.ipynb")
        _merge_provenance([run], book_dir, state)
    shutil.rmtree(staging, ignore_errors=True)


def partial_output(name: str, book_dir: Path = BOOK_DIR) -> Path:
    """Where the partial notebook of a run that did not finish is kept (``_build/partial/``)."""
    return book_dir / "_build" / "partial" / f"{name}.ipynb"


def record_unfinished(run: NotebookRun, staging: Path | None, book_dir: Path = BOOK_DIR,
                      state: dict | None = None) -> None:
    """A run that failed, was interrupted or killed: keep the chapter's outputs, mark them.

    The partial notebook (if any) moves to :func:`partial_output`; the provenance record
    and the claims file of the chapter's last complete run get the mark
    ``"<status> at <time>"``; the run-private folder is removed.
    """
    state = state or code_state()
    with book_lock(book_dir):
        if staging is not None and (staging / f"{run.name}.ipynb").exists():
            target = partial_output(run.name, book_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / f"{run.name}.ipynb", target)
            run.output = str(target.relative_to(book_dir))
        claims.mark_attempt(run.name, f"{run.status} at {run.ended}", book_dir / "generated" / "claims")
        _merge_provenance([run], book_dir, state)
    if staging is not None:
        shutil.rmtree(staging, ignore_errors=True)


def sweep_killed(book_dir: Path = BOOK_DIR, state: dict | None = None) -> list[NotebookRun]:
    """Mark the chapters whose run was killed (a run-private folder whose process is gone):
    ``"killed at <time>"``, the time its folder last changed. Returns those runs."""
    found = []
    for folder in sorted((book_dir / RUNS).glob("*.*.*")):
        try:
            attempt = json.loads((folder / "attempt.json").read_text())
            pid, name = int(attempt["pid"]), str(attempt["chapter"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being created, or not ours
        if _running(pid, attempt.get("pid_start")):
            continue  # its process is still running it
        last = max((p.stat().st_mtime for p in folder.rglob("*")), default=folder.stat().st_mtime)
        run = NotebookRun(name, {}, status="killed", error="the process running it was killed",
                          ended=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(last)))
        record_unfinished(run, folder, book_dir, state)
        found.append(run)
    return found


def write_provenance(runs: list[NotebookRun], book_dir: Path = BOOK_DIR, state: dict | None = None) -> Path:
    """Merge ``runs`` into ``generated/provenance.json`` and render ``generated/provenance.md``.

    A run that finished (``ok``) replaces its chapter's record; one that did not is kept
    as the record's ``last_attempt``, beside the last complete run. ``state`` is the code
    the runs used (:func:`code_state` taken before they started; now when omitted).
    """
    with book_lock(book_dir):
        return _merge_provenance(runs, book_dir, state or code_state())


def _merge_provenance(runs, book_dir: Path, state: dict) -> Path:
    generated = book_dir / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    path = generated / "provenance.json"
    record = json.loads(path.read_text()) if path.exists() else {"notebooks": {}}
    record.update({**state, "packages": provenance.package_versions(), "machine": provenance.machine(),
                   "updated": time.strftime("%Y-%m-%d %H:%M:%S %Z")})
    for run in runs:
        entry = asdict(run) | {"git_commit": state["git_commit"], "git_tree": state["git_tree"],
                               "finished": record["updated"]}
        earlier = record["notebooks"].get(run.name)
        if run.status != "ok":
            attempt = {"status": run.status, "at": run.ended, "error": run.error, "partial_output": run.output}
            entry = (earlier if earlier and earlier.get("status") == "ok" else entry) | {"last_attempt": attempt}
        record["notebooks"][run.name] = entry
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True))
    os.replace(tmp, path)
    (generated / "provenance.md").write_text(_provenance_markdown(record))
    return path


def status_label(run: dict) -> str:
    """The status of a chapter as the provenance page shows it: ``ok``, ``failed at <time>``,
    or ``ok; last run interrupted at <time>`` when a later run did not finish."""
    attempt = run.get("last_attempt")
    if not attempt:
        return run["status"]
    mark = f"{attempt['status']} at {attempt['at']}"
    return f"ok (run of {run['finished']}); last run {mark}" if run["status"] == "ok" else mark


def _provenance_markdown(record: dict) -> str:
    lines = ["# Provenance", "",
             "How every chapter of this book was produced: written by `nascore reproduce`, not by hand.", "",
             f"- Git commit: `{record['git_commit']}`", f"- Machine: {record['machine']}",
             f"- Last update: {record['updated']}", "",
             "| notebook | status | parameters | duration (s) | git commit | data read (SHA-256, first 12) |",
             "|---|---|---|---|---|---|"]
    for name, run in sorted(record["notebooks"].items()):
        params = ", ".join(f"`{k}={v!r}`" for k, v in run["parameters"].items())
        reads = "<br>".join(f"`{line.split(' ', 1)[1]}` {line[:12]}" for line in run["data_read"]) or "none"
        lines.append(f"| {name} | {status_label(run)} | {params} | {run['duration_s']:.1f} | "
                     f"`{run['git_commit'][:12]}` | {reads} |")
    lines += ["", "## Package versions", "", "| package | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in record["packages"].items()]
    return "\n".join(lines) + "\n"
