"""The book around the chapters: the front page's findings and the HTML build (offline)."""
from __future__ import annotations

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
        tail = "\n".join(log.read_text().splitlines()[-30:])
        raise ReproduceError(f"the book build failed (exit {result.returncode}); log: {log}\n{tail}")
    return book_dir / "_build" / "html"


