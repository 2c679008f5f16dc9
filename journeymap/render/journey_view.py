"""The journey view: one swimlane per function, stages as columns, handoffs numbered."""

from __future__ import annotations

from journeymap.analysis.types import Handoff, JourneyAnalysis
from journeymap.catalog import risk_factors
from journeymap.model import Function, Journey
from journeymap.render import _labels as L
from journeymap.render._dot import label
from journeymap.render._grid import Band, Grid
from journeymap.render._labels import text_lines
from journeymap.render.escape import clip, svg_id
from journeymap.render.themes import Theme

__all__ = [
    "KEY",
    "build_journey_graph",
    "graph_attributes",
    "key_items",
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


def lanes(journey: Journey) -> list[Function]:
    """Lane order: functions by their first touchpoint in the file, then the functions that
    own no touchpoint in file order (see docs/diagrams.md, "Lane order").

    A journey file lists its touchpoints roughly in the order customers meet them, so the lanes
    read top to bottom the way the journey goes, entry lanes first; a function that a
    touchpoint names but no file declares gets a lane named after its id.
    """
    return list(journey.lanes())


def stage_list(journey: Journey) -> list[str]:
    """Stage ids in file order, then any a touchpoint names but the file does not declare."""
    result = [s.id for s in journey.stages]
    for tp in journey.touchpoints.values():
        if tp.stage not in result:
            result.append(tp.stage)
    return result


def graph_attributes(graph_id: str, title: str, theme: Theme) -> dict[str, object]:
    """Graph attributes every grid view shares."""
    return {
        "id": graph_id,
        "rankdir": "LR",
        "newrank": True,
        # tight enough that a journey fits a projector (about 4:3 for the examples) with its
        # text large relative to the canvas; edge labels are xlabels, placed after the layout
        "nodesep": 0.18 * theme.font_size / 12,
        "ranksep": 0.4 * theme.font_size / 12,
        "bgcolor": theme.bg,
        "fontname": theme.bold,
        "fontsize": theme.font_size * 1.7,
        "fontcolor": theme.ink,
        "label": label(text_lines(title, 80, 2)),
        "labelloc": "t",
        "labeljust": "l",
        "pad": 0.3,
        # nodes first, then edges with their labels on top: an external label next to a short
        # edge may reach over a node's border, and must stay readable there
        "outputorder": "nodesfirst",
        "forcelabels": True,
    }


def key_items(
    theme: Theme, subtitle: list[str], handoffs: bool, risky: bool
) -> list[dict[str, object]]:
    """Legend nodes: what the diagram shows, the emotion scale, and how edges are drawn."""
    plain: dict[str, object] = {"shape": "plaintext", "style": "", "fontcolor": theme.muted}
    items: list[dict[str, object]] = []
    if subtitle:
        items.append({"label": label(subtitle, "l"), **plain})
    for level in range(1, 6):
        items.append(
            {
                "label": label([L.emotion_glyphs(level), L.EMOTION_WORDS[level - 1]]),
                "style": "rounded,filled",
                **L.emotion_style(level, theme),
            }
        )
    items.append(
        {
            "label": label(["\u2500\u2500\u25b6 50%", "transition:", "share of customers"]),
            "style": "rounded",
            "color": theme.muted,
        }
    )
    if handoffs:
        items.append(
            {
                "label": label(
                    [
                        "\u2501\u2501\u25b6 #1",
                        "handoff between functions,",
                        "#1 = riskiest;",
                        "thicker = more customers",
                    ]
                ),
                "style": "rounded," + theme.handoff_style,
                "color": theme.handoff,
                "penwidth": theme.handoff_width[0],
            }
        )
    if risky:
        items.append(
            {
                "label": label(
                    [
                        "\u2501\u2501\u25b6 #2 risk: JM1xx",
                        "risky handoff: its rule",
                        "codes as in the findings",
                    ]
                ),
                "style": "rounded," + theme.risky_style,
                "color": theme.risky,
                "penwidth": theme.handoff_width[0],
            }
        )
    return [{"fillcolor": theme.bg, **item} for item in items]


def handoff_width(flow: float, max_flow: float, theme: Theme) -> float:
    """Pen width of a handoff edge, from the theme's range by its share of the largest flow."""
    low, high = theme.handoff_width
    return low if max_flow <= 0 else low + (high - low) * min(max(flow, 0.0) / max_flow, 1.0)


def subtitle_lines(analysis: JourneyAnalysis) -> list[str]:
    """Persona and headline figures, as the engine computed them."""
    journey, m = analysis.journey, analysis.metrics
    lines = []
    if journey.persona:
        lines.extend(text_lines(f"Persona: {clip(journey.persona)}", 60, 2))
    lines.append(
        f"{m.touchpoints} touchpoints \u00b7 {m.handoffs} handoffs \u00b7 "
        f"{m.expected_handoffs_per_customer:.2f} handoffs per customer"
    )
    return lines


def build_journey_graph(analysis: JourneyAnalysis, theme: Theme) -> str:
    """DOT for the journey view."""
    journey = analysis.journey
    stages = stage_list(journey)
    stage_index = {s: i for i, s in enumerate(stages)}
    stage_names = {s.id: s.name for s in journey.stages}
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    max_flow = max((h.flow for h in analysis.handoffs), default=0.0)
    risky_present = any(risk_rules(h) for h in analysis.handoffs)
    used = {tp.function for tp in journey.touchpoints.values()}  # no empty lanes
    bands = [
        Band(
            key=f.id,
            header=L.lane_title(f, theme),
            css_id=f"lane-{svg_id(f.id)}",
            fill=theme.lane_fills[i % len(theme.lane_fills)],
        )
        for i, f in enumerate(f for f in lanes(journey) if f.id in used)
    ]
    bands.append(Band(KEY, label(["Key"]), "key", fill=theme.bg, css_class="key"))
    grid = Grid(
        f"journey-{journey.id}",
        theme,
        [(svg_id(s), label(text_lines(stage_names.get(s, s), theme.wrap, 2))) for s in stages],
        bands,
        graph_attributes(f"journey-{svg_id(journey.id)}", journey.title or journey.id, theme),
    )
    items = key_items(theme, subtitle_lines(analysis), bool(handoffs), risky_present)
    for i, item in enumerate(items):
        grid.add(KEY, 0, f"~key-{i}", column=i, attributes=item, id=f"key-{i}", class_="key")

    entries = {tp.id for tp in journey.entries()}
    for tp in journey.touchpoints.values():
        grid.add(
            tp.function,
            stage_index[tp.stage],
            tp_name(tp.id),
            label=L.touchpoint_label(tp, theme, tp.id in entries),
            id=f"tp-{svg_id(tp.id)}",
            class_="touchpoint",
            attributes=L.emotion_style(tp.emotion, theme),
        )

    seen: dict[tuple[str, str], int] = {}
    for t in journey.transitions():
        source = journey.touchpoints[t.source]
        share = t.share if t.share is not None else 1.0 / len(source.next)
        handoff = handoffs.get(t.key)
        rules = risk_rules(handoff)
        n = seen[t.key] = seen.get(t.key, 0) + 1
        edge_id = f"edge-{svg_id(t.source)}--{svg_id(t.target)}" + (f"-{n}" if n > 1 else "")
        values: dict[str, object] = {"id": edge_id}
        if handoff is not None or journey.is_handoff(t):
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
                label=L.handoff_label(
                    handoff.number if handoff else None, L.fmt_share(share), rules, theme
                ),
                fontcolor=colour,
                fontname=theme.bold,
            )
        else:
            values.update(
                class_="transition", label=label([L.fmt_share(share)]), fontcolor=theme.muted
            )
        grid.connect(tp_name(t.source), tp_name(t.target), **values)
    return grid.to_dot()


def tp_name(touchpoint_id: str) -> str:
    """The DOT node name of a touchpoint (also its SVG ``<title>``)."""
    return f"tp-{svg_id(touchpoint_id)}"
