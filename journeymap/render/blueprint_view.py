"""The blueprint view: a service blueprint on the stage x function grid of the journey view.

Rows, top to bottom (see docs/diagrams.md): *Physical evidence* (only when some touchpoint has
``evidence``), *Customer actions* (the touchpoints and the transitions between them), the line
of interaction, *Frontstage* (who the customer meets there, and how), the line of visibility,
*Backstage* (one box per handoff: who hands the customer to whom, what travels with them, who
owns it, the wait), the line of internal interaction, *Support systems* (per stage, the systems
its touchpoints use, with their owner).

Related boxes share a column instead of being linked: a touchpoint's evidence and frontstage
box sit in its column, a handoff's backstage box in the column of the touchpoint it hands the
customer to (its number is the marker on that transition), a system under its first use in each
stage. The only edges are the customer's transitions, so the backstage stays readable when
projected. Fail points (a handoff that loses the customer's context) and the touchpoints that
ask again say so in words; rule codes only appear in hover text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from journeymap.analysis.types import Handoff, JourneyAnalysis
from journeymap.catalog import RULES, is_asked_again
from journeymap.model import Journey, Transition
from journeymap.render import _labels as L
from journeymap.render._grid import Band, Grid, KeyItem, metrics_for
from journeymap.render._text import text_width
from journeymap.render.escape import clip, svg_id
from journeymap.render.journey_view import (
    format_hours,
    handoff_width,
    risk_rules,
    stage_list,
    subtitle_lines,
    tp_name,
)
from journeymap.render.themes import Theme

__all__ = [
    "CONTEXT_LOSS_RULES",
    "asked_again",
    "build_blueprint_graph",
    "fail_points",
    "wait_before",
]

#: Rules that mean the customer's context did not make it across a handoff (the catalogue's
#: ``context_loss`` rules): a handoff hit by one is a fail point of the blueprint.
CONTEXT_LOSS_RULES = frozenset(code for code, rule in RULES.items() if rule.context_loss)

WAIT = "\u25f7"  # ◷ (a clock face most fonts have; ⏱ is missing from many)
FAIL = "\u2716 context lost"  # ✖
ASKED = "\u26a0 asked again"  # ⚠
ARROW = "\u2192"
DOT = " \u00b7 "


def asked_again(analysis: JourneyAnalysis) -> dict[str, list[str]]:
    """Touchpoints that ask the customer again (the last touchpoint of each asked-again finding,
    see :class:`journeymap.catalog.Rule`), each with the findings' messages, in file order."""
    found: dict[str, list[str]] = {}
    for f in analysis.findings:
        if is_asked_again(f.rule) and f.touchpoints:
            found.setdefault(f.touchpoints[-1], []).append(f"{f.rule}: {f.message}")
    order = list(analysis.journey.touchpoints)
    return {tp: found[tp] for tp in sorted(found, key=order.index) if tp in order}


def fail_points(analysis: JourneyAnalysis) -> dict[tuple[str, str], tuple[str, ...]]:
    """Handoffs that lose the customer's context, each with the context-loss rule codes that
    hit it (the catalogue's ``context_loss`` rules among its risk factors)."""
    out = {}
    for h in analysis.handoffs:
        codes = tuple(sorted(CONTEXT_LOSS_RULES & set(risk_rules(h))))
        if codes:
            out[(h.source, h.target)] = codes
    return out


def wait_before(hours: Sequence[float]) -> tuple[str, ...]:
    """The wait before a touchpoint, from the waits of the transitions into it, longest text
    first: ``◷ 2 d``; ``◷ 4 h–2 d`` and ``◷ ≤2 d`` when they differ (none when none waits)."""
    if not hours:
        return ()
    low, high = format_hours(min(hours)), format_hours(max(hours))
    if low == high:
        return (f"{WAIT} {high}",)
    return (f"{WAIT} {low}\u2013{high}", f"{WAIT} \u2264{high}")


