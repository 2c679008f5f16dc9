"""The documentation site opened from file:// in headless Chromium: search finds things, the
navigation leads to the pages, and axe-core finds no serious or critical accessibility problem
on any page (axe-core from tests/js, installed by make test)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.docs.conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]

AXE = ROOT / "tests" / "js" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def open_page(browser: Any, site: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(page: str, width: int = 1280, height: int = 800) -> tuple[Any, list[str], list[str]]:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        tab = context.new_page()
        errors: list[str] = []
        outside: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on(
            "request",
            lambda r: (
                outside.append(r.url)
                if not r.url.startswith(("file:", "data:", "blob:", "about:"))
                else None
            ),
        )
        tab.goto((site / page).as_uri())
        tab.wait_for_load_state("load")
        return tab, errors, outside

    yield open_
    for context in contexts:
        context.close()


def search(tab: Any, query: str, timeout_s: float = 30) -> list[str]:
    """Type ``query`` into the search box key by key, as a person does (Material reads the box
    on key-up), again while the search index is still loading, until results show; the links
    of the results."""
    box = tab.locator("input.md-search__input")
    for _ in range(int(timeout_s * 2)):
        box.fill("")
        box.press_sequentially(query)
        try:
            tab.wait_for_selector(".md-search-result__item", timeout=500)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: not ready yet
            continue
    return tab.eval_on_selector_all(".md-search-result__item a", "as => as.map(a => a.href)")


@pytest.mark.parametrize(
    "query, page", [("ping-pong", "reference/rules.html"), ("presenter", "workshop.html")]
)
def test_search_from_file_url_finds_the_page(open_page: Any, query: str, page: str) -> None:
    tab, errors, outside = open_page("index.html")
    hrefs = search(tab, query)
    assert any(urlsplit(h).path.endswith("/" + page) for h in hrefs), hrefs
    assert errors == [] and outside == []


def test_a_search_for_nonsense_finds_nothing(open_page: Any) -> None:
    tab, _errors, _outside = open_page("index.html")
    assert search(tab, "ping-pong") != []
    tab.locator("input.md-search__input").fill("")
    tab.locator("input.md-search__input").press_sequentially("qqxzzyq")
    tab.wait_for_function("document.querySelectorAll('.md-search-result__item').length === 0")


def _nav(tab: Any, name: str) -> Any:
    """The link ``name`` of the site's navigation (the sidebar, or the phone's drawer)."""
    return tab.locator("nav.md-nav--primary").get_by_role("link", name=name, exact=True).first


def test_navigation_leads_to_the_pages(open_page: Any, site: Path) -> None:
    tab, errors, outside = open_page("index.html")
    _nav(tab, "Rules").click()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("reference/rules.html")
    assert tab.inner_text("article h1").rstrip("¶") == "Rules"
    tab.click("article a[href='#jm103']")
    assert tab.evaluate("location.hash") == "#jm103"
    _nav(tab, "The method").click()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("guides/method.html")
    assert errors == [] and outside == []


def test_navigation_on_a_phone_opens_the_drawer(open_page: Any) -> None:
    tab, errors, _outside = open_page("index.html", 390, 844)
    assert tab.evaluate("document.documentElement.scrollWidth <= innerWidth")
    tab.click("label.md-header__button[for='__drawer']")
    _nav(tab, "Gallery").click()
    tab.wait_for_load_state("load")
    assert tab.url.endswith("gallery.html")
    assert tab.evaluate("document.querySelectorAll('.jm-gallery img').length") > 0
    assert errors == []


def _pages(site: Path) -> list[str]:
    return sorted(
        p.relative_to(site).as_posix()
        for p in site.rglob("*.html")
        if p.name != "404.html" and not p.relative_to(site).as_posix().startswith("source/")
    )


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)], ids=["desktop", "phone"])
def test_axe_finds_no_serious_or_critical_violation(
    open_page: Any, site: Path, width: int, height: int
) -> None:
    if not AXE.is_file():
        pytest.fail(
            f"{AXE} is missing: run `make tests/js/node_modules/.installed-stamp` (make test does it)",
            pytrace=False,
        )
    pages = _pages(site)
    assert len(pages) >= 25
    found = []
    for page in pages:
        tab, _errors, _outside = open_page(page, width, height)
        tab.add_script_tag(path=str(AXE))
        violations = tab.evaluate(
            """async () => {
              const r = await axe.run(document, {resultTypes: ['violations']});
              return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => `${v.id} (${v.impact}): ${v.nodes.length} nodes, e.g. ${v.nodes[0].target}`);
            }"""
        )
        found += [f"{page}: {v}" for v in violations]
        tab.context.close()
    assert found == []
