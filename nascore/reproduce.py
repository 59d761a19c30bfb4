"""``nascore reproduce``: execute every notebook with papermill, then build the book.

Each notebook in ``notebooks/`` runs with its parameters injected (``quick``, ``seed``)
into ``book/chapters/<name>.ipynb``; the injected cell is removed from the book and
every other code cell folded behind a "show code" toggle (:func:`fold_code`). For every
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
    sizes: dict = field(default_factory=dict)


def notebook_names(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Names (file stems) of the book's notebooks, in running order."""
    names = sorted(p.stem for p in notebooks_dir.glob("*.ipynb") if not p.stem.startswith("_"))
    return [n for n in names if not n.endswith(LAST)] + [n for n in names if n.endswith(LAST)]


def select(only: list[str] | None, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """The notebooks to run; ``only`` entries may omit the numeric prefix (``zhu``). The
    :data:`LAST` notebooks (the claims ledger, which reads every chapter's claims) always
    run, so the ledger never lags behind a chapter that was rerun alone."""
    names = notebook_names(notebooks_dir)
    if not only:
        return names
    chosen = []
    for wanted in only:
        matches = [n for n in names if n == wanted or n.split("_", 1)[-1] == wanted]
        if not matches:
            raise ValueError(f"unknown notebook {wanted!r}; known notebooks: {', '.join(names)}")
        chosen.extend(m for m in matches if m not in chosen)
    # the ledger notebooks collect every chapter's claims: rerun them whenever a chapter reruns
    chosen.extend(n for n in names if n.endswith(LAST) and n not in chosen)
    return [n for n in names if n in chosen]


def fold_code(nb) -> None:
    """Tag the cells of an executed notebook for the book: code folded, parameters removed.

    The parameters cells (the notebook's defaults and papermill's injected values) get
    ``remove-cell`` (not shown at all: the provenance page lists the values); every other code
    cell gets MyST-NB's ``hide-input`` (source behind a "show code" toggle, outputs shown),
    unless it already removes or hides its input. Markdown cells are left as they are.
    """
    hiding = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            if "remove-cell" not in tags:
                tags.append("remove-cell")
        elif cell.cell_type == "code" and not hiding.intersection(tags):
            tags.append("hide-input")


def run_box(run: NotebookRun) -> str:
    """A MyST note saying how a chapter was run: mode, seed, the sample sizes it recorded
    (:func:`nascore.provenance.note_sizes`) and the data files it read (with the first 12
    hex digits of their SHA-256), for the top of the chapter."""
    mode = {"quick": "quick (reduced sample sizes: fewer seeds, resamples and architectures than the papers)",
            "default": "default (the papers' sample sizes, on the tables shipped in `data/`)",
            "regenerate": "regenerate (the papers' sample sizes; shipped tables recomputed where the chapter "
                          "can)"}[mode_name(run.parameters)]
    params = ", ".join(f"`{k}={v!r}`" for k, v in run.parameters.items())
    reads = [f"`{line.split(' ', 1)[1]}` ({line[:12]})" for line in run.data_read if " " in line]
    sizes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in run.sizes.items())
    lines = ["```{admonition} How this chapter was run", ":class: note", "",
             f"Mode: {mode}. Parameters: {params}. "
             "The commit, time and package versions are on the {doc}`provenance page <../generated/provenance>`.",
             *(["", f"Sample sizes: {sizes}."] if sizes else []),
             "", "Data read: " + ("; ".join(reads) if reads else "none (everything computed in the chapter)") + ".",
             "```"]
    return "\n".join(lines)


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

    ``NASCORE_READS`` collects the data files it reads (:func:`nascore.manifest.note_read`),
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

    from . import claims

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


def write_findings(book_dir: Path = BOOK_DIR, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """Write the front page's findings (``generated/findings.md``, included by ``intro.md``)
    and their figure (``generated/findings.svg``) from the claims the chapters recorded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from . import claims
    from .studies import claims as ledger_study

    generated = book_dir / "generated"
    generated.mkdir(parents=True, exist_ok=True)
    folder = generated / "claims"
    folder.mkdir(exist_ok=True)
    names = notebook_names(notebooks_dir)
    ledger = claims.load(chapters=names, folder=folder)
    path = generated / "findings.md"
    if ledger.empty:
        path.write_text("## What the book finds\n\nNo chapter has recorded a claim yet.\n")
        return path
    fig = ledger_study.figure(ledger)
    fig.savefig(generated / "findings.svg", metadata={"Date": None})
    plt.close(fig)
    path.write_text(ledger_study.front_page(ledger, names, "generated/findings.svg"))
    return path


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


def mode_parameters(*, quick: bool = False, regenerate: bool = False, seed: int = 0) -> dict:
    """The parameters injected into every notebook for one of the three modes:

    - default (``quick=False``): the papers' sample sizes (seeds, bootstrap resamples,
      whole architecture tables), reading the shipped tables of ``data/`` for anything
      that needs training or hours of scoring; the published book;
    - ``quick=True``: reduced sizes, for tests and CI;
    - ``regenerate=True``: the papers' sizes, and the chapters that can recompute a
      shipped table do so through the results store (hours, resumable).

    ``regenerate`` is injected only when set, so that the two everyday modes pass exactly
    ``quick`` and ``seed``.
    """
    if quick and regenerate:
        raise ValueError("quick and regenerate exclude each other: regenerate runs at the papers' sizes")
    return {"quick": bool(quick), "seed": int(seed)} | ({"regenerate": True} if regenerate else {})


def mode_name(parameters: dict) -> str:
    """``quick``, ``default`` or ``regenerate``, from injected :func:`mode_parameters`."""
    if parameters.get("regenerate"):
        return "regenerate"
    return "quick" if parameters.get("quick") else "default"


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
