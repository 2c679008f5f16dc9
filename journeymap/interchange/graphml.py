"""GraphML export: the journey as a graph for network tools (Gephi, yEd, Cytoscape, networkx).

Written through networkx (:func:`networkx.generate_graphml`) from :func:`journeymap.to_networkx`
and the analysis: a node per touchpoint, an edge per transition, with the figures the analysis
computes (flows, handoff numbers, risk, rule codes). Text that XML cannot hold is replaced as in BPMN. GraphML attributes are scalars, so lists
(systems, asks, carried items, rule codes) are joined with ``"; "``; a value the journey does not
give is left out rather than written empty. See docs/interchange.md "GraphML".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from journeymap.analysis.types import JourneyAnalysis
from journeymap.interchange.bpmn import xml_safe
from journeymap.model import Journey

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["LIST_SEPARATOR", "export_graphml", "graphml_graph"]

LIST_SEPARATOR = "; "


def _joined(items: Iterable[str]) -> str:
    return LIST_SEPARATOR.join(items)


def _present(attrs: dict[str, object]) -> dict[str, object]:
    """The attributes with a value (GraphML has no null; an empty list is no value either),
    text made safe for XML (characters XML cannot hold become U+FFFD, as in BPMN)."""
    return {
        k: xml_safe(v) if isinstance(v, str) else v
        for k, v in attrs.items()
        if v is not None and v != ""
    }


def graphml_graph(journey: Journey, analysis: JourneyAnalysis | None = None) -> nx.DiGraph:
    """The graph :func:`export_graphml` writes: scalar attributes only, in file order."""
    import networkx as nx  # here, not at import: the CLI starts without networkx

    from journeymap.analysis.engine import analyze

    analysis = analysis or analyze(journey)
    stages = {s.id: s.name for s in journey.stages}
    functions = journey.functions
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    graph = nx.DiGraph(
        id=journey.id,
        title=xml_safe(journey.title),
        expected_handoffs_per_customer=analysis.metrics.expected_handoffs_per_customer,
        handoffs=analysis.metrics.handoffs,
    )
    for tp in journey.touchpoints.values():
        function = functions.get(tp.function)
        graph.add_node(
            tp.id,
            **_present(
                {
                    "name": tp.name,
                    "stage": tp.stage,
                    "stage_name": stages.get(tp.stage),
                    "function": tp.function,
                    "function_name": function.name if function else None,
                    "lead": function.lead if function else None,
                    "channel": tp.channel,
                    "systems": _joined(tp.systems),
                    "emotion": tp.emotion,
                    "entry": tp.entry,
                    "volume": tp.volume,
                    "asks": _joined(tp.asks),
                    "outcome": tp.outcome,
                    "flow": analysis.touchpoint_flow.get(tp.id),
                }
            ),
        )
    for transition in journey.transitions():
        handoff = handoffs.get(transition.key)
        graph.add_edge(
            transition.source,
            transition.target,
            **_present(
                {
                    "share": transition.share,
                    "wait_hours": transition.wait_hours,
                    "carries": _joined(transition.carries),
                    "owner": transition.owner,
                    "handoff": handoff is not None,
                    "handoff_number": handoff.number if handoff else None,
                    "risk": handoff.risk if handoff else None,
                    "per_customer": handoff.per_customer if handoff else None,
                    "rules": _joined(handoff.rules) if handoff else None,
                }
            ),
        )
    return graph


def export_graphml(journey: Journey) -> str:
    """The journey as GraphML text (UTF-8 XML), the same bytes for the same journey.

    Written by :func:`networkx.write_graphml`, then two spellings put right: a carriage return
    in a name becomes ``&#13;`` (XML parsers turn a raw one into a line feed, and the name would
    come back changed) and booleans are ``true``/``false`` as XML Schema spells them (networkx
    writes Python's ``True``)."""
    import networkx as nx

    buffer = io.BytesIO()
    nx.write_graphml(graphml_graph(journey), buffer, encoding="utf-8", prettyprint=True)
    text = buffer.getvalue().decode("utf-8").replace("\r", "&#13;")  # raw CRs: only in values
    booleans = "|".join(_BOOLEAN_KEY.findall(text))
    if booleans:
        text = re.sub(
            rf'(<data key="(?:{booleans})">)(True|False)(</data>)',
            lambda m: m.group(1) + m.group(2).lower() + m.group(3),
            text,
        )
    return text


_BOOLEAN_KEY = re.compile(r'<key id="(d\d+)" for="\w+" attr\.name="[^"]*" attr\.type="boolean"')
