"""Small inline SVG charts built in Python: the emotion curve, sparklines and share bars.

Every piece of user text goes through :func:`escape` (``display_text``, then
:func:`markupsafe.escape`); the functions return :class:`markupsafe.Markup` so templates insert
them as they are. Colours come from CSS classes
(``.emo-*``, ``.spark``, ``.bar``) so light, dark and print styles apply to the charts too; font
sizes are SVG attributes, because the layout measures text at those sizes (:func:`text_width`).
Coordinates are rounded to one decimal so output is byte-identical across runs.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape as _markup_escape

from journeymap.analysis.types import Handoff, JourneyAnalysis
from journeymap.report.filters import display_text

__all__ = [
    "emotion_curve",
    "sparkline",
    "share_bar",
    "display_order",
    "stage_ids",
    "stage_emotions",
    "StageEmotion",
    "text_width",
    "wrap_text",
    "EMOTION_LABELS",
]

# The words of journeymap.render._labels.EMOTION_WORDS (the diagrams), by score.
EMOTION_LABELS = {1: "frustrated", 2: "unhappy", 3: "neutral", 4: "happy", 5: "delighted"}


def escape(text: object) -> Markup:
    """:func:`markupsafe.escape` of journey text made displayable (no NUL, no bidi override)."""
    return _markup_escape(display_text(text))


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def display_order(analysis: JourneyAnalysis) -> list[str]:
    """Touchpoint ids by stage (file order of stages), then file order within a stage."""
    journey = analysis.journey
    stage_at = journey.stage_index()
    last = len(stage_at)
    # sorted() is stable: file order within a stage comes for free.
    return sorted(
        journey.touchpoints, key=lambda t: stage_at.get(journey.touchpoints[t].stage, last)
    )


# --- text measurement -------------------------------------------------------------------------
#
# There are no font metrics at build time, so widths are estimated per character class, in em,
# on the wide side of the fonts a report meets (DejaVu Sans Bold is the widest common one: its
# lowercase averages 0.68 em, "m" 1.04 em). Overestimating only costs space; the browser test
# measures the real text in Chromium and checks nothing overlaps.

_NARROW = frozenset(" !'(),-./:;I[]`ijl|\u00b7")
_SEMI = frozenset('"frt{}*')
_WIDE = frozenset("MWmw@%\u2014")


def text_width(text: str, size: float, bold: bool = False) -> float:
    """A conservative estimate of the advance width of ``text`` at font size ``size``."""
    em = 0.0
    for ch in text:
        if ch in _NARROW:
            em += 0.36
        elif ch in _SEMI:
            em += 0.5
        elif ch in _WIDE:
            em += 1.02
        elif ch.isdigit():
            em += 0.66
        elif ch.isascii():
            em += 0.8 if ch.isupper() else 0.66
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1.05
        elif unicodedata.combining(ch):
            continue
        else:
            em += 0.85
    return em * size * (1.08 if bold else 1.0)


def wrap_text(text: str, width: float, size: float, bold: bool = False) -> list[str]:
    """``text`` in lines of at most ``width``: greedy by words (runs of whitespace become one
    space); a word wider than a line is broken between characters. Nothing is left out:
    ``" ".join`` of the lines is the text with its whitespace collapsed, except at the breaks
    inside a word, where the pieces join without a space."""
    lines: list[str] = []
    for word in text.split():
        if lines and lines[-1] and text_width(f"{lines[-1]} {word}", size, bold) <= width + 1e-6:
            lines[-1] = f"{lines[-1]} {word}"
            continue
        piece = ""
        for ch in word:
            if piece and text_width(piece + ch, size, bold) > width + 1e-6:
                lines.append(piece)
                piece = ""
            piece += ch
        lines.append(piece)
    return lines or [""]


def _text_lines_joined(lines: list[str], text: str) -> list[tuple[str, str]]:
    """Each line with what follows it in the text: ``" "`` where the text had whitespace there,
    ``""`` inside a broken word (and after the last line)."""
    words = " ".join(text.split())
    out: list[tuple[str, str]] = []
    at = 0
    for line in lines:
        at += len(line)
        gap = " " if at < len(words) and words[at] == " " else ""
        at += len(gap)
        out.append((line, gap))
    return out


# --- the stage figures ------------------------------------------------------------------------


@dataclass(frozen=True)
class StageEmotion:
    """The emotion of one stage as the curve plots it.

    ``mean`` is the mean emotion of the stage's scored touchpoints weighted by their expected
    visits per entering customer (``touchpoint_flow / total_volume`` from the analysis);
    ``weighted`` is False when none of them is reached by any customer (then the plain mean).
    ``None`` figures: no touchpoint of the stage has an emotion.
    """

    id: str
    name: str
    touchpoints: int
    scored: int
    mean: float | None
    low: int | None
    high: int | None
    visits: float  # expected visits per entering customer to the scored touchpoints
    weighted: bool


def stage_ids(analysis: JourneyAnalysis) -> list[str]:
    """Stage ids in file order, then any stage a touchpoint names but the file does not declare
    (in the order touchpoints first name them), as the diagrams order them."""
    journey = analysis.journey
    result = [s.id for s in journey.stages]
    for tp in journey.touchpoints.values():
        if tp.stage not in result:
            result.append(tp.stage)
    return result


def stage_emotions(analysis: JourneyAnalysis) -> list[StageEmotion]:
    """Every stage (see :func:`stage_ids`) with its flow-weighted mean emotion and range; the
    flows are the engine's, never recomputed here."""
    journey = analysis.journey
    names = {s.id: s.name for s in journey.stages}
    total = analysis.metrics.total_volume
    by_stage: dict[str, list[tuple[int, float]]] = {s: [] for s in stage_ids(analysis)}
    counts = dict.fromkeys(by_stage, 0)
    for tp in journey.touchpoints.values():
        counts[tp.stage] += 1
        if tp.emotion is None:
            continue
        flow = analysis.touchpoint_flow.get(tp.id, 0.0)
        visits = flow / total if total > 0 and math.isfinite(flow) and flow > 0 else 0.0
        by_stage[tp.stage].append((tp.emotion, visits))
    result = []
    for sid, scores in by_stage.items():
        name = names.get(sid, sid)
        if not scores:
            result.append(StageEmotion(sid, name, counts[sid], 0, None, None, None, 0.0, False))
            continue
        visits = math.fsum(w for _, w in scores)
        weighted = visits > 0
        if weighted:
            mean = math.fsum(e * w for e, w in scores) / visits
        else:
            mean = math.fsum(e for e, _ in scores) / len(scores)
        emotions = [e for e, _ in scores]
        result.append(
            StageEmotion(
                sid,
                name,
                counts[sid],
                len(scores),
                mean,
                min(emotions),
                max(emotions),
                visits,
                weighted,
            )
        )
    return result


