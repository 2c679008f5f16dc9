"""`journeymap conform --format html` in a real headless Chromium: at 1600x900 and on a phone
(390x844) no text overflows its box, the page never scrolls sideways and makes no request.
Screenshots go to /tmp/conform-1600.png and /tmp/conform-390.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from journeymap.cli import main

pytestmark = pytest.mark.browser

DATA = Path(__file__).resolve().parents[1] / "data" / "conform"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("conform") / "conform.html"
    result = CliRunner().invoke(
        main,
        [
            "conform",
            str(DATA / "shop.yaml"),
            str(DATA / "org-log.csv"),
            "--mapping",
            str(DATA / "mapping.yaml"),
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    return out


OVERFLOW = """() => {
  const bad = [];
  for (const el of document.querySelectorAll('main *, header *')) {
    const r = el.getBoundingClientRect();
    if (!r.width || getComputedStyle(el).overflowX === 'auto') continue;
    if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow === 'visible'
        && el.clientWidth > 0 && !el.closest('.table-scroll')) bad.push(el.tagName + '.' + el.className);
    const parent = el.closest('.conform-card, .figure-card');
    if (parent && parent !== el) {
      const p = parent.getBoundingClientRect();
      if (r.right > p.right + 1 && !el.closest('.table-scroll')) bad.push('out of card: ' + el.tagName);
    }
  }
  return bad;
}"""


@pytest.mark.parametrize(("width", "height"), [(1600, 900), (390, 844)])
def test_no_overflow_and_no_sideways_scroll(
    browser: Any, page_file: Path, width: int, height: int
) -> None:
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(page_file.as_uri())
        page.wait_for_load_state("load")
        page.screenshot(path=f"/tmp/conform-{width}.png", full_page=True)
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= inner, f"page scrolls sideways: {scroll} > {inner}"
        assert page.evaluate(OVERFLOW) == []
        assert requests == [page_file.as_uri()] and errors == []
        # the page leads with what to fix: the over-handing silos come first
        first = page.locator("#fix h3").first.inner_text()
        assert first.startswith("Silos handing customers over")
        assert "Sales → Customer Service" in page.locator("#fix table").first.inner_text()
    finally:
        context.close()
