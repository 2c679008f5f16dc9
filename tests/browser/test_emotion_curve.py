"""The emotion curve of every example journey in a real Chromium: measured, not hoped.

Each journey's report page is opened 1280 px wide; the boxes the browser gives every ``<text>``
and every handoff marker of the curve are compared pairwise. No text may overlap another text,
no marker a text or another marker; everything stays inside the SVG; every stage label carries
its stage's full name and fits its column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap import project
from journeymap.report import charts
from journeymap.report.filters import display_text
from journeymap.report.pages import render_journey_page

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"
EXAMPLES = sorted(
    p for p in JOURNEYS.glob("*.yaml") if "\ntouchpoints:" in p.read_text(encoding="utf-8")
)

# Boxes in CSS pixels from getBoundingClientRect (SVG text: the glyph cells of all its lines).
MEASURE = """
svg => {
  const box = e => { const r = e.getBoundingClientRect();
                     return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const texts = [...svg.querySelectorAll("text")].filter(t => !t.closest(".emo-marker"));
  return {
    svg: box(svg),
    texts: texts.map(t => ({cls: t.getAttribute("class") || "", text: t.textContent,
                            stage: t.getAttribute("data-stage"), ...box(t)})),
    markers: [...svg.querySelectorAll(".emo-marker")].map(g => ({
      n: g.getAttribute("data-handoff"), ...box(g),
      label: box(g.querySelector("text")), shape: box(g.querySelector("rect"))})),
    columns: [...svg.querySelectorAll("rect.emo-col")].map(box),
    lines: [...svg.querySelectorAll("text.emo-stage tspan")].map(t => ({
      stage: t.parentNode.getAttribute("data-stage"), ...box(t)})),
  };
}
"""
EPS = 0.5  # px: boxes may touch, not overlap


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x0"] < b["x1"] - EPS
        and b["x0"] < a["x1"] - EPS
        and a["y0"] < b["y1"] - EPS
        and b["y0"] < a["y1"] - EPS
    )


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x0"] >= outer["x0"] - EPS
        and inner["y0"] >= outer["y0"] - EPS
        and inner["x1"] <= outer["x1"] + EPS
        and inner["y1"] <= outer["y1"] + EPS
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Any, Path]]:
    folder = tmp_path_factory.mktemp("curves")
    result = {}
    for path in EXAMPLES:
        analysis = project.analyse_file(path).analysis
        page = folder / f"{path.stem}.html"
        page.write_text(render_journey_page(analysis, None), encoding="utf-8")
        result[path.stem] = (analysis, page)
    return result


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def test_every_example_is_measured() -> None:
    assert len(EXAMPLES) >= 5, EXAMPLES


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_curve_has_no_collisions(
    name: str, pages: dict[str, tuple[Any, Path]], context: Any, artifacts: Path
) -> None:
    analysis, page_path = pages[name]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.as_uri())
    page.wait_for_load_state("load")
    svg = page.locator("svg.emotion-curve")
    svg.scroll_into_view_if_needed()
    m = svg.evaluate(MEASURE)
    page.locator("#emotion").screenshot(path=str(artifacts / f"report-emotion-{name}.png"))
    assert errors == []
    assert m["svg"]["x1"] - m["svg"]["x0"] > 1000  # scaled to the page, not a thumbnail

    texts, markers = m["texts"], m["markers"]
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
        if _overlap(a, b)
    ]
    assert clashes == []
    hits = [(k["n"], t["text"]) for k in markers for t in texts if _overlap(k, t)]
    assert hits == []
    stacked = [
        (a["n"], b["n"]) for i, a in enumerate(markers) for b in markers[i + 1 :] if _overlap(a, b)
    ]
    assert stacked == []
    outside = [t.get("text", t.get("n")) for t in texts + markers if not _inside(t, m["svg"])]
    assert outside == []
    # every handoff has its marker, its number inside its shape
    assert sorted(int(k["n"]) for k in markers) == sorted(h.number for h in analysis.handoffs)
    assert all(_inside(k["label"], k["shape"]) for k in markers)

    # full stage names, in stage order, each line inside its column
    stages = charts.stage_emotions(analysis)
    labels = [t for t in texts if "emo-stage" in t["cls"].split()]
    assert [t["text"] for t in labels] == [" ".join(display_text(s.name).split()) for s in stages]
    column = {s.id: m["columns"][i] for i, s in enumerate(stages)}
    wide = [
        line
        for line in m["lines"]
        if not column[line["stage"]]["x0"] - EPS
        <= line["x0"]
        <= line["x1"]
        <= column[line["stage"]]["x1"] + EPS
    ]
    assert wide == []


def test_phone_scrolls_the_chart_not_the_page(
    pages: dict[str, tuple[Any, Path]], browser: Any
) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = ctx.new_page()
        page.goto(pages["b2b-purchase"][1].as_uri())
        frame = page.locator(".emo-scroll").evaluate(
            "e => [e.getBoundingClientRect().right, e.scrollWidth, e.clientWidth]"
        )
        right, scroll_width, client_width = frame
        assert right <= 390
        assert scroll_width > client_width  # the chart keeps legible text and scrolls sideways
        size = page.locator("svg.emotion-curve text.emo-axis").first.evaluate(
            "e => e.getBoundingClientRect().height"
        )
        assert size >= 10  # px: the smallest type of the chart stays readable
    finally:
        ctx.close()


def test_a_marker_selects_its_handoff_row(pages: dict[str, tuple[Any, Path]], context: Any) -> None:
    page = context.new_page()
    page.goto(pages["claims-before"][1].as_uri())
    page.locator('.emotion-curve .emo-marker[data-handoff="1"]').click()
    assert "is-selected" in (page.get_attribute("#handoff-1", "class") or "")
    marker = page.get_attribute('.emotion-curve .emo-marker[data-handoff="1"]', "class") or ""
    assert "is-selected" in marker
