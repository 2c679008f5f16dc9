"""The silo map: functions as boxes sized by the customer flow they own, and one line per pair of
functions carrying all the handoffs between them, both ways. One journey or a portfolio.

Weights are the engine's, never recomputed. For one journey they are its flows (customers per
period). Journeys count customers on different scales (per week, per quarter), so across
several journeys each is weighed per entering customer instead: a box by its touchpoint visits
per customer, a line by its handoffs per customer (``Handoff.per_customer``), summed over the
journeys.

What is drawn how (docs/diagrams.md, "silos"): a pair weighing less than :data:`MINOR_SHARE` of
the strongest pair is not drawn, unless it is the strongest link of one of its two functions
(so no box stands alone), and is counted in both boxes ("+2 minor links"). Of the drawn pairs
the :data:`LABELLED` strongest are wide (width by weight) and solid, and carry a *tag*, a small
box on the line itself with the figure, "both ways" and "risky" where that applies; the rest
are thin, grey and dashed, their figures in the hover text. Arrowheads point the way customers
are handed, at both ends when the handoffs run both ways. Rule codes only ever appear in hover
text. A key inside the diagram says all of this.

A tag is a node of its own between the two functions, so dot keeps every other line and box off
it and a reader cannot take it for a neighbouring line's label (ordinary edge labels sat up to
40 pt from their edge, nearer to another); its line is the two edges ``silo-<a>--<b>`` (from
the first function to the tag) and ``silohead-<a>--<b>`` (on to the second). Every box is
``fixedsize`` with the size taken from :func:`journeymap.render._text.text_width`, because the
embedded Graphviz measures bold text as Times. The functions are laid out by ``dot`` left to
right, each line pointing from the function the journeys mention first to the later one, so a
portfolio map reads roughly in the order customers meet the functions.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field

import pydot

from journeymap.analysis.portfolio import JourneySummary, summarize
from journeymap.analysis.types import JourneyAnalysis
from journeymap.render import _labels as L
from journeymap.render._dot import attrs, dot_text, edge, label, node
from journeymap.render._text import LINE_SPACING, fit_lines, text_width
from journeymap.render.escape import clip, dot_quote, svg_id
from journeymap.render.journey_view import risk_rules
from journeymap.render.themes import Theme

__all__ = ["LABELLED", "MINOR_SHARE", "build_silo_graph"]

#: How many of the strongest drawn pairs are wide and carry a tag with their figure.
LABELLED = 8
#: A pair under this share of the strongest pair is minor: counted in its boxes, not drawn
#: (unless it is the strongest link of one of its functions).
MINOR_SHARE = 0.1

_PAD = 0.6  # padding around a function box's text, in font sizes
_TAG_PAD = 0.4  # around a tag's text
_NAME_EM = 12  # width of a function name line, in font sizes
_BOX_EM = (16, 8)  # width and height of the biggest function's box, in font sizes
_KEY_EM = 27  # width of the key's lines


@dataclass
class _Pair:
    """All handoffs between two functions; ``a`` is mentioned before ``b``."""

    a: str
    b: str
    forward: float = 0.0  # a -> b
    back: float = 0.0  # b -> a
    count_forward: int = 0
    count_back: int = 0
    numbers: list[int] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)

    @property
    def weight(self) -> float:
        return self.forward + self.back

    @property
    def direction(self) -> str:
        """DOT ``dir`` of an a -> b edge: where its arrowheads go."""
        if self.count_forward and self.count_back:
            return "both"
        return "forward" if self.count_forward else "back"


@dataclass
class _Functions:
    names: dict[str, str] = field(default_factory=dict)  # in order of first mention
    leads: dict[str, str | None] = field(default_factory=dict)
    owned: dict[str, float] = field(default_factory=dict)  # touchpoint flow (per customer)


def _box(
    rows: list[str],
    size: float,
    bold: bool = False,
    pad: float = _PAD,
    least: tuple[float, float] = (0, 0),
) -> tuple[float, float]:
    """Width and height (inches) of a box holding ``rows``, at least ``least`` (points)."""
    width = max(text_width(row, size, bold) for row in rows) + 2 * pad * size
    height = len(rows) * LINE_SPACING * size + 2 * pad * size
    return round(max(width, least[0]) / 72 + 0.005, 2), round(max(height, least[1]) / 72 + 0.005, 2)


def _collect(summaries: list[JourneySummary]) -> tuple[_Functions, dict[tuple[str, str], _Pair]]:
    """The functions in order of first mention with the flow they own, and the pairs."""
    single = len(summaries) == 1
    fns = _Functions()
    for summary in summaries:
        scale = 1.0 if single else 1.0 / (summary.metrics.total_volume or 1.0)
        for f in summary.lanes:
            fns.names.setdefault(f.id, f.name)
            fns.leads.setdefault(f.id, f.lead)
        for tp_id, flow in summary.touchpoint_flow.items():
            function = summary.touchpoint_functions.get(tp_id)
            if function is not None:
                fns.names.setdefault(function, function)
                fns.owned[function] = fns.owned.get(function, 0.0) + flow * scale
    if not single:  # a portfolio names each function as its organisation file does
        renamed: set[str] = set()
        for summary in summaries:
            own = os.path.abspath(summary.path)
            for f in summary.lanes:
                declared = f.location.path
                if declared and os.path.abspath(declared) != own and f.id not in renamed:
                    renamed.add(f.id)
                    fns.names[f.id] = f.name
                    fns.leads[f.id] = f.lead
    order = {fid: i for i, fid in enumerate(fns.names)}
    pairs: dict[tuple[str, str], _Pair] = {}
    for summary in summaries:
        for h in summary.handoffs:
            src, dst = h.from_function, h.to_function
            for fid in (src, dst):
                fns.names.setdefault(fid, fid)
                order.setdefault(fid, len(order))
            a, b = (src, dst) if order[src] <= order[dst] else (dst, src)
            pair = pairs.setdefault((a, b), _Pair(a, b))
            weight = h.flow if single else h.per_customer
            if (src, dst) == (a, b):
                pair.forward += weight
                pair.count_forward += 1
            else:
                pair.back += weight
                pair.count_back += 1
            pair.numbers.append(h.number)
            pair.rules.update(risk_rules(h))
    return fns, pairs


def _tiers(
    pairs: dict[tuple[str, str], _Pair], order: dict[str, int]
) -> tuple[list[_Pair], set[tuple[str, str]], list[_Pair]]:
    """The drawn pairs strongest first, the labelled ones among them, and the minor ones."""
    strongest = max((p.weight for p in pairs.values()), default=0.0)
    ranked = sorted(pairs.values(), key=lambda p: (-p.weight, order[p.a], order[p.b]))
    drawn: list[_Pair] = []
    minor: list[_Pair] = []
    seen: set[str] = set()
    for p in ranked:  # the first pair a function is in is its strongest
        strong_enough = p.weight >= MINOR_SHARE * strongest
        (drawn if strong_enough or p.a not in seen or p.b not in seen else minor).append(p)
        seen.update((p.a, p.b))
    return drawn, {(p.a, p.b) for p in drawn[:LABELLED]}, minor


def build_silo_graph(analyses: Sequence[JourneyAnalysis | JourneySummary], theme: Theme) -> str:
    """DOT for the silos view of one or more journeys (analyses or their summaries)."""
    summaries = [summarize(a) for a in analyses]
    single = len(summaries) == 1
    fns, pairs = _collect(summaries)
    order = {fid: i for i, fid in enumerate(fns.names)}
    drawn, labelled, minor = _tiers(pairs, order)
    minor_of: dict[str, list[_Pair]] = {}
    for p in minor:
        minor_of.setdefault(p.a, []).append(p)
        minor_of.setdefault(p.b, []).append(p)
    linked = {f for p in pairs.values() for f in (p.a, p.b)}
    shown = [f for f in fns.names if fns.owned.get(f, 0.0) > 0 or f in linked]
    # a portfolio's functions with no customer contact are news; one journey's are not
    hidden = [] if single else [fns.names[f] for f in fns.names if f not in shown]

    fs = theme.font_size
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
                "newrank": True,
                "nodesep": round(fs * 0.9 / 72, 2),
                "ranksep": round(fs * 1.4 / 72, 2),
                "bgcolor": theme.bg,
                # regular: the embedded Graphviz measures bold as Times, and would end the
                # canvas inside a long bold title
                "fontname": theme.font,
                "fontsize": fs * 1.6,
                "fontcolor": theme.ink,
                "label": label(fit_lines(title, fs * 70, fs * 1.6)),
                "labelloc": "t",
                "labeljust": "l",
                "pad": 0.3,
                "outputorder": "edgesfirst",
            }
        )
    )
    graph.set_node_defaults(
        **attrs(
            {
                "fontname": theme.font,
                "fontsize": fs,
                "fontcolor": theme.ink,
                "shape": "box",
                "style": "rounded,filled",
                "color": theme.ink,
                "fixedsize": True,
            }
        )
    )
    graph.set_edge_defaults(**attrs({"arrowsize": 0.9}))

    total = sum(fns.owned.values()) or 1.0
    biggest = max(fns.owned.values(), default=0.0) or 1.0
    for i, fid in enumerate(shown):
        share = fns.owned.get(fid, 0.0) / total
        rows = fit_lines(clip(fns.names[fid]), fs * _NAME_EM, fs)
        lead = fns.leads.get(fid)
        if lead:
            rows += fit_lines(clip(lead), fs * _NAME_EM, fs, max_lines=1)
        rows.append(f"{L.fmt_share(share)} of touchpoint flow")
        mine = minor_of.get(fid, [])
        if mine:
            rows.append(f"+{len(mine)} minor link{'s' if len(mine) != 1 else ''}")
        area = math.sqrt(fns.owned.get(fid, 0.0) / biggest)  # the area follows the flow
        width, height = _box(rows, fs, least=(fs * _BOX_EM[0] * area, fs * _BOX_EM[1] * area))
        tip = f"{fns.names[fid]}: {L.fmt_share(share)} of touchpoint flow"
        if mine:
            others = [fns.names[p.b if p.a == fid else p.a] for p in mine]
            tip += "; minor links, not drawn: " + ", ".join(others)
        graph.add_node(
            node(
                f"fn-{svg_id(fid)}",
                label=label(rows),
                id=f"fn-{svg_id(fid)}",
                class_="function",
                width=width,
                height=height,
                fillcolor=theme.lane_fills[i % len(theme.lane_fills)],
                penwidth=1 + 2 * area,
                tooltip=clip(tip, 400),
            )
        )

    strongest = drawn[0].weight if drawn and drawn[0].weight > 0 else 1.0
    low, high = theme.handoff_width
    for p in drawn:
        _add_pair(
            graph, p, (p.a, p.b) in labelled, p.weight / strongest, fns, theme, single, (low, high)
        )

    _add_key(graph, theme, single, min(LABELLED, len(drawn)), len(minor), hidden)
    return dot_text(graph)


def _tag_rows(p: _Pair, single: bool) -> list[str]:
    """The text of a labelled pair's tag: figure, 'both ways', 'risky', handoff numbers."""
    rows = [f"flow {L.fmt_flow(p.weight)}" if single else f"{p.weight:.2f} per customer"]
    notes = (["both ways"] if p.direction == "both" else []) + (["risky"] if p.rules else [])
    if notes:
        rows.append(" \u00b7 ".join(notes))
    if single:  # the handoff numbers of the findings; all of them in the hover text
        numbers = sorted(p.numbers)
        more = f" +{len(numbers) - 4}" if len(numbers) > 4 else ""
        rows.append(" ".join(f"#{n}" for n in numbers[:4]) + more)
    return rows


