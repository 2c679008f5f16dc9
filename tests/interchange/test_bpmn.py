"""BPMN export: read by bpmn-moddle (the library under bpmn.io) with zero warnings, clean under
bpmnlint's recommended rules, laid out from our grid (geometry measured on the DI), and hostile
names kept as text. The clients run in Node from tests/js (make installs them)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.interchange import export_bpmn
from journeymap.interchange.bpmn import NS, xml_safe
from journeymap.load import load_journey_text, yaml_files
from journeymap.model import Journey
from journeymap.project import read_journey

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "tests" / "js"
EXAMPLES = sorted(p for p in yaml_files(ROOT / "journeys") if p.stem != "organisation")
HOSTILE = ROOT / "tests" / "data" / "render" / "hostile.yaml"
B = "{" + NS["bpmn"] + "}"
DI = "{" + NS["bpmndi"] + "}"
DC = "{" + NS["dc"] + "}"
WP = "{" + NS["di"] + "}waypoint"
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")

# names a BPMN file must keep as text: XML syntax of every kind, plus the corpus's DOT/HTML ones
XML_HOSTILE = [
    'a "quoted" & <tagged> name',
    "]]> <![CDATA[ x ]]>",
    "<!-- comment --> <?pi x?>",
    "&lol; &amp; &#x26; &#0;",
    "line one\nline two\ttabbed\r\nwindows",
    "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>",
    '"x"; "y" [label="INJECTED"]; "z"',
    "</bpmn:process><bpmn:task id='evil'/>",
    "مرحبا \u202eevil\u202c café 日本 😀",
]


def hostile_journey(tmp_path: Path) -> Journey:
    """Every XML-hostile text as a touchpoint, function, stage and journey name."""

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    tps = []
    for i, name in enumerate(XML_HOSTILE):
        nxt = f"next: [t{i + 1}]" if i + 1 < len(XML_HOSTILE) else "outcome: done"
        tps.append(
            f"  t{i}:\n    name: {q(name)}\n    stage: s{i % 2}\n    function: f{i % 3}\n"
            f"    channel: web\n    pains: [{q(name)}]\n    {nxt}\n"
        )
    text = (
        "journeymap: 1\nid: xml-hostile\ntitle: " + q(XML_HOSTILE[0] + " nul\0byte") + "\n"
        "functions:\n"
        + "".join(
            f"  f{k}: {{name: {q(XML_HOSTILE[k + 1])}, lead: {q(XML_HOSTILE[k + 4])}}}\n"
            for k in range(3)
        )
        + f"stages:\n  - {{id: s0, name: {q(XML_HOSTILE[2])}}}\n  - {{id: s1, name: {q(XML_HOSTILE[3])}}}\n"
        + "touchpoints:\n"
        + "".join(tps)
    )
    path = tmp_path / "xml-hostile.yaml"
    path.write_text(text, encoding="utf-8")
    return read_journey(path)


# a self-loop on an entry (start event and merge, entered from the top), a drop-off, a back edge
# to an earlier stage across lanes, a dead end; and a journey of one touchpoint
EDGE_CASES = {
    "edge-cases": """journeymap: 1
stages: [a, b]
functions: {f: {name: F}, g: {name: G}}
touchpoints:
  loop: {stage: a, function: f, entry: true, next: [{to: loop, share: 0.5}, {to: back, share: 0.3}]}
  back: {stage: b, function: g, next: [loop, stuck]}
  stuck: {stage: b, function: g}
