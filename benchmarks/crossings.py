"""Geometric edge crossings of a laid-out journey view (issue 11's "at most 40 over five examples").

Definitions (docs/performance.md, "Issue 11: diagrams"):

- **edges**: the visible transition edges of the journey view: in the final DOT (what
  ``journeymap.render.build_dot`` returns, drawn by Graphviz ``nop2``), the edges whose ``class``
  contains ``transition`` (``g.edge.transition`` in the SVG). Their geometry is their ``pos``
  spline, read back from Graphviz's JSON of that DOT: an optional ``s,x,y`` (arrow at the tail),
  an optional ``e,x,y`` (arrow tip at the head), then ``1 + 3k`` cubic Bézier control points;
  several pieces are separated by ``;``.
- **polyline**: each cubic is flattened to ``segments`` straight segments (16 by default). The
  arrowheads (last control point to the ``e`` tip) are left out by default, as in the count
  behind the issue's "today 95" (this definition gives exactly 95 on commit 9680eee, embedded
  renderer; 102 with arrowheads); ``arrows=True`` adds them as one segment each.
- **crossing**: two segments of two different edges that **share no touchpoint** (no endpoint in
  common, so edges meeting at a touchpoint never count) intersect in one point (collinear
  overlaps are not crossings, nor is a polyline's own first or last point lying on the other). Hits of one pair of edges closer than ``merge`` (1 pt) are one
  crossing point (a curve passing exactly through a vertex of the other polyline hits two of
  its segments). Each pair of edges counts its own crossing points: three edges through one
  point make three crossings.

Used by ``bench_render.py``; tested by ``tests/test_crossings.py`` against an exact
(``fractions``) intersection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Point = tuple[float, float]
Box = tuple[float, float, float, float]

EXAMPLES = (
    "claims-before",
    "claims-after",
    "retail-omnichannel",
    "telecom-onboarding",
    "b2b-purchase",
)
SEGMENTS = 16
MERGE = 1.0


def _point(text: str) -> Point:
    x, y = text.split(",")[:2]
    return float(x), float(y)


def cubic(p0: Point, p1: Point, p2: Point, p3: Point, segments: int = SEGMENTS) -> list[Point]:
    """The cubic Bézier ``p0..p3`` as ``segments + 1`` points (both ends included)."""
    out = []
    for k in range(segments + 1):
        t = k / segments
        u = 1.0 - t
        a, b, c, d = u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t
        out.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    out[0], out[-1] = p0, p3  # exact ends: pieces join without gaps
    return out


def flatten(pos: str, segments: int = SEGMENTS, arrows: bool = False) -> list[list[Point]]:
    """A Graphviz edge ``pos`` as polylines, one per ``;`` piece (with ``arrows``, the segments
    from the ``s`` tip to the first control point and from the last to the ``e`` tip)."""
    lines = []
    for piece in pos.split(";"):
        start = end = None
        controls: list[Point] = []
        for token in piece.split():
            if token.startswith("e,"):
                end = _point(token[2:])
            elif token.startswith("s,"):
                start = _point(token[2:])
            else:
                controls.append(_point(token))
        if not controls:
            continue
        if (len(controls) - 1) % 3:
            raise ValueError(f"a spline has 1 + 3k control points, not {len(controls)}: {pos!r}")
        points: list[Point] = [start] if start is not None and arrows else []
        points.append(controls[0])
        for i in range(0, len(controls) - 1, 3):
            points.extend(cubic(*controls[i : i + 4], segments=segments)[1:])  # type: ignore[misc]
        if end is not None and arrows:
            points.append(end)
        lines.append(points)
    return lines


@dataclass(frozen=True)
class Edge:
    """One drawn edge: its touchpoints (tail, head) and its polylines."""

    id: str
    tail: str
    head: str
    lines: tuple[tuple[Point, ...], ...]


def _box(points: Sequence[Point]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def _meet(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def segment_hit(p: Point, q: Point, r: Point, s: Point) -> tuple[float, float] | None:
    """``(t, u)`` where segments ``pq`` and ``rs`` meet in one point ``p + t (q - p)`` =
    ``r + u (s - r)``, ends included; ``None`` when they are apart, parallel or collinear."""
    dx1, dy1 = q[0] - p[0], q[1] - p[1]
    dx2, dy2 = s[0] - r[0], s[1] - r[1]
    den = dx1 * dy2 - dy1 * dx2
    if den == 0:
        return None
    ex, ey = r[0] - p[0], r[1] - p[1]
    t = (ex * dy2 - ey * dx2) / den
    u = (ex * dy1 - ey * dx1) / den
    if 0.0 <= t <= 1.0 and 0.0 <= u <= 1.0:
        return t, u
    return None


_CHUNK = 8  # segments per bounding box in the pre-filter


def _chunks(line: Sequence[Point]) -> list[tuple[Box, int]]:
    """Bounding boxes of runs of ``_CHUNK`` segments, with the index of each run's first."""
    return [
        (_box(line[i : i + _CHUNK + 1]), i) for i in range(0, len(line) - 1, _CHUNK)
    ]


