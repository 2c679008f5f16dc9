"""journeymap.graph: ``to_networkx`` and the silo and system graphs.

The attribute tests use the worked example (figures by hand). The cross-checks run networkx
algorithms (and numpy) on ``to_networkx`` output and compare with the engine's own figures,
computed independently from the graph's attributes: handoffs, expected handoffs per customer,
flows, unreachable and trapped touchpoints, loops, the most handoffs on a path.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

import journeymap
from journeymap.analysis._index import build_index
from journeymap.analysis.engine import analyze
from journeymap.analysis.flow import solve_flow, strong_components
from journeymap.analysis.types import JourneyAnalysis
from journeymap.graph import silo_graph, structure, system_graph, to_networkx
from journeymap.load import load_journey
from journeymap.model import Journey
from tests.analysis.builders import broadband, journey

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(
    p
    for p in (ROOT / "journeys").glob("*.yaml")
    if p.name != "organisation.yaml" and not p.name.endswith(".scenarios.yaml")
)
WORKED = ROOT / "tests" / "data" / "worked" / "broadband.yaml"


def _broken() -> Journey:
    """Unreachable touchpoints (an island with a loop), a loop no customer can leave, a closed
    self-loop, a handoff ping-pong and a dead end, so every cross-check has something to find."""
    return journey(
        {
            "start": {"function": "sales", "next": ["a", "loop1", "stuck"]},
            "a": {"function": "service", "next": [{"to": "b", "share": 0.5}]},
            "b": {"function": "sales", "next": ["a", "won"]},
            "won": {"function": "sales", "outcome": "won"},
            "loop1": {"function": "ops", "next": ["loop2"]},
            "loop2": {"function": "it", "next": ["loop1"]},
            "stuck": {"function": "it", "next": ["stuck"]},
            "island": {"function": "ops", "next": ["island2"]},
            "island2": {"function": "it", "next": ["island", "won"]},
        }
    )


def _journeys() -> list[tuple[str, Journey]]:
    cases = [(p.stem, load_journey(p)) for p in EXAMPLES]
    cases.append(("worked", load_journey(WORKED)))
    cases.append(("broken", _broken()))
    return cases


CASES = _journeys()
IDS = [name for name, _ in CASES]


@pytest.fixture(scope="module")
def analysed() -> dict[str, tuple[nx.DiGraph, JourneyAnalysis]]:
    result = {}
    for name, j in CASES:
        a = analyze(j)
        result[name] = (to_networkx(j, a), a)
    return result


def _entries(g: nx.DiGraph) -> list[str]:
    return [v for v, entry in g.nodes(data="entry") if entry]


# -- attributes (worked example, figures by hand) ------------------------------------------------


def test_nodes_and_edges_in_file_order_with_attributes() -> None:
    j = broadband()
    g = to_networkx(j)
    assert list(g.nodes) == ["offer", "call", "visit", "care-call", "survey", "happy"]
    assert list(g.edges) == [t.key for t in j.transitions()]
    assert g.graph == {"id": j.id, "title": j.title, "path": j.path}
    assert g.nodes["offer"]["entry"] and g.nodes["offer"]["volume"] == 200
    assert not g.nodes["call"]["entry"] and g.nodes["call"]["volume"] == 0
    assert g.nodes["visit"]["function"] == "field" and g.nodes["visit"]["systems"] == ("wfm",)
    assert g.nodes["visit"]["touchpoint"] is j.touchpoints["visit"]
    edge = g.edges["call", "visit"]
    assert (edge["share"], edge["wait_hours"], edge["owner"], edge["handoff"]) == (
        0.8,
        120.0,
        "field",
        True,
    )
    assert edge["transition"] is j.touchpoints["call"].next[0]
    assert g.edges["care-call", "visit"]["carries"] == ("address",)
    assert not g.edges["visit", "happy"]["handoff"]
    assert sum(1 for *_, h in g.edges(data="handoff") if h) == 5
    assert "flow" not in g.nodes["offer"] and "flow" not in edge


def test_probabilities_and_exit_probabilities() -> None:
    g = to_networkx(
        journey(
            {
                "a": {"next": ["b", "c", "d"]},
                "b": {"next": [{"to": "c", "share": 0.25}, {"to": "d", "share": 0.5}]},
                "c": {"next": [{"to": "d", "share": 0.9}, {"to": "b", "share": 0.6}]},
                "d": {},
            }
        )
    )
    assert g.edges["a", "b"]["share"] is None
    assert g.edges["a", "b"]["probability"] == pytest.approx(1 / 3)
    assert (g.nodes["a"]["exit_probability"], g.nodes["a"]["share_total"]) == (0.0, None)
    assert g.nodes["b"]["exit_probability"] == pytest.approx(0.25)  # drop-off
    assert g.nodes["b"]["share_total"] == pytest.approx(0.75)
    assert g.edges["c", "d"]["probability"] == pytest.approx(0.9 / 1.5)  # JM303: scaled
    assert g.nodes["c"]["exit_probability"] == 0.0
    assert g.nodes["d"]["exit_probability"] == 1.0  # terminal


def test_with_analysis_flows_risk_and_rules() -> None:
    j = broadband()
    g = to_networkx(j, analyze(j))
    assert g.nodes["visit"]["flow"] == pytest.approx(1600 / 17)
    assert g.edges["offer", "call"]["flow"] == pytest.approx(100)
    assert g.edges["offer", "call"]["number"] == 1
    assert g.edges["offer", "call"]["rules"] == ("JM101", "JM104")
    assert "risk" not in g.edges["visit", "happy"] and "flow" in g.edges["visit", "happy"]
    assert "JM103" in g.nodes["care-call"]["rules"]  # repeat ask of the address


def test_public_api_is_lazy() -> None:
    assert "to_networkx" in journeymap.__all__
    g = journeymap.to_networkx(broadband())
    assert isinstance(g, nx.DiGraph) and g.number_of_nodes() == 6
    code = (
        "import sys, journeymap; assert 'networkx' not in sys.modules;"
        "import journeymap.graph;"
        "bad = [m for m in sys.modules if m.startswith('journeymap.analysis')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_graphs_are_fresh() -> None:
    j = broadband()
    g = to_networkx(j)
    g.remove_node("offer")
    assert "offer" in to_networkx(j)


def test_silo_graph() -> None:
    j = broadband()
    g = silo_graph(j, analyze(j))
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


# -- networkx on the graph vs the engine's figures -----------------------------------------------


@pytest.mark.parametrize("name", IDS)
def test_handoffs_are_edges_between_functions(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    fn = nx.get_node_attributes(g, "function")
    crossing = [(u, v) for u, v in g.edges if fn[u] != fn[v]]
    assert len(crossing) == a.metrics.handoffs > 0
    assert sorted(crossing) == sorted((h.source, h.target) for h in a.handoffs)
    assert crossing == [(u, v) for u, v, h in g.edges(data="handoff") if h]
    assert a.metrics.transitions == g.number_of_edges()
    assert a.metrics.touchpoints == g.number_of_nodes()


@pytest.mark.parametrize("name", IDS)
def test_expected_handoffs_per_customer_from_edge_flows(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    volume = sum(v for _, v in g.nodes(data="volume"))
    handoff_flow = sum(d["flow"] for _, _, d in g.edges(data=True) if d["handoff"])
    assert handoff_flow / volume == pytest.approx(a.metrics.expected_handoffs_per_customer)
    assert handoff_flow > 0


@pytest.mark.parametrize("name", [n for n in IDS if n != "broken"])
def test_flows_solve_the_chain_built_from_edge_probabilities(name: str, analysed: dict) -> None:
    g, _ = analysed[name]
    nodes = list(g)
    # (I - P^T) x = v, from the graph's own attributes and nothing of the engine
    p = nx.to_numpy_array(g, nodelist=nodes, weight="probability")
    v = np.array([g.nodes[n]["volume"] for n in nodes])
    x = np.linalg.solve(np.eye(len(nodes)) - p.T, v)
    np.testing.assert_allclose([g.nodes[n]["flow"] for n in nodes], x, rtol=1e-9, atol=1e-9)
    for s, _, d in g.edges(data=True):
        assert d["flow"] == pytest.approx(x[nodes.index(s)] * d["probability"], abs=1e-9)
    # customers leave where the exit probabilities say: all of them, eventually
    left = sum(x[i] * g.nodes[n]["exit_probability"] for i, n in enumerate(nodes))
    assert left == pytest.approx(v.sum())


@pytest.mark.parametrize("name", IDS)
def test_unreachable_touchpoints_are_the_jm301_findings(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    entries = _entries(g)
    reached = set(entries).union(*(nx.descendants(g, e) for e in entries))
    unreachable = set(g) - reached
    assert unreachable == {f.touchpoints[0] for f in a.findings if f.rule == "JM301"}
    assert unreachable == {n for n, rules in g.nodes(data="rules") if "JM301" in rules}
    if name == "broken":
        assert unreachable == {"island", "island2"}


@pytest.mark.parametrize("name", IDS)
def test_touchpoints_that_cannot_leave_are_the_jm302_findings(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    taken = g.edge_subgraph((u, v) for u, v, p in g.edges(data="probability") if p > 0)
    exits = [n for n, p in g.nodes(data="exit_probability") if p > 0]
    leaving = set(exits).union(*(nx.ancestors(taken, e) for e in exits if e in taken))
    stuck = set(g) - leaving
    jm302 = {
        f.touchpoints[0] for f in a.findings if f.rule == "JM302" and "never leave" in f.message
    }
    assert stuck == jm302
    if name == "broken":
        assert stuck == {"loop1", "loop2", "stuck"}


@pytest.mark.parametrize("name", IDS)
def test_condensation_is_what_the_flow_solver_treats_as_loops(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    j = a.journey
    ix = build_index(j)
    comps = strong_components(ix)
    cond = nx.condensation(g)
    members = {c: frozenset(cond.nodes[c]["members"]) for c in cond}
    ours = [frozenset(ix.ids[i] for i in comp) for comp in comps]
    assert sorted(map(sorted, ours)) == sorted(map(sorted, members.values()))
    # the solver's order is a topological order of the condensation
    rank = {comp: k for k, comp in enumerate(ours)}
    for c, d in cond.edges:
        assert rank[members[c]] < rank[members[d]]
    # closed loops: no edge out of the component and nobody leaves from inside it
    loops = [m for m in members.values() if len(m) > 1 or any(g.has_edge(n, n) for n in m)]
    closed = set()
    for c, m in members.items():
        leaves = cond.out_degree(c) > 0 or any(g.nodes[n]["exit_probability"] for n in m)
        if m in loops and not leaves:
            closed |= m
    assert {ix.ids[i] for i in solve_flow(ix).closed} == closed
    trapped = sum(g.nodes[n]["flow"] for n in closed) / sum(v for _, v in g.nodes(data="volume"))
    assert a.metrics.trapped == pytest.approx(trapped)
    if name == "broken":
        assert closed == {"loop1", "loop2", "stuck"}
        assert {"a", "b"} in loops


@pytest.mark.parametrize("name", IDS)
def test_most_handoffs_on_a_simple_path(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    assert a.metrics.max_handoffs_on_path_complete
    best = 0
    for entry in _entries(g):
        for path in nx.all_simple_paths(g, entry, set(g) - {entry}):
            best = max(best, sum(g.edges[u, v]["handoff"] for u, v in nx.utils.pairwise(path)))
    assert a.metrics.max_handoffs_on_path == best > 0


@pytest.mark.parametrize("name", IDS)
def test_handoff_numbers_rank_risk(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    ranked = sorted(
        (d["number"], d["risk"], d["rules"]) for _, _, d in g.edges(data=True) if d["handoff"]
    )
    assert [n for n, _, _ in ranked] == list(range(1, a.metrics.handoffs + 1))
    risks = [r for _, r, _ in ranked]
    assert risks == sorted(risks, reverse=True)
    assert any(rules for _, _, rules in ranked)


def test_the_examples_in_docs_api_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    pipeline, graph, *_ = re.findall(r"```python\n(.*?)```", text, re.S)
    monkeypatch.chdir(ROOT)
    exec(compile(pipeline, "docs/api.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out[::2]] == [
        "b2b-purchase", "claims-after", "claims-before", "retail-omnichannel", "telecom-onboarding"
    ]  # fmt: skip
    assert all("organisation.yaml" in line for line in out[1::2])
    exec(compile(graph, "docs/api.md", "exec"), {})
    out = capsys.readouterr().out
    assert out.startswith("#1 ") and "handoffs on it:" in out and "loop:" in out


@pytest.mark.parametrize("name", IDS)
def test_the_analyses_graph_is_to_networkx_without_attributes(name: str, analysed: dict) -> None:
    g, a = analysed[name]
    bare = structure(a.journey)
    assert list(bare.nodes) == list(g.nodes)
    assert list(bare.edges(data="handoff")) == list(g.edges(data="handoff"))
    assert build_index(a.journey).graph.edges == bare.edges