def _fit_parts(parts: Sequence[str | tuple[str, ...]], width: float, size: float) -> str:
    """As many of ``parts`` (most important first) as fit on one line of ``width`` points. A
    part given as a tuple is its variants, longest first: the longest that fits is taken, and
    the parts before it fall back to their shortest variants when that makes room for it (a
    plain text part is only added when it fits as it is)."""
    kept: list[tuple[tuple[str, ...], int]] = []

    def text(items: Sequence[tuple[tuple[str, ...], int]]) -> str:
        return DOT.join(variants[i] for variants, i in items)

    for part in parts:
        variants = tuple(v for v in ((part,) if isinstance(part, str) else part) if v)
        if not variants:
            continue
        for shorten in (False, True) if not isinstance(part, str) else (False,):
            before = [(v, len(v) - 1) for v, _ in kept] if shorten else kept
            fit = next(
                (
                    i
                    for i in range(len(variants))
                    if text_width(text([*before, (variants, i)]), size) <= width
                ),
                None,
            )
            if fit is not None:
                kept = [*before, (variants, fit)]
                break
        else:
            if not kept:
                kept.append((variants, len(variants) - 1))  # always shows (fit_lines ends "…")
    return text(kept)


def _blueprint_theme(theme: Theme) -> Theme:
    """The theme with wider boxes (a blueprint's meta lines say more) and wider gaps between
    columns (each transition has room for its handoff number and its wait)."""
    return replace(theme, node_em=theme.node_em * 1.05, gap_em=theme.gap_em * 1.2)