def _at_end(index: int, t: float, last: int) -> bool:
    """Whether parameter ``t`` on segment ``index`` is the polyline's first or last point."""
    return (index == 0 and t == 0.0) or (index == last and t == 1.0)


def pair_hits(a: Edge, b: Edge) -> list[Point]:
    """The points where two edges' polylines meet (not merged). A polyline's own first or last
    point touching the other is not a crossing."""
    hits = []
    for la in a.lines:
        for lb in b.lines:
            if len(la) < 2 or len(lb) < 2 or not _meet(_box(la), _box(lb)):
                continue
            last_a, last_b = len(la) - 2, len(lb) - 2
            chunks_b = _chunks(lb)
            for box_a, i0 in _chunks(la):
                for box_b, j0 in chunks_b:
                    if not _meet(box_a, box_b):
                        continue
                    for i in range(i0, min(i0 + _CHUNK, last_a + 1)):
                        p, q = la[i], la[i + 1]
                        for j in range(j0, min(j0 + _CHUNK, last_b + 1)):
                            tu = segment_hit(p, q, lb[j], lb[j + 1])
                            if tu is None:
                                continue
                            t, u = tu
                            if _at_end(i, t, last_a) or _at_end(j, u, last_b):
                                continue
                            hits.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return hits


def merge(points: Iterable[Point], within: float = MERGE) -> list[Point]:
    """The points with any closer than ``within`` to one already kept dropped."""
    kept: list[Point] = []
    for p in points:
        if all((p[0] - k[0]) ** 2 + (p[1] - k[1]) ** 2 >= within * within for k in kept):
            kept.append(p)
    return kept


def crossings(edges: Sequence[Edge], within: float = MERGE) -> list[tuple[str, str, Point]]:
    """Crossing points ``(edge id, edge id, point)`` between edges that share no touchpoint."""
    out = []
    for i, a in enumerate(edges):
        for b in edges[i + 1 :]:
            if {a.tail, a.head} & {b.tail, b.head}:
                continue
            for p in merge(pair_hits(a, b), within):
                out.append((a.id, b.id, p))
    return out


def edges_from_json(
    layout: dict[str, Any], segments: int = SEGMENTS, arrows: bool = False
) -> list[Edge]:
    """The transition edges of Graphviz's JSON output, with touchpoint names and polylines."""
    names = [o.get("name", "") for o in layout.get("objects", [])]
    out = []
    for e in layout.get("edges", []) or []:
        if "transition" not in str(e.get("class", "")).split() or "pos" not in e:
            continue
        lines = tuple(tuple(line) for line in flatten(e["pos"], segments, arrows))
        out.append(Edge(str(e.get("id", e.get("_gvid"))), names[e["tail"]], names[e["head"]], lines))
    return out


def journey_layout(analysis: Any, renderer: str, theme: str = "default") -> dict[str, Any]:
    """Graphviz's JSON of the final journey-view DOT (``build_dot``), drawn by ``renderer``."""
    from journeymap.render import build_dot, render_dot

    dot = build_dot(analysis, "journey", theme, renderer, timeout=600)
    result: dict[str, Any] = json.loads(render_dot(dot, "json", renderer, timeout=600))
    return result


def count(
    layout: dict[str, Any], segments: int = SEGMENTS, arrows: bool = False
) -> tuple[int, int]:
    """``(crossings, transition edges)`` of one laid-out journey view."""
    edges = edges_from_json(layout, segments, arrows)
    return len(crossings(edges)), len(edges)


def example_analysis(name: str) -> Any:
    """The analysis of ``journeys/<name>.yaml``."""
    from pathlib import Path

    from journeymap import project

    path = Path(__file__).resolve().parents[1] / "journeys" / f"{name}.yaml"
    return project.analyse_file(path).analysis


if __name__ == "__main__":
    import sys

    renderers = sys.argv[1:] or ["embedded"]
    for renderer in renderers:
        total = 0
        for name in EXAMPLES:
            layout = journey_layout(example_analysis(name), renderer)
            figures = {s: count(layout, s)[0] for s in (16, 64, 256)}
            figures["arrows"] = count(layout, arrows=True)[0]
            total += figures[16]
            print(renderer, name, figures, "edges", count(layout)[1])
        print(renderer, "sum", total)