def _add_pair(
    graph: pydot.Dot,
    p: _Pair,
    strong: bool,
    relative: float,
    fns: _Functions,
    theme: Theme,
    single: bool,
    widths: tuple[float, float],
) -> None:
    risky = bool(p.rules)
    colour = (theme.risky if risky else theme.handoff) if strong else theme.muted
    tail, head = f"fn-{svg_id(p.a)}", f"fn-{svg_id(p.b)}"
    pair_id = f"{svg_id(p.a)}--{svg_id(p.b)}"
    looks = {
        "class_": "handoff silo " + ("strong" if strong else "weak") + (" risky" if risky else ""),
        "color": colour,
        "penwidth": widths[0] + (widths[1] - widths[0]) * min(relative, 1.0)
        if strong
        else theme.edge_width,
        "style": "solid" if strong else "dashed",
        "weight": max(1, round(10 * relative)),  # strong lines short and straight
        "tooltip": clip(_pair_tip(p, fns, single), 1000),
    }
    if not strong:
        graph.add_edge(edge(tail, head, id=f"silo-{pair_id}", dir=p.direction, **looks))
        return
    rows = _tag_rows(p, single)
    width, height = _box(rows, theme.font_size, bold=True, pad=_TAG_PAD)
    tag = f"silotag-{pair_id}"
    graph.add_node(
        node(
            tag,
            label=label(rows),
            id=tag,
            class_="tag" + (" risky" if risky else ""),
            style="filled",
            fillcolor=theme.bg,
            color=colour,
            fontcolor=colour,
            fontname=theme.bold,
            width=width,
            height=height,
            penwidth=1,
            tooltip=looks["tooltip"],
        )
    )
    into = "back" if p.count_back else "none"
    out = "forward" if p.count_forward else "none"
    graph.add_edge(edge(tail, tag, id=f"silo-{pair_id}", dir=into, **looks))
    graph.add_edge(edge(tag, head, id=f"silohead-{pair_id}", dir=out, **looks))


