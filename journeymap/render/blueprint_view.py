"""The blueprint view: customer actions, frontstage, backstage and support systems as rows.

Rows are separated by the lines of interaction, visibility and internal interaction (drawn as
dashed rules). Columns follow the stages as in the journey view. Backstage shows each handoff
(who hands the customer to whom, what travels with them, who owns it); handoffs that lose
context are marked. Support systems show their owner; shadow systems are dashed and say so.
"""

from __future__ import annotations

from journeymap.analysis.types import JourneyAnalysis
from journeymap.catalog import RULES, is_asked_again
from journeymap.render import _labels as L
from journeymap.render._dot import label
from journeymap.render._grid import Band, Grid
from journeymap.render._labels import text_lines
from journeymap.render.escape import clip, svg_id
from journeymap.render.journey_view import (
    graph_attributes,
    handoff_width,
    lanes,
    risk_rules,
    stage_list,
    tp_name,
)
from journeymap.render.themes import Theme

__all__ = ["build_blueprint_graph", "CONTEXT_LOSS_RULES"]

#: Rules that mean the customer's context did not make it across a handoff (the catalogue's
#: ``context_loss`` rules).
CONTEXT_LOSS_RULES = frozenset(code for code, rule in RULES.items() if rule.context_loss)
_ROWS = (
    ("customer", "Customer actions", "lane"),
    ("interaction", "line of interaction", "line"),
    ("frontstage", "Frontstage: who the customer meets, and how", "lane"),
    ("visibility", "line of visibility", "line"),
    ("backstage", "Backstage: handoffs between functions", "lane"),
    ("internal", "line of internal interaction", "line"),
    ("support", "Support systems", "lane"),
)


