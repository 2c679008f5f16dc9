"""The DOT is built through pydot's public API only (issue 11): no ``obj_dict``, no private
names, so every pydot release setup.cfg allows writes it the same way."""

from __future__ import annotations

import re
from pathlib import Path

import pydot

PACKAGE = Path(__file__).resolve().parents[2] / "journeymap"


def test_no_module_reaches_into_pydot_internals() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text("utf-8")
        if "pydot" not in text:
            continue
        for match in re.finditer(r"obj_dict|pydot\._\w+|\._(?:attributes|nodes|edges)\b", text):
            offenders.append(f"{path.relative_to(PACKAGE)}: {match.group(0)}")
    assert offenders == []


def test_the_helpers_write_what_pydot_writes() -> None:
    from journeymap.render._dot import cluster, dot_text, edge, node

    graph = pydot.Dot('"g"', graph_type="digraph")
    sub = cluster("lane", {"label": "Lane", "id": "lane-a"})
    sub.add_node(node("a b", label="x\"y", class_="touchpoint", width=1.5))
    graph.add_subgraph(sub)
    graph.add_edge(edge("a b", "c", penwidth=2.0, constraint=False))
    text = dot_text(graph)
    assert text == graph.to_string()
    assert '"a b" [label="x\\"y", width=1.5, class="touchpoint"];' in text
    assert '"a b" -> "c" [penwidth=2, constraint=false];' in text
    assert "subgraph cluster_lane {" in text