def build_blueprint_graph(analysis: JourneyAnalysis, theme: Theme) -> Grid:
    """The blueprint view's grid (lay it out with :meth:`Grid.layout_dot`, draw with
    :meth:`Grid.drawing_dot`)."""
    theme = _blueprint_theme(theme)
    m = metrics_for(theme)
    inner = m.node_w - 2 * m.pad_x
    journey = analysis.journey
    stages = stage_list(journey)
    stage_index = {s: i for i, s in enumerate(stages)}
    stage_names = {s.id: s.name for s in journey.stages}
    functions = {f.id: f for f in journey.lanes()}
    names = {f.id: f.name for f in functions.values()}
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    max_risk = max((h.risk for h in analysis.handoffs), default=0.0)
    asks = asked_again(analysis)
    fails = fail_points(analysis)
    has_evidence = any(tp.evidence for tp in journey.touchpoints.values())

    rows: list[tuple[str, str, str]] = []
    if has_evidence:
        rows.append(("evidence", "Physical evidence", "lane"))
    rows += [
        ("customer", "Customer actions", "lane"),
        ("interaction", "line of interaction", "line"),
        ("frontstage", "Frontstage", "lane"),
        ("visibility", "line of visibility", "line"),
        ("backstage", "Backstage: handoffs", "lane"),
        ("internal", "line of internal interaction", "line"),
        ("support", "Support systems", "lane"),
    ]
    bands = []
    lane_no = 0
    for key, title, kind in rows:
        bands.append(
            Band(
                key=key,
                title=title,
                css_id=f"row-{key}",
                label_id=f"row-label-{key}",
                fill=theme.lane_fills[lane_no % len(theme.lane_fills)],
                kind=kind,
                css_class="lane row" if kind == "lane" else "line",
            )
        )
        lane_no += kind == "lane"
    grid = Grid(
        f"blueprint-{journey.id}",
        theme,
        [(svg_id(s), clip(stage_names.get(s, s))) for s in stages],
        bands,
        f"blueprint-{svg_id(journey.id)}",
        f"{clip(journey.title or journey.id)} \u2014 service blueprint",
        subtitle_lines(analysis),
        keep_order=True,
    )

    entries = {tp.id for tp in journey.entries()}
    waits_into: dict[str, list[float]] = {}
    for t in journey.transitions():
        if t.wait_hours:
            waits_into.setdefault(t.target, []).append(t.wait_hours)
    for tp in journey.touchpoints.values():
        name = tp_name(tp.id)
        column = stage_index[tp.stage]
        parts: list[str | tuple[str, ...]] = []
        if tp.id in asks:
            parts.append(ASKED)
        if tp.emotion is not None:
            level = min(max(int(tp.emotion), 1), 5)
            parts.append((L.FILLED * level + L.EMPTY * (5 - level), f"{level}/5"))
        if tp.id in entries:
            parts.append("\u25b6 start")
        if tp.outcome:
            parts.append(f"\u25a0 {clip(tp.outcome, 30)}")
        tooltip = [clip(tp.name)]
        if tp.emotion is not None:
            tooltip.append(f"emotion {L.emotion_glyphs(tp.emotion)}")
        tooltip += [f"asked again \u2014 {clip(msg, 200)}" for msg in asks.get(tp.id, ())]
        grid.add(
            "customer",
            column,
            name,
            title=clip(tp.name),
            meta=_fit_parts(parts, inner, m.meta_size),
            id=f"tp-{svg_id(tp.id)}",
            class_="touchpoint customer-action" + (" asked-again" if tp.id in asks else ""),
            tooltip=DOT.join(tooltip),
            attributes=L.emotion_style(tp.emotion, theme),
        )
        if tp.evidence:
            grid.add(
                "evidence",
                column,
                f"ev-{svg_id(tp.id)}",
                title=", ".join(clip(e, 60) for e in tp.evidence),
                bold=False,
                follows=name,
                id=f"evidence-{svg_id(tp.id)}",
                class_="evidence",
                tooltip=f"Physical evidence at \u201c{clip(tp.name, 60)}\u201d: "
                + "; ".join(clip(e, 100) for e in tp.evidence),
                shape="note",
                style="filled",
                fillcolor=theme.node_fill,
                color=theme.muted,
            )
        function = functions.get(tp.function)
        lead = function.lead if function else None
        grid.add(
            "frontstage",
            column,
            f"front-{svg_id(tp.id)}",
            title=clip(function.name if function else tp.function),
            meta=_fit_parts(
                [
                    (f"via {clip(tp.channel, 30)}", clip(tp.channel, 30)) if tp.channel else "",
                    wait_before(waits_into.get(tp.id, ())),
                    clip(lead or "", 30),
                ],
                inner,
                m.meta_size,
            ),
            follows=name,
            id=f"front-{svg_id(tp.id)}",
            class_="frontstage",
            tooltip=f"{clip(tp.name, 60)}: the customer meets "
            f"{clip(function.name if function else tp.function)}"
            + (f" via {clip(tp.channel, 30)}" if tp.channel else "")
            + (
                f" after a wait of {wait_before(waits_into[tp.id])[0][2:]}"
                if tp.id in waits_into
                else ""
            ),
            fillcolor=theme.node_fill,
            color=theme.lane_border,
            penwidth=1.2,
        )

    seen: dict[tuple[str, str], int] = {}
    for t in journey.transitions():
        n = seen[t.key] = seen.get(t.key, 0) + 1
        _transition(grid, analysis, theme, t, n, handoffs.get(t.key), max_risk, names)
    order = {tp: i for i, tp in enumerate(journey.touchpoints)}
    for h in sorted(analysis.handoffs, key=lambda h: (order[h.target], order[h.source], h.number)):
        _backstage(grid, journey, theme, h, stage_index, names, fails, inner, m.meta_size)
    _support(grid, journey, theme, stage_index, names, inner, m.meta_size)
    _key(grid, theme, analysis, has_evidence, bool(asks), bool(fails))
    return grid


