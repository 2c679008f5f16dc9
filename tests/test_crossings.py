"""The edge-crossing counter of the benchmarks (benchmarks/crossings.py), on hand-made splines.

Known answers (two straight edges crossing once, edges meeting at a shared touchpoint, a curve
crossing a line twice, parallel lines), then an independent check: the same polylines
intersected segment by segment in exact rational arithmetic (``fractions``), with no bounding
boxes, against the counter's floating-point, pre-filtered search.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from fractions import Fraction
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("bench_crossings", ROOT / "benchmarks" / "crossings.py")
assert _spec and _spec.loader
cx = importlib.util.module_from_spec(_spec)
sys.modules["bench_crossings"] = cx
_spec.loader.exec_module(cx)


def straight(x0: float, y0: float, x1: float, y1: float) -> str:
    """A Graphviz ``pos`` for a straight cubic from (x0, y0) to (x1, y1)."""
    pts = [(x0 + (x1 - x0) * k / 3, y0 + (y1 - y0) * k / 3) for k in range(4)]
    return " ".join(f"{x!r},{y!r}" for x, y in pts)


def edge(name: str, tail: str, head: str, pos: str, segments: int = 16) -> cx.Edge:
    return cx.Edge(name, tail, head, tuple(tuple(line) for line in cx.flatten(pos, segments)))


def count(*edges: cx.Edge) -> int:
    return len(cx.crossings(list(edges)))


# -- known answers ---------------------------------------------------------------------------


def test_two_straight_edges_cross_once() -> None:
    a = edge("a", "p", "q", straight(0, 0, 100, 100))
    b = edge("b", "r", "s", straight(0, 100, 100, 0))
    assert count(a, b) == 1
    ((_, _, (x, y)),) = cx.crossings([a, b])
    assert x == pytest.approx(50) and y == pytest.approx(50)


def test_a_crossing_through_a_polyline_vertex_is_one_crossing() -> None:
    # the vertical line passes exactly through the vertex between two flattened segments
    a = edge("a", "p", "q", straight(0, 0, 160, 0))  # vertices every 10 pt
    b = edge("b", "r", "s", straight(80, -50, 80, 50))
    assert len(cx.pair_hits(a, b)) >= 2  # both neighbouring segments are hit...
    assert count(a, b) == 1  # ...and merged into one crossing point


def test_edges_meeting_at_a_shared_touchpoint_do_not_count() -> None:
    # p -> q and q -> r meet at q's point; p -> q and p -> s leave from the same point
    a = edge("a", "p", "q", straight(0, 0, 50, 50))
    b = edge("b", "q", "r", straight(50, 50, 100, 0))
    c = edge("c", "p", "s", straight(0, 0, 100, -20))
    assert count(a, b, c) == 0


def test_a_shared_touchpoint_excludes_the_pair_even_where_it_crosses() -> None:
    # the rule is about touchpoints, not geometry: these two cross, but both touch q
    a = edge("a", "p", "q", straight(0, 0, 100, 100))
    b = edge("b", "q", "r", straight(0, 100, 100, 0))
    assert count(a, b) == 0
    b_other = edge("b", "s", "r", straight(0, 100, 100, 0))
    assert count(a, b_other) == 1


def test_an_end_touching_another_edge_is_not_a_crossing() -> None:
    # a T: the end of one edge lies on the other (different touchpoints), nothing crosses
    a = edge("a", "p", "q", straight(0, 0, 100, 0))
    b = edge("b", "r", "s", straight(50, 0, 50, 80))
    assert count(a, b) == 0


def test_a_curve_crosses_a_line_twice() -> None:
    arch = "0,0 30,80 70,80 100,0"  # peaks at y = 60
    line = straight(-20, 30, 120, 30)
    for segments in (4, 16, 64, 256):
        assert count(edge("a", "p", "q", arch, segments), edge("b", "r", "s", line, segments)) == 2


def test_parallel_and_collinear_lines_do_not_cross() -> None:
    a = edge("a", "p", "q", straight(0, 0, 100, 0))
    b = edge("b", "r", "s", straight(0, 10, 100, 10))
    c = edge("c", "t", "u", straight(50, 0, 150, 0))  # overlaps a on the same line
    assert count(a, b, c) == 0


def test_two_curves_crossing_twice_and_many_pieces() -> None:
    up = "0,0 30,80 70,80 100,0"
    down = "0,50 30,-30 70,-30 100,50"
    assert count(edge("a", "p", "q", up), edge("b", "r", "s", down)) == 2
    # the same curves as two cubics each (1 + 3k points, k = 2): the split point is no crossing
    up2 = "0,0 15,40 32.5,60 50,60 67.5,60 85,40 100,0"
    down2 = "0,50 15,10 32.5,-10 50,-10 67.5,-10 85,10 100,50"
    assert count(edge("a", "p", "q", up2), edge("b", "r", "s", down2)) == 2


# -- the pos format ----------------------------------------------------------------------------


def test_flatten_reads_graphviz_pos() -> None:
    pos = "e,100,0 0,0 30,0 60,0 90,0"
    (line,) = cx.flatten(pos, 3)
    flat = [v for point in line for v in point]
    assert flat == pytest.approx([0, 0, 30, 0, 60, 0, 90, 0])  # no arrowhead
    (with_arrow,) = cx.flatten(pos, 3, arrows=True)
    assert with_arrow[-1] == (100.0, 0.0)
    # several pieces (system dot 2.43 writes them) and a tail arrow
    pieces = cx.flatten("s,0,0 5,0 6,0 7,0 8,0;e,30,0 10,0 12,0 14,0 16,0 19,0 22,0 25,0", 2)
    assert len(pieces) == 2 and len(pieces[0]) == 3 and len(pieces[1]) == 5
    with pytest.raises(ValueError):
        cx.flatten("0,0 1,1 2,2", 2)


def test_edges_from_json_takes_transitions_with_their_touchpoints() -> None:
    layout = {
        "objects": [{"name": "tp-a"}, {"name": "tp-b"}, {"name": "tp-c"}, {"name": "tp-d"}],
        "edges": [
            {"tail": 0, "head": 1, "class": "transition handoff h-1", "id": "edge-a--b",
             "pos": "e,100,100 " + straight(0, 0, 95, 95)},
            {"tail": 2, "head": 3, "class": "transition", "id": "edge-c--d",
             "pos": straight(0, 100, 100, 0)},
            {"tail": 2, "head": 3, "class": "key", "id": "key-1", "pos": straight(0, 60, 100, 40)},
            {"tail": 0, "head": 3, "class": "transition", "id": "no-pos"},
        ],
    }
    edges = cx.edges_from_json(layout)
    assert [(e.id, e.tail, e.head) for e in edges] == [
        ("edge-a--b", "tp-a", "tp-b"),
        ("edge-c--d", "tp-c", "tp-d"),
    ]
    assert cx.count(layout) == (1, 2)


# -- independent check: exact rational intersection --------------------------------------------


def exact_count(edges: list[cx.Edge]) -> int:
    """Crossings by brute force in exact arithmetic: every segment pair, no pre-filter."""
    total = 0
    for i, a in enumerate(edges):
        for b in edges[i + 1 :]:
            if {a.tail, a.head} & {b.tail, b.head}:
                continue
            points: list[tuple[Fraction, Fraction]] = []
            for la in a.lines:
                for lb in b.lines:
                    fa = [(Fraction(x), Fraction(y)) for x, y in la]
                    fb = [(Fraction(x), Fraction(y)) for x, y in lb]
                    for m in range(len(fa) - 1):
                        for n in range(len(fb) - 1):
                            (px, py), (qx, qy) = fa[m], fa[m + 1]
                            (rx, ry), (sx, sy) = fb[n], fb[n + 1]
                            den = (qx - px) * (sy - ry) - (qy - py) * (sx - rx)
                            if den == 0:
                                continue
                            t = ((rx - px) * (sy - ry) - (ry - py) * (sx - rx)) / den
                            u = ((rx - px) * (qy - py) - (ry - py) * (qx - px)) / den
                            if not (0 <= t <= 1 and 0 <= u <= 1):
                                continue
                            if (m == 0 and t == 0) or (m == len(fa) - 2 and t == 1):
                                continue
                            if (n == 0 and u == 0) or (n == len(fb) - 2 and u == 1):
                                continue
                            points.append((px + t * (qx - px), py + t * (qy - py)))
            kept: list[tuple[Fraction, Fraction]] = []
            for p in points:
                if all((p[0] - k[0]) ** 2 + (p[1] - k[1]) ** 2 >= 1 for k in kept):
                    kept.append(p)
            total += len(kept)
    return total


def random_edges(rng: random.Random, n: int, touchpoints: int) -> list[cx.Edge]:
    edges = []
    for k in range(n):
        pieces = rng.randint(1, 3)
        pts = [(rng.uniform(0, 200), rng.uniform(0, 200)) for _ in range(1 + 3 * pieces)]
        tail, head = rng.sample(range(touchpoints), 2)
        pos = " ".join(f"{x!r},{y!r}" for x, y in pts)
        edges.append(edge(f"e{k}", f"tp{tail}", f"tp{head}", pos, segments=8))
    return edges


@pytest.mark.parametrize("seed", range(6))
def test_counter_agrees_with_exact_rational_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    edges = random_edges(rng, 7, 9)
    expected = exact_count(edges)
    assert expected > 0  # the case is not trivial
    assert count(*edges) == expected


def test_curve_and_line_agree_with_sign_changes_of_the_exact_curve() -> None:
    # a wavy cubic against horizontal lines: crossings = sign changes of (y(t) - level),
    # sampled densely on the exact Bézier, not on the flattened polyline
    p = [(0.0, 0.0), (40.0, 150.0), (60.0, -150.0), (100.0, 0.0)]
    pos = " ".join(f"{x!r},{y!r}" for x, y in p)

    def y(t: float) -> float:
        u = 1 - t
        return u**3 * p[0][1] + 3 * u * u * t * p[1][1] + 3 * u * t * t * p[2][1] + t**3 * p[3][1]

    for level in (-20.0, -5.0, 3.0, 17.0, 40.0):
        values = [y(k / 4000) - level for k in range(4001)]
        changes = sum(1 for a, b in zip(values, values[1:], strict=False) if (a < 0) != (b < 0))
        line = straight(-10, level, 110, level)
        got = count(edge("a", "p", "q", pos, 64), edge("b", "r", "s", line))
        assert got == changes, level