def _pair_tip(p: _Pair, fns: _Functions, single: bool) -> str:
    """Hover text: each direction's handoffs and weight, and the rule codes."""
    unit = "customers per period" if single else "per entering customer"
    parts = []
    for count, weight, src, dst in (
        (p.count_forward, p.forward, p.a, p.b),
        (p.count_back, p.back, p.b, p.a),
    ):
        if count:
            plural = "s" if count != 1 else ""
            parts.append(
                f"{fns.names[src]} \u2192 {fns.names[dst]}: {count} handoff{plural}, "
                f"{L.fmt_flow(weight) if single else f'{weight:.2f}'} {unit}"
            )
    if single:
        parts.append("handoffs " + " ".join(f"#{n}" for n in sorted(p.numbers)))
    if p.rules:
        parts.append("risk factors " + " ".join(sorted(p.rules)))
    return "; ".join(parts)


def _add_key(
    graph: pydot.Dot, theme: Theme, single: bool, labelled: int, minor: int, hidden: list[str]
) -> None:
    """The key: what box size, line width, style, colour, tags and counts mean."""
    fs = theme.font_size
    if single:
        figure = "the journey's flow (customers per period) and the handoff numbers"
    else:
        figure = "handoffs per entering customer, summed over the journeys"
    paragraphs = [
        "Box: a function; its area follows the touchpoint flow it owns (at least room for its "
        "text).",
        "Line: all handoffs between two functions; arrowheads point the way customers go (two "
        "heads: both ways).",
        f"Wide solid line with a tag: the {labelled} strongest links; the tag gives {figure}, "
        "and the width follows it.",
        "'risky' on a tag, in the risk colour: a risk factor hits one of its handoffs (rule "
        "codes in the hover text and the report).",
        "Thin grey dashed line: a weaker link (figures in the hover text).",
    ]
    if minor:
        paragraphs.append(
            f"+n minor links: links under {MINOR_SHARE:.0%} of the strongest, not drawn "
            f"({minor} in all; each function keeps its strongest link)."
        )
    if hidden:
        paragraphs.append("Not shown (no touchpoint, no handoff): " + ", ".join(hidden) + ".")
    rows = ["Key"]
    for text in paragraphs:
        rows += fit_lines(clip(text, 400), fs * _KEY_EM, fs, max_lines=4)
    width, height = _box(rows, fs)
    # left-justified lines start where Graphviz thinks the widest one must, centred in the box;
    # the system dot measures Helvetica up to 13% wider than a browser draws it
    width = round(width * 1.15, 2)
    graph.add_node(
        node(
            "silo-key",
            label=label(rows, justify="l"),
            id="silo-key",
            class_="key",
            style="filled",
            fillcolor=theme.bg,
            color=theme.muted,
            width=width,
            height=height,
        )
    )
