"""Run one notebook in its own kernel (papermill), with the variables the chapter needs."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

from ..paths import BOOK_DIR, NOTEBOOKS_DIR
from .chapters import NotebookRun, fold_code, run_box

def _finish_chapter(path: Path, run: NotebookRun) -> None:
    """Fold the chapter's code (:func:`fold_code`) and put :func:`run_box` under its title."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    fold_code(nb)
    if run.status == "ok":
        first = next((i for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), -1)
        nb.cells.insert(first + 1, nbformat.v4.new_markdown_cell(run_box(run)))
    nbformat.write(nb, path)


def notebook_env(name: str, book_dir: Path = BOOK_DIR) -> dict:
    """Environment variables the kernel of notebook ``name`` starts with (added to ours).

    ``NASCORE_READS`` collects the data files it reads (:func:`nascore.paths.note_read`),
    ``NASCORE_SIZES`` its sample sizes (:func:`nascore.provenance.note_sizes`),
    ``NASCORE_CLAIMS`` and ``NASCORE_NOTEBOOK`` say where and for which chapter its claims
    are written, ``NASCORE_RUN_STARTED`` is the run's timestamp shown in the ledger
    (:mod:`nascore.claims`), ``NASCORE_FIGURES`` receives its figures.
    """
    chapters, generated = book_dir / "chapters", book_dir / "generated"
    return {"NASCORE_FIGURES": str(chapters / "figures"), "NASCORE_CLAIMS": str(generated / "claims"),
            "NASCORE_READS": str(generated / f"reads-{name}.txt"), "NASCORE_NOTEBOOK": name,
            "NASCORE_SIZES": str(generated / f"sizes-{name}.json"),
            "NASCORE_RUN_STARTED": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def _kernel_manager_class(env: dict, log: Path | None = None):
    """A kernel manager class whose kernels start with this process's environment plus ``env``.

    Each notebook gets its own class, so notebooks run from parallel threads never see
    each other's variables (``os.environ`` is one per process: setting it from a thread
    leaks into every kernel started meanwhile). ``env`` reaches the kernel through the
    ``env`` argument of ``jupyter_client``'s ``start_kernel`` (the ``Popen`` environment).
    With ``log``, the kernel's own stdout and stderr (its warnings, e.g. "Kernel is running
    over TCP without encryption", and those of the libraries it loads) go to that file,
    not to our terminal (``Popen``'s ``stdout``/``stderr``, passed on by ``launch_kernel``).
    """
    from jupyter_client import AsyncKernelManager

    extra = dict(env)

    class NotebookKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**os.environ, **kw.get("env", {}), **extra}
            if log is None:
                return await AsyncKernelManager.start_kernel(self, **kw)
            with open(log, "a") as handle:  # the kernel process keeps its own copy
                kw["stdout"] = kw["stderr"] = handle
                return await AsyncKernelManager.start_kernel(self, **kw)

    return NotebookKernelManager


def log_file(name: str, book_dir: Path = BOOK_DIR) -> Path:
    """Where the kernel of notebook ``name`` writes its warnings (``_build/logs/<name>.log``)."""
    return book_dir / "_build" / "logs" / f"{name}.log"


def run_notebook(name: str, parameters: dict, book_dir: Path = BOOK_DIR,
                 notebooks_dir: Path = NOTEBOOKS_DIR, verbose: bool = False) -> NotebookRun:
    """Execute one notebook into ``book_dir/chapters``; never raises, reports in the result.

    The chapter's claims file from an earlier run is removed first: what the ledger shows
    for this chapter is what this run records. The kernel's warnings go to
    :func:`log_file` (to the terminal with ``verbose``).
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .. import claims

    chapters = book_dir / "chapters"
    generated = book_dir / "generated"
    chapters.mkdir(parents=True, exist_ok=True)
    generated.mkdir(parents=True, exist_ok=True)
    output = chapters / f"{name}.ipynb"
    env = notebook_env(name, book_dir)
    reads = Path(env["NASCORE_READS"])
    reads.unlink(missing_ok=True)
    sizes = Path(env["NASCORE_SIZES"])
    sizes.unlink(missing_ok=True)
    claims.chapter_file(name, Path(env["NASCORE_CLAIMS"])).unlink(missing_ok=True)
    run = NotebookRun(name, dict(parameters), output=str(output.relative_to(book_dir)))
    log = None
    if not verbose:
        log = log_file(name, book_dir)
        log.parent.mkdir(parents=True, exist_ok=True)
        log.write_text("")
    start = time.perf_counter()
    try:
        papermill.execute_notebook(str(notebooks_dir / f"{name}.ipynb"), str(output), parameters=parameters,
                                   kernel_name="python3", progress_bar=False, cwd=str(chapters),
                                   kernel_manager_class=_kernel_manager_class(env, log))
        run.status = "ok"
    except PapermillExecutionError as exc:
        run.status = "failed"
        run.error = f"cell {exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, bad notebook file, ...
        run.status = "failed"
        run.error = f"{type(exc).__name__}: {exc}"
    run.duration_s = round(time.perf_counter() - start, 2)
    if reads.exists():
        run.data_read = sorted(set(reads.read_text().splitlines()))
        reads.unlink()
    if sizes.exists():
        run.sizes = json.loads(sizes.read_text())
        sizes.unlink()
    if output.exists():
        _finish_chapter(output, run)
    return run


