"""Run one notebook in its own kernel (papermill), with the variables the chapter needs,
into a run-private folder (:mod:`.outputs`); and stop running kernels on an interrupt.

A kernel is started in its own session (``jupyter_client`` does so), so Ctrl-C at the
terminal does not reach it: :class:`Kernels` keeps the process of every kernel a run has
started, and :meth:`Kernels.stop` interrupts them (SIGINT to the kernel's process group,
as Jupyter's "interrupt" does), then kills those still running after a grace period.
"""
from __future__ import annotations

import itertools
import json
import os
import signal
import threading
import time
from pathlib import Path

from ..paths import BOOK_DIR, NOTEBOOKS_DIR
from . import outputs
from .chapters import NotebookRun, fold_code, run_box

#: Seconds an interrupted kernel has to stop its cell before it is killed.
INTERRUPT_GRACE_SECONDS = 2.0
#: Seconds, after the kill, to wait for the notebooks' threads to report.
KILL_WAIT_SECONDS = 5.0


class Kernels:
    """The kernel processes of one ``reproduce`` run, so that an interrupt can stop them.

    :func:`run_notebook` registers each notebook while it runs (:meth:`enter`,
    :meth:`leave`) and its kernel's process id once started; after :meth:`stop` a kernel
    that starts is killed at once, and no new notebook starts.
    """

    def __init__(self):
        self._changed = threading.Condition()
        self._running: dict[int, list] = {}  # token -> [notebook, kernel pid or None until started]
        self._tokens = itertools.count()
        self.stopping = False

    def enter(self, name: str) -> int:
        with self._changed:
            token = next(self._tokens)
            self._running[token] = [name, None]
            return token

    def started(self, token: int, pid: int | None) -> None:
        with self._changed:
            self._running[token][1] = pid
            stopping = self.stopping
        if stopping and pid:
            _signal_group(pid, signal.SIGKILL)

    def kernel_ended(self, token: int) -> None:
        """The kernel of ``token`` is shut down: never signal its (reusable) process id again."""
        with self._changed:
            if token in self._running:
                self._running[token][1] = None

    def leave(self, token: int) -> None:
        with self._changed:
            self._running.pop(token, None)
            self._changed.notify_all()

    def running(self) -> list[str]:
        """The notebooks still running."""
        with self._changed:
            return [name for name, _ in self._running.values()]

    def _pids(self) -> list[int]:
        with self._changed:
            return [pid for _, pid in self._running.values() if pid]

    def _wait_empty(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        with self._changed:
            while self._running and time.monotonic() < deadline:
                self._changed.wait(max(deadline - time.monotonic(), 0.01))

    def stop(self, grace: float = INTERRUPT_GRACE_SECONDS, wait: float = KILL_WAIT_SECONDS) -> list[str]:
        """Interrupt every running kernel, kill those still running after ``grace`` seconds,
        and wait up to ``wait`` seconds more for their notebooks to end. Returns the
        notebooks that have not ended even so (their kernels are killed all the same)."""
        with self._changed:
            self.stopping = True
        for pid in self._pids():
            _signal_group(pid, signal.SIGINT)
        try:
            self._wait_empty(grace)
        finally:  # even when a second Ctrl-C cuts the grace short
            for pid in self._pids():
                _signal_group(pid, signal.SIGKILL)
        self._wait_empty(wait)
        return self.running()


def _signal_group(pid: int, signum: int) -> None:
    """Send ``signum`` to the kernel's process group (the kernel leads its own session, so
    the group holds the kernel and any worker it started), else to the kernel alone."""
    try:
        getattr(os, "killpg", os.kill)(pid, signum)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signum)
        except (ProcessLookupError, PermissionError):
            pass


