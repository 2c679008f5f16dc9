"""The grid diagrams are legible and collision-free, measured in real Chromium from the drawn SVG.

Cases: the five example journeys (journeys/), the journeys the render tests build (the worked
broadband example, the adversarial shapes ``upward`` and ``loops``, the hostile names of
tests/data/render/hostile.yaml and ``hostile-names``: quotes, angle brackets, ampersands, a word
longer than a box, names far too long, right-to-left text with bidi marks; see
tests/render/test_geometry.py), and journeys of 10, 30 and 60 touchpoints from
benchmarks/generate.py (seed 1). Each in the journey and the blueprint view, with the embedded and
the system Graphviz; the examples and the built journeys in every theme, the generated ones in the
default and workshop themes only (to keep the module near a minute: the themes differ in type
size, proportions and colours, and the examples already cover all of them in both views). A case
that fails to render is a failure, not a skip.

Method: ``render_journey(..., "svg", view, theme, renderer)``; the SVG is parsed as XML in one
Chromium page, put in the document at its natural size and measured by tests/render/svg_geometry.js
(``getBBox()`` mapped into the root ``<svg>``'s user space through the screen CTMs, so Graphviz's
transform on the graph's ``<g>`` is taken into account); the checks below run in Python on those
boxes. Lengths are SVG user units (points); the tolerance is 0.5 units for rounding, nothing more.

Per case (``test_diagram_geometry``):

1. no two non-blank ``<text>`` boxes intersect, lines of the same label included;
2. no ``g.node.marker`` or ``g.node.share`` box intersects a ``g.node.touchpoint`` box, and no
   other text (lane labels, headers, key, title) intersects a touchpoint box, except the
   touchpoint's own title and meta lines;
3. every text lies inside its node's shape when the node has one (markers, shares, stage headers,
   key chips); the texts of ``tp-<id>-title`` / ``tp-<id>-meta`` inside the box of ``tp-<id>``;
   a lane label inside the band it labels (``lane-label-<f>`` in ``lane-<f>``; the blueprint's
   ``row-label-<k>`` in ``row-<k>``); every stage header ``stage-<s>``
   within the columns of its band ``stage-band-<s>``; every text, node shape and band inside the
   canvas (the viewBox);
4. no rule code (``JM`` and three digits) in any ``<text>`` (tooltips may name them);
5. every touchpoint of the journey is drawn as ``tp-<id>`` and its box lies inside the stage band
   of its stage and, in the journey view, inside the lane band of its function (the blueprint's
   bands are rows, not functions: there its box lies inside exactly one ``g.cluster.lane`` or
   ``g.cluster.row`` band).

``test_no_marker_or_share_is_dropped`` (journey view, every case): a label must not escape a
collision by not being drawn: every handoff ``N`` has its ``marker-N`` and every transition out
of a touchpoint with more than one next has its ``share-<a>--<b>``. (Not in the issue's "Done
when"; the engine may drop a label it finds no room for, and this test says how often.)

``test_fitted_touchpoint_text_is_at_least_12px``: the journey view of each of the five examples
in the default theme, fitted to 1920×1080 (scale = min(1920 / W, 1080 / H), W × H the viewBox),
draws its smallest touchpoint text (title or meta line: font size × scale) at 12 px or more.

``test_presenter_shows_claims_before_at_16px``: see its docstring.

Every failure is a sentence naming the case (journey, view, theme, renderer), the elements and
by how much; a test fails with the full list. The worst figures are printed (``pytest -s``), and
at the end of the module tests/artifacts/diagram-geometry.txt lists every failure by category
and two of the worst cases are saved as screenshots with the offending boxes outlined in red
(tests/artifacts/diagram-geometry-<n>-<category>-<case>.png around the worst offender, thicker,
and ...-full.png the whole drawing).
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.load import load_journey_text
from journeymap.render import render_journey
from journeymap.render.escape import svg_id
from journeymap.render.journey_view import stage_list
from journeymap.render.themes import THEMES
from tests.render.conftest import ROOT, example_analyses, needs_dot
from tests.render.test_geometry import hand_made

pytestmark = pytest.mark.browser

SCRIPT = ROOT / "tests" / "render" / "svg_geometry.js"
TOL = 0.5
VIEWS = ("journey", "blueprint")
RENDERERS = ("embedded", pytest.param("system", marks=needs_dot))
SCREEN = (1920.0, 1080.0)
PRESENTER = (1280.0, 720.0)
RULE_CODE = re.compile(r"JM\d{3}")
EXAMPLES = sorted(
    p.stem
    for p in (ROOT / "journeys").glob("*.yaml")
    if p.stem != "organisation" and not p.name.endswith(".scenarios.yaml")
)
BUILT = ["broadband", "upward", "loops", "hostile", "hostile-names"]
GENERATED = [10, 30, 60]
GENERATED_THEMES = ("default", "workshop")
SHOWN = 60  # failures listed per test; all of them go to tests/artifacts/diagram-geometry.txt
JOURNEYS = EXAMPLES + BUILT + [f"generated-{n}" for n in GENERATED]

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in user units, y down


# -- the journeys --------------------------------------------------------------------------------


def _generator() -> Any:
    if "bench_generate" in sys.modules:  # tests/test_generate.py loaded it already
        return sys.modules["bench_generate"]
    spec = importlib.util.spec_from_file_location(
        "bench_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


@functools.cache
def analyses() -> dict[str, JourneyAnalysis]:
    found = {a.journey.id: a for a in example_analyses() + hand_made()}
    gen = _generator()
    for n in GENERATED:
        text = gen.generate_journey(n, seed=1, journey_id=f"generated-{n}")
        found[f"generated-{n}"] = analyze(load_journey_text(text, f"generated-{n}.yaml"))
    missing = set(JOURNEYS) - set(found)
    assert not missing, f"no journey {sorted(missing)}"
    return found


# -- measuring -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    owner: str
    owner_class: tuple[str, ...]
    text: str
    box: Box
    size: float
    line: int

    def name(self) -> str:
        shown = self.text if len(self.text) <= 40 else self.text[:39] + "\u2026"
        return f"text {shown!r} ({self.owner or 'no node'}{f' line {self.line + 1}' if self.line else ''})"


@dataclass
class Drawing:
    """One SVG as Chromium measured it."""

    svg: bytes
    view_box: Box  # x0, y0, x1, y1
    texts: list[Text]
    nodes: dict[str, tuple[tuple[str, ...], Box | None]]
    clusters: dict[str, tuple[tuple[str, ...], Box | None]]

    @property
    def width(self) -> float:
        return self.view_box[2] - self.view_box[0]

    @property
    def height(self) -> float:
        return self.view_box[3] - self.view_box[1]

    def boxes_of(self, cls: str) -> dict[str, Box]:
        return {i: b for i, (c, b) in self.nodes.items() if cls in c and b is not None}


@dataclass(frozen=True)
class Failure:
    category: str
    severity: float  # how far wrong, in user units (0 for yes/no failures)
    message: str
    boxes: tuple[Box, ...] = ()  # what to outline in a screenshot


@dataclass
class Outcome:
    """A case: its drawing (None when it did not render) and what is wrong with it."""

    case: str
    drawing: Drawing | None
    failures: list[Failure] = field(default_factory=list)


def _drawing(svg: bytes, raw: dict[str, Any]) -> Drawing:
    x, y, w, h = raw["viewBox"]
    return Drawing(
        svg,
        (x, y, x + w, y + h),
        [
            Text(
                t["owner"], tuple(t["ownerClass"]), t["text"], tuple(t["box"]), t["size"], t["line"]
            )
            for t in raw["texts"]
        ],
        {n["id"]: (tuple(n["cls"]), tuple(n["box"]) if n["box"] else None) for n in raw["nodes"]},
        {
            c["id"]: (tuple(c["cls"]), tuple(c["box"]) if c["box"] else None)
            for c in raw["clusters"]
        },
    )


class Measurer:
    """Renders cases and measures them in one page, a batch of themes at a time; remembers."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.outcomes: dict[tuple[str, str, str, str], Outcome] = {}

    def batch(self, journey: str, view: str, renderer: str) -> list[Outcome]:
        themes = GENERATED_THEMES if journey.startswith("generated-") else tuple(THEMES)
        keys = [(journey, view, theme, renderer) for theme in themes]
        todo = [k for k in keys if k not in self.outcomes]
        svgs: dict[tuple[str, str, str, str], bytes] = {}
        for key in todo:
            case = ", ".join(key)
            try:
                svgs[key] = render_journey(
                    analyses()[journey], "svg", view=view, theme=key[2], renderer=renderer
                )
            except Exception as err:  # noqa: BLE001 - a case that does not render is a failure
                message = f"{case}: does not render: {type(err).__name__}: {str(err)[:300]}"
                self.outcomes[key] = Outcome(case, None, [Failure("render", 0.0, message)])
        if svgs:
            raws = json.loads(
                self.page.evaluate(
                    "ms => window.svgGeometryBatch(ms)", [s.decode("utf-8") for s in svgs.values()]
                )
            )
            for (key, svg), raw in zip(svgs.items(), raws, strict=True):
                case = ", ".join(key)
                if "error" in raw:
                    failure = Failure("render", 0.0, f"{case}: {raw['error']}")
                    self.outcomes[key] = Outcome(case, None, [failure])
                    continue
                drawing = _drawing(svg, raw)
                self.outcomes[key] = Outcome(
                    case, drawing, check(case, drawing, analyses()[journey], view)
                )
        return [self.outcomes[k] for k in keys]

    def drawing(self, svg: str) -> Drawing:
        """Measure one SVG given as text (for the test of the checks themselves)."""
        raw = json.loads(self.page.evaluate("m => window.svgGeometryBatch([m])", svg))[0]
        assert "error" not in raw, raw["error"]
        return _drawing(svg.encode("utf-8"), raw)

    def one(self, journey: str, view: str, theme: str, renderer: str) -> Outcome:
        self.batch(journey, view, renderer)
        return self.outcomes[(journey, view, theme, renderer)]


