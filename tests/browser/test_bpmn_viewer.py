"""Our BPMN exports as bpmn.io opens them: the bpmn-js viewer (the version in
tests/js/package-lock.json, its UMD bundle ``dist/bpmn-viewer.production.min.js`` inlined into a
blank page, no network) imports each example journey's export in headless Chromium.

Per example (journeys/*.yaml, exported as ``journeymap export -f bpmn`` does, through
:func:`journeymap.interchange.export_file`):

- ``importXML`` reports zero warnings;
- the element registry holds one rendered shape per touchpoint (a task), per function owning a
  touchpoint (a lane), one participant (the pool), and one connection per sequence flow; the
  expected numbers are counted from the journey model (touchpoints, functions, entries,
  transitions, splits, merges, ends), as docs/interchange.md maps them;
- geometry measured in Chromium from what bpmn-js drew (each visual's ``getBBox()`` mapped into
  diagram coordinates through the screen CTMs of the element and of the canvas viewport): every
  task inside its function's lane, no two tasks overlapping, every lane inside the pool, each
  task's name drawn inside its task, and every flow's drawn path starting on its source shape's
  border and ending on its target's (within 2 px);
- fitted to a 1600 x 900 viewport, the whole diagram is on screen; the screenshot goes to
  tests/artifacts/bpmn-js-<example>.png for a person to look at.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap.interchange import export_file
from journeymap.load import load_journey, yaml_files
from journeymap.model import Journey

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
BPMN_JS = ROOT / "tests" / "js" / "node_modules" / "bpmn-js" / "dist"
VIEWER = BPMN_JS / "bpmn-viewer.production.min.js"
STYLES = [BPMN_JS / "assets" / "diagram-js.css", BPMN_JS / "assets" / "bpmn-js.css"]
JOURNEYS = sorted(p for p in yaml_files(ROOT / "journeys") if p.name != "organisation.yaml")
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
WIDTH, HEIGHT = 1600, 900
TOL = 2.0  # px: a waypoint "on" a border; bpmn-js draws our whole-pixel DI as given

OPEN = r"""
async (xml) => {
  if (window.viewer) window.viewer.destroy();
  window.viewer = new BpmnJS({container: '#canvas'});
  const {warnings} = await window.viewer.importXML(xml);
  const canvas = window.viewer.get('canvas');
  canvas.zoom('fit-viewport');
  const registry = window.viewer.get('elementRegistry');
  const layer = canvas.getActiveLayer();
  const toDiagram = (el) => layer.getScreenCTM().inverse().multiply(el.getScreenCTM());
  const box = (el) => {
    const b = el.getBBox(), m = toDiagram(el);
    const xs = [], ys = [];
    for (const [x, y] of [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height],
                          [b.x + b.width, b.y + b.height]]) {
      xs.push(m.a * x + m.c * y + m.e); ys.push(m.b * x + m.d * y + m.f);
    }
    return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
  };
  const point = (el, p) => { const m = toDiagram(el);
    return [m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]; };
  const screen = (el) => { const r = el.getBoundingClientRect();
    return [r.left, r.top, r.right, r.bottom]; };
  const shapes = {}, flows = {}, labels = {};
  for (const el of registry.getAll()) {
    if (el.type === 'label') {
      const texts = [...registry.getGraphics(el).querySelectorAll('text')]
        .filter(t => t.textContent.trim());
      if (texts.length) labels[el.labelTarget.id] = texts.map(box);
      continue;
    }
    if (el.type === 'bpmn:Collaboration') continue;
    const visual = registry.getGraphics(el).querySelector('.djs-visual');
    if (el.waypoints) {
      const path = visual.querySelector(':scope > path');
      const length = path.getTotalLength();
      flows[el.id] = {type: el.type, source: el.source.id, target: el.target.id,
        first: point(path, path.getPointAtLength(0)),
        last: point(path, path.getPointAtLength(length)), length};
    } else {
      const outline = visual.querySelector(':scope > rect, :scope > circle, :scope > polygon');
      const texts = [...visual.querySelectorAll('text')].filter(t => t.textContent.trim());
      shapes[el.id] = {type: el.type, box: box(outline), screen: screen(outline),
        texts: texts.map(box)};
    }
  }
  return {warnings: warnings.map(w => String(w.message || w)), shapes, flows, labels};
}
"""


@pytest.fixture(scope="module")
def viewer_page(browser: Any) -> Iterator[Any]:
    if not VIEWER.is_file():
        pytest.fail(
            f"{VIEWER} is missing: run `make tests/js/node_modules/.installed-stamp` "
            "(make test does it) to install the bpmn-js these tests check against",
            pytrace=False,
        )
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    errors: list[str] = []
    requests: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.on("request", lambda req: requests.append(req.url))
    page.set_content(
        "<!doctype html><html><head><style>html, body, #canvas {margin: 0; width: 100%;"
        " height: 100%; background: #fff}</style></head><body><div id='canvas'></div>"
        "</body></html>"
    )
    for css in STYLES:
        page.add_style_tag(path=str(css))
    page.add_script_tag(path=str(VIEWER))
    yield page
    page.close()
    assert errors == []
    assert requests == []  # the viewer needs nothing from outside the page


def expected_flows(journey: Journey) -> int:
    """Sequence flows the mapping gives (docs/interchange.md "BPMN"), counted on the model: one
    per transition, one from each entry's start event, one from each merging gateway into its
    task, one from each splitting task into its gateway, one to each drop-off, one to each end."""
    incoming = dict.fromkeys(journey.touchpoints, 0)
    for t in journey.transitions():
        incoming[t.target] += 1
    for tp in journey.entries():
        incoming[tp.id] += 1
    count = len(list(journey.transitions())) + len(journey.entries())
    count += sum(1 for n in incoming.values() if n > 1)
    for tp in journey.touchpoints.values():
        shares = [t.share for t in tp.next]
        known = bool(tp.next) and all(s is not None for s in shares)
        drop = known and sum(s for s in shares if s is not None) < 1 - 1e-12
        count += (len(tp.next) > 1 or drop) + drop + (not tp.next)
    return count


def inside(inner: list[float], outer: list[float], tol: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - tol
        and inner[1] >= outer[1] - tol
        and inner[2] <= outer[2] + tol
        and inner[3] <= outer[3] + tol
    )


def overlap(a: list[float], b: list[float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def on_border(p: list[float], box: list[float], tol: float = TOL) -> bool:
    x, y = p
    within = box[0] - tol <= x <= box[2] + tol and box[1] - tol <= y <= box[3] + tol
    near = min(abs(x - box[0]), abs(x - box[2]), abs(y - box[1]), abs(y - box[3])) <= tol
    return within and near


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: p.stem)
def test_bpmn_js_opens_our_export_laid_out(viewer_page: Any, path: Path, artifacts: Path) -> None:
    journey = load_journey(path)
    xml = export_file("bpmn", path)
    assert isinstance(xml, str)
    out = viewer_page.evaluate(OPEN, xml)
    viewer_page.screenshot(path=str(artifacts / f"bpmn-js-{path.stem}.png"))
    assert out["warnings"] == []
    shapes, flows = out["shapes"], out["flows"]

    # one rendered element per task, lane, participant and flow, counted on the model
    tasks = {k: s for k, s in shapes.items() if s["type"] in ("bpmn:UserTask", "bpmn:ServiceTask")}
    lanes = {k: s for k, s in shapes.items() if s["type"] == "bpmn:Lane"}
    pools = [s for s in shapes.values() if s["type"] == "bpmn:Participant"]
    owning = {tp.function for tp in journey.touchpoints.values()}
    assert set(tasks) == {f"Task_{tp}" for tp in journey.touchpoints}
    assert len(tasks) == len(journey.touchpoints)
    assert set(lanes) == {f"Lane_{f}" for f in owning}
    assert len(pools) == 1
    sequence = {k: f for k, f in flows.items() if f["type"] == "bpmn:SequenceFlow"}
    assert len(sequence) == expected_flows(journey)
    # and every element of the file is among them, connecting what the file says
    root = ET.fromstring(xml)
    in_file = {el.get("id"): el for el in root.iter(f"{BPMN}sequenceFlow")}
    assert set(in_file) == set(sequence)
    for fid, el in in_file.items():
        assert (sequence[fid]["source"], sequence[fid]["target"]) == (
            el.get("sourceRef"),
            el.get("targetRef"),
        )
    kinds = {"userTask", "serviceTask", "lane", "participant"}
    ids = {el.get("id") for el in root.iter() if el.tag.removeprefix(BPMN) in kinds}
    assert len(ids) == len(tasks) + len(lanes) + 1
    assert ids <= set(shapes), ids - set(shapes)

    # measured geometry
    pool = pools[0]["box"]
    for key, lane in lanes.items():
        assert inside(lane["box"], pool), key
    for tp in journey.touchpoints.values():
        task = tasks[f"Task_{tp.id}"]
        assert inside(task["box"], lanes[f"Lane_{tp.function}"]["box"]), (tp.id, tp.function)
        assert task["texts"], tp.id  # the name is drawn ...
        for text in task["texts"]:  # ... inside its box
            assert inside(text, task["box"], tol=1.0), (tp.id, text, task["box"])
    boxes = sorted((s["box"], k) for k, s in tasks.items())
    for i, (a, ka) in enumerate(boxes):
        for b, kb in boxes[i + 1 :]:
            assert not overlap(a, b), (ka, kb)
    for fid, flow in sequence.items():
        source, target = shapes[flow["source"]]["box"], shapes[flow["target"]]["box"]
        assert flow["length"] > 0, fid
        assert on_border(flow["first"], source), (fid, flow["first"], source)
        assert on_border(flow["last"], target), (fid, flow["last"], target)

    # the names drawn outside shapes (shares on flows, gateways', events' and stages' names)
    # cover no task, and the stages' names stand above the pool
    assert out["labels"], "no external label drawn"
    for owner, texts in out["labels"].items():
        for text in texts:
            for key, task in tasks.items():
                assert not overlap(text, task["box"]), (owner, text, key)
    for stage in {tp.stage for tp in journey.touchpoints.values()}:
        for text in out["labels"][f"Group_{stage}"]:
            assert text[3] <= pool[1], (stage, text, pool)

    # fitted to the viewport, the whole pool is on screen
    screen = pools[0]["screen"]
    assert inside(screen, [0.0, 0.0, float(WIDTH), float(HEIGHT)], tol=1.0), screen
