"""The journey view: one swimlane per function, stages as columns, handoffs numbered."""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis.types import Handoff, JourneyAnalysis
from journeymap.catalog import RULES, risk_factors
from journeymap.durations import spoken_hours as format_hours
from journeymap.model import Function, Journey, Touchpoint
from journeymap.render import _labels as L
from journeymap.render._grid import Band, Grid, KeyItem
from journeymap.render.escape import clip, svg_id
from journeymap.render.themes import Theme

__all__ = [
    "build_journey_graph",
    "handoff_words",
    "lanes",
    "risk_rules",
    "stage_list",
]

KEY = "~key"


def risk_rules(handoff: Handoff | None) -> tuple[str, ...]:
    """The rule codes that make a handoff risky: its risk factors (see the rule catalogue), sorted."""
    if handoff is None:
        return ()
    return tuple(sorted(set(risk_factors(handoff.rules))))


def lanes(journey: Journey, first: Sequence[str] | None = None) -> list[Function]:
    """Lane order: functions by their first touchpoint in the file, then the functions that
    own no touchpoint in file order (see docs/diagrams.md, "Lane order"); the functions
    ``first`` names (that the journey has) come before all others, in that order.

    A journey file lists its touchpoints roughly in the order customers meet them, so the lanes
    read top to bottom the way the journey goes, entry lanes first; a function that a
    touchpoint names but no file declares gets a lane named after its id.
    """
    default = list(journey.lanes())
    if not first:
        return default
    rank = {fid: i for i, fid in enumerate(dict.fromkeys(first))}
    return sorted(default, key=lambda f: rank.get(f.id, len(rank)))  # stable: the rest keep order


def stage_list(journey: Journey) -> list[str]:
    """Stage ids in file order, then any a touchpoint names but the file does not declare."""
    result = [s.id for s in journey.stages]
    for tp in journey.touchpoints.values():
        if tp.stage not in result:
            result.append(tp.stage)
    return result


def handoff_width(flow: float, max_flow: float, theme: Theme) -> float:
    """Pen width of a handoff edge, from the theme's range by its share of the largest flow."""
    low, high = theme.handoff_width
    return low if max_flow <= 0 else low + (high - low) * min(max(flow, 0.0) / max_flow, 1.0)


def subtitle_lines(analysis: JourneyAnalysis) -> list[str]:
    """Headline figures, as the engine computed them, then the persona."""
    journey, m = analysis.journey, analysis.metrics
    text = (
        f"{m.touchpoints} touchpoints \u00b7 {m.handoffs} handoffs \u00b7 "
        f"{m.expected_handoffs_per_customer:.2f} handoffs per customer"
    )
    if journey.persona:
        text += f" \u00b7 Persona: {clip(journey.persona)}"
    return [text]


def handoff_words(handoff: Handoff, names: dict[str, str]) -> str:
    """The hover text of a handoff, in words: ``Handoff 3: Claims → Finance · no owner · ...``."""
    parts = [
        f"Handoff {handoff.number}: {names.get(handoff.from_function, handoff.from_function)}"
        f" \u2192 {names.get(handoff.to_function, handoff.to_function)}"
    ]
    parts.extend(RULES[code].title if code in RULES else code for code in risk_rules(handoff))
    if handoff.wait_hours:
        parts.append(f"waits {format_hours(handoff.wait_hours)}")
    return " \u00b7 ".join(parts)


def meta_line(tp: Touchpoint, entry: bool) -> str:
    """The compact line under a touchpoint's name: emotion dots, channel, start and outcome."""
    parts = []
    if tp.emotion is not None:
        level = min(max(int(tp.emotion), 1), 5)
        parts.append(L.FILLED * level + L.EMPTY * (5 - level))
    if tp.outcome:
        parts.append(f"\u25a0 {clip(tp.outcome, 30)}")
    channel = clip(tp.channel, 30) if tp.channel else ""
    if entry:
        channel = f"\u25b6 {channel}".strip()
    if channel:  # last: the first to be clipped when the line is full
        parts.append(channel)
    return " \u00b7 ".join(parts)


def journey_key(grid: Grid, theme: Theme, handoffs: bool, risky: bool, splits: bool) -> None:
    """What the colours, lines and markers mean."""
    for level in range(1, 6):
        grid.key(
            KeyItem(
                "" if level < 5 else "emotion at the touchpoint",
                box={"style": "rounded,filled", **L.emotion_style(level, theme)},
                box_text=f"{L.FILLED * level}{L.EMPTY * (5 - level)} {L.EMOTION_WORDS[level - 1]}",
            )
        )
    grid.key(
        KeyItem(
            "transition; % of customers where it splits",
            edge={"color": theme.muted, "penwidth": theme.edge_width},
            share="40%" if splits else None,
        )
    )
    if handoffs:
        grid.key(
            KeyItem(
                "handoff between functions: 1 = riskiest, thicker = riskier",
                edge={
                    "color": theme.handoff,
                    "penwidth": theme.handoff_width[1] * 0.6,
                    "style": theme.handoff_style,
                },
                marker="3",
                marker_fill=theme.handoff,
            )
        )
    if risky:
        grid.key(
            KeyItem(
                "risky handoff: no owner, context lost, long wait\u2026 (hover: why)",
                edge={
                    "color": theme.risky,
                    "penwidth": theme.handoff_width[1] * 0.8,
                    "style": theme.risky_style,
                },
                marker="1",
                marker_fill=theme.risky,
            )
        )


