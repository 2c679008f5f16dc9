"""Grid geometry from the final (pass-2, ``layout=nop2``) DOT, read back as Graphviz JSON: fast,
no browser (tests/browser/test_diagram_geometry.py measures the drawn SVG in Chromium).

For every example journey and the hand-made cases below, in the journey and blueprint views,
with the embedded and the system Graphviz (``build_dot`` lays out with that renderer, then the
same renderer writes the JSON of the final DOT):

- lane bands (``g.cluster.lane``) run top to bottom without overlapping; in the journey view they
  are the functions in lane order (docs/diagrams.md);
- stage bands (``cluster_stage_<i>``) run left to right in stage order without overlapping;
- every touchpoint's box lies inside its stage band and inside its lane band (the journey view:
  its function's lane; the blueprint: exactly one of its rows);
- a touchpoint's title and meta boxes lie inside its box;
- no handoff marker or share box overlaps a touchpoint box.

Boxes are Graphviz's own (``pos`` ± ``width``/``height`` / 2, cluster ``bb``), in points; rounding
in the written DOT is allowed 0.5 pt, nothing more.
"""

from __future__ import annotations

import json

import pytest

from journeymap.analysis.types import JourneyAnalysis
from journeymap.render import build_dot, render_dot
from journeymap.render.escape import svg_id
from journeymap.render.journey_view import stage_list
from tests.render import factory as F
from tests.render.conftest import HOSTILE, analyse_file, example_analyses, needs_dot

TOL = 0.5
Box = tuple[float, float, float, float]


def upward() -> JourneyAnalysis:
    """Every touchpoint hands off to the lane above it, pulling dot towards the reverse order."""
    return F.analysis(
        F.journey(
            id="upward",
            functions=FUNCTIONS,
            stages=[("s1", "One"), ("s2", "Two"), ("s3", "Three")],
            touchpoints=[
                dict(id="d1", name="D1", stage="s1", function="d", next=["c1"]),
                dict(id="c1", name="C1", stage="s1", function="c", next=["b1"]),
                dict(id="b1", name="B1", stage="s1", function="b", next=["a1", "d2"]),
                dict(id="a1", name="A1", stage="s1", function="a", next=["d2"]),
                dict(id="d2", name="D2", stage="s2", function="d", next=["a3", "d1"]),
                dict(id="a3", name="A3", stage="s3", function="a", next=["c3"]),
                dict(id="c3", name="C3", stage="s3", function="c", next=["a3", "b1"]),
            ],
        )
    )


FUNCTIONS = [("a", "Alpha", "CA"), ("b", "Beta", "CB"), ("c", "Gamma", None), ("d", "Delta", "CD")]


def loops() -> JourneyAnalysis:
    """Cycles inside a stage, a self-loop, an empty middle stage, a backwards edge."""
    return F.analysis(
        F.journey(
            id="loops",
            functions=FUNCTIONS[:3],
            stages=[("s1", "One"), ("empty", "Nobody here"), ("s3", "Three")],
            touchpoints=[
                dict(id="p", name="P", stage="s3", function="c", next=["q"]),
                dict(id="q", name="Q", stage="s3", function="b", next=["r", "q"]),
                dict(id="r", name="R", stage="s3", function="a", next=["p", "s"]),
                dict(id="s", name="S", stage="s1", function="a", next=["t"]),
                dict(id="t", name="T", stage="s1", function="c"),
            ],
        )
    )


LONG_WORD = "Supercalifragilisticexpialidociouslyunbreakableconfirmationemail"
LONG_NAME = (
    "Customer receives a very long confirmation letter explaining every single step of the "
    "process in painstaking detail, which nobody reads, and then calls us to ask what it means"
)


def hostile_names() -> JourneyAnalysis:
    """Names that stress the text: quotes, angle brackets, ampersands, a word longer than a box,
    names far too long for two lines, right-to-left text with bidi marks, long stage names."""
    return F.analysis(
        F.journey(
            id="hostile-names",
            title='The "hostile" <names> & journey \u200f\u202eRTL\u202c ' + "x" * 150,
            persona="\u200fמשתמש \"quoted\" <persona> & 'friends'",
            functions=[
                ("q", 'The "quoted" <team> & co', "Lead \u00abx\u00bb <b>"),
                (
                    "rtl",
                    "\u0641\u0631\u064a\u0642 \u0627\u0644\u062f\u0639\u0645 \u200f mark",
                    None,
                ),
                (
                    "long",
                    "A function with a name much too long for the label strip of the lanes",
                    "Head of Extraordinarily Long Titles and Other Things",
                ),
            ],
            stages=[
                ("s1", "A stage with a very long name that must wrap or be clipped with an end"),
                ("s2", "<b>&amp;</b>"),
                ("s3", LONG_WORD),
            ],
            touchpoints=[
                dict(
                    id="quote",
                    name='He said "no" <twice> & left',
                    stage="s1",
                    function="q",
                    channel='"web" <form>',
                    emotion=1,
                    next=[dict(target="word", share=0.6), dict(target="rtl", share=0.4)],
                ),
                dict(
                    id="word",
                    name=LONG_WORD,
                    stage="s1",
                    function="long",
                    channel="a very long channel name that cannot fit",
                    emotion=5,
                    next=["rtl", "long"],
                ),
                dict(
                    id="rtl",
                    name="\u200f\u0645\u0631\u062d\u0628\u0627 \u202eevil\u202c caf\u00e9 "
                    "\u65e5\u672c \U0001f600 {x} & <y>",
                    stage="s2",
                    function="rtl",
                    emotion=3,
                    next=["long", "quote"],
                ),
                dict(
                    id="long",
                    name=LONG_NAME,
                    stage="s3",
                    function="long",
                    channel="letter",
                    outcome="an outcome with a rather long description " * 3,
                    emotion=2,
                    next=["end"],
                ),
                dict(id="end", name="<", stage="s3", function="q", outcome='"done"'),
            ],
        )
    )