def _finish_chapter(path: Path, run: NotebookRun) -> None:
    """Fold the chapter's code (:func:`fold_code`) and put :func:`run_box` under its title."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    fold_code(nb)
    if run.status == "ok":
        first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), -1)
        nb.cells.insert(first + 1, nbformat.v4.new_markdown_cell(run_box(run)))
    nbformat.write(nb, path)


def notebook_env(name: str, staging: Path, book_dir: Path = BOOK_DIR) -> dict:
    """Environment variables the kernel of notebook ``name`` starts with (added to ours).

    What the run writes goes to its private folder ``staging`` (:func:`outputs.open_staging`):
    ``NASCORE_READS`` collects the data files it reads (:func:`nascore.manifest.note_read`),
    ``NASCORE_SIZES`` its sample sizes (:func:`nascore.provenance.note_sizes`),
    ``NASCORE_CLAIMS_RUN`` its claims, ``NASCORE_FIGURES`` its figures. ``NASCORE_CLAIMS``
    is the book's claims folder (what the ledger reads), ``NASCORE_NOTEBOOK`` the chapter
    whose claims it records and ``NASCORE_RUN_STARTED`` the run's timestamp shown in the
    ledger (:mod:`nascore.claims`).
    """
    return {"NASCORE_FIGURES": str(staging / "figures"), "NASCORE_CLAIMS_RUN": str(staging / "claims"),
            "NASCORE_CLAIMS": str(book_dir / "generated" / "claims"),
            "NASCORE_READS": str(staging / "reads.txt"), "NASCORE_NOTEBOOK": name,
            "NASCORE_SIZES": str(staging / "sizes.json"), "NASCORE_RUN_STARTED": outputs.stamp(),
            "TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def _kernel_manager_class(env: dict, log: Path | None = None, kernels: Kernels | None = None,
                          token: int | None = None):
    """A kernel manager class whose kernels start with this process's environment plus ``env``.

    Each notebook gets its own class, so notebooks run from parallel threads never see
    each other's variables (``os.environ`` is one per process: setting it from a thread
    leaks into every kernel started meanwhile). ``env`` reaches the kernel through the
    ``env`` argument of ``jupyter_client``'s ``start_kernel`` (the ``Popen`` environment).
    With ``log``, the kernel's own stdout and stderr (its warnings, e.g. "Kernel is running
    over TCP without encryption", and those of the libraries it loads) go to that file,
    not to our terminal (``Popen``'s ``stdout``/``stderr``, passed on by ``launch_kernel``).
    With ``kernels``, the kernel's process id is registered there under ``token``.
    """
    from jupyter_client import AsyncKernelManager

    extra = dict(env)

    class NotebookKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**os.environ, **kw.get("env", {}), **extra}
            if log is None:
                started = await AsyncKernelManager.start_kernel(self, **kw)
            else:
                with open(log, "a") as handle:  # the kernel process keeps its own copy
                    kw["stdout"] = kw["stderr"] = handle
                    started = await AsyncKernelManager.start_kernel(self, **kw)
            if kernels is not None:
                kernels.started(token, getattr(getattr(self.provisioner, "process", None), "pid", None))
            return started

    return NotebookKernelManager


def log_file(name: str, book_dir: Path = BOOK_DIR) -> Path:
    """Where the kernel of notebook ``name`` writes its warnings (``_build/logs/<name>.log``)."""
    return book_dir / "_build" / "logs" / f"{name}.log"


def run_notebook(name: str, parameters: dict, book_dir: Path = BOOK_DIR, notebooks_dir: Path = NOTEBOOKS_DIR,
                 verbose: bool = False, *, kernels: Kernels | None = None, state: dict | None = None) -> NotebookRun:
    """Execute one notebook and put its outputs in the book; never raises, reports in the result.

    The run writes to its own folder; when it finished, its executed notebook, claims,
    figures and provenance record replace the chapter's (:func:`outputs.commit`): what the
    ledger shows for the chapter is what this run recorded. A run that failed, or was
    stopped through ``kernels``, leaves the chapter's earlier outputs in place, marked
    (:func:`outputs.record_unfinished`). ``state`` is the code it runs (:func:`outputs.code_state`).
    The kernel's warnings go to :func:`log_file` (to the terminal with ``verbose``).
    """
    kernels = kernels if kernels is not None else Kernels()
    chapters = book_dir / "chapters"
    chapters.mkdir(parents=True, exist_ok=True)
    staging = outputs.open_staging(name, book_dir)
    env = notebook_env(name, staging, book_dir)
    staged = staging / f"{name}.ipynb"
    run = NotebookRun(name, dict(parameters), output=str((chapters / f"{name}.ipynb").relative_to(book_dir)))
    log = None
    if not verbose:
        log = log_file(name, book_dir)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("")
    token = kernels.enter(name)
    try:  # registered until its outcome is recorded: an interrupted run waits for that
        _execute(run, notebooks_dir / f"{name}.ipynb", staged, chapters,
                 _kernel_manager_class(env, log, kernels, token), kernels, token)
        reads, sizes = staging / "reads.txt", staging / "sizes.json"
        if reads.exists():
            run.data_read = sorted(set(reads.read_text().splitlines()))
        if sizes.exists():
            run.sizes = json.loads(sizes.read_text())
        if run.status == "ok":
            _finish_chapter(staged, run)
            outputs.commit(run, staging, book_dir, state)
        else:
            outputs.record_unfinished(run, staging, book_dir, state)
    finally:
        kernels.leave(token)
    return run


def _execute(run: NotebookRun, source: Path, staged: Path, cwd: Path, manager, kernels: Kernels,
             token: int) -> None:
    """Run notebook ``source`` into ``staged`` with papermill; set ``run``'s status, error,
    duration and end time (``interrupted`` when ``kernels`` was stopped meanwhile)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    try:
        if kernels.stopping:
            raise KeyboardInterrupt
        papermill.execute_notebook(str(source), str(staged), parameters=run.parameters, kernel_name="python3",
                                   progress_bar=False, cwd=str(cwd), kernel_manager_class=manager)
        run.status = "ok"
    except PapermillExecutionError as exc:
        run.status = "failed"
        run.error = f"cell {exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
    except KeyboardInterrupt:
        run.status = "interrupted"
    except Exception as exc:  # kernel died, bad notebook file, ...
        run.status = "failed"
        run.error = f"{type(exc).__name__}: {exc}"
    finally:  # papermill has shut the kernel down (or never started it)
        kernels.kernel_ended(token)
    if run.status != "ok" and kernels.stopping:
        run.status, run.error = "interrupted", "interrupted (Ctrl-C or SIGTERM); the kernel was stopped"
    run.duration_s = round(time.perf_counter() - start, 2)
    run.ended = outputs.stamp()