def build_journey_graph(
    analysis: JourneyAnalysis, theme: Theme, lane_order: Sequence[str] | None = None
) -> Grid:
    """The journey view's grid (lay it out with :meth:`Grid.layout_dot`, draw with
    :meth:`Grid.drawing_dot`); ``lane_order`` as in :func:`lanes`."""
    journey = analysis.journey
    stages = stage_list(journey)
    stage_index = {s: i for i, s in enumerate(stages)}
    stage_names = {s.id: s.name for s in journey.stages}
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    max_risk = max((h.risk for h in analysis.handoffs), default=0.0)
    risky_present = any(risk_rules(h) for h in analysis.handoffs)
    used = {tp.function for tp in journey.touchpoints.values()}  # no empty lanes
    functions = [f for f in lanes(journey, lane_order) if f.id in used]
    names = {f.id: f.name for f in lanes(journey)}
    bands = [
        Band(
            key=f.id,
            title=f"{clip(f.name)} \u00b7 {clip(f.lead)}" if f.lead else clip(f.name),
            css_id=f"lane-{svg_id(f.id)}",
            label_id=f"lane-label-{svg_id(f.id)}",
            fill=theme.lane_fills[i % len(theme.lane_fills)],
        )
        for i, f in enumerate(functions)
    ]
    grid = Grid(
        f"journey-{journey.id}",
        theme,
        [(svg_id(s), clip(stage_names.get(s, s))) for s in stages],
        bands,
        f"journey-{svg_id(journey.id)}",
        clip(journey.title or journey.id),
        subtitle_lines(analysis),
    )
    entries = {tp.id for tp in journey.entries()}
    for tp in journey.touchpoints.values():
        grid.add(
            tp.function,
            stage_index[tp.stage],
            tp_name(tp.id),
            title=clip(tp.name),
            meta=meta_line(tp, tp.id in entries),
            id=f"tp-{svg_id(tp.id)}",
            class_="touchpoint",
            attributes=L.emotion_style(tp.emotion, theme),
        )

    seen: dict[tuple[str, str], int] = {}
    splits = False
    for t in journey.transitions():
        source = journey.touchpoints[t.source]
        share = t.share if t.share is not None else 1.0 / len(source.next)
        split = len(source.next) > 1
        splits = splits or split
        handoff = handoffs.get(t.key)
        rules = risk_rules(handoff)
        n = seen[t.key] = seen.get(t.key, 0) + 1
        edge_id = f"edge-{svg_id(t.source)}--{svg_id(t.target)}" + (f"-{n}" if n > 1 else "")
        values: dict[str, object] = {"id": edge_id}
        share_text = L.fmt_share(share) if split else None
        if handoff is not None:
            colour = theme.risky if rules else theme.handoff
            classes = ["transition", "handoff", f"h-{handoff.number}"]
            if rules:
                classes.append("risky")
            values.update(
                class_=" ".join(classes),
                color=colour,
                penwidth=handoff_width(handoff.risk, max_risk, theme),
                style=theme.risky_style if rules else theme.handoff_style,
                tooltip=handoff_words(handoff, names)
                + (f" \u00b7 {share_text} of customers" if share_text else ""),
            )
            grid.connect(
                tp_name(t.source),
                tp_name(t.target),
                marker=str(handoff.number),
                marker_fill=colour,
                share=share_text,
                attributes=values,
            )
        else:
            colour = theme.handoff if journey.is_handoff(t) else theme.muted
            values.update(
                class_="transition" + (" handoff" if journey.is_handoff(t) else ""),
                color=colour,
                tooltip=f"{clip(source.name, 40)} \u2192 "
                f"{clip(journey.touchpoints[t.target].name, 40)}"
                + (f" \u00b7 {share_text} of customers" if share_text else ""),
            )
            grid.connect(tp_name(t.source), tp_name(t.target), share=share_text, attributes=values)
    journey_key(grid, theme, bool(handoffs), risky_present, splits)
    return grid


def tp_name(touchpoint_id: str) -> str:
    """The DOT node name of a touchpoint (also its SVG ``<title>``)."""
    return f"tp-{svg_id(touchpoint_id)}"
