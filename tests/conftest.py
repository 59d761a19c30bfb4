"""Shared fixtures: the quick-mode book is built once per test session."""
import os
import warnings

import pytest
from hypothesis import settings

from nascore.paths import BOOK_DIR, REPO_ROOT

os.environ.setdefault("MPLBACKEND", "Agg")

#: Property tests draw the same examples on every run and machine (``derandomize``), so CI
#: cannot fail on a draw no one has seen; ``HYPOTHESIS_PROFILE=explore`` draws fresh ones
#: (what found the nearly singular kernel in tests/test_theory.py).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.fixture(scope="session")
def built_book():
    """Run ``nascore reproduce`` (quick mode) exactly as the README's first command does.

    Set ``NASCORE_TEST_REUSE_BOOK=1`` to reuse a book already built in this checkout: it
    is reused only if it is a quick, seed-0 run of every current notebook made at ``HEAD``
    from the code, notebooks and data as they are now (``book_values.stale_reasons``);
    otherwise it is rebuilt, with a warning saying why.
    """
    from book_values import build_quick_book, stale_reasons

    from nascore.reproduce import notebook_names

    html = BOOK_DIR / "_build" / "html"
    if os.environ.get("NASCORE_TEST_REUSE_BOOK"):
        reasons = stale_reasons(BOOK_DIR, notebook_names())
        if not (html / "index.html").exists():
            reasons.append("no built HTML")
        if not reasons:
            return html
        warnings.warn("NASCORE_TEST_REUSE_BOOK: not reusing the built book, rebuilding: " + "; ".join(reasons[:5]))
    try:
        build_quick_book()
    except RuntimeError as exc:
        pytest.fail(str(exc))
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