def build_blueprint_graph(analysis: JourneyAnalysis, theme: Theme) -> str:
    """DOT for the blueprint view."""
    journey = analysis.journey
    stages = stage_list(journey)
    stage_index = {s: i for i, s in enumerate(stages)}
    stage_names = {s.id: s.name for s in journey.stages}
    functions = {f.id: f for f in lanes(journey)}
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    max_flow = max((h.flow for h in analysis.handoffs), default=0.0)
    repeat_asks: dict[str, str] = {}  # touchpoint id -> the code marking it asked again (JM103)
    for f in analysis.findings:
        if is_asked_again(f.rule):
            for tp_id in f.touchpoints:
                repeat_asks.setdefault(tp_id, f.rule)
    bands = []
    for i, (key, title, kind) in enumerate(_ROWS):
        bands.append(
            Band(
                key=key,
                header=label([title]),
                css_id=f"row-{key}",
                fill=theme.lane_fills[(i // 2) % len(theme.lane_fills)],
                kind=kind,
                css_class="row" if kind == "lane" else "line",
            )
        )
    grid = Grid(
        f"blueprint-{journey.id}",
        theme,
        [(svg_id(s), label(text_lines(stage_names.get(s, s), theme.wrap, 2))) for s in stages],
        bands,
        graph_attributes(
            f"blueprint-{svg_id(journey.id)}",
            f"{clip(journey.title or journey.id)} \u2014 service blueprint",
            theme,
        ),
    )
    entries = {tp.id for tp in journey.entries()}
    first_use: dict[str, str] = {}
    for tp in journey.touchpoints.values():
        name = tp_name(tp.id)
        rows = text_lines(tp.name, theme.wrap)
        if tp.emotion is not None:
            rows.append(L.emotion_glyphs(tp.emotion))
        if tp.id in entries:
            rows.append("\u25b6 start")
        if tp.outcome:
            rows.append(f"\u25a0 {clip(tp.outcome, 40)}")
        if tp.id in repeat_asks:
            rows.append(f"\u26a0 asked again ({repeat_asks[tp.id]})")
        grid.add(
            "customer",
            stage_index[tp.stage],
            name,
            label=label(rows),
            id=f"tp-{svg_id(tp.id)}",
            class_="touchpoint customer-action" + (" context-loss" if tp.id in repeat_asks else ""),
            attributes=L.emotion_style(tp.emotion, theme),
        )
        function = functions.get(tp.function)
        front = text_lines(function.name if function else tp.function, theme.wrap, 2)
        if tp.channel:
            front.append(f"via {clip(tp.channel, 40)}")
        grid.add(
            "frontstage",
            stage_index[tp.stage],
            f"front-{svg_id(tp.id)}",
            follows=name,
            label=label(front),
            id=f"front-{svg_id(tp.id)}",
            class_="frontstage",
        )
        grid.connect(
            name,
            f"front-{svg_id(tp.id)}",
            arrowhead="none",
            style="solid",
            color=theme.muted,
            class_="interaction",
            id=f"interaction-{svg_id(tp.id)}",
        )
        for system_id in tp.systems:
            first_use.setdefault(system_id, tp.id)

    for t in journey.transitions():
        source = journey.touchpoints[t.source]
        target = journey.touchpoints[t.target]
        share = t.share if t.share is not None else 1.0 / len(source.next)
        handoff = handoffs.get(t.key)
        values: dict[str, object] = {
            "id": f"edge-{svg_id(t.source)}--{svg_id(t.target)}",
            "label": label([L.fmt_share(share)]),
            "class_": "transition",
            "fontcolor": theme.muted,
        }
        if handoff is not None or journey.is_handoff(t):
            rules = risk_rules(handoff)
            colour = theme.risky if rules else theme.handoff
            flow = handoff.flow if handoff else analysis.transition_flow.get(t.key, 0.0)
            number = handoff.number if handoff else None
            values.update(
                class_="transition handoff" + (f" h-{number}" if number else ""),
                color=colour,
                penwidth=handoff_width(flow, max_flow, theme),
                style=theme.risky_style if rules else theme.handoff_style,
                label=label(
                    [f"#{number} \u00b7 {L.fmt_share(share)}" if number else L.fmt_share(share)]
                ),
                fontcolor=colour,
                fontname=theme.bold,
            )
            lost = sorted(CONTEXT_LOSS_RULES & set(rules))
            back = f"back-{svg_id(t.source)}--{svg_id(t.target)}"
            a = functions.get(source.function)
            b = functions.get(target.function)
            rows = [
                (f"#{number} " if number else "")
                + f"{clip(a.name if a else source.function, 30)} \u2192 "
                + f"{clip(b.name if b else target.function, 30)}",
                "carries: " + (", ".join(clip(c, 30) for c in t.carries[:5]) or "nothing"),
            ]
            owner = functions.get(t.owner) if t.owner else None
            rows.append(
                f"owner: {clip(owner.name if owner else t.owner, 30)}" if t.owner else "no owner"
            )
            if t.wait_hours:
                rows.append(f"wait {_duration(t.wait_hours)}")
            if lost:
                rows.append(f"\u2716 context lost ({' '.join(lost)})")
            grid.add(
                "backstage",
                stage_index[target.stage],
                back,
                follows=tp_name(t.target),
                label=label(rows),
                id=back,
                class_="backstage handoff" + (" context-loss" if lost else ""),
                color=theme.risky if lost else theme.ink,
                penwidth=3 if lost else 1,
                style="rounded,filled,bold" if lost else "rounded,filled",
                fillcolor=theme.node_fill,
            )
            for tail, head in (
                (f"front-{svg_id(t.source)}", back),
                (back, f"front-{svg_id(t.target)}"),
            ):
                grid.connect(
                    tail,
                    head,
                    style="dashed",
                    color=colour,
                    class_="backstage-link",
                    id=f"link-{tail}--{head}",
                )
        grid.connect(tp_name(t.source), tp_name(t.target), **values)

    for system in journey.systems.values():
        user = first_use.get(system.id)
        if user is None:
            continue  # an organisation system this journey never touches: not in its blueprint
        owner = functions.get(system.owner) if system.owner else None
        rows = text_lines(system.name, theme.wrap, 2)
        rows.append(
            f"owner: {clip(owner.name if owner else system.owner, 30)}"
            if system.owner
            else "no owner"
        )
        if system.shadow:
            rows.append("SHADOW IT")
        name = f"sys-{svg_id(system.id)}"
        grid.add(
            "support",
            stage_index[journey.touchpoints[user].stage],
            name,
            follows=tp_name(user),
            label=label(rows),
            id=name,
            class_="system" + (" shadow" if system.shadow else ""),
            shape="box",
            style=theme.shadow_style if system.shadow else "filled",
            fillcolor=theme.shadow_fill if system.shadow else theme.node_fill,
            penwidth=2 if system.shadow else 1,
        )
    for tp in journey.touchpoints.values():
        for system_id in tp.systems:
            if system_id in journey.systems:
                grid.connect(
                    f"front-{svg_id(tp.id)}",
                    f"sys-{svg_id(system_id)}",
                    style="dotted",
                    arrowhead="none",
                    color=theme.muted,
                    class_="support",
                    id=f"uses-{svg_id(tp.id)}--{svg_id(system_id)}",
                )
    for integ in journey.integrations:
        drawn = [s in first_use and s in journey.systems for s in (integ.a, integ.b)]
        if all(drawn):
            grid.connect(
                f"sys-{svg_id(integ.a)}",
                f"sys-{svg_id(integ.b)}",
                style="dotted",
                dir="forward" if integ.one_way else "both",
                color=theme.muted,
                class_="integration",
                id=f"integration-{svg_id(integ.a)}--{svg_id(integ.b)}",
            )
    return grid.to_dot()


def _duration(hours: float) -> str:
    if hours >= 168 and hours % 168 == 0:
        return f"{hours / 168:g}w"
    if hours >= 24:
        return f"{hours / 24:g}d"
    if hours >= 1:
        return f"{hours:g}h"
    return f"{hours * 60:g}m"
