"""Small inline SVG charts built in Python: the emotion curve, sparklines and share bars.

Every piece of user text goes through :func:`escape` (``display_text``, then
:func:`markupsafe.escape`); the functions return :class:`markupsafe.Markup` so templates insert
them as they are. Colours come from CSS classes
(``.emo-*``, ``.spark``, ``.bar``) so light, dark and print styles apply to the charts too.
Coordinates are rounded to one decimal so output is byte-identical across runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape as _markup_escape

from journeymap.analysis.types import JourneyAnalysis
from journeymap.report.filters import display_text

__all__ = ["emotion_curve", "sparkline", "share_bar", "display_order", "EMOTION_LABELS"]

EMOTION_LABELS = {1: "frustrated", 2: "unhappy", 3: "neutral", 4: "pleased", 5: "delighted"}


def escape(text: object) -> Markup:
    """:func:`markupsafe.escape` of journey text made displayable (no NUL, no bidi override)."""
    return _markup_escape(display_text(text))


def _f(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def display_order(analysis: JourneyAnalysis) -> list[str]:
    """Touchpoint ids by stage (file order of stages), then file order within a stage."""
    journey = analysis.journey
    stage_at = journey.stage_index()
    last = len(stage_at)
    # sorted() is stable: file order within a stage comes for free.
    return sorted(
        journey.touchpoints, key=lambda t: stage_at.get(journey.touchpoints[t].stage, last)
    )


@dataclass(frozen=True)
class _Slot:
    touchpoint: str
    x: float
    y: float | None


def emotion_curve(analysis: JourneyAnalysis, width: int = 1000, height: int = 340) -> Markup:
    """The emotion of each touchpoint along the stages, transitions drawn, handoffs numbered."""
    journey = analysis.journey
    order = display_order(analysis)
    left, right, top, bottom = 120, 16, 34, 120
    plot_w, plot_h = width - left - right, height - top - bottom
    n = max(1, len(order))
    slot_w = plot_w / n

    def y_of(emotion: int) -> float:
        return top + plot_h * (5 - emotion) / 4

    slots: dict[str, _Slot] = {}
    for i, tp_id in enumerate(order):
        tp = journey.touchpoints[tp_id]
        x = left + slot_w * (i + 0.5)
        slots[tp_id] = _Slot(tp_id, x, y_of(tp.emotion) if tp.emotion is not None else None)

    title = f"Emotion curve of {journey.title}"
    desc = (
        "Customer emotion (1 frustrated to 5 delighted) at each touchpoint, in stage order; "
        "numbered markers are handoffs between functions."
    )
    out: list[str] = [
        f'<svg class="chart emotion-curve" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="emo-title emo-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="emo-title">{escape(title)}</title>',
        f'<desc id="emo-desc">{escape(desc)}</desc>',
    ]
    # Stage bands, in file order, each as wide as its touchpoints.
    i = 0
    for s_index, stage in enumerate(journey.stages):
        count = sum(1 for t in order if journey.touchpoints[t].stage == stage.id)
        if not count:
            continue
        x0 = left + slot_w * i
        band = "emo-band alt" if s_index % 2 else "emo-band"
        out.append(
            f'<rect class="{band}" x="{_f(x0)}" y="{top - 24}" width="{_f(slot_w * count)}" '
            f'height="{_f(plot_h + 24)}"/>'
        )
        out.append(
            f'<text class="emo-stage" x="{_f(x0 + slot_w * count / 2)}" y="{top - 9}" '
            f'text-anchor="middle">{escape(_short(stage.name, max(4, int(slot_w * count / 8))))}'
            f"<title>{escape(stage.name)}</title></text>"
        )
        i += count
    # Emotion grid.
    for emotion in range(1, 6):
        y = y_of(emotion)
        out.append(
            f'<line class="emo-grid" x1="{left}" x2="{width - right}" y1="{_f(y)}" y2="{_f(y)}"/>'
        )
        out.append(
            f'<text class="emo-axis" x="{left - 8}" y="{_f(y + 4)}" text-anchor="end">{emotion}'
            f"<title>{emotion}: {EMOTION_LABELS[emotion]}</title></text>"
        )
    # Transitions: plain ones first, handoffs on top.
    handoff_of = {(h.source, h.target): h for h in analysis.handoffs}
    links: list[str] = []
    markers: list[str] = []
    for transition in journey.transitions():
        a, b = slots.get(transition.source), slots.get(transition.target)
        if a is None or b is None or a.y is None or b.y is None or a is b:
            continue
        handoff = handoff_of.get(transition.key)
        adjacent = abs(order.index(b.touchpoint) - order.index(a.touchpoint)) == 1
        lift = 0.0 if adjacent and b.x > a.x else -min(60.0, 18.0 + abs(b.x - a.x) / 8)
        mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2 + lift
        path = f"M{_f(a.x)} {_f(a.y)} Q{_f(mx)} {_f(my + lift)} {_f(b.x)} {_f(b.y)}"
        names = f"{journey.touchpoints[a.touchpoint].name} \u2192 {journey.touchpoints[b.touchpoint].name}"
        if handoff is None:
            links.append(f'<path class="emo-link" d="{path}"><title>{escape(names)}</title></path>')
            continue
        label = f"Handoff {handoff.number}: {names}"
        links.append(
            f'<path class="emo-link handoff" data-handoff="{handoff.number}" d="{path}">'
            f"<title>{escape(label)}</title></path>"
        )
        markers.append(
            f'<g class="emo-marker" data-handoff="{handoff.number}" tabindex="0" role="button" '
            f'aria-label="{escape(label)}"><circle cx="{_f(mx)}" cy="{_f(my)}" r="10"/>'
            f'<text x="{_f(mx)}" y="{_f(my + 4)}" text-anchor="middle">{handoff.number}</text></g>'
        )
    out.extend(links)
    out.extend(markers)
    # Points and labels.
    for tp_id in order:
        tp, slot = journey.touchpoints[tp_id], slots[tp_id]
        lx, ly = slot.x, top + plot_h + 14
        if slot.y is not None:
            mood = EMOTION_LABELS.get(tp.emotion or 0, "")
            out.append(
                f'<circle class="emo-point e{tp.emotion}" cx="{_f(slot.x)}" cy="{_f(slot.y)}" r="6">'
                f"<title>{escape(tp.name)}: {tp.emotion} ({mood})</title></circle>"
            )
        out.append(
            f'<text class="emo-label{"" if slot.y is not None else " none"}" x="{_f(lx)}" '
            f'y="{_f(ly)}" text-anchor="end" transform="rotate(-35 {_f(lx)} {_f(ly)})">'
            f"{escape(_short(tp.name))}<title>{escape(tp.name)}</title></text>"
        )
    out.append("</svg>")
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