def hand_made() -> list[JourneyAnalysis]:
    """The journeys the render tests build: the worked example, adversarial shapes and names."""
    return [F.broadband(), upward(), loops(), hostile_names(), analyse_file(HOSTILE)]


def cases() -> dict[str, JourneyAnalysis]:
    return {a.journey.id: a for a in example_analyses() + hand_made()}


def _box(o: dict) -> Box:
    x, y = (float(v) for v in o["pos"].split(","))
    w, h = float(o["width"]) * 36, float(o["height"]) * 36
    return (x - w, y - h, x + w, y + h)


def _inside(inner: Box, outer: Box) -> float:
    """How far ``inner`` reaches out of ``outer`` (0 when inside)."""
    return max(
        outer[0] - inner[0], inner[2] - outer[2], outer[1] - inner[1], inner[3] - outer[3], 0.0
    )


def _overlap(a: Box, b: Box) -> tuple[float, float]:
    return (min(a[2], b[2]) - max(a[0], b[0]), min(a[3], b[3]) - max(a[1], b[1]))


def geometry_failures(analysis: JourneyAnalysis, view: str, renderer: str) -> list[str]:
    journey = analysis.journey
    dot = build_dot(analysis, view=view, renderer=renderer)
    layout = json.loads(render_dot(dot, fmt="json", renderer=renderer))
    nodes: dict[str, tuple[list[str], Box]] = {}
    lanes: dict[str, Box] = {}
    stages: dict[str, Box] = {}
    for o in layout["objects"]:
        cls = str(o.get("class", "")).split()
        if o["name"].startswith("cluster"):
            if "bb" not in o:
                continue
            bb = tuple(float(v) for v in o["bb"].split(","))
            if "lane" in cls:
                lanes[o.get("id", o["name"])] = bb  # type: ignore[assignment]
            elif o["name"].startswith("cluster_stage_"):
                stages[o["name"]] = bb  # type: ignore[assignment]
        elif "pos" in o and "id" in o:
            nodes[o["id"]] = (cls, _box(o))
    failures: list[str] = []

    # lanes: top to bottom (JSON y grows upwards), in lane order in the journey view
    ordered = sorted(lanes.items(), key=lambda kv: -kv[1][3])
    for (na, a), (nb, b) in zip(ordered, ordered[1:], strict=False):
        if b[3] - a[1] > TOL:
            failures.append(f"lanes {na} and {nb} overlap by {b[3] - a[1]:.1f}")
    if view == "journey":
        used = {tp.function for tp in journey.touchpoints.values()}
        expected = [f"lane-{svg_id(f.id)}" for f in journey.lanes() if f.id in used]
        if [n for n, _ in ordered] != expected:
            failures.append(f"lanes top to bottom {[n for n, _ in ordered]}, expected {expected}")

    # stage bands: left to right in stage order
    order = stage_list(journey)
    bands = [stages.get(f"cluster_stage_{i}") for i in range(len(order))]
    for i, band in enumerate(bands):
        if band is None:
            failures.append(f"stage {order[i]!r} has no band cluster_stage_{i}")
    for i in range(len(order) - 1):
        a, b = bands[i], bands[i + 1]
        if a and b and a[2] - b[0] > TOL:
            failures.append(
                f"stage bands {order[i]!r} and {order[i + 1]!r} overlap by {a[2] - b[0]:.1f}"
            )

    touchpoints: dict[str, Box] = {}
    for tid, tp in journey.touchpoints.items():
        name = f"tp-{svg_id(tid)}"
        if name not in nodes:
            failures.append(f"touchpoint {tid!r} is not drawn ({name})")
            continue
        box = touchpoints[name] = nodes[name][1]
        stage_box = bands[order.index(tp.stage)]
        if stage_box and (d := _inside(box, stage_box)) > TOL:
            failures.append(f"{name} reaches {d:.1f} out of its stage band {tp.stage!r}")
        lane = f"lane-{svg_id(tp.function)}"
        if view == "journey":
            if lane not in lanes:
                failures.append(f"{name}: no lane {lane}")
            elif (d := _inside(box, lanes[lane])) > TOL:
                failures.append(f"{name} reaches {d:.1f} out of its lane {lane}")
        else:
            holders = [n for n, bb in lanes.items() if _inside(box, bb) <= TOL]
            if len(holders) != 1:
                failures.append(f"{name} lies inside {len(holders)} lane bands {holders}, not 1")
        for part in ("title", "meta"):
            text = nodes.get(f"{name}-{part}")
            if text and (d := _inside(text[1], box)) > TOL:
                failures.append(f"{name}-{part} reaches {d:.1f} out of {name}")

    for nid, (cls, box) in nodes.items():
        if "marker" not in cls and "share" not in cls:
            continue
        for name, tbox in touchpoints.items():
            ox, oy = _overlap(box, tbox)
            if ox > TOL and oy > TOL:
                failures.append(f"{nid} lies on {name} by {ox:.1f}\u00d7{oy:.1f}")
    return failures


CASES = cases()


@pytest.mark.parametrize("renderer", ["embedded", pytest.param("system", marks=needs_dot)])
@pytest.mark.parametrize("view", ["journey", "blueprint"])
@pytest.mark.parametrize("journey", sorted(CASES))
def test_grid_geometry(journey: str, view: str, renderer: str) -> None:
    failures = geometry_failures(CASES[journey], view, renderer)
    assert not failures, f"{journey}, {view}, {renderer}:\n" + "\n".join(failures)
