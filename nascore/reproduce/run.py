"""``reproduce()``: run the chapters (in parallel with ``jobs``), record them, build the book.

Ctrl-C (SIGINT) or SIGTERM stops the run within seconds: the running kernels are
interrupted, then killed (:meth:`.kernel.Kernels.stop`), the chapters they ran are marked
interrupted with their earlier outputs kept, and :class:`KeyboardInterrupt` goes up to
the command line (exit status 130).
"""
from __future__ import annotations

import contextlib
import json
import queue
import signal
import threading
import time
from pathlib import Path

from ..paths import BOOK_DIR, NOTEBOOKS_DIR
from .book import ReproduceError, build_book, write_findings
from .chapters import LAST, NotebookRun, mode_name, mode_parameters, notebook_names, select
from .kernel import Kernels, log_file, run_notebook
from .outputs import book_lock, code_state, partial_output, record_unfinished, stamp, sweep_killed


def eta_seconds(remaining: list[str], done: dict, earlier: dict, jobs: int = 1) -> float:
    """Seconds the ``remaining`` notebooks should take: each its duration in the earlier
    run (``earlier``, name -> seconds, from the provenance record) when known, else the
    mean duration of those ``done`` in this run (0 when none is done); divided among ``jobs``."""
    mean = sum(done.values()) / len(done) if done else 0.0
    return sum(earlier.get(name, mean) for name in remaining) / max(jobs, 1)