# -- the checks ----------------------------------------------------------------------------------


def overlap(a: Box, b: Box) -> tuple[float, float]:
    return (min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def outside(inner: Box, outer: Box) -> float:
    """How far ``inner`` reaches out of ``outer`` (0 when inside)."""
    return max(
        outer[0] - inner[0], inner[2] - outer[2], outer[1] - inner[1], inner[3] - outer[3], 0
    )


def _intersecting(boxes: list[tuple[Box, Any]]) -> Iterator[tuple[Any, Any, float, float]]:
    """Pairs whose boxes intersect by more than the tolerance both ways (sweep along x)."""
    ordered = sorted(boxes, key=lambda item: item[0][0])
    for i, (a, item_a) in enumerate(ordered):
        for b, item_b in ordered[i + 1 :]:
            if b[0] >= a[2] - TOL:
                break
            ox, oy = overlap(a, b)
            if ox > TOL and oy > TOL:
                yield item_a, item_b, ox, oy


def _line_base(owner: str) -> str:
    """The id of a label's first line: the engine draws each line as its own node, the
    second and later ones ``<id>-2``, ``<id>-3``..."""
    head, _, tail = owner.rpartition("-")
    return head if head and tail.isdigit() and not owner.startswith("marker-") else owner


def _touchpoint_of(owner: str) -> str | None:
    """``tp-x`` for the title/meta nodes ``tp-x-title`` / ``tp-x-meta`` (and their later lines)."""
    owner = _line_base(owner)
    for suffix in ("-title", "-meta"):
        if owner.startswith("tp-") and owner.endswith(suffix):
            return owner[: -len(suffix)]
    return None


def band_of_label(label_id: str) -> str:
    """The band a label names: ``lane-label-f`` is in ``lane-f``, ``row-label-k`` in ``row-k``
    (the blueprint's rows), ``label-x`` in ``x``."""
    label_id = _line_base(label_id)
    if label_id.startswith("label-"):
        return label_id[6:]
    return label_id.replace("-label-", "-", 1)


def check(case: str, d: Drawing, analysis: JourneyAnalysis, view: str) -> list[Failure]:
    out: list[Failure] = []

    def fail(category: str, severity: float, message: str, *boxes: Box) -> None:
        out.append(Failure(category, severity, f"{case}: {message}", boxes))

    texts = [t for t in d.texts if t.text.strip()]
    touchpoints = d.boxes_of("touchpoint")
    lanes = {
        i: b for i, (c, b) in d.clusters.items() if b is not None and ("lane" in c or "row" in c)
    }

    # 1. texts on texts
    for a, b, ox, oy in _intersecting([(t.box, t) for t in texts]):
        fail(
            "text overlap",
            min(ox, oy),
            f"{a.name()} overlaps {b.name()} by {ox:.1f}\u00d7{oy:.1f}",
            a.box,
            b.box,
        )

    # 2. edge labels and other text on touchpoint boxes
    labels = [
        (box, (i, cls))
        for i, (cls, box) in d.nodes.items()
        if box is not None and ("marker" in cls or "share" in cls)
    ]
    tp_items = [(box, ("tp", i)) for i, box in touchpoints.items()]
    for a, b, ox, oy in _intersecting(labels + tp_items):
        if (a[0] == "tp") == (b[0] == "tp"):
            continue
        (label, cls), tp = (a, b[1]) if b[0] == "tp" else (b, a[1])
        kind = "marker" if "marker" in cls else "share"
        text = " ".join(t.text for t in d.texts if t.owner == label)
        fail(
            "edge label on touchpoint",
            min(ox, oy),
            f"{kind} {label} ({text!r}) lies on touchpoint {tp} by {ox:.1f}\u00d7{oy:.1f}",
            d.nodes[label][1],  # type: ignore[arg-type]
            touchpoints[tp],
        )
    foreign = [
        (t.box, t)
        for t in texts
        if _touchpoint_of(t.owner) is None
        and "touchpoint" not in t.owner_class
        and "marker" not in t.owner_class
        and "share" not in t.owner_class
    ]
    for a, b, ox, oy in _intersecting(foreign + tp_items):
        if isinstance(a, Text) == isinstance(b, Text):
            continue
        t, tp = (a, b[1]) if isinstance(a, Text) else (b, a[1])
        fail(
            "text on touchpoint",
            min(ox, oy),
            f"{t.name()} lies on touchpoint {tp} by {ox:.1f}\u00d7{oy:.1f}",
            t.box,
            touchpoints[tp],
        )

    # 3. texts spilling out of their node, lane, stage header; anything off the canvas
    for t in texts:
        owner = d.nodes.get(t.owner)
        base = _line_base(t.owner)
        if base.endswith("-text") and base[: -len("-text")] in d.nodes:
            owner = d.nodes[base[: -len("-text")]]  # a framed label: its lines sit on the frame
        tp = _touchpoint_of(t.owner)
        if owner is not None and owner[1] is not None:
            if (dist := outside(t.box, owner[1])) > TOL:
                fail(
                    "text spill",
                    dist,
                    f"{t.name()} reaches {dist:.1f} out of its node's shape",
                    t.box,
                    owner[1],
                )
        elif tp is not None:
            if tp not in touchpoints:
                fail("missing", 0.0, f"{t.name()} belongs to no drawn touchpoint {tp}", t.box)
            elif (dist := outside(t.box, touchpoints[tp])) > TOL:
                fail(
                    "text spill",
                    dist,
                    f"{t.name()} reaches {dist:.1f} out of {tp}",
                    t.box,
                    touchpoints[tp],
                )
        elif "lane-label" in t.owner_class:  # a line band is invisible: Graphviz draws no box
            band_id = band_of_label(t.owner)
            band = d.clusters.get(band_id, ((), None))[1]
            if band is None:
                fail("missing", 0.0, f"{t.name()}: no band {band_id}", t.box)
            elif (dist := outside(t.box, band)) > TOL:
                fail(
                    "text spill",
                    dist,
                    f"{t.name()} reaches {dist:.1f} out of its band {band_id}",
                    t.box,
                    band,
                )
    for t in d.texts:
        if (dist := outside(t.box, d.view_box)) > TOL:
            fail("off canvas", dist, f"{t.name()} reaches {dist:.1f} off the canvas", t.box)
    for kind, items in (("node", d.nodes), ("band", d.clusters)):
        for i, (_, box) in items.items():
            if box is not None and (dist := outside(box, d.view_box)) > TOL:
                fail("off canvas", dist, f"{kind} {i} reaches {dist:.1f} off the canvas", box)
    for i, box in d.boxes_of("stage").items():
        band = d.clusters.get("stage-band-" + i.removeprefix("stage-"), ((), None))[1]
        if band is None:
            fail("missing", 0.0, f"stage header {i} has no band stage-band-{i[6:]}", box)
            continue
        reach = max(band[0] - box[0], box[2] - band[2], 0)
        if reach > TOL:
            fail(
                "text spill",
                reach,
                f"stage header {i} reaches {reach:.1f} out of its column",
                box,
                band,
            )

    # 4. rule codes
    for t in d.texts:
        if RULE_CODE.search(t.text):
            fail("rule code", 0.0, f"{t.name()} shows a rule code", t.box)

    # 5. every touchpoint in its stage column and its lane
    journey = analysis.journey
    stages = {s: f"stage-band-{svg_id(s)}" for s in stage_list(journey)}
    for tid, tp in journey.touchpoints.items():
        name = f"tp-{svg_id(tid)}"
        box = touchpoints.get(name)
        if box is None:
            fail("missing", 0.0, f"touchpoint {tid!r} is not drawn as {name}")
            continue
        band = d.clusters.get(stages[tp.stage], ((), None))[1]
        if band is None:
            fail("missing", 0.0, f"no stage band {stages[tp.stage]} for {name}", box)
        elif (dist := outside(box, band)) > TOL:
            fail(
                "touchpoint cell",
                dist,
                f"{name} reaches {dist:.1f} out of its stage band {stages[tp.stage]}",
                box,
                band,
            )
        if view == "journey":
            lane = f"lane-{svg_id(tp.function)}"
            if lane not in lanes:
                fail("missing", 0.0, f"no lane band {lane} for {name}", box)
            elif (dist := outside(box, lanes[lane])) > TOL:
                fail(
                    "touchpoint cell",
                    dist,
                    f"{name} reaches {dist:.1f} out of its lane {lane}",
                    box,
                    lanes[lane],
                )
        else:
            holders = [i for i, b in lanes.items() if outside(box, b) <= TOL]
            if len(holders) != 1:
                fail(
                    "touchpoint cell",
                    0.0,
                    f"{name} lies inside {len(holders)} lane bands {holders}, not one",
                    box,
                )

    return out


def dropped_labels(case: str, d: Drawing, analysis: JourneyAnalysis) -> list[str]:
    """Markers and shares of the journey view that are not drawn at all."""
    journey = analysis.journey
    out = [
        f"{case}: handoff {h.number} ({h.source} \u2192 {h.target}) has no marker-{h.number}"
        for h in analysis.handoffs
        if f"marker-{h.number}" not in d.nodes
    ]
    seen: dict[tuple[str, str], int] = {}
    for t in journey.transitions():
        n = seen[t.key] = seen.get(t.key, 0) + 1
        if len(journey.touchpoints[t.source].next) < 2:
            continue
        share = f"share-{svg_id(t.source)}--{svg_id(t.target)}" + (f"-{n}" if n > 1 else "")
        if share not in d.nodes:
            out.append(f"{case}: split {t.source} \u2192 {t.target} has no {share}")
    return out


def fitted_px(d: Drawing) -> tuple[float, Text | None]:
    """The smallest touchpoint text in px when the drawing is fitted to 1920×1080."""
    scale = min(SCREEN[0] / d.width, SCREEN[1] / d.height)
    inside = [
        t
        for t in d.texts
        if t.text.strip() and (_touchpoint_of(t.owner) or "touchpoint" in t.owner_class)
    ]
    if not inside:
        return 0.0, None
    smallest = min(inside, key=lambda t: t.size)
    return smallest.size * scale, smallest


# -- fixtures and reports ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measurer(browser: Any, artifacts: Path) -> Iterator[Measurer]:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.set_content(
        "<!doctype html><html><head><meta charset='utf-8'></head><body style='margin:0'></body></html>"
    )
    page.add_script_tag(path=str(SCRIPT))
    m = Measurer(page)
    yield m
    report(m, page, artifacts)
    page.close()