def _transition(
    grid: Grid,
    analysis: JourneyAnalysis,
    theme: Theme,
    t: Transition,
    n: int,
    handoff: Handoff | None,
    max_risk: float,
    names: dict[str, str],
) -> None:
    """One customer transition: its number when it is a handoff and its wait (the share of
    customers, where the path splits, is in the hover text: the journey view draws it)."""
    journey = analysis.journey
    source = journey.touchpoints[t.source]
    split = len(source.next) > 1
    share = t.share if t.share is not None else 1.0 / len(source.next)
    share_text = L.fmt_share(share) if split else None
    wait = f"{WAIT} {format_hours(t.wait_hours)}" if t.wait_hours else None
    edge_id = f"edge-{svg_id(t.source)}--{svg_id(t.target)}" + (f"-{n}" if n > 1 else "")
    words = [
        f"{clip(source.name, 40)} {ARROW} {clip(journey.touchpoints[t.target].name, 40)}",
    ]
    if share_text:
        words.append(f"{share_text} of customers")
    if wait:
        words.append(f"wait {format_hours(t.wait_hours or 0)}")
    values: dict[str, Any] = {"id": edge_id}  # edge attributes, passed through
    if handoff is not None:
        rules = risk_rules(handoff)
        colour = theme.risky if rules else theme.handoff
        words.insert(
            0,
            f"Handoff {handoff.number}: {names.get(handoff.from_function, handoff.from_function)}"
            f" {ARROW} {names.get(handoff.to_function, handoff.to_function)}",
        )
        classes = ["transition", "handoff", f"h-{handoff.number}"] + (["risky"] if rules else [])
        values.update(
            class_=" ".join(classes),
            color=colour,
            penwidth=handoff_width(handoff.risk, max_risk, theme) * 0.6,
            style=theme.risky_style if rules else theme.handoff_style,
        )
        marker: str | None = str(handoff.number)
        marker_fill: str | None = colour
    else:
        values.update(class_="transition", color=theme.muted)
        marker = marker_fill = None
    values["tooltip"] = DOT.join(words)
    grid.connect(
        tp_name(t.source),
        tp_name(t.target),
        marker=marker,
        marker_fill=marker_fill,
        note=wait,
        note_class="wait",
        note_fill=theme.bg,
        **values,
    )


def _backstage(
    grid: Grid,
    journey: Journey,
    theme: Theme,
    h: Handoff,
    stage_index: dict[str, int],
    names: dict[str, str],
    fails: dict[tuple[str, str], tuple[str, ...]],
    inner: float,
    size: float,
) -> None:
    """A handoff's backstage box, in the column of the touchpoint it hands the customer to."""
    target = journey.touchpoints[h.target]
    transition = next((t for t in journey.touchpoints[h.source].next if t.target == h.target), None)
    carries = transition.carries if transition else ()
    owner_id = transition.owner if transition else h.owner
    wait_hours = transition.wait_hours if transition else h.wait_hours
    lost = fails.get((h.source, h.target), ())
    owner = names.get(owner_id, owner_id) if owner_id else None
    a = names.get(h.from_function, h.from_function)
    b = names.get(h.to_function, h.to_function)
    parts: list[str | tuple[str, ...]] = [
        str(h.number),
        FAIL if lost else "",
        f"{WAIT} {format_hours(wait_hours)}" if wait_hours else "",
        f"owner {clip(owner, 30)}" if owner else "no owner",
        ("carries " + ", ".join(clip(c, 30) for c in carries)) if carries else "",
    ]
    tooltip = [f"Handoff {h.number}: {a} {ARROW} {b}"]
    tooltip.append(f"owner: {owner}" if owner else "no owner")
    tooltip.append("carries: " + (", ".join(carries) if carries else "nothing"))
    if wait_hours:
        tooltip.append(f"wait {format_hours(wait_hours)}")
    for code in risk_rules(h):
        tooltip.append(f"{RULES[code].title} ({code})" if code in RULES else code)
    rules = risk_rules(h)
    colour = theme.risky if rules else theme.handoff
    grid.add(
        "backstage",
        stage_index[target.stage],
        f"back-{h.number}",
        title=f"{clip(a, 40)} {ARROW} {clip(b, 40)}",
        meta=_fit_parts(parts, inner, size),
        follows=tp_name(h.target),
        id=f"back-{h.number}",
        class_="backstage handoff" + (" fail" if lost else ""),
        tooltip=DOT.join(tooltip),
        fillcolor=theme.node_fill,
        color=colour,
        penwidth=3.0 if lost else 1.5,
        style="rounded,filled,bold" if lost else "rounded,filled",
    )


