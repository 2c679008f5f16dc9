"""Scenarios on claims-before's page in a real Chromium: the two pictures side by side on a wide
screen, stacked on a phone, never a sideways scroll, and each zoomable like the main diagram."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from journeymap.report import build_site

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"

BOXES = """(n) => {
  const details = document.getElementById('scenario-' + n);
  details.open = true;
  details.scrollIntoView();
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x0: r.left, x1: r.right, y0: r.top + scrollY, y1: r.bottom + scrollY, w: r.width}; };
  return Array.from(details.querySelectorAll('figure.scenario-picture')).map((f) => ({
    name: f.querySelector('.picture-name').textContent, figure: box(f),
    svg: box(f.querySelector('svg.diagram'))}));
}"""


@pytest.fixture(scope="module")
def claims_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("claims")
    for name in ("claims-before.yaml", "claims-before.scenarios.yaml", "organisation.yaml"):
        shutil.copy(JOURNEYS / name, folder / name)
    out = build_site([folder], tmp_path_factory.mktemp("out") / "site", jobs=1, cache=False)
    return out.out_dir / "claims-before.html"


def _open(browser: Any, url: str, size: tuple[int, int]) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, errors


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x0"] < b["x1"] and b["x0"] < a["x1"] and a["y0"] < b["y1"] and b["y0"] < a["y1"]


def test_pictures_sit_side_by_side_on_a_wide_screen(
    claims_page: Path, browser: Any, artifacts: Path
) -> None:
    context, page, errors = _open(browser, claims_page.as_uri(), (1600, 1000))
    try:
        blocks = page.locator("details.scenario").count()
        assert blocks == 3
        # closed, the scenarios sit in one row of cards right after "Fix these first"
        tops = page.evaluate(
            "Array.from(document.querySelectorAll('details.scenario'))"
            ".map(d => d.getBoundingClientRect().top)"
        )
        assert max(tops) - min(tops) < 1, tops
        for n in range(1, blocks + 1):
            as_is, to_be = page.evaluate(BOXES, n)
            assert (as_is["name"], to_be["name"]) == ("As is", "To be")
            assert not _overlap(as_is["figure"], to_be["figure"])
            assert as_is["figure"]["x1"] <= to_be["figure"]["x0"]  # as is left, to be right
            assert abs(as_is["figure"]["y0"] - to_be["figure"]["y0"]) < 1  # one row
            for side in (as_is, to_be):
                assert side["svg"]["w"] > 600, side
            page.evaluate(f"document.getElementById('scenario-{n}').open = false")
        page.evaluate(BOXES, 1)
        page.locator("#scenario-1 .scenario-pictures").screenshot(
            path=str(artifacts / "report-scenario-pictures-wide.png")
        )
        assert page.evaluate("document.documentElement.scrollWidth") <= 1600
        assert errors == []
    finally:
        context.close()


def test_pictures_stack_on_a_phone_without_sideways_scroll(
    claims_page: Path, browser: Any, artifacts: Path
) -> None:
    context, page, errors = _open(browser, claims_page.as_uri(), (390, 844))
    try:
        as_is, to_be = page.evaluate(BOXES, 1)
        assert to_be["figure"]["y0"] >= as_is["figure"]["y1"]  # one above the other
        assert not _overlap(as_is["figure"], to_be["figure"])
        for side in (as_is, to_be):
            assert side["figure"]["x0"] >= 0 and side["figure"]["x1"] <= 390, side
            assert side["svg"]["w"] > 250, side
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(artifacts / "report-scenario-phone.png"), full_page=False)
        assert errors == []
    finally:
        context.close()


def test_a_scenario_picture_zooms_with_its_lane_labels(claims_page: Path, browser: Any) -> None:
    context, page, errors = _open(browser, claims_page.as_uri(), (1600, 1000))
    try:
        page.evaluate(BOXES, 2)
        figure = page.locator("#scenario-2-to-be")
        svg = figure.locator("svg.diagram")
        natural = float(svg.get_attribute("data-natural-width") or 0)
        figure.locator("button.zoom").click()
        assert abs(svg.bounding_box()["width"] - natural) < 1.5
        lanes = page.evaluate(
            "document.querySelectorAll('#scenario-2-to-be svg.diagram g.cluster.lane').length"
        )
        labels = page.evaluate(
            "document.querySelectorAll('#scenario-2-to-be .pin-lanes [data-lane]').length"
        )
        assert lanes > 5 and labels == lanes  # every lane's sticky label found by its id
        # the journey's own diagram is untouched
        main = page.locator("#diagram svg.diagram").bounding_box()
        assert main["width"] < float(
            page.locator("#diagram svg.diagram").get_attribute("data-natural-width") or 0
        )
        figure.locator("button.zoom").click()
        assert svg.bounding_box()["width"] < natural
        assert errors == []
    finally:
        context.close()
