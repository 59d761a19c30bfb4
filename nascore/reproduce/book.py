"""The book around the chapters: the front page's findings and the HTML build (offline)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from ..paths import BOOK_DIR, NOTEBOOKS_DIR
from .chapters import notebook_names


class ReproduceError(RuntimeError):
    """A notebook or the book build failed; the message names what and where."""


def write_findings(book_dir: Path = BOOK_DIR, notebooks_dir: Path = NOTEBOOKS_DIR) -> Path:
    """Write the front page's findings (``generated/findings.md``, included by ``intro.md``)
    and their figure (``generated/findings.svg``) from the claims the chapters recorded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .. import claims
    from ..studies import claims as ledger_study

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
        raise ReproduceError(build_failure(log.read_text(errors="replace"), result.returncode, log))
    return book_dir / "_build" / "html"


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: A Sphinx warning's location, ``<file>:<line>: WARNING: ...`` (line optional).
_LOCATION = re.compile(r"^(?P<file>[^:\s][^:]*?)(?::\d+)?: (?:WARNING|ERROR)")
#: myst-nb's cross-page glue reference: "Glue reference 'key' not found in doc 'chapters/x'".
_REFDOC = re.compile(r"not found in doc '(?P<doc>[^']+)'")


def missing_glue(log_text: str) -> dict[str, int]:
    """``{page: number of glue warnings}`` from a book build's log: the page whose glued
    values are missing (the page a cross-page reference names, else the page warned
    about), as a stem such as ``40_zhu`` or ``intro``."""
    pages: dict[str, int] = {}
    for line in _ANSI.sub("", log_text).splitlines():
        if "[mystnb.glue]" not in line and "glue" not in line.lower():
            continue
        ref, where = _REFDOC.search(line), _LOCATION.match(line.strip())
        page = ref.group("doc") if ref else where.group("file") if where else None
        if page:
            stem = Path(page).stem
            pages[stem] = pages.get(stem, 0) + 1
    return pages


def build_failure(log_text: str, returncode: int, log: Path) -> str:
    """The message of a failed book build: which chapters' glued values are missing (a
    chapter whose last run did not finish, or whose notebook is partial) and the log's
    tail without terminal colours."""
    text = _ANSI.sub("", log_text)
    tail = "\n".join(text.splitlines()[-30:])
    glue = missing_glue(text)
    named = ""
    if glue:
        pages = ", ".join(f"{page} ({n} value{'s' if n > 1 else ''})" for page, n in sorted(glue.items()))
        named = (f"\nglued values missing in: {pages}; rerun those chapters "
                 "(nascore reproduce --only NAME) or see their status on the provenance page")
    return f"the book build failed (exit {returncode}); log: {log}{named}\n{tail}"


