"""``nascore reproduce``: execute every notebook with papermill, then build the book.

Each notebook in ``notebooks/`` runs with its parameters injected (``quick``, ``seed``)
into ``book/chapters/<name>.ipynb``; the injected cell is hidden in the book. For every
run we record its parameters, duration, git commit, package versions and the hashes of
the data files it read (all as defined in :mod:`nascore.provenance`) (``book/generated/provenance.json``, shown as a book page). The
book is then built with jupyter-book 1.x, fully offline: MathJax is copied from the
installed ``django-static-mathjax`` package into the book, no CDN is referenced.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from . import provenance
from .paths import BOOK_DIR, NOTEBOOKS_DIR

#: Notebooks whose name ends with this run after all others (they read the others' outputs).
LAST = ("claims",)


class ReproduceError(RuntimeError):
    """A notebook or the book build failed; the message names what and where."""


@dataclass
class NotebookRun:
    name: str
    parameters: dict
    status: str = "pending"
    duration_s: float = 0.0
    output: str = ""
    error: str = ""
    data_read: list = field(default_factory=list)


def notebook_names(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Names (file stems) of the book's notebooks, in running order."""
    names = sorted(p.stem for p in notebooks_dir.glob("*.ipynb") if not p.stem.startswith("_"))
    return [n for n in names if not n.endswith(LAST)] + [n for n in names if n.endswith(LAST)]


def select(only: list[str] | None, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """The notebooks to run; ``only`` entries may omit the numeric prefix (``zhu``)."""
    names = notebook_names(notebooks_dir)
    if not only:
        return names
    chosen = []
    for wanted in only:
        matches = [n for n in names if n == wanted or n.split("_", 1)[-1] == wanted]
        if not matches:
            raise ValueError(f"unknown notebook {wanted!r}; known notebooks: {', '.join(names)}")
        chosen.extend(m for m in matches if m not in chosen)
    return [n for n in names if n in chosen]


def _hide_injected_cell(path: Path) -> None:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags and "remove-cell" not in tags:
            tags.append("remove-cell")
    nbformat.write(nb, path)


def notebook_env(name: str, book_dir: Path = BOOK_DIR) -> dict:
    """Environment variables the kernel of notebook ``name`` starts with (added to ours).

    ``NASCORE_READS`` collects the data files it reads (:func:`nascore.paths.note_read`),
    ``NASCORE_CLAIMS`` and ``NASCORE_NOTEBOOK`` say where and for which chapter its claims
    are written, ``NASCORE_RUN_STARTED`` is the run's timestamp shown in the ledger
    (:mod:`nascore.claims`), ``NASCORE_FIGURES`` receives its figures.
    """
    chapters, generated = book_dir / "chapters", book_dir / "generated"
    return {"NASCORE_FIGURES": str(chapters / "figures"), "NASCORE_CLAIMS": str(generated / "claims"),
            "NASCORE_READS": str(generated / f"reads-{name}.txt"), "NASCORE_NOTEBOOK": name,
            "NASCORE_RUN_STARTED": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            "TQDM_DISABLE": "1", "MPLBACKEND": "module://matplotlib_inline.backend_inline"}


def _kernel_manager_class(env: dict):
    """A kernel manager class whose kernels start with this process's environment plus ``env``.

    Each notebook gets its own class, so notebooks run from parallel threads never see
    each other's variables (``os.environ`` is one per process: setting it from a thread
    leaks into every kernel started meanwhile). ``env`` reaches the kernel through the
    ``env`` argument of ``jupyter_client``'s ``start_kernel`` (the ``Popen`` environment).
    """
    from jupyter_client import AsyncKernelManager

    extra = dict(env)

    class NotebookKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw["env"] = {**os.environ, **kw.get("env", {}), **extra}
            return await AsyncKernelManager.start_kernel(self, **kw)

    return NotebookKernelManager


def run_notebook(name: str, parameters: dict, book_dir: Path = BOOK_DIR,
                 notebooks_dir: Path = NOTEBOOKS_DIR) -> NotebookRun:
    """Execute one notebook into ``book_dir/chapters``; never raises, reports in the result.

    The chapter's claims file from an earlier run is removed first: what the ledger shows
    for this chapter is what this run records.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from . import claims

    chapters = book_dir / "chapters"
    generated = book_dir / "generated"
    chapters.mkdir(parents=True, exist_ok=True)
    generated.mkdir(parents=True, exist_ok=True)
    output = chapters / f"{name}.ipynb"
    env = notebook_env(name, book_dir)
    reads = Path(env["NASCORE_READS"])
    reads.unlink(missing_ok=True)
    claims.chapter_file(name, Path(env["NASCORE_CLAIMS"])).unlink(missing_ok=True)
    run = NotebookRun(name, dict(parameters), output=str(output.relative_to(book_dir)))
    start = time.perf_counter()
    try:
        papermill.execute_notebook(str(notebooks_dir / f"{name}.ipynb"), str(output), parameters=parameters,
                                   kernel_name="python3", progress_bar=False, cwd=str(chapters),
                                   kernel_manager_class=_kernel_manager_class(env))
        run.status = "ok"
    except PapermillExecutionError as exc:
        run.status = "failed"
        run.error = f"cell {exc.cell_index} (execution count {exc.exec_count}): {exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, bad notebook file, ...
        run.status = "failed"
        run.error = f"{type(exc).__name__}: {exc}"
    run.duration_s = round(time.perf_counter() - start, 2)
    if output.exists():
        _hide_injected_cell(output)
    if reads.exists():
        run.data_read = sorted(set(reads.read_text().splitlines()))
        reads.unlink()
    return run


def code_state() -> dict:
    """``{"git_commit": label, "git_tree": worktree id}`` of the checkout now (:mod:`.provenance`)."""
    return {"git_commit": provenance.commit_label(), "git_tree": provenance.worktree_id()}


def write_provenance(runs: list[NotebookRun], book_dir: Path = BOOK_DIR, state: dict | None = None) -> Path:
    """Merge ``runs`` into ``generated/provenance.json`` and render ``generated/provenance.md``.

    ``state`` is the code the runs used (:func:`code_state` taken before they started;
    now when omitted).
    """
    generated = book_dir / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    path = generated / "provenance.json"
    record = json.loads(path.read_text()) if path.exists() else {"notebooks": {}}
    record.update({**(state or code_state()), "packages": provenance.package_versions(),
                   "machine": provenance.machine(),
                   "updated": time.strftime("%Y-%m-%d %H:%M:%S %Z")})
    for run in runs:
        record["notebooks"][run.name] = asdict(run) | {"git_commit": record["git_commit"],
                                                       "git_tree": record["git_tree"],
                                                       "finished": record["updated"]}
    path.write_text(json.dumps(record, indent=1, sort_keys=True))
    (generated / "provenance.md").write_text(_provenance_markdown(record))
    return path


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
        lines.append(f"| {name} | {run['status']} | {params} | {run['duration_s']:.1f} | "
                     f"`{run['git_commit'][:12]}` | {reads} |")
    lines += ["", "## Package versions", "", "| package | version |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in record["packages"].items()]
    return "\n".join(lines) + "\n"


def copy_mathjax(book_dir: Path = BOOK_DIR) -> Path:
    """Copy MathJax 3 (CommonHTML output) from the installed package into the book's extra files."""
    try:
        import mathjax  # provided by django-static-mathjax
    except ImportError as exc:
        raise ReproduceError("MathJax is missing: install the book extra (pip install -e '.[book]')") from exc
    source = Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"
    target = book_dir / "_mathjax" / "mathjax"
    if (target / "tex-chtml.js").exists():
        return target
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source / "tex-chtml.js", target / "tex-chtml.js")
    for sub in ("input", "output/chtml", "a11y", "ui", "adaptors"):
        shutil.copytree(source / sub, target / sub, dirs_exist_ok=True)
    shutil.copy2(source.parent / "LICENSE", target / "LICENSE")
    return target


