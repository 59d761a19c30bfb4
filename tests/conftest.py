"""Shared fixtures: the quick-mode book is built once per test session."""
import os
import subprocess
import sys

import pytest

from nascore.paths import BOOK_DIR, REPO_ROOT

os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(scope="session")
def built_book():
    """Run ``nascore reproduce`` (quick mode) exactly as the README's first command does.

    Set ``NASCORE_TEST_REUSE_BOOK=1`` to reuse a book already built in this checkout.
    """
    html = BOOK_DIR / "_build" / "html"
    if not (os.environ.get("NASCORE_TEST_REUSE_BOOK") and (html / "index.html").exists()):
        result = subprocess.run([sys.executable, "-m", "nascore.cli", "reproduce", "--quick"], cwd=REPO_ROOT,
                                capture_output=True, text=True)
        assert result.returncode == 0, f"nascore reproduce failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return html


@pytest.fixture(scope="module")
def one_thread():
    """Run a module's tests on one torch thread (results do not depend on it; a shared
    machine is spared oversubscription)."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


def chapter_values(name: str) -> dict:
    """Values an executed chapter glued (``book/chapters/<name>.ipynb``): {key: text/plain}."""
    import nbformat

    nb = nbformat.read(BOOK_DIR / "chapters" / f"{name}.ipynb", as_version=4)
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook", {})
            if "name" in meta:
                values[meta["name"]] = output["data"].get(meta["mime_prefix"] + "text/plain")
    return values
