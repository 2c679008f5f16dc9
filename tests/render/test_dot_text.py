"""Our DOT writer gives exactly pydot's ``to_string`` text, on every view and theme of the
examples, hostile names, and a hand-made graph of values pydot must quote itself."""

from __future__ import annotations

from typing import Any

import pydot
import pytest

from journeymap.render import _grid, build_dot, silos_view
from journeymap.render._dot import dot_text
from journeymap.render.themes import THEMES
from tests.render import factory as F
from tests.render.conftest import HOSTILE, analyse_file, example_analyses


def test_every_view_and_theme_matches_pydot(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = []

    def checked(graph: Any) -> str:
        ours = dot_text(graph)
        assert ours == graph.to_string()
        compared.append(len(ours))
        return ours

    monkeypatch.setattr(_grid, "dot_text", checked)
    monkeypatch.setattr(silos_view, "dot_text", checked)
    subjects = [*example_analyses(), F.broadband(), analyse_file(HOSTILE)]
    for theme in THEMES:
        for subject in subjects:
            for view in ("journey", "blueprint", "silos"):
                build_dot(subject, view=view, theme=theme)
    # 6 examples + broadband + hostile at least, 3 views, 4 themes: every call went through us
    assert len(compared) == len(subjects) * 3 * len(THEMES)


def test_values_pydot_quotes_itself() -> None:
    graph = pydot.Dot("my graph", graph_type="digraph", strict=True)
    graph.set_graph_defaults(rankdir="LR", label="")
    graph.set_node_defaults(shape="box")
    sub = pydot.Subgraph("s1", rank="same", simplify=False)
    # bare words, words starting with a digit or underscore, negatives, keywords, unicode,
    # HTML, ports, unquoted ids: each goes through pydot's own quoting in our writer too
    sub.add_node(pydot.Node("plain", width="-1", label="_x", color="2a", style="node"))
    sub.add_node(pydot.Node("über", label="é", fontsize="12", xlabel="<b>x</b>"))
    sub.add_node(pydot.Node("a:port", penwidth=2, fixedsize=True))
    sub.add_node(pydot.Node('"quoted"', label='"kept as is"', tooltip="1.5", URL=".5"))
    graph.add_subgraph(sub)
    graph.add_node(pydot.Node("node"))  # a keyword with no attributes: pydot leaves it out
    graph.add_edge(pydot.Edge("plain", "über", label="graph", weight=3))
    graph.add_edge(pydot.Edge('"quoted"', "a:port"))
    graph.add_subgraph(pydot.Cluster("c", label="Cluster one"))
    assert dot_text(graph) == graph.to_string()
    undirected = pydot.Dot("g", graph_type="graph")
    undirected.add_edge(pydot.Edge('"a"', '"b"', dir="none"))
    assert dot_text(undirected) == undirected.to_string()
