"""``reproduce()``: run the chapters (in parallel with ``jobs``), record them, build the book."""
from __future__ import annotations

import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..paths import BOOK_DIR, NOTEBOOKS_DIR
from .book import ReproduceError, build_book, write_findings
from .chapters import LAST, NotebookRun, mode_name, mode_parameters, select
from .kernel import log_file, run_notebook
from .outputs import code_state, write_provenance

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


def reproduce(*, quick: bool = False, regenerate: bool = False, seed: int = 0, only: list[str] | None = None,
              jobs: int = 1, build: bool = True, book_dir: Path = BOOK_DIR, notebooks_dir: Path = NOTEBOOKS_DIR,
              echo=print, verbose: bool = False) -> list[NotebookRun]:
    """Run the notebooks (and build the book); raises :class:`ReproduceError` on any failure.

    The mode (:func:`mode_parameters`): the papers' sizes on the shipped tables by
    default, ``quick`` for tests and CI, ``regenerate`` to recompute the shipped tables.

    ``only`` runs some notebooks: the provenance records and claims of the others are kept
    from the last run that produced them (each with that run's commit and timestamp); a
    whole run starts from an empty claims folder. Notebooks whose name ends with
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
    earlier = _earlier_durations(book_dir)
    if not only:  # a whole run rewrites every claim: drop those of chapters that no longer exist
        shutil.rmtree(book_dir / "generated" / "claims", ignore_errors=True)
    first = [n for n in names if not n.endswith(LAST)]
    last = [n for n in names if n.endswith(LAST)]
    runs: list[NotebookRun] = []
    width = max(len(n) for n in names)

    def one(name):
        return run_notebook(name, parameters, book_dir, notebooks_dir, verbose=verbose)

    for group in (first, last):
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for run in pool.map(one, group):
                runs.append(run)
                finished = {r.name: r.duration_s for r in runs}
                left = eta_seconds([n for n in names if n not in finished], finished, earlier, jobs)
                eta = f"ETA {_minutes(left)}" if len(runs) < len(names) else "done"
                echo(f"  [{len(runs):>2}/{len(names)}] {run.name:<{width}}  {run.status:<6} "
                     f"{run.duration_s:7.1f} s   {eta}" + (f"\n      {run.error}" if run.error else ""))
    write_provenance(runs, book_dir, state)
    failed = [r for r in runs if r.status != "ok"]
    logs = log_file("x", book_dir).parent
    if failed:
        details = "\n".join(f"  {r.name}: {r.error}\n    partial output kept at {book_dir / r.output}"
                            + ("" if verbose else f"\n    kernel log: {log_file(r.name, book_dir)}")
                            for r in failed)
        raise ReproduceError(f"{len(failed)} notebook(s) failed:\n{details}")
    write_findings(book_dir, notebooks_dir)
    summary = f"{len(runs)} notebook(s) ok in {_minutes(time.perf_counter() - start)}"
    if build:
        built = time.perf_counter()
        html = build_book(book_dir)
        summary += f"; book built in {_minutes(time.perf_counter() - built)}: {html / 'index.html'}"
    echo(f"nascore reproduce: {summary}" + ("" if verbose else f" (kernel logs: {logs})"))
    return runs
