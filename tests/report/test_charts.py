"""Inline SVG charts: coordinates and figures worked out by hand, user text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.report import charts
from tests.analysis import builders as B
from tests.render import factory as F


def test_sparkline_coordinates() -> None:
    # 6 values over a 120x28 box with 4px padding: step 112/5 = 22.4; y = 4 + 5 * (5 - v).
    out = str(charts.sparkline([4, 3, 2, 1, 2, 5], "label"))
    assert 'points="4,9 26.4,14 48.8,19 71.2,24 93.6,19 116,4"' in out
    assert '<circle class="spark-low" cx="71.2" cy="24"' in out
    assert 'aria-label="label"' in out


def test_sparkline_without_scores_is_a_dashed_line() -> None:
    out = str(charts.sparkline([None, None], "<none>"))
    assert "spark-none" in out and "polyline" not in out
    assert "&lt;none&gt;" in out


def test_share_bar_clamps() -> None:
    assert 'class="bar-fg" width="80"' in str(charts.share_bar(0.5, "half"))
    assert 'class="bar-fg" width="160"' in str(charts.share_bar(7.0, "all"))
    assert 'class="bar-fg" width="0"' in str(charts.share_bar(-1.0, "none"))


def test_display_order_is_by_stage_then_file(broadband: JourneyAnalysis) -> None:
    assert charts.display_order(broadband) == [
        "offer",
        "call",
        "visit",
        "care-call",
        "survey",
        "happy",
    ]


def test_emotion_curve_escapes_names(hostile: JourneyAnalysis) -> None:
    out = str(charts.emotion_curve(hostile))
    assert "<script" not in out and "<svg/" not in out and "<style" not in out
    assert "&lt;script&gt;" in out
    svg, _ = _parts(hostile)  # and the names read as typed, whole
    stages = [t for t in svg.iter(f"{SVG}text") if "emo-stage" in (t.get("class") or "")]
    assert ["".join(t.itertext()) for t in stages] == [
        "<style>body{display:none}</style>Start",
        "End ]]> <![CDATA[ x",
    ]


def test_chart_labels_lose_bidi_overrides_and_nul() -> None:
    out = str(charts.sparkline([3, 4], "abc\u202edef\x00<b>"))
    assert 'aria-label="abcdef\ufffd&lt;b&gt;"' in out
    assert "\u202e" not in out and "\x00" not in out


# --- the emotion curve ------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def _parts(analysis: JourneyAnalysis) -> tuple[ET.Element, str]:
    """The curve's SVG (parsed) and its caption's text."""
    root = ET.fromstring(f"<root>{charts.emotion_curve(analysis)}</root>")
    svg = root.find(f"div/{SVG}svg")
    caption = root.find("p")
    assert svg is not None and caption is not None
    return svg, "".join(caption.itertext())


def _scale(svg: ET.Element) -> tuple[float, float]:
    """The y of emotion 5 and of emotion 1 (the top and bottom grid lines)."""
    ys = [
        float(line.get("y1", "nan"))
        for line in svg.iter(f"{SVG}line")
        if line.get("class") == "emo-gridline"
    ]
    assert len(ys) == 5
    return min(ys), max(ys)


def _y(svg: ET.Element, emotion: float) -> float:
    top, bottom = _scale(svg)
    return top + (bottom - top) * (5 - emotion) / 4


def _by_stage(svg: ET.Element, tag: str, cls: str) -> dict[str, ET.Element]:
    return {
        e.get("data-stage", ""): e
        for e in svg.iter(f"{SVG}{tag}")
        if cls in (e.get("class") or "").split() and e.get("data-stage")
    }


def test_stage_means_are_flow_weighted_by_hand(broadband: JourneyAnalysis) -> None:
    # tests/data/report/broadband.yaml, flows by hand: offer 200 (entry), call 0.5 * 200 = 100;
    # visit v = 0.8 * 100 + 0.6 c and care-call c = 0.25 v, so v = 80 / 0.85 = 94.12, c = 23.53;
    # survey 0.4 c = 9.41, happy 0.75 v = 70.59.
    # choose: (4 * 200 + 3 * 100) / 300 = 3.667; install: (2 v + 1 c) / (v + c) = 1.8;
    # live: (2 * 9.41 + 5 * 70.59) / 80 = 4.647.
    # (with c = 0.25 v: live = (2 * 0.1 + 5 * 0.75) / (0.1 + 0.75) = 3.95 / 0.85)
    expected = {"choose": 11 / 3, "install": 1.8, "live": 3.95 / 0.85}
    figures = {s.id: s for s in charts.stage_emotions(broadband)}
    for sid, mean in expected.items():
        assert figures[sid].mean == pytest.approx(mean, abs=1e-9)
        assert figures[sid].weighted
    # visits per entering customer (200): choose 300 / 200, install (v + c) / 200 = 100 / 0.85 / 200
    assert figures["choose"].visits == pytest.approx(1.5)
    assert figures["install"].visits == pytest.approx(0.5 / 0.85)
    svg, caption = _parts(broadband)
    points = _by_stage(svg, "circle", "emo-mean")
    assert sorted(points) == ["choose", "install", "live"]
    for sid, mean in expected.items():
        assert float(points[sid].get("cy", "nan")) == pytest.approx(_y(svg, mean), abs=0.11)
        assert float(points[sid].get("data-mean", "nan")) == pytest.approx(mean, abs=1e-4)
    assert "Lowest: install (1.8 of 5); highest: live (4.6 of 5)." in caption


def test_range_band_spans_lowest_to_highest(broadband: JourneyAnalysis) -> None:
    svg, _ = _parts(broadband)
    bands = _by_stage(svg, "rect", "emo-range")
    for sid, (low, high) in {"choose": (3, 4), "install": (1, 2), "live": (2, 5)}.items():
        band = bands[sid]
        top, height = float(band.get("y", "nan")), float(band.get("height", "nan"))
        assert (band.get("data-low"), band.get("data-high")) == (str(low), str(high))
        assert top == pytest.approx(_y(svg, high), abs=0.11)
        assert top + height == pytest.approx(_y(svg, low), abs=0.21)


def _gappy() -> JourneyAnalysis:
    # a (entry, 10 a period) -> b -> a loops: b goes back to a half the time, so a and b are
    # visited twice per entering customer; c has no emotion; d is undeclared (after the stages).
    j = B.journey(
        stages=["s0", "s1", "s2"],
        touchpoints={
            "in": dict(stage="s0", function="f", emotion=5, volume=10, next=["a"]),
            "a": dict(stage="s0", function="f", emotion=3, next=["b"]),
            "b": dict(
                stage="s1",
                function="g",
                emotion=1,
                next=[{"to": "a", "share": 0.5}, {"to": "c", "share": 0.5}],
            ),
            "c": dict(stage="s2", function="f", next=["d"]),
            "d": dict(stage="later", function="g", emotion=4, outcome="done"),
        },
    )
    return analyze(j)


def test_loops_weigh_by_visits_and_a_stage_without_scores_is_a_gap() -> None:
    analysis = _gappy()
    # a = 10 + 0.5 b, b = a: a = b = 20 visits a period, 2 per entering customer; in: 1.
    assert analysis.touchpoint_flow["a"] == pytest.approx(20)
    svg, caption = _parts(analysis)
    points = _by_stage(svg, "circle", "emo-mean")
    assert sorted(points) == ["later", "s0", "s1"]  # no point for s2
    s0 = (5 * 1 + 3 * 2) / 3
    assert float(points["s0"].get("cy", "nan")) == pytest.approx(_y(svg, s0), abs=0.11)
    assert float(points["s1"].get("cy", "nan")) == pytest.approx(_y(svg, 1), abs=0.11)
    assert float(points["later"].get("cy", "nan")) == pytest.approx(_y(svg, 4), abs=0.11)
    assert "s2" not in _by_stage(svg, "rect", "emo-range")
    assert [e.text for e in _by_stage(svg, "text", "emo-none").values()] == ["no scores"]
    # The line: s0 -> s1 only; the lone point after the gap has none.
    lines = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "emo-line"]
    assert len(lines) == 1
    d = lines[0].get("d", "")
    x0, y0 = (float(v) for v in d[1:].split(" C")[0].split())
    assert (x0, y0) == (float(points["s0"].get("cx", "nan")), float(points["s0"].get("cy", "nan")))
    assert d.endswith(f"{points['s1'].get('cx')} {points['s1'].get('cy')}")
    assert "No emotion scores in s2: a gap in the line." in caption
    # the undeclared stage comes last, named by its id
    stages = [t for t in svg.iter(f"{SVG}text") if "emo-stage" in (t.get("class") or "")]
    assert ["".join(t.itertext()) for t in stages] == ["s0", "s1", "s2", "later"]


def test_curve_never_leaves_the_scale() -> None:
    # Alternating extremes: a Catmull-Rom or natural spline would overshoot 5 and 1 here.
    tps = {}
    stages = [f"s{i}" for i in range(6)]
    for i, s in enumerate(stages):
        nxt = [f"t{i + 1}"] if i < 5 else []
        tps[f"t{i}"] = dict(
            stage=s,
            function="f",
            emotion=5 if i % 2 else 1,
            next=nxt,
            **({"volume": 1} if i == 0 else {}),
            **({"outcome": "x"} if i == 5 else {}),
        )
    svg, _ = _parts(analyze(B.journey(touchpoints=tps, stages=stages)))
    top, bottom = _scale(svg)
    (line,) = [p for p in svg.iter(f"{SVG}path") if p.get("class") == "emo-line"]
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", line.get("d", ""))]
    ys = numbers[1::2]  # M x y, then C x1 y1 x2 y2 x y: every second number is a y
    # a Bezier segment lies inside the hull of its control points
    assert min(ys) >= top - 1e-9 and max(ys) <= bottom + 1e-9
    assert any(y == top for y in ys) and any(y == bottom for y in ys)


def test_handoff_markers_per_target_stage_do_not_overlap(broadband: JourneyAnalysis) -> None:
    svg, caption = _parts(broadband)
    markers = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "emo-marker"]
    numbers = {h.number: broadband.journey.touchpoints[h.target].stage for h in broadband.handoffs}
    assert {int(g.get("data-handoff", "0")): g.get("data-stage") for g in markers} == numbers
    boxes = []
    for g in markers:
        rect = g.find(f"{SVG}rect")
        assert rect is not None
        x, y = float(rect.get("x", "nan")), float(rect.get("y", "nan"))
        boxes.append(
            (x, y, x + float(rect.get("width", "nan")), y + float(rect.get("height", "nan")))
        )
        # shape and number, not colour alone; the same label for assistive technology and hover
        assert "".join(g.itertext()).endswith(g.get("data-handoff", "?"))
        assert g.get("aria-label", "").startswith(f"Handoff {g.get('data-handoff')} into ")
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    assert (
        "5 handoffs between functions, by the stage they lead into: choose 1, install 3, live 1."
        in caption
    )


def test_curve_is_accessible_and_deterministic(broadband: JourneyAnalysis) -> None:
    out = str(charts.emotion_curve(broadband))
    assert out == str(charts.emotion_curve(broadband))
    svg, _ = _parts(broadband)
    assert svg.get("role") == "img" and svg.get("aria-labelledby") == "emo-title emo-desc"
    desc = svg.find(f"{SVG}desc")
    assert desc is not None and desc.get("id") == "emo-desc"
    assert "choose 3.7 (range 3 to 4, 2 of 2 touchpoints scored)" in (desc.text or "")
    assert "install 1.8 (range 1 to 2" in (desc.text or "")
    axis = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "emo-axis"]
    assert axis == ["1 frustrated", "2 unhappy", "3 neutral", "4 happy", "5 delighted"]


def test_full_stage_names_wrap_never_truncate() -> None:
    long = "Adoption, renewal and the long tail of support escalations nobody owns"
    word = "Supercalifragilisticexpialidocious" * 3
    j = F.journey(
        functions=[("f", "F", None)],
        stages=[("s1", long), ("s2", word), ("s3", "Go")],
        touchpoints=[
            {"id": "a", "name": "A", "stage": "s1", "function": "f", "emotion": 2, "next": ["b"]},
            {"id": "b", "name": "B", "stage": "s2", "function": "f", "emotion": 4, "next": ["c"]},
            {"id": "c", "name": "C", "stage": "s3", "function": "f", "emotion": 3},
        ],
    )
    svg, _ = _parts(F.analysis(j))
    labels = {
        t.get("data-stage"): t
        for t in svg.iter(f"{SVG}text")
        if "emo-stage" in (t.get("class") or "")
    }
    assert "".join(labels["s1"].itertext()) == long
    assert "".join(labels["s2"].itertext()) == word
    assert "\u2026" not in ET.tostring(svg, encoding="unicode")
    lines = labels["s2"].findall(f"{SVG}tspan")
    assert len(lines) > 1  # broken inside the word, pieces joined without a space
    (col,) = {
        float(r.get("width", "nan"))
        for r in svg.iter(f"{SVG}rect")
        if "emo-col" in (r.get("class") or "")
    }
    for tspan in labels["s1"].findall(f"{SVG}tspan") + lines:
        # every line fits its column, 8 units clear of each side (estimated width)
        assert charts.text_width(tspan.text or "", 15, True) <= col - 16 + 1e-6


def test_a_stage_no_customer_reaches_shows_its_plain_mean() -> None:
    j = F.journey(
        functions=[("f", "F", None)],
        stages=[("s1", "One"), ("s2", "Two")],
        touchpoints=[
            {"id": "a", "name": "A", "stage": "s1", "function": "f", "emotion": 2},
            {"id": "b", "name": "B", "stage": "s2", "function": "f", "emotion": 4},
            {"id": "c", "name": "C", "stage": "s2", "function": "f", "emotion": 5},
        ],
    )
    svg, caption = _parts(F.analysis(j, touchpoint_flow={"a": 1.0, "b": 0.0, "c": 0.0}))
    point = _by_stage(svg, "circle", "emo-mean")["s2"]
    assert "unweighted" in (point.get("class") or "")
    assert float(point.get("data-mean", "nan")) == pytest.approx(4.5)
    assert "No customer reaches the scored touchpoints of Two" in caption


def test_a_journey_without_scores_says_so() -> None:
    j = F.journey(
        functions=[("f", "F", None), ("g", "G", None)],
        stages=[("s1", "One")],
        touchpoints=[
            {"id": "a", "name": "A", "stage": "s1", "function": "f", "next": ["b"]},
            {"id": "b", "name": "B", "stage": "s1", "function": "g"},
        ],
    )
    svg, caption = _parts(F.analysis(j))
    assert not _by_stage(svg, "circle", "emo-mean")
    assert "No touchpoint of this journey has an emotion score." in caption
    assert [
        g.get("data-handoff") for g in svg.iter(f"{SVG}g") if g.get("class") == "emo-marker"
    ] == ["1"]
