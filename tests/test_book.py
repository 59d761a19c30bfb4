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


def open_page(browser, server, rel, width=1280, height=900):
    """Load ``server/rel`` in a ``width`` x ``height`` window; return the page and every
    request it made outside the book."""
    page = browser.new_page(viewport={"width": width, "height": height})
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


def test_code_is_folded_by_default_and_unfolds_on_click(server, browser):
    page, outside, _ = open_page(browser, server, "chapters/50_hnas.html")
    folded = page.locator("details.hide.above-input")
    assert folded.count() >= 3, "code cells are not folded"
    assert page.locator("div.cell_input").first.is_hidden(), "code visible before any click"
    assert not page.locator("div.cell.tag_hide-input div.cell_input:visible").count()
    assert page.locator("div.cell_output img").first.is_visible(), "figures must stay visible"
    folded.first.locator("summary").click()
    assert page.locator("div.cell_input").first.is_visible(), "code did not unfold on click"
    assert "quick =" not in page.inner_text("main"), "the parameters cell must be removed"
    box = page.locator("div.admonition", has_text="How this chapter was run")
    assert box.count() == 1 and "Mode: quick" in box.inner_text() and "Data read:" in box.inner_text()
    assert not outside
    page.close()


def test_front_page_shows_the_findings_figure_and_computed_counts(server, browser):
    from nascore import claims
    from nascore.paths import BOOK_DIR
    from nascore.reproduce import notebook_names

    ledger = claims.load(chapters=notebook_names(), folder=BOOK_DIR / "generated" / "claims")
    page, outside, failed = open_page(browser, server, "intro.html")
    text = page.inner_text("main")
    assert f"Of {len(ledger)} claims" in text
    assert f"{int((ledger['verdict'] == 'reproduced').sum())} are reproduced" in text
    for paper in set(ledger["paper"]):
        assert f"{paper}: {int((ledger['paper'] == paper).sum())} claim" in text, paper
    ok = page.evaluate("Array.from(document.images).filter(i => i.src.includes('findings'))"
                       ".map(i => i.complete && i.naturalWidth > 0)")
    assert ok == [True], "the findings figure did not load"
    assert page.locator("main a[href*='chapters/']").count() >= 4, "no links into the chapters"
    assert not outside and not failed
    page.close()


def test_ledger_is_readable_at_1280_px_filters_and_links_to_the_checking_section(server, browser, built_book):
    page, outside, failed = open_page(browser, server, "chapters/99_claims.html", width=1280)
    table = page.locator("table.nascore-ledger")
    assert table.count() == 1
    overflow = page.evaluate("""() => {
        const t = document.querySelector('table.nascore-ledger');
        return [document.documentElement.scrollWidth - document.documentElement.clientWidth,
                t.getBoundingClientRect().right - window.innerWidth, t.scrollWidth - t.clientWidth];
    }""")
    assert all(x <= 1 for x in overflow), f"horizontal overflow at 1280 px: {overflow}"
    labels = page.locator("table.nascore-ledger .nascore-verdict")
    assert labels.count() == page.locator("table.nascore-ledger tbody tr").count() >= 10
    colours = set(page.evaluate("Array.from(document.querySelectorAll('.nascore-verdict'))"
                                ".map(e => getComputedStyle(e).backgroundColor)"))
    assert len(colours) >= 2, "verdict labels are not coloured by verdict"
    # every link lands on an existing page and, where it names one, an existing section
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a.nascore-chapter-link')).map(a => a.href)")
    assert hrefs
    for href in sorted(set(hrefs)):
        rel, _, anchor = href.split(server + "/", 1)[1].partition("#")
        target = Path(built_book) / rel
        assert target.exists(), href
        if anchor:
            assert f'id="{anchor}"' in target.read_text(), href
    # a click lands on the chapter's Claims section
    link = page.locator("a.nascore-chapter-link[href*='#claims']").first
    link.click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("#claims") and page.locator("section#claims").count() == 1
    # filter by paper
    page.goto(f"{server}/chapters/99_claims.html")
    paper = page.evaluate("document.querySelector('#nascore-ledger-paper').options[1].value")
    page.select_option("#nascore-ledger-paper", paper)
    shown = page.evaluate("Array.from(document.querySelectorAll('table.nascore-ledger tbody tr'))"
                          ".filter(r => !r.hidden).map(r => r.dataset.paper)")
    assert shown and set(shown) == {paper}
    assert not outside and not failed
    page.close()
