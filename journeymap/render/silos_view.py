"""The silo map: functions as nodes sized by the customer flow they own, handoffs aggregated
into weighted edges. One journey or a whole portfolio.

For one journey, weights are its flows (customers per period) and the map reads left to right. Journeys count customers on
different scales (per week, per quarter), so across several journeys each is weighed per
entering customer instead: a node by its touchpoint visits per customer, an edge by its
handoffs per customer, summed over the journeys; the functions stand in a circle (Graphviz's
circo layout), risky links marked by colour and line style, their rule codes left to the report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pydot

from journeymap.analysis.portfolio import JourneySummary, summarize
from journeymap.analysis.types import JourneyAnalysis
from journeymap.render import _labels as L
from journeymap.render._dot import attrs, dot_text, edge, label, node
from journeymap.render._labels import text_lines
from journeymap.render.escape import clip, dot_quote, svg_id
from journeymap.render.journey_view import risk_rules
from journeymap.render.themes import Theme

__all__ = ["build_silo_graph"]


@dataclass
class _Link:
    flow: float = 0.0
    count: int = 0
    numbers: list[int] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)


def build_silo_graph(
    analyses: Sequence[JourneyAnalysis | JourneySummary], theme: Theme
) -> str:
    """DOT for the silos view of one or more journeys (analyses or their summaries)."""
    summaries = [summarize(a) for a in analyses]
    names: dict[str, str] = {}
    leads: dict[str, str | None] = {}
    owned: dict[str, float] = {}
    single = len(summaries) == 1
    for summary in summaries:
        scale = 1.0 if single else 1.0 / (summary.metrics.total_volume or 1.0)
        for f in summary.lanes:
            names.setdefault(f.id, f.name)
            leads.setdefault(f.id, f.lead)
            owned.setdefault(f.id, 0.0)
        for tp_id, flow in summary.touchpoint_flow.items():
            function = summary.touchpoint_functions.get(tp_id)
            if function is not None:
                owned[function] = owned.get(function, 0.0) + flow * scale
    links: dict[tuple[str, str], _Link] = {}
    for analysis in summaries:
        for h in analysis.handoffs:
            link = links.setdefault((h.from_function, h.to_function), _Link())
            link.flow += h.flow if single else h.per_customer
            link.count += 1
            link.numbers.append(h.number)
            link.rules.update(risk_rules(h))
    total = sum(owned.values()) or 1.0
    biggest = max(owned.values(), default=0.0) or 1.0
    max_link = max((link.flow for link in links.values()), default=0.0) or 1.0

    if single:
        j = summaries[0]
        title = f"{clip(j.title or j.id)} \u2014 silo map"
        graph_id = f"silos-{svg_id(j.id)}"
    else:
        title = f"Silo map of {len(summaries)} journeys"
        graph_id = "silos"
    graph = pydot.Dot(dot_quote(graph_id), graph_type="digraph", strict=False)
    graph.set_graph_defaults(
        **attrs(
            {
                "id": graph_id,
                "rankdir": "LR",
                "nodesep": 0.6,
                "ranksep": 1.2,
                "bgcolor": theme.bg,
                "fontname": theme.bold,
                "fontsize": theme.font_size * 1.7,
                "fontcolor": theme.ink,
                "label": label(text_lines(title, 80, 2)),
                "labelloc": "t",
                "labeljust": "l",
                "pad": 0.3,
                "outputorder": "edgesfirst",
                # many journeys link most functions to most others: a left-to-right ranking
                # then spreads them over a very wide strip, a circle keeps the map square
                **({} if single else {"layout": "circo", "mindist": 0.6}),
            }
        )
    )
    graph.set_node_defaults(
        **attrs(
            {
                "fontname": theme.font,
                "fontsize": theme.font_size * 1.1,
                "fontcolor": theme.ink,
                "shape": "box",
                "style": "rounded,filled",
                "color": theme.ink,
            }
        )
    )
    graph.set_edge_defaults(
        **attrs({"fontname": theme.bold, "fontsize": theme.font_size * 0.9, "arrowsize": 0.9})
    )
    for i, (fid, fname) in enumerate(names.items()):
        share = owned.get(fid, 0.0) / total
        scale = math.sqrt(owned.get(fid, 0.0) / biggest)  # area follows flow
        rows = text_lines(fname, theme.wrap, 2)
        if leads.get(fid):
            rows.append(clip(leads[fid], 40))
        rows.append(f"{L.fmt_share(share)} of touchpoint flow")
        graph.add_node(
            node(
                f"fn-{svg_id(fid)}",
                label=label(rows),
                id=f"fn-{svg_id(fid)}",
                class_="function",
                width=1.4 + 2.2 * scale,
                height=0.7 + 1.2 * scale,
                fillcolor=theme.lane_fills[i % len(theme.lane_fills)],
                penwidth=1 + 2 * scale,
            )
        )
    low, high = theme.handoff_width
    for (a, b), link in links.items():
        risky = bool(link.rules)
        colour = theme.risky if risky else theme.handoff
        weight = f"flow {L.fmt_flow(link.flow)}" if single else f"{link.flow:.2f} per customer"
        rows = [f"{link.count} handoff{'s' if link.count != 1 else ''} \u00b7 {weight}"]
        if single:
            rows.append(" ".join(f"#{n}" for n in sorted(link.numbers)[:10]))
        if risky and single:  # across journeys the codes are in the report's tables
            codes = sorted(link.rules)
            rows.append("risk: " + " ".join(codes[:4]))
            if len(codes) > 4:
                rows.append(" ".join(codes[4:8]))
        graph.add_edge(
            edge(
                f"fn-{svg_id(a)}",
                f"fn-{svg_id(b)}",
                id=f"silo-{svg_id(a)}--{svg_id(b)}",
                class_="handoff silo" + (" risky" if risky else ""),
                label=label(rows),
                color=colour,
                fontcolor=colour,
                penwidth=low + (high - low) * min(link.flow / max_link, 1.0),
                style=theme.risky_style if risky else theme.handoff_style,
            )
        )
    return dot_text(graph)