def report(m: Measurer, page: Any, artifacts: Path) -> None:
    """Every failure by category in a text file; screenshots of two of the worst cases."""
    by_category: dict[str, list[Failure]] = {}
    for outcome in m.outcomes.values():
        for f in outcome.failures:
            by_category.setdefault(f.category, []).append(f)
    lines = [f"{len(m.outcomes)} cases measured"]
    for category, failures in sorted(by_category.items()):
        failures.sort(key=lambda f: -f.severity)
        cases = len({f.message.split(": ")[0] for f in failures})
        lines.append(f"\n== {category}: {len(failures)} in {cases} cases (worst first)")
        lines.extend(f.message for f in failures)
    dropped = [
        message
        for (journey, view, _, _), o in m.outcomes.items()
        if view == "journey" and o.drawing is not None
        for message in dropped_labels(o.case, o.drawing, analyses()[journey])
    ]
    if dropped:
        cases = len({message.split(": ")[0] for message in dropped})
        lines.append(f"\n== label not drawn (journey view): {len(dropped)} in {cases} cases")
        lines.extend(dropped)
    for old in artifacts.glob("diagram-geometry-*.png"):
        old.unlink()
    (artifacts / "diagram-geometry.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # two of the worst: the most severe collision in the journey view (embedded Graphviz first),
    # then the most severe of another category in another journey or view
    geometric = ("text overlap", "edge label on touchpoint", "text on touchpoint", "text spill")
    ranked = sorted(
        (f for c in geometric for f in by_category.get(c, [])),
        key=lambda f: (
            ", journey, " not in f.message,
            ", embedded: " not in f.message,
            -f.severity,
        ),
    )
    chosen: list[Failure] = []
    for f in ranked:
        if not chosen or (
            f.category != chosen[0].category
            and f.message.split(", ")[:2] != chosen[0].message.split(", ")[:2]
        ):
            chosen.append(f)
        if len(chosen) == 2:
            break
    for shot, worst in enumerate(chosen, 1):
        outcome = next(o for o in m.outcomes.values() if worst in o.failures)
        assert outcome.drawing is not None
        boxes = [b for f in outcome.failures for b in f.boxes if f.category == worst.category]
        slug = re.sub(r"[^a-z0-9]+", "-", f"{worst.category} {outcome.case}".lower()).strip("-")
        name = f"diagram-geometry-{shot}-{slug}"
        clip = page.evaluate(SHOT_JS, [outcome.drawing.svg.decode("utf-8"), boxes, worst.boxes])
        page.screenshot(path=str(artifacts / f"{name}.png"), clip=clip, full_page=True)
        page.locator("#shot").screenshot(path=str(artifacts / f"{name}-full.png"))
        page.evaluate("document.getElementById('shot').remove()")


# Puts an SVG in the page with boxes outlined in red (the worst one thicker); returns a clip
# around the worst one, in page pixels.
SHOT_JS = """([markup, boxes, worst]) => {
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const root = document.importNode(doc.documentElement, true);
  const holder = document.createElement('div');
  holder.id = 'shot';
  holder.style.display = 'inline-block';
  holder.appendChild(root);
  document.body.appendChild(holder);
  const outline = ([x0, y0, x1, y1], width) => {
    const r = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
    r.setAttribute('x', x0 - 1); r.setAttribute('y', y0 - 1);
    r.setAttribute('width', x1 - x0 + 2); r.setAttribute('height', y1 - y0 + 2);
    r.setAttribute('fill', 'none'); r.setAttribute('stroke', 'red');
    r.setAttribute('stroke-width', width);
    root.appendChild(r);
    return r.getBoundingClientRect();
  };
  boxes.forEach(b => outline(b, 1));
  worst.forEach(b => outline(b, 2.5));
  const rects = [outline(worst[0], 2.5)];  // centred on the offender, not its container
  const x0 = Math.min(...rects.map(r => r.left)), y0 = Math.min(...rects.map(r => r.top));
  const x1 = Math.max(...rects.map(r => r.right)), y1 = Math.max(...rects.map(r => r.bottom));
  const page = holder.getBoundingClientRect();
  const cx = (x0 + x1) / 2 + scrollX, cy = (y0 + y1) / 2 + scrollY;
  const w = Math.min(Math.max(x1 - x0 + 300, 900), page.width);
  const h = Math.min(Math.max(y1 - y0 + 200, 500), page.height);
  const left = Math.max(page.left + scrollX, Math.min(cx - w / 2, page.right + scrollX - w));
  const top = Math.max(page.top + scrollY, Math.min(cy - h / 2, page.bottom + scrollY - h));
  return {x: left, y: top, width: w, height: h};
}"""


def _figures(outcomes: list[Outcome]) -> str:
    parts = []
    for outcome in outcomes:
        worst: dict[str, Failure] = {}
        for f in outcome.failures:
            if f.category not in worst or f.severity > worst[f.category].severity:
                worst[f.category] = f
        counts = {c: sum(f.category == c for f in outcome.failures) for c in worst}
        summary = "; ".join(
            f"{c} \u00d7{counts[c]} (worst {w.severity:.1f})" for c, w in sorted(worst.items())
        )
        fitted = f", fitted {fitted_px(outcome.drawing)[0]:.1f} px" if outcome.drawing else ""
        parts.append(f"{outcome.case}{fitted}: {summary or 'clean'}")
    return "\n".join(parts)


# -- the tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("journey", JOURNEYS)
def test_diagram_geometry(measurer: Measurer, journey: str, view: str, renderer: str) -> None:
    """Checks 1-5 of the module docstring, in every theme."""
    outcomes = measurer.batch(journey, view, renderer)
    print(_figures(outcomes))
    failures = [f.message for o in outcomes for f in o.failures]
    if failures:  # pytest.fail: the plain list, without pytest's slow assertion introspection
        shown = failures[:SHOWN] + (
            [f"\u2026 and {len(failures) - SHOWN} more in tests/artifacts/diagram-geometry.txt"]
            if len(failures) > SHOWN
            else []
        )
        pytest.fail(f"{len(failures)} geometry failures:\n" + "\n".join(shown), pytrace=False)


@pytest.mark.parametrize("renderer", RENDERERS)
@pytest.mark.parametrize("journey", JOURNEYS)
def test_no_marker_or_share_is_dropped(measurer: Measurer, journey: str, renderer: str) -> None:
    """Every handoff's marker is drawn, and at least 90 % of the shares of splitting
    touchpoints (journey view, every theme). A share with no free room near its edge (two
    neighbouring boxes in a crowded cell) is left to the edge's hover title rather than put
    where it would collide or be read as another edge's."""
    failures = []
    splits = sum(
        1
        for t in analyses()[journey].journey.transitions()
        if len(analyses()[journey].journey.touchpoints[t.source].next) > 1
    )
    for outcome in measurer.batch(journey, "journey", renderer):
        if outcome.drawing is None:
            failures.append(outcome.failures[0].message)
            continue
        dropped = dropped_labels(outcome.case, outcome.drawing, analyses()[journey])
        shares = [d for d in dropped if " has no share-" in d]
        failures.extend(d for d in dropped if d not in shares)
        if len(shares) > 0.1 * splits:
            failures.extend(shares)
    if failures:
        pytest.fail(f"{len(failures)} labels not drawn:\n" + "\n".join(failures), pytrace=False)


@pytest.mark.parametrize("renderer", RENDERERS)
def test_fitted_touchpoint_text_is_at_least_12px(measurer: Measurer, renderer: str) -> None:
    """Journey view, default theme, each example fitted to 1920×1080: touchpoint text >= 12 px."""
    assert len(EXAMPLES) == 5, EXAMPLES
    figures, failures = [], []
    for journey in EXAMPLES:
        outcome = measurer.one(journey, "journey", "default", renderer)
        if outcome.drawing is None:
            failures.append(outcome.failures[0].message)
            continue
        px, text = fitted_px(outcome.drawing)
        d = outcome.drawing
        figure = f"{journey}: {px:.1f} px ({d.width:.0f}\u00d7{d.height:.0f} pt, {text.name() if text else 'no text'})"
        figures.append(figure)
        if px < 12:
            failures.append(figure)
    print("\n".join(figures))
    if failures:
        pytest.fail(
            "smallest touchpoint text fitted to 1920×1080 under 12 px:\n"
            + "\n".join(failures)
            + "\nall: "
            + "; ".join(figures),
            pytrace=False,
        )


HEADER_PX = 60  # the presenter's pinned stage-name row and control bar, about


@pytest.mark.parametrize("theme", list(THEMES))
@pytest.mark.parametrize("renderer", RENDERERS)
def test_presenter_shows_claims_before_at_16px(
    measurer: Measurer, theme: str, renderer: str
) -> None:
    """Presenter mode at 1280×720 can show every touchpoint of claims-before (journey view) with
    its name at 16 px or more.

    With ``k = 16 / s`` screen px per user unit, ``s`` the smallest font size of a touchpoint
    name (the ``tp-<id>-title`` texts), every name is drawn at 16 px or more. The presenter walks
    a stage at a time and shows a stage whose lanes lie far apart in parts, top to bottom
    (tests/serve/test_browser.py walks it in Chromium). Asserted here for every stage: its band
    (``stage-band-<s>``) is at most 1280 px wide at ``k``, and each lane its touchpoints use is
    at most 720 px high at ``k`` with the stage header, so every part fits the screen."""
    outcome = measurer.one("claims-before", "journey", theme, renderer)
    assert outcome.drawing is not None, outcome.failures[0].message
    d = outcome.drawing
    names = [
        t for t in d.texts if _line_base(t.owner).endswith("-title") and _touchpoint_of(t.owner)
    ]
    assert names, "no touchpoint names found"
    k = 16 / min(t.size for t in names)
    journey = analyses()["claims-before"].journey
    lanes = {i: b for i, (c, b) in d.clusters.items() if "lane" in c and b is not None}
    figures, failures = [], []
    for stage in stage_list(journey):
        band = d.clusters.get(f"stage-band-{svg_id(stage)}", ((), None))[1]
        used = {
            f"lane-{svg_id(tp.function)}"
            for tp in journey.touchpoints.values()
            if tp.stage == stage
        }
        boxes = [lanes[u] for u in used if u in lanes]
        if band is None or len(boxes) != len(used):
            failures.append(
                f"stage {stage!r}: its band or one of its lanes {sorted(used)} is not drawn"
            )
            continue
        w = (band[2] - band[0]) * k
        h = max(b[3] - b[1] for b in boxes) * k + HEADER_PX
        figure = f"{stage}: {w:.0f}\u00d7{h:.0f} px over {len(used)} lanes"
        figures.append(figure)
        if w > PRESENTER[0] + TOL or h > PRESENTER[1] + TOL:
            failures.append(figure)
    print(f"claims-before, {theme}, {renderer}: k = {k:.2f}; " + "; ".join(figures))
    if failures:
        pytest.fail(
            f"claims-before, journey, {theme}, {renderer}: at {k:.2f} px per unit (names at 16 px)"
            " these stages do not fit 1280×720:\n" + "\n".join(failures),
            pytrace=False,
        )


def test_the_checks_catch_a_drawing_broken_on_purpose(measurer: Measurer) -> None:
    """Not vacuous: the broadband journey, broken by hand, fails each check it breaks."""
    analysis = analyses()["broadband"]
    svg = render_journey(analysis, "svg", renderer="embedded").decode("utf-8")
    d = measurer.drawing(svg)

    def centre(box: Box | None) -> tuple[float, float]:
        assert box is not None
        return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)

    def move(markup: str, node: str, dx: float, dy: float) -> str:
        opening = f'<g id="{node}" class="'
        assert markup.count(opening) == 1, node
        return markup.replace(
            opening, f'<g transform="translate({dx:.2f} {dy:.2f})" id="{node}" class="'
        )

    marker = next(i for i, (c, _) in d.nodes.items() if "marker" in c)
    share = next(i for i, (c, _) in d.nodes.items() if "share" in c)
    (mx, my), (tx, ty) = centre(d.nodes[marker][1]), centre(d.nodes["tp-offer"][1])
    broken = move(svg, marker, tx - mx, ty - my)  # a marker on a touchpoint
    broken = move(broken, "tp-call", 5000, 0)  # a touchpoint off its lane, stage and canvas
    title = next(t for t in d.texts if t.owner == "tp-visit-title")
    meta = next(t for t in d.texts if t.owner == "tp-visit-meta")
    broken = move(broken, "tp-visit-meta", 0, title.box[1] - meta.box[1])  # text on text
    assert broken.count(">Online offer</text>") == 1
    broken = broken.replace(
        ">Online offer</text>", ">Online offer, with a name far too long</text>"
    )
    assert broken.count(">6 touchpoints") == 1
    broken = broken.replace(">6 touchpoints", ">JM101 6 touchpoints")  # a rule code
    broken = broken.replace(f'id="{share}"', 'id="not-a-share"')  # a share not drawn
    drawn = measurer.drawing(broken)
    messages = [f.message for f in check("broken", drawn, analysis, "journey")]
    messages += dropped_labels("broken", drawn, analysis)
    text = "\n".join(messages)
    expected = [
        f"{marker}",
        "lies on touchpoint tp-offer",  # 2
        "'Engineer visit' (tp-visit-title) overlaps text",  # 1
        "'Online offer, with a name far too long' (tp-offer-title) reaches",  # 3
        "tp-call-title) reaches",  # 3: its texts stayed where the box was
        "node tp-call reaches",  # 3: off the canvas
        "JM101 6 touchpoints",  # 4
        "tp-call reaches",  # 5
        f"has no {share}",  # 6
    ]
    missing = [e for e in expected if e not in text]
    assert not missing, f"not caught: {missing}\nfound:\n{text}"