# --- the curve: monotone cubic through the stage means ---------------------------------------


def _tangents(values: Sequence[float], h: float) -> list[float]:
    """Slopes at equally spaced knots for a monotone cubic Hermite curve (Fritsch–Butland):
    zero at a local extreme, else the harmonic mean of the neighbouring secants; one-sided at the
    ends. Each segment then stays between its two knots' values: no overshoot."""
    n = len(values)
    if n < 2:
        return [0.0] * n
    d = [(values[k + 1] - values[k]) / h for k in range(n - 1)]
    m = [d[0]]
    for k in range(1, n - 1):
        a, b = d[k - 1], d[k]
        m.append(0.0 if a * b <= 0 else 2 * a * b / (a + b))
    m.append(d[-1])
    return m


def _hermite(y0: float, y1: float, m0: float, m1: float, h: float, t: float) -> float:
    t2, t3 = t * t, t * t * t
    return (
        (2 * t3 - 3 * t2 + 1) * y0
        + (t3 - 2 * t2 + t) * h * m0
        + (-2 * t3 + 3 * t2) * y1
        + (t3 - t2) * h * m1
    )


# --- placement --------------------------------------------------------------------------------

_Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _overlaps(a: _Box, b: _Box, gap: float = 2.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def _text_box(x: float, baseline: float, text: str, size: float, anchor: str, bold: bool) -> _Box:
    w = text_width(text, size, bold)
    x0 = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
    # the glyph cell as browsers report it (DejaVu Sans: ascent 0.93 em, descent 0.24 em)
    return (x0, baseline - 0.94 * size, x0 + w, baseline + 0.25 * size)


_FONT = 14  # axis, legend, values (viewBox units: the chart scales as a whole)
_STAGE_FONT = 15  # stage names, bold
_MARK_FONT = 11  # handoff numbers, bold
_PAD = 16  # room above emotion 5 and below emotion 1 for points and markers
_RANGE_W = 14  # width of a stage's range bar
_MARK_H = 20  # handoff marker height (width grows with the number)
_MARK_GAP = 3
_COL_MIN = 112  # a column always holds its point, value and two markers side by side
_COL_MAX = 260  # a longer word is broken rather than widen its column further
_LABEL_PAD = 8  # stage name to column edge


def _grid(x: float, y: float, cols: int, w: float, count: int) -> list[_Box]:
    """The boxes of ``count`` markers ``w`` wide in rows of ``cols`` from ``(x, y)``."""
    return [
        (
            x + (j % cols) * (w + _MARK_GAP),
            y + (j // cols) * (_MARK_H + _MARK_GAP),
            x + (j % cols) * (w + _MARK_GAP) + w,
            y + (j // cols) * (_MARK_H + _MARK_GAP) + _MARK_H,
        )
        for j in range(count)
    ]


@dataclass(frozen=True)
class _Marker:
    number: int
    label: str
    width: float


def _handoff_label(analysis: JourneyAnalysis, h: Handoff, stage: str) -> str:
    journey = analysis.journey
    tps, fns = journey.touchpoints, journey.functions

    def fname(fid: str) -> str:
        return fns[fid].name if fid in fns else fid

    return (
        f"Handoff {h.number} into {stage}: {tps[h.source].name} \u2192 {tps[h.target].name} "
        f"({fname(h.from_function)} \u2192 {fname(h.to_function)})"
    )


def _words(stages: Sequence[StageEmotion], handoffs: Mapping[str, Sequence[_Marker]]) -> str:
    """The caption: lowest and highest stage, handoffs per stage, gaps, how to read it."""
    scored = [s for s in stages if s.mean is not None]
    parts: list[str] = []
    if scored:
        low = min(scored, key=lambda s: s.mean or 0.0)  # min/max keep the first of equals
        high = max(scored, key=lambda s: s.mean or 0.0)
        if low is high:
            parts.append(f"Lowest and highest: {low.name} ({low.mean:.1f} of 5).")
        else:
            parts.append(
                f"Lowest: {low.name} ({low.mean:.1f} of 5); "
                f"highest: {high.name} ({high.mean:.1f} of 5)."
            )
    else:
        parts.append("No touchpoint of this journey has an emotion score.")
    count = sum(len(m) for m in handoffs.values())
    if count:
        per = ", ".join(f"{s.name} {len(handoffs[s.id])}" for s in stages if handoffs.get(s.id))
        parts.append(
            f"{count} handoff{'s' if count != 1 else ''} between functions, by the stage "
            f"{'they lead' if count != 1 else 'it leads'} into: {per}."
        )
    else:
        parts.append("No handoffs between functions.")
    gaps = [s.name for s in stages if s.mean is None]
    if gaps and scored:
        parts.append(
            f"No emotion scores in {', '.join(gaps)}: "
            f"{'a gap' if len(gaps) == 1 else 'gaps'} in the line."
        )
    plain = [s.name for s in scored if not s.weighted]
    if plain:
        parts.append(
            f"No customer reaches the scored touchpoints of {', '.join(plain)}: "
            "the plain mean is shown (hollow point)."
        )
    return " ".join(parts)


def emotion_curve(analysis: JourneyAnalysis, width: int = 1000, plot_height: int = 240) -> Markup:
    """The flow-weighted mean emotion along the stages, with each stage's range and the
    handoffs into it, followed by a caption in words (see docs/reports.md, "The emotion curve").

    ``width`` is the least width of the viewBox (more when the stage names need it);
    ``plot_height`` the distance from emotion 5 to emotion 1 (more when a stage's markers need
    it). The SVG scales with the page (``width: 100%`` in the stylesheet).
    """
    journey = analysis.journey
    stages = stage_emotions(analysis)
    n = max(1, len(stages))

    # Handoff markers per target stage, by number (risk rank).
    markers: dict[str, list[_Marker]] = {s.id: [] for s in stages}
    stage_name = {s.id: s.name for s in stages}
    for h in sorted(analysis.handoffs, key=lambda h: h.number):
        target = journey.touchpoints.get(h.target)
        if target is None or target.stage not in markers:
            continue
        text = str(h.number)
        markers[target.stage].append(
            _Marker(
                h.number,
                _handoff_label(analysis, h, stage_name[target.stage]),
                max(float(_MARK_H), text_width(text, _MARK_FONT, True) + 8),
            )
        )

    # Horizontal layout: axis labels, then equal columns wide enough for the longest word.
    axis_text = {e: f"{e} {EMOTION_LABELS[e]}" for e in range(1, 6)}
    left = math.ceil(max(text_width(t, _FONT) for t in axis_text.values()) + 18)
    right = 16
    names = [display_text(s.name) for s in stages]
    longest = max(
        (text_width(w, _STAGE_FONT, True) for name in names for w in name.split()), default=0.0
    )
    values = {s.id: f"{s.mean:.1f}" for s in stages if s.mean is not None}
    value_w = max((text_width(v, _FONT, True) for v in values.values()), default=0.0)
    col = min(float(_COL_MAX), max(float(_COL_MIN), longest + 2 * _LABEL_PAD))

    def lines_at(c: float) -> list[list[str]]:
        return [wrap_text(name, c - 2 * _LABEL_PAD, _STAGE_FONT, True) for name in names]

    # Widen the columns (up to _COL_MAX) until every name fits in three lines.
    while col < _COL_MAX and max((len(ls) for ls in lines_at(col)), default=1) > 3:
        col = min(float(_COL_MAX), col + 8)
    col = max(col, (width - left - right) / n)
    width = math.ceil(left + right + col * n)
    label_lines = lines_at(col)
    x_of = [left + col * (i + 0.5) for i in range(n)]

    # Markers: a grid right of the stage's point, up to as many columns as fit before the next
    # stage's value label.
    mark_w = {s.id: max((m.width for m in markers[s.id]), default=float(_MARK_H)) for s in stages}
    region_start = _RANGE_W / 2 + 6
    region_end = col - (12 + value_w + 8) - _RANGE_W / 2
    grid: dict[str, tuple[int, int]] = {}
    for i, s in enumerate(stages):
        count = len(markers[s.id])
        if not count:
            continue
        pitch = mark_w[s.id] + _MARK_GAP
        end = region_end if i + 1 < n else col / 2 + right - 2  # the last: inside the chart
        most = max(1, int((end - region_start + _MARK_GAP) // pitch))
        cols = min(most, math.ceil(math.sqrt(count)))
        rows = math.ceil(count / cols)
        if rows * (_MARK_H + _MARK_GAP) > plot_height + 2 * _PAD - 8:
            cols = most
            rows = math.ceil(count / cols)
        grid[s.id] = (cols, rows)
    tallest = max((rows for _, rows in grid.values()), default=0) * (_MARK_H + _MARK_GAP)
    plot_h = float(max(plot_height, tallest - 2 * _PAD + 8))

    # The legend, in rows across the top.
    legend_items = [
        ("mean", "Mean emotion, flow-weighted"),
        ("range", "Range of touchpoints"),
        ("marker", "Handoff into the stage, by risk rank"),
    ]
    legend: list[tuple[str, str, float, float]] = []  # kind, text, x, baseline
    lx, row = float(left), 0
    for kind, text in legend_items:
        w = 30 + text_width(text, _FONT)
        if lx > left and lx + w > width - right:
            lx, row = float(left), row + 1
        legend.append((kind, text, lx, 20 + row * 22))
        lx += w + 26
    plot_top = 20 + row * 22 + 12 + _PAD
    plot_bottom = plot_top + plot_h

    def y_of(value: float) -> float:
        return plot_top + plot_h * (5 - min(5.0, max(1.0, value))) / 4

    label_top = plot_bottom + _PAD + 12
    step = _STAGE_FONT * 1.25
    most_lines = max((len(ls) for ls in label_lines), default=1)
    height = math.ceil(label_top + _STAGE_FONT * 0.82 + step * (most_lines - 1) + 12)

    # Everything that must not be overlapped: texts placed so far and points.
    taken: list[_Box] = []
    for _, text, x, base in legend:
        taken.append((x, base - 14, x + 30 + text_width(text, _FONT), base + 5))
    for e, t in axis_text.items():
        taken.append(_text_box(left - 10, y_of(e) + 5, t, _FONT, "end", False))
    for i, lines in enumerate(label_lines):
        for k, line in enumerate(lines):
            base = label_top + _STAGE_FONT * 0.82 + step * k
            taken.append(_text_box(x_of[i], base, line, _STAGE_FONT, "middle", True))

    # The curve, one run per stretch of stages with scores.
    runs: list[list[int]] = []
    for i, s in enumerate(stages):
        if s.mean is None:
            continue
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    slope: dict[int, float] = {}
    for run in runs:
        means = [min(5.0, max(1.0, stages[i].mean or 3.0)) for i in run]
        slope.update(zip(run, _tangents(means, col), strict=True))

    def curve_at(i: int, dx: float) -> float:
        """The curve's y at ``dx`` right of stage ``i``'s point (its point past the line's end)."""
        s = stages[i]
        mean = min(5.0, max(1.0, s.mean if s.mean is not None else 3.0))
        if s.mean is None or i + 1 >= n or stages[i + 1].mean is None:
            return y_of(mean)
        nxt = min(5.0, max(1.0, stages[i + 1].mean or 3.0))
        return y_of(_hermite(mean, nxt, slope[i], slope[i + 1], col, dx / col))

    points = {i: (x_of[i], y_of(s.mean)) for i, s in enumerate(stages) if s.mean is not None}

    # The line, as the boxes of short chords: value labels and notes keep off it.
    line_boxes: list[_Box] = []
    for run in runs:
        for a in run[:-1]:
            prev = points[a]
            for k in range(1, 17):
                x = x_of[a] + col * k / 16
                y = curve_at(a, col * k / 16)
                line_boxes.append(
                    (min(prev[0], x), min(prev[1], y) - 2, max(prev[0], x), max(prev[1], y) + 2)
                )
                prev = (x, y)

    # Value labels beside their point where the line leaves room: left, upper or lower left,
    # above, below, upper or lower right.
    value_at: dict[int, tuple[float, float, str]] = {}
    for i, (x, y) in points.items():
        text = values[stages[i].id]
        tried = []
        for vx, vy, anchor in (
            (x - 12, y + 5, "end"),
            (x - 9, y - 9, "end"),
            (x - 9, y + 19, "end"),
            (x, y - 14, "middle"),
            (x, y + 24, "middle"),
            (x + 9, y - 9, "start"),
            (x + 9, y + 19, "start"),
        ):
            box = _text_box(vx, vy, text, _FONT, anchor, True)
            tried.append((vx, vy, anchor, box))
            if not any(_overlaps(box, t) for t in taken) and not any(
                _overlaps(box, t, 1.0) for t in line_boxes
            ):
                break
        else:  # nothing clear of the line too: the first clear of other text
            vx, vy, anchor, box = next(
                (c for c in tried if not any(_overlaps(c[3], t) for t in taken)), tried[0]
            )
        taken.append(box)
        value_at[i] = (vx, vy, anchor)
    taken.extend((x - 7, y - 7, x + 7, y + 7) for x, y in points.values())  # markers keep off
    notes: dict[int, float] = {}
    for i, s in enumerate(stages):
        if s.mean is None and runs:
            notes[i] = y_of(3) + 5
            taken.append(_text_box(x_of[i], y_of(3) + 5, "no scores", _FONT, "middle", False))
    nothing = "No emotion scores in this journey"  # (no line, so nothing to keep off)
    if not runs:
        taken.append(_text_box(left + col * n / 2, y_of(3) + 5, nothing, _FONT, "middle", False))

    # Marker grids: centred on the curve, moved up or down (in steps) until nothing is hit.
    lowest_top, highest_bottom = plot_top - _PAD, plot_bottom + _PAD
    placed: dict[str, list[tuple[_Marker, float, float]]] = {}
    for i, s in enumerate(stages):
        if s.id not in grid:
            continue
        cols, rows = grid[s.id]
        pitch = mark_w[s.id] + _MARK_GAP
        gw, gh = cols * pitch - _MARK_GAP, rows * (_MARK_H + _MARK_GAP) - _MARK_GAP
        gx = x_of[i] + region_start
        centre = curve_at(i, region_start + gw / 2)
        top_min, top_max = lowest_top, max(lowest_top, highest_bottom - gh)
        best = min(top_max, max(top_min, centre - gh / 2))
        candidates = [best]
        for k in range(1, int((top_max - top_min) / 4) + 2):
            candidates += [best + 4 * k, best - 4 * k]
        count, w = len(markers[s.id]), mark_w[s.id]
        boxes = _grid(gx, best, cols, w, count)  # if nothing is free: the closest to the curve
        for gy in candidates:
            trial = _grid(gx, gy, cols, w, count)
            if top_min <= gy <= top_max and not any(_overlaps(b, t) for b in trial for t in taken):
                boxes = trial
                break
        taken.extend(boxes)
        placed[s.id] = [(m, b[0], b[1]) for m, b in zip(markers[s.id], boxes, strict=True)]

    # Words: the caption and the SVG's description.
    caption = _words(stages, markers)
    per_stage = "; ".join(
        f"{s.name} {s.mean:.1f} (range {s.low} to {s.high}, {s.scored} of {s.touchpoints} "
        f"touchpoints scored)"
        if s.mean is not None
        else f"{s.name}: no scores"
        for s in stages
    )
    desc = (
        "Flow-weighted mean emotion per stage, 1 (frustrated) to 5 (delighted): "
        f"{per_stage or 'no stages'}. {caption}"
    )

    out: list[str] = [
        f'<div class="emo-scroll"><svg class="chart emotion-curve" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="emo-title emo-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="emo-title">{escape("Emotion curve of " + journey.title)}</title>',
        f'<desc id="emo-desc">{escape(desc)}</desc>',
    ]
    for i in range(n):
        alt = " alt" if i % 2 else ""
        out.append(
            f'<rect class="emo-col{alt}" x="{_f(left + col * i)}" y="{_f(plot_top - _PAD)}" '
            f'width="{_f(col)}" height="{_f(plot_h + 2 * _PAD)}"/>'
        )
    for e in range(1, 6):
        y = y_of(e)
        out.append(
            f'<line class="emo-gridline" x1="{left}" x2="{_f(width - right)}" y1="{_f(y)}" '
            f'y2="{_f(y)}"/>'
            f'<text class="emo-axis" x="{left - 10}" y="{_f(y + 5)}" font-size="{_FONT}" '
            f'text-anchor="end">{axis_text[e]}</text>'
        )
    for kind, text, x, base in legend:
        mid = base - 5
        if kind == "mean":
            glyph = (
                f'<line class="emo-line" x1="{_f(x)}" x2="{_f(x + 22)}" y1="{_f(mid)}" '
                f'y2="{_f(mid)}"/><circle class="emo-mean e3" cx="{_f(x + 11)}" cy="{_f(mid)}" '
                'r="5"/>'
            )
        elif kind == "range":
            glyph = (
                f'<rect class="emo-range" x="{_f(x + 11 - _RANGE_W / 2)}" y="{_f(mid - 10)}" '
                f'width="{_RANGE_W}" height="20" rx="3"/>'
            )
        else:
            glyph = (
                f'<rect class="emo-key" x="{_f(x + 2)}" y="{_f(mid - 9)}" width="18" '
                'height="18" rx="4"/>'
            )
        out.append(
            f'<g class="emo-legend">{glyph}<text x="{_f(x + 30)}" y="{_f(base)}" '
            f'font-size="{_FONT}">{escape(text)}</text></g>'
        )
    for i, s in enumerate(stages):
        if s.low is None or s.high is None:
            continue
        y0, y1 = y_of(s.high), y_of(s.low)
        out.append(
            f'<rect class="emo-range" data-stage="{escape(s.id)}" data-low="{s.low}" '
            f'data-high="{s.high}" x="{_f(x_of[i] - _RANGE_W / 2)}" y="{_f(y0)}" '
            f'width="{_RANGE_W}" height="{_f(y1 - y0)}" rx="3"/>'
        )
    for run in runs:
        if len(run) < 2:
            continue
        d = [f"M{_f(x_of[run[0]])} {_f(points[run[0]][1])}"]
        for a, b in zip(run, run[1:], strict=False):
            (xa, ya), (xb, yb) = points[a], points[b]
            # dy/dx in the drawing: the scale runs downwards, plot_h per 4 points of emotion.
            ka, kb = -slope[a] * plot_h / 4, -slope[b] * plot_h / 4
            d.append(
                f"C{_f(xa + col / 3)} {_f(ya + ka * col / 3)} {_f(xb - col / 3)} "
                f"{_f(yb - kb * col / 3)} {_f(xb)} {_f(yb)}"
            )
        out.append(f'<path class="emo-line" d="{" ".join(d)}"/>')
    for i, (x, y) in points.items():
        s = stages[i]
        mean = s.mean or 0.0
        level = min(5, max(1, math.floor(mean + 0.5)))
        how = (
            f"weighted by {s.visits:.2f} expected visits per customer"
            if s.weighted
            else "plain mean: no customer reaches these touchpoints"
        )
        tip = (
            f"{s.name}: {mean:.1f} of 5 ({how}); range {s.low} to {s.high}, "
            f"{s.scored} of {s.touchpoints} touchpoints scored"
        )
        out.append(
            f'<circle class="emo-mean e{level}{"" if s.weighted else " unweighted"}" '
            f'data-stage="{escape(s.id)}" data-mean="{mean:.4f}" cx="{_f(x)}" cy="{_f(y)}" '
            f'r="6"><title>{escape(tip)}</title></circle>'
        )
    for i, (vx, vy, anchor) in value_at.items():
        alt = " alt" if i % 2 else ""
        out.append(
            f'<text class="emo-value{alt}" x="{_f(vx)}" y="{_f(vy)}" font-size="{_FONT}" '
            f'text-anchor="{anchor}">{values[stages[i].id]}</text>'
        )
    for i, y in notes.items():
        out.append(
            f'<text class="emo-none" data-stage="{escape(stages[i].id)}" x="{_f(x_of[i])}" '
            f'y="{_f(y)}" font-size="{_FONT}" text-anchor="middle">no scores</text>'
        )
    for s in stages:
        for m, x, y in placed.get(s.id, ()):
            w = mark_w[s.id]
            out.append(
                f'<g class="emo-marker" data-handoff="{m.number}" data-stage="{escape(s.id)}" '
                f'tabindex="0" role="button" aria-label="{escape(m.label)}">'
                f"<title>{escape(m.label)}</title>"
                f'<rect x="{_f(x)}" y="{_f(y)}" width="{_f(w)}" height="{_MARK_H}" rx="4"/>'
                f'<text x="{_f(x + w / 2)}" y="{_f(y + _MARK_H / 2 + _MARK_FONT * 0.36)}" '
                f'font-size="{_MARK_FONT}" text-anchor="middle">{m.number}</text></g>'
            )
    for i, s in enumerate(stages):
        tspans = []
        for k, (line, gap) in enumerate(_text_lines_joined(label_lines[i], names[i])):
            base = label_top + _STAGE_FONT * 0.82 + step * k
            tspans.append(f'<tspan x="{_f(x_of[i])}" y="{_f(base)}">{escape(line)}</tspan>{gap}')
        none = " none" if s.mean is None else ""
        out.append(
            f'<text class="emo-stage{none}" data-stage="{escape(s.id)}" font-size="{_STAGE_FONT}" '
            f'text-anchor="middle">{"".join(tspans)}</text>'
        )
    if not runs:
        out.append(
            f'<text class="emo-none" x="{_f(left + col * n / 2)}" y="{_f(y_of(3) + 5)}" '
            f'font-size="{_FONT}" text-anchor="middle">{nothing}</text>'
        )
    out.append("</svg></div>")
    out.append(f'<p class="emo-caption">{escape(caption)}</p>')
    return Markup("".join(out))


def sparkline(
    values: Sequence[float | None], label: str, width: int = 120, height: int = 28
) -> Markup:
    """A small line of emotion scores (1..5) in display order; gaps where a score is missing."""
    points = [(i, v) for i, v in enumerate(values) if v is not None]
    out = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(label)}</title>"
    ]
    if not points:
        out.append(
            f'<line class="spark-none" x1="2" x2="{width - 2}" y1="{height / 2}" y2="{height / 2}"/>'
        )
    else:
        step = (width - 8) / max(1, len(values) - 1)
        coords = [(4 + i * step, 4 + (height - 8) * (5 - v) / 4) for i, v in points]
        out.append(
            '<polyline class="spark-line" points="'
            + " ".join(f"{_f(x)},{_f(y)}" for x, y in coords)
            + '"/>'
        )
        lowest = min(range(len(coords)), key=lambda k: (points[k][1], k))
        x, y = coords[lowest]
        out.append(f'<circle class="spark-low" cx="{_f(x)}" cy="{_f(y)}" r="2.5"/>')
    out.append("</svg>")
    return Markup("".join(out))


def share_bar(share: float, label: str, width: int = 160, height: int = 12) -> Markup:
    """A horizontal bar showing ``share`` (0..1) of the width."""
    share = min(1.0, max(0.0, share))
    return Markup(
        f'<svg class="bar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
        f'<rect class="bar-bg" width="{width}" height="{height}" rx="3"/>'
        f'<rect class="bar-fg" width="{_f(width * share)}" height="{height}" rx="3"/></svg>'
    )