def build_book(book_dir: Path = BOOK_DIR) -> Path:
    """Build the HTML book; returns the folder holding ``index.html``."""
    copy_mathjax(book_dir)
    log = book_dir / "_build" / "build.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-c", "from jupyter_book.cli.main import main; main()",
               "build", str(book_dir), "--all", "--warningiserror", "--keep-going"]
    with open(log, "w") as handle:
        result = subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise ReproduceError(f"the book build failed (exit {result.returncode}); log: {log}\n{tail}")
    return book_dir / "_build" / "html"


def reproduce(*, quick: bool = True, seed: int = 0, only: list[str] | None = None, jobs: int = 1,
              build: bool = True, book_dir: Path = BOOK_DIR, notebooks_dir: Path = NOTEBOOKS_DIR,
              echo=print) -> list[NotebookRun]:
    """Run the notebooks (and build the book); raises :class:`ReproduceError` on any failure.

    ``only`` runs some notebooks: the provenance records and claims of the others are kept
    from the last run that produced them (each with that run's commit and timestamp); a
    whole run starts from an empty claims folder. Notebooks whose name ends with
    :data:`LAST` run after all others, whatever ``jobs``.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be a positive integer, got {jobs!r}")
    names = select(only, notebooks_dir)
    parameters = {"quick": bool(quick), "seed": int(seed)}
    mode = "quick" if quick else "full"
    echo(f"nascore reproduce: {len(names)} notebook(s), {mode} mode, seed {seed}, {jobs} job(s)")
    start = time.perf_counter()
    state = code_state()  # what the notebooks run from, recorded with each of them
    if not only:  # a whole run rewrites every claim: drop those of chapters that no longer exist
        shutil.rmtree(book_dir / "generated" / "claims", ignore_errors=True)
    first = [n for n in names if not n.endswith(LAST)]
    last = [n for n in names if n.endswith(LAST)]
    runs: list[NotebookRun] = []
    done = 0

    def one(name):
        echo(f"  running  {name} (elapsed {time.perf_counter() - start:.0f} s)")
        return run_notebook(name, parameters, book_dir, notebooks_dir)

    for group in (first, last):
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for run in pool.map(one, group):
                done += 1
                elapsed = time.perf_counter() - start
                echo(f"  [{done}/{len(names)}] {run.name}: {run.status} in {run.duration_s:.1f} s "
                     f"(elapsed {elapsed:.0f} s)" + (f"\n      {run.error}" if run.error else ""))
                runs.append(run)
    write_provenance(runs, book_dir, state)
    failed = [r for r in runs if r.status != "ok"]
    if failed:
        details = "\n".join(f"  {r.name}: {r.error}\n    partial output kept at {book_dir / r.output}"
                            for r in failed)
        raise ReproduceError(f"{len(failed)} notebook(s) failed:\n{details}")
    if build:
        echo("  building the book with jupyter-book ...")
        html = build_book(book_dir)
        echo(f"  book built in {time.perf_counter() - start:.0f} s total: {html / 'index.html'}")
    return runs
