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
