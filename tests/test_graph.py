"""journeymap.graph: the journey, silo and system graphs (worked example, figures by hand)."""

from __future__ import annotations

import pytest

from journeymap.analysis.engine import analyze
from journeymap.graph import journey_graph, silo_graph, system_graph
from tests.analysis.builders import broadband


def test_journey_graph_nodes_and_edges() -> None:
    j = broadband()
    g = journey_graph(j)
    assert list(g.nodes) == ["offer", "call", "visit", "care-call", "survey", "happy"]
    assert g.nodes["offer"]["entry"] and g.nodes["offer"]["volume"] == 200
    assert not g.nodes["call"]["entry"] and g.nodes["call"]["volume"] == 0
    assert g.nodes["visit"]["function"] == "field" and g.nodes["visit"]["systems"] == ("wfm",)
    edge = g.edges["call", "visit"]
    assert (edge["share"], edge["wait_hours"], edge["owner"], edge["handoff"]) == (
        0.8,
        120.0,
        "field",
        True,
    )
    assert g.edges["care-call", "visit"]["carries"] == ("address",)
    assert not g.edges["visit", "happy"]["handoff"]
    assert sum(1 for *_, h in g.edges(data="handoff") if h) == 5
    assert "flow" not in g.nodes["offer"]


def test_journey_graph_with_analysis() -> None:
    j = broadband()
    a = analyze(j)
    g = journey_graph(j, a)
    assert g.nodes["visit"]["flow"] == pytest.approx(1600 / 17)
    assert g.edges["offer", "call"]["flow"] == pytest.approx(100)
    assert g.edges["offer", "call"]["number"] == 1
    assert g.edges["offer", "call"]["rules"] == ("JM101", "JM104")
    assert "risk" not in g.edges["visit", "happy"]


def test_even_split_probability() -> None:
    from tests.analysis.builders import journey

    g = journey_graph(journey({"a": {"next": ["b", "c", "d"]}, "b": {}, "c": {}, "d": {}}))
    assert g.edges["a", "b"]["share"] is None
    assert g.edges["a", "b"]["probability"] == pytest.approx(1 / 3)


def test_silo_graph() -> None:
    g = silo_graph(broadband())
    assert set(g.nodes) == {"marketing", "sales", "field", "care"}
    assert g.nodes["field"]["touchpoints"] == 2
    assert g.nodes["field"]["flow"] == pytest.approx(2800 / 17)  # visit + happy
    assert g.nodes["marketing"]["lead"] == "CMO"
    assert set(g.edges) == {
        ("marketing", "sales"),
        ("sales", "field"),
        ("field", "care"),
        ("care", "field"),
        ("care", "marketing"),
    }
    e = g.edges["care", "field"]
    assert (e["count"], e["transitions"]) == (1, [("care-call", "visit")])
    assert e["flow"] == pytest.approx(240 / 17)  # 0.6 x 400/17


def test_system_graph_respects_one_way() -> None:
    g = system_graph(broadband())
    assert set(g.nodes) == {"web", "crm", "wfm", "survey"}
    assert g.has_edge("web", "crm") and g.has_edge("crm", "web")
    assert g.has_edge("crm", "wfm") and not g.has_edge("wfm", "crm")
    assert g.nodes["survey"]["shadow"] and g.edges["crm", "wfm"]["one_way"]