def _minutes(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _earlier_durations(book_dir: Path) -> dict:
    path = book_dir / "generated" / "provenance.json"
    try:
        notebooks = json.loads(path.read_text())["notebooks"]
        return {name: float(run["duration_s"]) for name, run in notebooks.items() if run.get("status") == "ok"}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _in_threads(names: list[str], jobs: int, work, kernels: Kernels):
    """Yield ``work(name)`` for each name as it finishes, ``jobs`` at a time, each in a
    daemon thread (an interrupted run's exit does not wait for them). No name starts once
    ``kernels`` is stopping. The main thread waits on a queue: Ctrl-C reaches it at once."""
    todo, done = queue.SimpleQueue(), queue.SimpleQueue()
    for name in names:
        todo.put(name)

    def worker():
        while not kernels.stopping:
            try:
                name = todo.get_nowait()
            except queue.Empty:
                return
            try:
                done.put((work(name), None))
            except BaseException as exc:  # reported to the main thread, raised there
                done.put((None, exc))

    for _ in range(min(jobs, len(names))):
        threading.Thread(target=worker, name="nascore-notebook", daemon=True).start()
    for _ in names:
        run, exc = done.get()
        if exc is not None:
            raise exc
        yield run


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """SIGTERM stops the run as Ctrl-C does (in the main thread only, where Python runs handlers)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _stop(kernels: Kernels, parameters: dict, book_dir: Path, state: dict) -> None:
    """After Ctrl-C (or an error of our own): stop the kernels; a notebook that did not
    report back even so is marked interrupted here (its run-private folder, if left, is
    swept by the next run)."""
    for name in kernels.stop():
        run = NotebookRun(name, dict(parameters), status="interrupted", ended=stamp(),
                          error="interrupted (Ctrl-C or SIGTERM)",
                          output=str(partial_output(name, book_dir).relative_to(book_dir)))
        record_unfinished(run, None, book_dir, state)


def reproduce(*, quick: bool = False, regenerate: bool = False, seed: int = 0, only: list[str] | None = None,
              jobs: int = 1, build: bool = True, book_dir: Path = BOOK_DIR, notebooks_dir: Path = NOTEBOOKS_DIR,
              echo=print, verbose: bool = False) -> list[NotebookRun]:
    """Run the notebooks (and build the book); raises :class:`ReproduceError` on any failure,
    :class:`KeyboardInterrupt` when stopped by Ctrl-C or SIGTERM (within seconds).

    The mode (:func:`mode_parameters`): the papers' sizes on the shipped tables by
    default, ``quick`` for tests and CI, ``regenerate`` to recompute the shipped tables.

    ``only`` runs some notebooks: the provenance records and claims of the others are kept
    from the last run that produced them (each with that run's commit and timestamp); a
    whole run drops the claims of chapters that no longer exist. A chapter's outputs are
    replaced only when it finished (:mod:`.outputs`): a chapter that fails or is
    interrupted keeps its last complete outputs, marked. Notebooks whose name ends with
    :data:`LAST` run after all others, whatever ``jobs``. Prints one line per notebook
    (status, time, estimated time left) and a summary; the kernels' warnings go to a log
    file per notebook (:func:`log_file`), or to the terminal with ``verbose``.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    names = select(only, notebooks_dir)
    parameters = mode_parameters(quick=quick, regenerate=regenerate, seed=seed)
    mode = mode_name(parameters)
    echo(f"nascore reproduce: {len(names)} notebook(s), {mode} mode, seed {seed}, {jobs} job(s)")
    start = time.perf_counter()
    state = code_state()  # what the notebooks run from, recorded with each of them
    for run in sweep_killed(book_dir, state):
        echo(f"  {run.name}: an earlier run was killed ({run.ended}); its last complete outputs are kept")
    earlier = _earlier_durations(book_dir)
    if not only:  # a whole run: drop the claims of chapters that no longer exist
        current = set(notebook_names(notebooks_dir))
        for path in (book_dir / "generated" / "claims").glob("*.json"):
            if path.stem not in current:
                path.unlink()
    first = [n for n in names if not n.endswith(LAST)]
    last = [n for n in names if n.endswith(LAST)]
    runs: list[NotebookRun] = []
    width = max(len(n) for n in names)
    kernels = Kernels()

    def one(name):
        return run_notebook(name, parameters, book_dir, notebooks_dir, verbose=verbose, kernels=kernels,
                            state=state)

    with _sigterm_as_interrupt():
        try:
            for group in (first, last):
                for run in _in_threads(group, jobs, one, kernels):
                    runs.append(run)
                    finished = {r.name: r.duration_s for r in runs}
                    left = eta_seconds([n for n in names if n not in finished], finished, earlier, jobs)
                    eta = f"ETA {_minutes(left)}" if len(runs) < len(names) else "done"
                    echo(f"  [{len(runs):>2}/{len(names)}] {run.name:<{width}}  {run.status:<6} "
                         f"{run.duration_s:7.1f} s   {eta}" + (f"\n      {run.error}" if run.error else ""))
        except BaseException as exc:  # Ctrl-C, SIGTERM, or a failure here: no kernel outlives the run
            _stop(kernels, parameters, book_dir, state)
            if isinstance(exc, KeyboardInterrupt):
                echo("nascore reproduce: interrupted; the chapters that were running are marked interrupted, "
                     "every chapter keeps its last complete outputs")
            raise
    failed = [r for r in runs if r.status != "ok"]
    logs = log_file("x", book_dir).parent
    try:
        with book_lock(book_dir):  # another run of some chapter may be committing meanwhile
            write_findings(book_dir, notebooks_dir)  # every chapter's last complete claims, marks included
    except ValueError as exc:
        if not failed:
            raise
        echo(f"nascore reproduce: the front page was not rewritten: {exc}")
    if failed:
        details = "\n".join(f"  {r.name}: {r.error}\n    partial output kept at {book_dir / r.output}; "
                            "the chapter keeps its last complete outputs"
                            + ("" if verbose else f"\n    kernel log: {log_file(r.name, book_dir)}")
                            for r in failed)
        raise ReproduceError(f"{len(failed)} notebook(s) failed:\n{details}")
    summary = f"{len(runs)} notebook(s) ok in {_minutes(time.perf_counter() - start)}"
    if build:
        built = time.perf_counter()
        html = build_book(book_dir)
        summary += f"; book built in {_minutes(time.perf_counter() - built)}: {html / 'index.html'}"
    echo(f"nascore reproduce: {summary}" + ("" if verbose else f" (kernel logs: {logs})"))
    return runs
