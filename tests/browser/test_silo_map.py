"""The silo map as a reader sees it, measured in a real Chromium.

For the portfolio map of journeys/ and for each example alone, with both renderers and every
theme: the SVG is inlined in a page, every text's box (getBBox through getScreenCTM, in viewBox
units) and every node's shape box are collected, and we assert that no text overlaps another,
no edge label lies on a node box, every node text stays inside its node's shape and every text
inside the viewBox, no rule code is visible text (they belong in hover titles only), and the
smallest text is at least 12 px when the whole map is fitted to 1920×1080.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap import project
from journeymap.analysis.types import JourneyAnalysis
from journeymap.render import build_silo_dot, render_dot
from journeymap.render.themes import THEMES

pytestmark = pytest.mark.browser

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"
FIT = (1920, 1080)
SMALLEST_PX = 12.0
# viewBox units (points). A text's box is its em box (ascent + descent: 1.125 em in Liberation
# Sans, the Helvetica Chromium uses here); the system dot sets label lines 1.1 em apart, so two
# lines of one 20 pt label share 0.5 pt of box with a clear gap between their glyphs.
TOLERANCE = 1.0

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>\s*)?", re.S)

# Boxes in the root <svg>'s user units (the viewBox): getBBox in the element's own units, its
# corners taken through the element's screen matrix and back through the root's.
MEASURE = r"""
(svgText) => {
  document.body.style.margin = '0';
  document.body.innerHTML = svgText;
  const svg = document.querySelector('svg');
  const vb = svg.viewBox.baseVal;
  const inv = svg.getScreenCTM().inverse();
  const box = (el) => {
    const b = el.getBBox();
    const m = inv.multiply(el.getScreenCTM());
    const ps = [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
                [b.x + b.width, b.y + b.height]].map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
    return {x0: Math.min(...ps.map(p => p.x)), y0: Math.min(...ps.map(p => p.y)),
            x1: Math.max(...ps.map(p => p.x)), y1: Math.max(...ps.map(p => p.y)),
            scale: Math.hypot(m.a, m.b)};
  };
  const owner = (el) => {
    const g = el.closest('g.node, g.edge');
    if (!g) return ['graph', ''];
    return [g.classList.contains('node') ? 'node' : 'edge', g.id];
  };
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const [kind, id] = owner(t);
    const b = box(t);
    return {kind, id, text: t.textContent,
            size: parseFloat(t.getAttribute('font-size')) * b.scale, ...b};
  });
  const shapes = [...svg.querySelectorAll('g.node')].map(g => {
    const s = g.querySelector('path, polygon, ellipse');
    return s ? {id: g.id, ...box(s)} : null;
  }).filter(Boolean);
  return {viewBox: [vb.x, vb.y, vb.width, vb.height], texts, shapes};
}
"""


def _overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > TOLERANCE
        and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > TOLERANCE
    )


def _inside(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (
        a["x0"] >= b["x0"] - TOLERANCE
        and a["y0"] >= b["y0"] - TOLERANCE
        and a["x1"] <= b["x1"] + TOLERANCE
        and a["y1"] <= b["y1"] + TOLERANCE
    )


def problems(measured: dict[str, Any]) -> dict[str, Any]:
    """Every failure in one measured map, and its smallest text in px when fitted to FIT."""
    texts = [t for t in measured["texts"] if t["text"].strip()]
    shapes = {s["id"]: s for s in measured["shapes"]}
    x, y, w, h = measured["viewBox"]
    canvas = {"x0": x, "y0": y, "x1": x + w, "y1": y + h}
    found: dict[str, list[Any]] = {
        "text overlaps text": [],
        "edge label on a node": [],
        "node text outside its shape": [],
        "text off the canvas": [],
        "rule code in visible text": [],
    }
    for i, a in enumerate(texts):
        found["text overlaps text"] += [
            (a["text"], b["text"]) for b in texts[i + 1 :] if _overlap(a, b)
        ]
        if a["kind"] == "edge":
            found["edge label on a node"] += [
                (a["text"], s["id"]) for s in shapes.values() if _overlap(a, s)
            ]
        if a["kind"] == "node" and not _inside(a, shapes[a["id"]]):
            found["node text outside its shape"].append((a["text"], a["id"]))
        if not _inside(a, canvas):
            found["text off the canvas"].append(a["text"])
        if re.search(r"JM\d{3}", a["text"]):
            found["rule code in visible text"].append(a["text"])
    fitted = min(FIT[0] / w, FIT[1] / h)
    return {
        "failures": {k: v for k, v in found.items() if v},
        "smallest_px": min(t["size"] for t in texts) * fitted,
    }


def _analyses() -> list[JourneyAnalysis]:
    return [item.analysis for item in project.analyse(project.find_journeys([JOURNEYS]))]


def _subjects() -> list[tuple[str, list[JourneyAnalysis]]]:
    analyses = _analyses()
    return [("journeys/", analyses)] + [(a.journey.id, [a]) for a in analyses]


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": FIT[0], "height": FIT[1]})
    yield context.new_page()
    context.close()


RENDERERS = [
    "embedded",
    pytest.param(
        "system",
        marks=pytest.mark.skipif(
            shutil.which("dot") is None, reason="system Graphviz 'dot' is not installed"
        ),
    ),
]


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("renderer", RENDERERS)
def test_silo_maps_read_when_fitted_to_a_screen(page: Any, renderer: str, theme: str) -> None:
    report = {}
    for name, analyses in _subjects():
        svg = render_dot(build_silo_dot(analyses, theme), "svg", renderer).decode("utf-8")
        result = problems(page.evaluate(MEASURE, _PROLOG.sub("", svg, count=1)))
        if result["failures"] or result["smallest_px"] < SMALLEST_PX:
            report[name] = result
    assert not report, report


def test_portfolio_map_has_one_edge_per_pair_and_a_key(page: Any) -> None:
    svg = render_dot(build_silo_dot(_analyses()), "svg", "embedded").decode("utf-8")
    pairs = re.findall(r'<g id="silo-([a-z0-9_-]+?)--([a-z0-9_-]+)" class="edge', svg)
    assert pairs and len({frozenset(p) for p in pairs}) == len(pairs)
    assert 'id="silo-key"' in svg
    visible = " ".join(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    assert "Key" in visible and "minor link" in visible
