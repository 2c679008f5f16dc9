"""The journey view: one swimlane per function, stages as columns, handoffs numbered."""

from __future__ import annotations

from journeymap.analysis.types import Handoff, JourneyAnalysis
from journeymap.model import Function, Journey
from journeymap.render import _labels as L
from journeymap.render._dot import Html
from journeymap.render._grid import Band, Grid
from journeymap.render.escape import html_text, svg_id
from journeymap.render.themes import Theme

__all__ = ["build_journey_graph", "graph_attributes", "lanes", "risk_rules", "stage_list"]

# JM100 is the informational "this is a handoff" finding, not a risk factor.
_NOT_RISK = frozenset({"JM100"})


def risk_rules(handoff: Handoff | None) -> tuple[str, ...]:
    """The rule codes that make a handoff risky (sorted, without the informational JM100)."""
    if handoff is None:
        return ()
    return tuple(sorted({r for r in handoff.rules if r not in _NOT_RISK}))


def lanes(journey: Journey) -> list[Function]:
    """Functions in file order, then any a touchpoint names but the file does not declare."""
    result = list(journey.functions.values())
    known = set(journey.functions)
    for tp in journey.touchpoints.values():
        if tp.function not in known:
            known.add(tp.function)
            result.append(Function(tp.function, tp.function))
    return result


def stage_list(journey: Journey) -> list[str]:
    """Stage ids in file order, then any a touchpoint names but the file does not declare."""
    result = [s.id for s in journey.stages]
    for tp in journey.touchpoints.values():
        if tp.stage not in result:
            result.append(tp.stage)
    return result


def graph_attributes(graph_id: str, label: Html, theme: Theme) -> dict[str, object]:
    """Graph attributes every grid view shares."""
    return {
        "id": graph_id,
        "rankdir": "LR",
        "newrank": True,
        "nodesep": 0.25 * theme.font_size / 12,
        "ranksep": 0.35 * theme.font_size / 12,
        "bgcolor": theme.bg,
        "fontname": theme.font,
        "fontsize": theme.font_size,
        "fontcolor": theme.ink,
        "label": label,
        "labelloc": "t",
        "labeljust": "l",
        "pad": 0.3,
        "outputorder": "edgesfirst",
        "dpi": theme.dpi,
    }


def _legend_items(theme: Theme, risky_present: bool) -> list[tuple[str, str]]:
    dashed = "dashed" in theme.handoff_style
    arrow = "\u2501 \u2501 \u25b6" if dashed else "\u2501\u2501\u25b6"
    items = [
        L.emotion_key(theme),
        (f'<TD><FONT COLOR="{theme.muted}">\u2500\u2500\u25b6</FONT></TD>', "transition, share of customers"),
        (
            f'<TD BGCOLOR="{theme.handoff}"><FONT COLOR="{theme.badge_ink}"><B> 1 </B></FONT></TD>'
            f'<TD><FONT COLOR="{theme.handoff}"><B>{arrow}</B></FONT></TD>',
            "handoff between functions, numbered by risk (1 = riskiest); thicker = more customers",
        ),
    ]
    if risky_present:
        items.append(
            (
                f'<TD BGCOLOR="{theme.risky}"><FONT COLOR="{theme.badge_ink}"><B> 2 </B></FONT></TD>',
                "risky handoff, with its rule codes (see findings)",
            )
        )
    return items


def handoff_width(flow: float, max_flow: float, theme: Theme) -> float:
    low, high = theme.handoff_width
    return low if max_flow <= 0 else low + (high - low) * min(flow / max_flow, 1.0)


def build_journey_graph(analysis: JourneyAnalysis, theme: Theme) -> str:
    """DOT for the journey view."""
    journey = analysis.journey
    functions = lanes(journey)
    stages = stage_list(journey)
    stage_index = {s: i for i, s in enumerate(stages)}
    stage_names = {s.id: s.name for s in journey.stages}
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    max_flow = max((h.flow for h in analysis.handoffs), default=0.0)
    risky_present = any(risk_rules(h) for h in analysis.handoffs)
    m = analysis.metrics
    subtitle = []
    if journey.persona:
        subtitle.append(f"Persona: {html_text(journey.persona)}")
    subtitle.append(
        f"{m.touchpoints} touchpoints · {m.handoffs} handoffs · "
        f"{m.expected_handoffs_per_customer:.2f} handoffs per customer · "
        f"{m.functions_touched} functions"
    )
    label = L.legend(journey.title or journey.id, subtitle, _legend_items(theme, risky_present), theme)
    bands = [
        Band(
            key=f.id,
            header=L.lane_header(f, theme),
            css_id=f"lane-{svg_id(f.id)}",
            fill=theme.lane_fills[i % len(theme.lane_fills)],
        )
        for i, f in enumerate(functions)
    ]
    grid = Grid(
        f"journey-{journey.id}",
        theme,
        [(svg_id(s), L.header(stage_names.get(s, s), theme)) for s in stages],
        bands,
        graph_attributes(f"journey-{svg_id(journey.id)}", label, theme),
    )
    entries = {tp.id for tp in journey.entries()}
    for tp in journey.touchpoints.values():
        grid.add(
            tp.function,
            stage_index[tp.stage],
            _tp(tp.id),
            label=L.touchpoint_label(tp, theme, tp.id in entries, None),
            id=f"tp-{svg_id(tp.id)}",
            class_="touchpoint",
            color=theme.ink,
        )

    transitions = list(journey.transitions())
    seen: dict[tuple[str, str], int] = {}
    for t in transitions:
        source = journey.touchpoints[t.source]
        share = t.share if t.share is not None else 1.0 / len(source.next)
        handoff = handoffs.get((t.source, t.target))
        is_handoff = handoff is not None or journey.is_handoff(t)
        rules = risk_rules(handoff)
        n = seen[t.key] = seen.get(t.key, 0) + 1
        edge_id = f"edge-{svg_id(t.source)}--{svg_id(t.target)}" + (f"-{n}" if n > 1 else "")
        values: dict[str, object] = {"id": edge_id}
        if is_handoff:
            colour = theme.risky if rules else theme.handoff
            flow = handoff.flow if handoff else analysis.transition_flow.get(t.key, 0.0)
            classes = ["transition", "handoff"]
            if handoff is not None:
                classes.append(f"h-{handoff.number}")
            if rules:
                classes.append("risky")
            values.update(
                class_=" ".join(classes),
                color=colour,
                penwidth=handoff_width(flow, max_flow, theme),
                style=theme.risky_style if rules else theme.handoff_style,
                label=L.handoff_badge(
                    handoff.number if handoff else None, L.fmt_share(share), rules, colour, theme
                ),
                weight=2,
            )
        else:
            values.update(class_="transition", label=Html(html_text(L.fmt_share(share))))
        grid.connect(_tp(t.source), _tp(t.target), **values)
    return grid.to_dot()


def _tp(touchpoint_id: str) -> str:
    return f"tp-{svg_id(touchpoint_id)}"