def _support(
    grid: Grid,
    journey: Journey,
    theme: Theme,
    stage_index: dict[str, int],
    names: dict[str, str],
    inner: float,
    size: float,
) -> None:
    """Each stage's systems, each under its first use in the stage."""
    placed: set[tuple[str, str]] = set()
    for tp in journey.touchpoints.values():
        for system_id in tp.systems:
            if (tp.stage, system_id) in placed:
                continue
            placed.add((tp.stage, system_id))
            system = journey.systems.get(system_id)
            if system is None:
                continue
            owner = names.get(system.owner, system.owner) if system.owner else None
            users = [
                t.name
                for t in journey.touchpoints.values()
                if t.stage == tp.stage and system_id in t.systems
            ]
            parts: list[str | tuple[str, ...]] = [
                "shadow IT" if system.shadow else "",
                (f"owner {clip(owner, 30)}", clip(owner, 30)) if owner else "no owner",
            ]
            grid.add(
                "support",
                stage_index[tp.stage],
                f"sys-{svg_id(tp.stage)}-{svg_id(system_id)}",
                title=clip(system.name),
                meta=_fit_parts(parts, inner, size),
                bold=False,
                follows=tp_name(tp.id),
                id=f"sys-{svg_id(tp.stage)}-{svg_id(system_id)}",
                class_="system" + (" shadow" if system.shadow else ""),
                tooltip=f"{clip(system.name)}"
                + (" (shadow IT)" if system.shadow else "")
                + (f" \u00b7 owner {owner}" if owner else " \u00b7 no owner")
                + " \u00b7 used by: "
                + "; ".join(clip(u, 40) for u in users),
                shape="box",
                style=theme.shadow_style if system.shadow else "rounded,filled",
                fillcolor=theme.shadow_fill if system.shadow else theme.node_fill,
                color=theme.risky if system.shadow else theme.lane_border,
                penwidth=2 if system.shadow else 1,
            )


def _key(
    grid: Grid,
    theme: Theme,
    analysis: JourneyAnalysis,
    evidence: bool,
    asks: bool,
    fails: bool,
) -> None:
    """What the marks of the blueprint mean."""
    if analysis.handoffs:
        grid.key(
            KeyItem(
                "handoff: its number is its box in the backstage row (1 = riskiest)",
                edge={"color": theme.handoff, "penwidth": 2.0, "style": theme.handoff_style},
                marker="3",
                marker_fill=theme.handoff,
            )
        )
    if any(risk_rules(h) for h in analysis.handoffs):
        grid.key(
            KeyItem(
                "risky handoff (hover for why)",
                edge={"color": theme.risky, "penwidth": 2.5, "style": theme.risky_style},
                marker="1",
                marker_fill=theme.risky,
            )
        )
    if any(t.wait_hours for t in analysis.journey.transitions()):
        grid.key(
            KeyItem(
                "wait before the next step",
                box={"style": "rounded,filled", "fillcolor": theme.bg, "color": theme.bg},
                box_text=f"{WAIT} 2 d",
            )
        )
    if fails:
        grid.key(
            KeyItem(
                "fail point: the customer's story does not reach the next function",
                box={
                    "style": "rounded,filled,bold",
                    "fillcolor": theme.node_fill,
                    "color": theme.risky,
                    "penwidth": 3,
                },
                box_text=FAIL,
            )
        )
    if asks:
        grid.key(
            KeyItem(
                "the customer is asked again for something already given",
                box={"style": "rounded,filled", "fillcolor": theme.node_fill, "color": theme.ink},
                box_text=ASKED,
            )
        )
    if any(s.shadow for s in analysis.journey.systems.values()):
        grid.key(
            KeyItem(
                "system bought outside IT governance",
                box={
                    "style": theme.shadow_style,
                    "fillcolor": theme.shadow_fill,
                    "color": theme.risky,
                    "penwidth": 2,
                },
                box_text="shadow IT",
            )
        )
    if evidence:
        grid.key(
            KeyItem(
                "what the customer sees or keeps",
                box={
                    "shape": "note",
                    "style": "filled",
                    "fillcolor": theme.node_fill,
                    "color": theme.muted,
                },
                box_text="claim form",
            )
        )
