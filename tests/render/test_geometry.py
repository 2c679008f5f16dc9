"""Layout geometry from Graphviz's JSON output: lanes are ordered bands, stages are columns.

For every example journey and hand-made cases, with the embedded and the system Graphviz:
- the lane bands (clusters) do not overlap and run top to bottom in the file's function order;
- every touchpoint's box lies inside its function's band;
- every touchpoint of an earlier stage lies wholly left of every touchpoint of a later stage.
"""

from __future__ import annotations

import json

import pytest

from journeymap.analysis.types import JourneyAnalysis
from journeymap.render import build_dot, render_dot
from tests.render import factory as F
from tests.render.conftest import example_analyses, needs_dot


def hand_made() -> list[JourneyAnalysis]:
    fns = [("a", "Alpha", "CA"), ("b", "Beta", "CB"), ("c", "Gamma", None), ("d", "Delta", "CD")]
    # every touchpoint hands off to the lane above it, pulling dot towards the reverse order
    upward = F.journey(
        id="upward",
        functions=fns,
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
    # cycles inside a stage, a self-loop, an empty middle stage, a backwards edge
    loops = F.journey(
        id="loops",
        functions=fns[:3],
        stages=[("s1", "One"), ("empty", "Nobody here"), ("s3", "Three")],
        touchpoints=[
            dict(id="p", name="P", stage="s3", function="c", next=["q"]),
            dict(id="q", name="Q", stage="s3", function="b", next=["r", "q"]),
            dict(id="r", name="R", stage="s3", function="a", next=["p", "s"]),
            dict(id="s", name="S", stage="s1", function="a", next=["t"]),
            dict(id="t", name="T", stage="s1", function="c"),
        ],
    )
    return [F.broadband(), F.analysis(upward), F.analysis(loops)]


def cases() -> list[JourneyAnalysis]:
    return example_analyses() + hand_made()


def boxes(layout: dict) -> tuple[dict[str, tuple[float, ...]], dict[str, tuple[float, ...]]]:
    """Node boxes (x0, y0, x1, y1 in points) by name, and cluster bounding boxes by name."""
    nodes, clusters = {}, {}
    for o in layout["objects"]:
        if "nodes" in o or o["name"].startswith("cluster"):
            if "bb" in o:
                clusters[o["name"]] = tuple(float(v) for v in o["bb"].split(","))
            continue
        x, y = (float(v) for v in o["pos"].split(","))
        w, h = float(o["width"]) * 72 / 2, float(o["height"]) * 72 / 2
        nodes[o["name"]] = (x - w, y - h, x + w, y + h)
    return nodes, clusters


def check_geometry(analysis: JourneyAnalysis, renderer: str) -> None:
    journey = analysis.journey
    layout = json.loads(render_dot(build_dot(analysis), fmt="json", renderer=renderer))
    nodes, clusters = boxes(layout)
    # lane order (docs/diagrams.md): functions by their first touchpoint in the file
    used: list[str] = []
    for t in journey.touchpoints.values():
        if t.function not in used:
            used.append(t.function)
    bands = [clusters[f"cluster_band_{i}"] for i in range(len(used))]
    # bands: top to bottom in that order, no overlap (JSON y grows upwards)
    for upper, lower in zip(bands, bands[1:], strict=False):
        assert upper[1] >= lower[3], f"{journey.id}: bands overlap or are out of order"
    band_of = dict(zip(used, bands, strict=True))
    eps = 0.01
    for tid, tp in journey.touchpoints.items():
        x0, y0, x1, y1 = nodes[f"tp-{tid}"]
        bx0, by0, bx1, by1 = band_of[tp.function]
        assert bx0 - eps <= x0 and x1 <= bx1 + eps and by0 - eps <= y0 and y1 <= by1 + eps, (
            f"{journey.id}: {tid} lies outside the {tp.function} band"
        )
    order = {s.id: i for i, s in enumerate(journey.stages)}
    right: dict[int, float] = {}
    left: dict[int, float] = {}
    for tid, tp in journey.touchpoints.items():
        x0, _, x1, _ = nodes[f"tp-{tid}"]
        i = order[tp.stage]
        right[i] = max(right.get(i, x1), x1)
        left[i] = min(left.get(i, x0), x0)
    for i in right:
        for j in left:
            if i < j:
                assert right[i] < left[j], f"{journey.id}: stage {i} reaches into stage {j}"


@pytest.mark.parametrize("renderer", ["embedded", pytest.param("system", marks=needs_dot)])
def test_geometry_of_every_example_and_hand_made_case(renderer: str) -> None:
    checked = 0
    for analysis in cases():
        check_geometry(analysis, renderer)
        checked += 1
    assert checked >= 4
