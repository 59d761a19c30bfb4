"""The built book in a real headless browser (Debian's chromium driven by Playwright)."""
import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def test_no_external_urls_in_script_or_link_tags(built_book):
    offenders = []
    for page in Path(built_book).rglob("*.html"):
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", page.read_text(errors="replace")):
            if re.search(r'(?:src|href)="(?:https?:)?//', tag):
                offenders.append(f"{page.name}: {tag}")
    assert not offenders, "\n".join(offenders[:20])


@pytest.fixture(scope="module")
def server(built_book):
    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(QuietHandler, directory=str(built_book))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required in CI (apt-get install chromium)")
        pytest.skip("no chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        yield browser
        browser.close()


def open_page(browser, server, rel):
    """Load ``server/rel``; return the page and every request it made outside the book."""
    page = browser.new_page()
    outside, failed = [], []

    def route(r):
        if r.request.url.startswith(server + "/") or r.request.url.startswith("data:"):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.goto(f"{server}/{rel}", wait_until="networkidle")
    return page, outside, failed


def test_chapter_renders_math_figures_and_glued_numbers(server, browser):
    page, outside, failed = open_page(browser, server, "chapters/10_nb201_table.html")
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("MathJax.startup.promise")
    assert page.locator("mjx-container").count() >= 1, "MathJax typeset nothing"
    assert page.locator("mjx-merror").count() == 0, "MathJax reported a TeX error"
    images = page.evaluate("Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0])")
    assert len(images) >= 2 and all(ok for _, ok in images), images
    assert "91.57" in page.inner_text("main")  # glued best CIFAR-10 accuracy
    assert not outside, f"requests outside the book: {outside}"
    assert not failed, f"failed requests: {failed}"
    page.close()


def test_every_page_loads_without_outside_requests(server, browser, built_book):
    pages = sorted(p.relative_to(built_book).as_posix() for p in Path(built_book).rglob("*.html")
                   if "_static" not in p.parts and "_sources" not in p.parts)
    assert "index.html" in pages and len(pages) >= 4
    for rel in pages:
        page, outside, failed = open_page(browser, server, rel)
        assert not outside, f"{rel}: requests outside the book: {outside}"
        assert not failed, f"{rel}: failed requests: {failed}"
        assert page.title(), f"{rel} has no title"
        page.close()
