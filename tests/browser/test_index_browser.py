"""The portfolio index of the examples in a real Chromium: fixes first, a heat map that fits and
whose colours follow the numbers shown in each view, no sideways scroll on a phone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap.report import build_site

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"
SIZES = [(1600, 1000), (1280, 720), (390, 844)]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("index") / "site"
    return build_site([JOURNEYS], site, jobs=2, cache=False).index


@pytest.fixture
def open_index(browser: Any, index: Path) -> Iterator[Any]:
    contexts: list[Any] = []

    def open_(width: int, height: int, script: bool = True) -> tuple[Any, list[str]]:
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=script
        )
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(index.as_uri())
        page.wait_for_load_state("load")
        return page, errors

    yield open_
    for context in contexts:
        context.close()


# For the visible heat map: its table's box, its frame's box and scroll sizes, and every filled
# cell's number and background colour (relative luminance, WCAG formula).
HEAT = """() => {
  const view = Array.from(document.querySelectorAll('.heat-view')).find((v) => !v.hidden);
  const table = view.querySelector('table.heat'), frame = table.parentElement;
  const lum = (rgb) => {
    const [r, g, b] = rgb.match(/[0-9.]+/g).slice(0, 3).map(Number).map((c) => {
      c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const cells = Array.from(table.querySelectorAll('td[class^="h"]'))
    .filter((td) => td.textContent.trim() !== '')
    .map((td) => ({text: td.textContent.trim(), lum: lum(getComputedStyle(td).backgroundColor)}));
  const t = table.getBoundingClientRect(), f = frame.getBoundingClientRect();
  return {kind: view.getAttribute('data-heat-view'), table: [t.left, t.right], frame: [f.left, f.right],
          scroll: [frame.scrollWidth, frame.clientWidth], cells,
          page: [document.documentElement.scrollWidth, document.documentElement.clientWidth]};
}"""


def _value(text: str) -> float:
    return 0.01 if text == "<0.01" else float(text)


def _views(page: Any) -> list[dict[str, Any]]:
    """The heat map as each switch button shows it."""
    seen = []
    for kind in ("handoffs", "customers"):
        page.click(f".heat-switch button[data-heat={kind}]")
        assert page.get_attribute(f"button[data-heat={kind}]", "aria-pressed") == "true"
        seen.append(page.evaluate(HEAT))
        assert seen[-1]["kind"] == kind
    return seen


@pytest.mark.parametrize("size", SIZES[:2], ids=["1600x1000", "1280x720"])
def test_heat_map_fits_the_page_in_both_views(
    open_index: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    page, errors = open_index(*size)
    for seen in _views(page):
        left, right = seen["table"]
        assert right <= seen["frame"][1] + 0.5 and right <= size[0], (size, seen["kind"], right)
        assert seen["scroll"][0] <= seen["scroll"][1], (size, seen["kind"], seen["scroll"])
        assert seen["page"][0] <= seen["page"][1]
        page.locator("#heat").screenshot(
            path=str(artifacts / f"index-heat-{seen['kind']}-{size[0]}.png")
        )
    assert errors == []


@pytest.mark.parametrize("size", SIZES, ids=["1600x1000", "1280x720", "390x844"])
def test_fix_these_first_is_in_the_first_screen(
    open_index: Any, artifacts: Path, size: tuple[int, int]
) -> None:
    page, errors = open_index(*size)
    heading = page.locator("#fix-first-h").bounding_box()
    first = page.locator("#fix-first li.pf-fix").first.bounding_box()
    assert heading["y"] >= 0 and heading["y"] + heading["height"] <= size[1], heading
    assert first["y"] + first["height"] <= size[1], first  # the best change, whole, unscrolled
    if size[0] >= 1280:  # a desktop shows all five without scrolling
        last = page.locator("#fix-first li.pf-fix").last.bounding_box()
        assert last["y"] + last["height"] <= size[1], (size, last)
    page.screenshot(path=str(artifacts / f"index-first-screen-{size[0]}.png"))
    assert errors == []


@pytest.mark.parametrize("size", SIZES, ids=["1600x1000", "1280x720", "390x844"])
def test_cell_colour_follows_the_number_shown_in_each_view(
    open_index: Any, size: tuple[int, int]
) -> None:
    page, _ = open_index(*size)
    for seen in _views(page):
        cells = sorted(seen["cells"], key=lambda c: _value(c["text"]))
        assert len(cells) > 20
        # a bigger number is never lighter than a smaller one, and equal numbers look alike
        for small, big in zip(cells, cells[1:], strict=False):
            if _value(big["text"]) == _value(small["text"]):
                assert abs(big["lum"] - small["lum"]) < 1e-6, (seen["kind"], small, big)
            else:
                assert big["lum"] <= small["lum"] + 1e-6, (seen["kind"], small, big)
        assert cells[-1]["lum"] < cells[0]["lum"] - 0.3  # the largest clearly darker
        assert len({round(c["lum"], 4) for c in cells}) >= 4


def test_a_phone_never_scrolls_the_page_sideways(open_index: Any, artifacts: Path) -> None:
    page, errors = open_index(390, 844)
    for seen in _views(page):
        assert seen["page"][0] <= seen["page"][1], seen["page"]
        # the heat map scrolls inside its own frame instead
        assert seen["frame"][1] <= 390 and seen["scroll"][0] > seen["scroll"][1]
    widest = page.evaluate(
        "() => Math.max(...Array.from(document.querySelectorAll('main > section'),"
        " (s) => s.getBoundingClientRect().right))"
    )
    assert widest <= 390
    # each journey's row is a card: its handoffs-at-risk chips are in view, not off to the right
    chips = page.evaluate(
        "() => Array.from(document.querySelectorAll('#journeys .chip'),"
        " (c) => c.getBoundingClientRect().right)"
    )
    assert len(chips) >= 5 and max(chips) <= 390, chips
    page.screenshot(path=str(artifacts / "index-390.png"), full_page=True)
    assert errors == []


def test_without_script_the_default_view_shows_and_the_switch_hides(open_index: Any) -> None:
    page, _ = open_index(1280, 720, script=False)
    assert not page.locator(".heat-switch").is_visible()
    assert page.locator('.heat-view[data-heat-view="handoffs"]').is_visible()
    assert not page.locator('.heat-view[data-heat-view="customers"]').is_visible()
