"""GraphML export: every touchpoint a node, every transition an edge, the handoffs marked, read
back by a plain XML parser and by networkx; deterministic; hostile text stays text."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
import yaml
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.interchange import export_graphml
from journeymap.interchange.bpmn import xml_safe
from journeymap.load import yaml_files
from journeymap.project import read_journey
from tests.interchange.test_bpmn import XML_HOSTILE, hostile_journey

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p for p in yaml_files(ROOT / "journeys") if p.name != "organisation.yaml"]
G = "{http://graphml.graphdrawing.org/xmlns}"


def _from_yaml(path: Path) -> tuple[set[str], set[tuple[str, str]], set[tuple[str, str]]]:
    """Touchpoints, transitions and handoffs read from the YAML itself (a handoff joins two
    touchpoints of different functions)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tps = data["touchpoints"]
    transitions = set()
    for source, tp in tps.items():
        for step in tp.get("next") or ():
            target = step if isinstance(step, str) else step["to"]
            transitions.add((source, target))
    handoffs = {(a, b) for a, b in transitions if tps[a]["function"] != tps[b]["function"]}
    return set(tps), transitions, handoffs


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_nodes_edges_and_handoffs_are_the_journeys(path: Path) -> None:
    text = export_graphml(read_journey(path))
    touchpoints, transitions, handoffs = _from_yaml(path)
    root = ET.fromstring(text)
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(G + "key")}
    graph = root.find(G + "graph")
    assert graph is not None and graph.get("edgedefault") == "directed"
    nodes = {n.get("id") for n in graph.iter(G + "node")}
    edges = {}
    for edge in graph.iter(G + "edge"):
        data = {keys[d.get("key")]: d.text for d in edge.iter(G + "data")}
        edges[(edge.get("source"), edge.get("target"))] = data
    assert nodes == touchpoints
    assert set(edges) == transitions
    assert {k for k, d in edges.items() if d.get("handoff") == "true"} == handoffs
    numbers = sorted(int(d["handoff_number"]) for d in edges.values() if "handoff_number" in d)
    assert numbers == list(range(1, len(handoffs) + 1))
    # networkx reads the same graph back, with typed attributes
    parsed = nx.parse_graphml(text)
    assert set(parsed.nodes) == touchpoints and set(parsed.edges) == transitions
    names = yaml.safe_load(path.read_text(encoding="utf-8"))["touchpoints"]
    assert {n: d["name"] for n, d in parsed.nodes(data=True)} == {
        n: tp["name"] for n, tp in names.items()
    }


def test_the_same_journey_gives_the_same_bytes() -> None:
    journey = read_journey(ROOT / "journeys" / "claims-before.yaml")
    assert export_graphml(journey) == export_graphml(journey)


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    journey = hostile_journey(tmp_path)
    parsed = nx.parse_graphml(export_graphml(journey))
    # every name comes back as written (a carriage return too); NUL, which XML cannot hold,
    # becomes U+FFFD as in BPMN
    assert [parsed.nodes[f"t{i}"]["name"] for i in range(len(XML_HOSTILE))] == XML_HOSTILE
    assert [parsed.nodes[f"t{i}"]["name"] for i in range(len(XML_HOSTILE))] == [
        xml_safe(name) for name in XML_HOSTILE
    ]
    assert "\0" not in parsed.graph["title"] and parsed.graph["title"].endswith("nul\ufffdbyte")


def test_cli_writes_graphml(tmp_path: Path) -> None:
    out = tmp_path / "claims.graphml"
    result = CliRunner().invoke(
        main, ["export", "graphml", str(ROOT / "journeys" / "claims-after.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out).number_of_nodes() == len(_from_yaml(ROOT / "journeys" / "claims-after.yaml")[0])