""",
    "one-touchpoint": (
        "journeymap: 1\nstages: [a]\nfunctions: {f: {}}\ntouchpoints:\n  only: {stage: a, function: f}\n"
    ),
}


def run_clients(files: list[Path]) -> dict[str, dict[str, object]]:
    """bpmn-moddle's warnings and bpmnlint's reports for each file (tests/js/check_bpmn.mjs)."""
    if not (JS / "node_modules" / ".installed-stamp").is_file():
        pytest.fail(
            "tests/js/node_modules is missing: run `make tests/js/node_modules/.installed-stamp` "
            "(or `make test`) to install bpmn-moddle and bpmnlint",
            pytrace=False,
        )
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node is not installed: `make system-deps` installs npm and node", pytrace=False
        )
    result = subprocess.run(
        [node, str(JS / "check_bpmn.mjs"), *map(str, files)],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=JS,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {str(f) for f in files}
    return data


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Journey, Path]]:
    folder = tmp_path_factory.mktemp("bpmn")
    out = {}
    journeys = [(p.stem, read_journey(p)) for p in EXAMPLES]
    journeys.append(("render-hostile", read_journey(HOSTILE)))
    journeys.append(("xml-hostile", hostile_journey(folder)))
    for name, text in EDGE_CASES.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        journeys.append((name, read_journey(folder / f"{name}.yaml")))
    for name, journey in journeys:
        path = folder / f"{name}.bpmn"
        path.write_text(export_bpmn(journey), encoding="utf-8")
        out[name] = (journey, path)
    return out


def test_bpmn_moddle_reads_every_export_without_warnings_and_bpmnlint_finds_nothing(
    exported: dict[str, tuple[Journey, Path]],
) -> None:
    reports = run_clients([path for _, path in exported.values()])
    assert len(reports) == len(EXAMPLES) + 2 + len(EDGE_CASES)
    for file, report in reports.items():
        assert report == {"warnings": [], "lint": {}}, file


def test_bpmnlint_does_report_a_broken_model(tmp_path: Path) -> None:
    """The lint run is real: a task left with no way out and a split without conditions are
    reported by the rules that should catch them."""
    text = export_bpmn(read_journey(EXAMPLES[0]))
    root = ET.fromstring(text)
    process = root.find(f"{B}process")
    assert process is not None
    flows = process.findall(f"{B}sequenceFlow")
    into_end = next(f for f in flows if f.get("targetRef", "").startswith("End_"))
    process.remove(into_end)  # its source task now ends implicitly, its end event starts nothing
    broken = tmp_path / "broken.bpmn"
    broken.write_text(ET.tostring(root, encoding="unicode"), encoding="utf-8")
    lint = run_clients([broken])[str(broken)]["lint"]
    assert isinstance(lint, dict)
    assert {"no-implicit-end", "no-disconnected"} <= set(lint)


def _bounds(shape: ET.Element) -> tuple[float, float, float, float]:
    b = shape.find(f"{DC}Bounds")
    assert b is not None
    x, y, w, h = (float(b.get(k, "nan")) for k in ("x", "y", "width", "height"))
    return x, y, x + w, y + h


def _inside(inner: tuple[float, ...], outer: tuple[float, ...], tol: float = 0.5) -> bool:
    return (
        inner[0] >= outer[0] - tol
        and inner[1] >= outer[1] - tol
        and inner[2] <= outer[2] + tol
        and inner[3] <= outer[3] + tol
    )


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _on_border(p: tuple[float, float], box: tuple[float, ...], tol: float = 1.0) -> bool:
    x, y = p
    within = box[0] - tol <= x <= box[2] + tol and box[1] - tol <= y <= box[3] + tol
    near = min(abs(x - box[0]), abs(x - box[2]), abs(y - box[1]), abs(y - box[3])) <= tol
    return within and near


def _crosses(a: tuple[float, float], b: tuple[float, float], box: tuple[float, ...]) -> bool:
    """Whether the axis-parallel segment a-b runs through the inside of ``box`` (shrunk by 1)."""
    x0, y0, x1, y1 = box[0] + 1, box[1] + 1, box[2] - 1, box[3] - 1
    lo_x, hi_x = sorted((a[0], b[0]))
    lo_y, hi_y = sorted((a[1], b[1]))
    return lo_x < x1 and x0 < hi_x and lo_y < y1 and y0 < hi_y


@pytest.mark.parametrize(
    "name", [p.stem for p in EXAMPLES] + ["render-hostile", "xml-hostile", *EDGE_CASES]
)
def test_geometry_lanes_shapes_and_edges(
    exported: dict[str, tuple[Journey, Path]], name: str
) -> None:
    journey, path = exported[name]
    root = ET.parse(path).getroot()
    process = root.find(f"{B}process")
    assert process is not None
    shapes = {s.get("bpmnElement"): _bounds(s) for s in root.iter(f"{DI}BPMNShape")}
    participant = root.find(f"{B}collaboration/{B}participant")
    assert participant is not None
    pool = shapes[participant.get("id")]
    lanes = process.findall(f"{B}laneSet/{B}lane")
    used = [
        f.id
        for f in journey.lanes()
        if any(t.function == f.id for t in journey.touchpoints.values())
    ]
    assert [lane.get("id") for lane in lanes] == [f"Lane_{f}" for f in used]  # the view's order
    lane_boxes = [shapes[lane.get("id")] for lane in lanes]
    # lanes stacked top to bottom without gaps or overlaps, together covering the pool
    for upper, lower in zip(lane_boxes, lane_boxes[1:], strict=False):
        assert upper[3] == lower[1]
        assert not _overlap(upper, lower)
    assert lane_boxes[0][1] == pool[1] and lane_boxes[-1][3] == pool[3]
    assert all(box[0] == pool[0] + 30 and box[2] == pool[2] for box in lane_boxes)

    flow_nodes = {
        el.get("id"): el
        for el in process
        if el.tag
        not in (
            f"{B}laneSet",
            f"{B}sequenceFlow",
            f"{B}documentation",
            f"{B}extensionElements",
            f"{B}group",
        )
    }
    assert set(flow_nodes) <= set(shapes)
    members = [ref.text for lane in lanes for ref in lane.findall(f"{B}flowNodeRef")]
    assert sorted(members) == sorted(flow_nodes)  # every node in exactly one lane
    for lane in lanes:
        for ref in lane.findall(f"{B}flowNodeRef"):
            assert _inside(shapes[ref.text], shapes[lane.get("id")]), (ref.text, lane.get("id"))
    node_boxes = sorted((box, key) for key, box in shapes.items() if key in flow_nodes)
    for i, (a, ka) in enumerate(node_boxes):
        for b, kb in node_boxes[i + 1 :]:
            if b[0] >= a[2]:
                break
            assert not _overlap(a, b), (ka, kb)
    tasks = {el.get("id"): el for el in flow_nodes.values() if el.tag.endswith("Task")}
    assert len(tasks) == len(journey.touchpoints)
    assert {box[2] - box[0] for k, box in shapes.items() if k in tasks} == {100.0}

    # stage columns left to right, as in the journey view
    stage_index = journey.stage_index()
    spans: dict[int, list[float]] = {}
    for tp in journey.touchpoints.values():
        box = shapes[f"Task_{tp.id}"]
        spans.setdefault(stage_index[tp.stage], []).extend((box[0], box[2]))
    ordered = [spans[k] for k in sorted(spans)]
    for left, right in zip(ordered, ordered[1:], strict=False):
        assert max(left) < min(right)
    # each stage a group around its touchpoints, groups side by side inside the pool
    groups = [shapes[g.get("id")] for g in process.findall(f"{B}group")]
    values = {v.get("id"): v.get("value") for v in root.iter(f"{B}categoryValue")}
    assert [values[g.get("categoryValueRef")] for g in process.findall(f"{B}group")] == [
        xml_safe(s.name)
        for s in journey.stages
        if any(t.stage == s.id for t in journey.touchpoints.values())
    ]
    for tp in journey.touchpoints.values():
        assert _inside(shapes[f"Task_{tp.id}"], shapes[f"Group_{tp.stage}"])
    for left, right in zip(groups, groups[1:], strict=False):
        assert left[2] < right[0]
    assert all(_inside(g, pool) for g in groups)

    node_shapes = {key: box for key, box in shapes.items() if key in flow_nodes}
    edges = {e.get("bpmnElement"): e for e in root.iter(f"{DI}BPMNEdge")}
    flows = process.findall(f"{B}sequenceFlow")
    assert set(edges) == {f.get("id") for f in flows}
    for flow in flows:
        points = [
            (float(p.get("x", "nan")), float(p.get("y", "nan")))
            for p in edges[flow.get("id")].iter(WP)
        ]
        assert len(points) >= 2
        source, target = shapes[flow.get("sourceRef")], shapes[flow.get("targetRef")]
        assert _on_border(points[0], source), (flow.get("id"), points[0], source)
        assert _on_border(points[-1], target), (flow.get("id"), points[-1], target)
        for a, b in zip(points, points[1:], strict=False):
            assert a[0] == b[0] or a[1] == b[1], (flow.get("id"), a, b)  # orthogonal
            for key, box in node_shapes.items():  # flows go round every shape
                assert not _crosses(a, b, box), (flow.get("id"), key, a, b)


def test_bpmnlint_agrees_with_the_analysis_on_an_unreachable_touchpoint(tmp_path: Path) -> None:
    """JM301: t3 has no way in, so its task has no incoming flow: an implicit start to bpmnlint,
    the one report on this journey."""
    source = tmp_path / "unreachable.yaml"
    source.write_text(
        "journeymap: 1\nstages: [s]\nfunctions: {a: {name: A}, b: {name: B}}\ntouchpoints:\n"
        "  t1: {stage: s, function: a, entry: true, next: [t2]}\n"
        "  t2: {stage: s, function: b, outcome: done}\n"
        "  t3: {stage: s, function: b, next: [t2]}\n",
        encoding="utf-8",
    )
    out = tmp_path / "unreachable.bpmn"
    out.write_text(export_bpmn(read_journey(source)), encoding="utf-8")
    report = run_clients([out])[str(out)]
    assert report["warnings"] == []
    assert report["lint"] == {
        "no-implicit-start": [
            {"id": "Task_t3", "message": "Element is an implicit start", "category": "error"}
        ]
    }


def test_export_is_deterministic_and_ids_are_ncnames(
    exported: dict[str, tuple[Journey, Path]],
) -> None:
    for name, (journey, path) in exported.items():
        assert export_bpmn(journey) == path.read_text(encoding="utf-8"), name
        for el in ET.parse(path).getroot().iter():
            if "id" in el.attrib:
                assert NCNAME.match(el.get("id", "")), el.get("id")


@pytest.mark.parametrize("name", ["render-hostile", "xml-hostile"])
def test_hostile_names_survive_as_text(
    exported: dict[str, tuple[Journey, Path]], name: str
) -> None:
    journey, path = exported[name]
    root = ET.parse(path).getroot()
    process = root.find(f"{B}process")
    assert process is not None
    names = {el.get("id"): el.get("name") for el in root.iter() if el.get("id")}
    for tp in journey.touchpoints.values():
        assert names[f"Task_{tp.id}"] == xml_safe(tp.name)
    for f in journey.lanes():
        if f"Lane_{f.id}" in names:
            assert names[f"Lane_{f.id}"] == xml_safe(f.name)
    participant = root.find(f"{B}collaboration/{B}participant")
    assert participant is not None and participant.get("name") == xml_safe(journey.title)
    # no name turned into markup: exactly one process, one task per touchpoint, no 'evil' element
    assert len(root.findall(f"{B}process")) == 1
    assert "evil" not in names
    tags = {el.tag for el in process}
    assert not any(t.endswith("}task") for t in tags)


def test_xml_safe_replaces_only_what_xml_cannot_hold() -> None:
    assert xml_safe("a\x00b\x1fc\ud800d\tok\n") == "a\ufffdb\ufffdc\ufffdd\tok\n"
    assert xml_safe("café 😀 <&>") == "café 😀 <&>"


def test_shares_become_conditions_and_waits_and_owners_travel_in_extensions() -> None:
    text = (ROOT / "journeys" / "claims-before.yaml").read_text()
    journey = load_journey_text(text, str(ROOT / "journeys" / "claims-before.yaml"))
    root = ET.fromstring(export_bpmn(journey))
    process = root.find(f"{B}process")
    assert process is not None
    split = process.find(f"{B}exclusiveGateway[@id='Split_coverage-check']")
    assert split is not None and split.get("gatewayDirection") == "Diverging"
    outs = [
        f
        for f in process.findall(f"{B}sequenceFlow")
        if f.get("sourceRef") == "Split_coverage-check"
    ]
    # coverage-check: fraud 10%, desktop 22%, adjuster 60%, declined 8% (the file's shares)
    assert [(f.get("name"), f.findtext(f"{B}conditionExpression")) for f in outs] == [
        ("10%", "10% of customers"),
        ("22%", "22% of customers"),
        ("60%", "60% of customers"),
        ("8%", "8% of customers"),
    ]
    jm = "{" + NS["jm"] + "}"
    transitions = [f.find(f"{B}extensionElements/{jm}transition") for f in outs]
    assert [(t.get("to"), t.get("share"), t.get("wait")) for t in transitions if t is not None] == [
        ("fraud-review", "0.1", "1d"),
        ("desktop-assess", "0.22", None),
        ("adjuster-assign", "0.6", "2d"),
        ("declined", "0.08", None),
    ]
    starts = process.findall(f"{B}startEvent")
    assert [s.get("id") for s in starts] == [
        "Start_fnol-phone",
        "Start_fnol-web",
        "Start_fnol-broker",
    ]
    assert all(s.find(f"{B}messageEventDefinition") is not None for s in starts)
    join = process.find(f"{B}exclusiveGateway[@id='Join_claim-setup']")
    assert join is not None and len(join.findall(f"{B}incoming")) == 3


def test_export_cli_writes_bpmn(tmp_path: Path) -> None:
    out = tmp_path / "claims.bpmn"
    result = CliRunner().invoke(main, ["export", "-f", "bpmn", str(EXAMPLES[1]), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == export_bpmn(read_journey(EXAMPLES[1]))
