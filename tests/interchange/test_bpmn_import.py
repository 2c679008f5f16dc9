"""BPMN import: every example survives export and import with the same analysis, figure for
figure; hand-written lane models (no DI, no journeymap extensions) import with gateways collapsed
and cross-lane flows counted as handoffs; XML bombs and external entities are refused."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

import journeymap
from journeymap.analysis.types import JourneyAnalysis
from journeymap.cli import main
from journeymap.errors import InputError
from journeymap.interchange import export_bpmn, import_bpmn
from journeymap.load import yaml_files
from journeymap.model import Journey
from journeymap.project import read_journey

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in yaml_files(ROOT / "journeys") if p.stem != "organisation")
HOSTILE = ROOT / "tests" / "data" / "render" / "hostile.yaml"
MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def imported(text: str, tmp_path: Path, name: str = "in") -> Journey:
    """The journey ``import_bpmn`` makes of ``text``, read as the file it would be."""
    yaml_text = import_bpmn(text, str(tmp_path / f"{name}.bpmn"))
    return read_journey(tmp_path / f"{name}.yaml", text=yaml_text)


def figures(analysis: JourneyAnalysis) -> dict[str, object]:
    """What the analysis says, without file locations: metrics, handoffs, findings by rule."""
    handoffs = [
        dataclasses.replace(h, location=journeymap.Location("x")) for h in analysis.handoffs
    ]
    return {
        "metrics": analysis.metrics,
        "handoffs": handoffs,
        "rule_counts": Counter(f.rule for f in analysis.findings),
        "findings": [
            (f.rule, f.severity, f.message, f.touchpoints, f.transition) for f in analysis.findings
        ],
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_round_trips_with_the_same_analysis(path: Path, tmp_path: Path) -> None:
    journey = read_journey(path)
    back = imported(export_bpmn(journey), tmp_path, path.stem)
    before, after = journeymap.analyze(journey), journeymap.analyze(back)
    assert figures(after) == figures(before)
    assert after.metrics.handoffs == len(before.handoffs) > 0
    # and the parts of the model the analysis reads
    assert list(back.touchpoints) == list(journey.touchpoints)
    for tp in journey.touchpoints.values():
        other = back.touchpoints[tp.id]
        same = dataclasses.replace(other, location=tp.location, next=tp.next, entry=tp.entry)
        assert same == tp
        assert [dataclasses.replace(t, location=tp.location) for t in other.next] == [
            dataclasses.replace(t, location=tp.location) for t in tp.next
        ]
    assert [e.id for e in back.entries()] == [e.id for e in journey.entries()]


def test_without_extensions_the_diagram_alone_keeps_lanes_stages_and_handoffs(
    tmp_path: Path,
) -> None:
    """Strip every jm: extension from an export (a modeller's plain BPMN): lanes still give the
    functions, the stage groups the stages, the flows the same handoffs."""
    journey = read_journey(ROOT / "journeys" / "claims-before.yaml")
    root = ET.fromstring(export_bpmn(journey))
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == f"{{{MODEL}}}extensionElements":
                parent.remove(child)
    plain = ET.tostring(root, encoding="unicode")
    assert "urn:journeymap:bpmn:1" not in plain
    yaml_text = import_bpmn(plain, str(tmp_path / "plain.bpmn"))
    assert "stages from the groups drawn around tasks" in yaml_text
    back = read_journey(tmp_path / "plain.yaml", text=yaml_text)
    name = {tp.id: tp.name for tp in journey.touchpoints.values()}
    back_name = {tp.id: tp.name for tp in back.touchpoints.values()}
    assert sorted(back_name.values()) == sorted(name.values())  # names are unique here
    stage_name = {s.id: s.name for s in journey.stages}
    back_stage = {s.id: s.name for s in back.stages}
    function_name = {f.id: f.name for f in journey.lanes()}
    back_function = {f.id: f.name for f in back.functions.values()}
    assert sorted(
        (back_name[t.id], back_stage[t.stage], back_function[t.function])
        for t in back.touchpoints.values()
    ) == sorted(
        (name[t.id], stage_name[t.stage], function_name[t.function])
        for t in journey.touchpoints.values()
    )
    handoffs = {(name[h.source], name[h.target]) for h in journeymap.analyze(journey).handoffs}
    back_handoffs = {
        (back_name[h.source], back_name[h.target]) for h in journeymap.analyze(back).handoffs
    }
    assert back_handoffs == handoffs and len(handoffs) == 23
    assert {e.name for e in back.entries()} == {e.name for e in journey.entries()}


def test_hostile_names_round_trip_as_text(tmp_path: Path) -> None:
    journey = read_journey(HOSTILE)
    back = imported(export_bpmn(journey), tmp_path, "hostile")
    assert back.title == journey.title
    assert [(t.id, t.name) for t in back.touchpoints.values()] == [
        (t.id, t.name) for t in journey.touchpoints.values()
    ]
    assert {f.id: f.name for f in back.functions.values()} == {
        f.id: f.name for f in journey.functions.values()
    }
    assert [s.name for s in back.stages] == [s.name for s in journey.stages]


# A lane model as a modeller draws it: no DI, no extensions. Take order (Sales) splits at an
# exclusive gateway into Pick items (Warehouse) and Reject order (Sales); pick -> ship
# (Warehouse) -> invoice (Billing) -> "Paid"; reject -> "Rejected".
ORDER = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{MODEL}" id="d" targetNamespace="urn:x">
  <collaboration id="c"><participant id="p" name="Order to cash" processRef="P"/></collaboration>
  <process id="P" isExecutable="false">
    <laneSet id="ls">
      <lane id="L1" name="Sales">
        <flowNodeRef>s</flowNodeRef><flowNodeRef>take</flowNodeRef>
        <flowNodeRef>g1</flowNodeRef><flowNodeRef>reject</flowNodeRef><flowNodeRef>e2</flowNodeRef>
      </lane>
      <lane id="L2" name="Warehouse"><flowNodeRef>pick</flowNodeRef><flowNodeRef>ship</flowNodeRef></lane>
      <lane id="L3" name="Billing"><flowNodeRef>invoice</flowNodeRef><flowNodeRef>e1</flowNodeRef></lane>
    </laneSet>
    <startEvent id="s" name="Order received"/>
    <userTask id="take" name="Take order"/>
    <exclusiveGateway id="g1" name="In stock?"/>
    <task id="pick" name="Pick items"/>
    <serviceTask id="ship" name="Ship parcel"/>
    <task id="invoice" name="Send invoice"/>
    <task id="reject" name="Reject order"/>
    <endEvent id="e1" name="Paid"/>
    <endEvent id="e2" name="Rejected"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="take"/>
    <sequenceFlow id="f2" sourceRef="take" targetRef="g1"/>
    <sequenceFlow id="f3" sourceRef="g1" targetRef="pick"/>
    <sequenceFlow id="f4" sourceRef="g1" targetRef="reject"/>
    <sequenceFlow id="f5" sourceRef="pick" targetRef="ship"/>
    <sequenceFlow id="f6" sourceRef="ship" targetRef="invoice"/>
    <sequenceFlow id="f7" sourceRef="invoice" targetRef="e1"/>
    <sequenceFlow id="f8" sourceRef="reject" targetRef="e2"/>
  </process>
</definitions>
"""


def test_lane_model_with_an_exclusive_gateway(tmp_path: Path) -> None:
    yaml_text = import_bpmn(ORDER, str(tmp_path / "order.bpmn"))
    assert "gateways collapsed into shares split evenly" in yaml_text
    assert "after: take-order" in yaml_text
    journey = read_journey(tmp_path / "order.yaml", text=yaml_text)
    assert journey.title == "Order to cash"
    assert [(f.id, f.name) for f in journey.functions.values()] == [
        ("sales", "Sales"),
        ("warehouse", "Warehouse"),
        ("billing", "Billing"),
    ]
    tps = journey.touchpoints
    assert {k: tp.function for k, tp in tps.items()} == {
        "take-order": "sales",
        "pick-items": "warehouse",
        "ship-parcel": "warehouse",
        "send-invoice": "billing",
        "reject-order": "sales",
    }
    assert [e.id for e in journey.entries()] == ["take-order"]
    assert [(t.target, t.share) for t in tps["take-order"].next] == [
        ("pick-items", None),  # even split: the journey format's default
        ("reject-order", None),
    ]
    assert (tps["send-invoice"].outcome, tps["reject-order"].outcome) == ("paid", "rejected")
    analysis = journeymap.analyze(journey)
    # the two cross-lane flows, each taken by half the customers (the gateway's even split)
    assert {(h.source, h.target) for h in analysis.handoffs} == {
        ("take-order", "pick-items"),
        ("ship-parcel", "send-invoice"),
    }
    assert analysis.metrics.expected_handoffs_per_customer == pytest.approx(0.5 + 0.5)
    assert dict(analysis.metrics.outcomes) == pytest.approx({"paid": 0.5, "rejected": 0.5})


# Support triages (exclusive gateway: fix / answer / "Abandoned" end event), Engineering fixes and
# waits for a release (an intermediate timer event), both merge at a gateway into Notify
# (Support), which forks in parallel into Close (Support) and Survey (Marketing).
TICKETS = f"""<definitions xmlns="{MODEL}" id="d" targetNamespace="urn:x">
  <process id="P" name="Support ticket">
    <laneSet id="ls">
      <lane id="a" name="Support">
        <flowNodeRef>start</flowNodeRef><flowNodeRef>triage</flowNodeRef><flowNodeRef>g1</flowNodeRef>
        <flowNodeRef>answer</flowNodeRef><flowNodeRef>gm</flowNodeRef><flowNodeRef>notify</flowNodeRef>
        <flowNodeRef>par</flowNodeRef><flowNodeRef>close</flowNodeRef><flowNodeRef>lost</flowNodeRef>
        <flowNodeRef>done</flowNodeRef>
      </lane>
      <lane id="b" name="Engineering"><flowNodeRef>fix</flowNodeRef><flowNodeRef>wait</flowNodeRef></lane>
      <lane id="c" name="Marketing"><flowNodeRef>survey</flowNodeRef><flowNodeRef>done2</flowNodeRef></lane>
    </laneSet>
    <startEvent id="start"/>
    <userTask id="triage" name="Triage"/>
    <exclusiveGateway id="g1"/>
    <userTask id="fix" name="Fix"/>
    <intermediateCatchEvent id="wait" name="Release"><timerEventDefinition/></intermediateCatchEvent>
    <userTask id="answer" name="Answer"/>
    <exclusiveGateway id="gm"/>
    <sendTask id="notify" name="Notify"/>
    <parallelGateway id="par"/>
    <userTask id="close" name="Close"/>
    <userTask id="survey" name="Survey"/>
    <endEvent id="lost" name="Abandoned"/>
    <endEvent id="done" name="Closed"/>
    <endEvent id="done2" name="Surveyed"/>
    <sequenceFlow id="f1" sourceRef="start" targetRef="triage"/>
    <sequenceFlow id="f2" sourceRef="triage" targetRef="g1"/>
    <sequenceFlow id="f3" sourceRef="g1" targetRef="fix"/>
    <sequenceFlow id="f4" sourceRef="g1" targetRef="answer"/>
    <sequenceFlow id="f5" sourceRef="g1" targetRef="lost"/>
    <sequenceFlow id="f6" sourceRef="fix" targetRef="wait"/>
    <sequenceFlow id="f7" sourceRef="wait" targetRef="gm"/>
    <sequenceFlow id="f8" sourceRef="answer" targetRef="gm"/>
    <sequenceFlow id="f9" sourceRef="gm" targetRef="notify"/>
    <sequenceFlow id="f10" sourceRef="notify" targetRef="par"/>
    <sequenceFlow id="f11" sourceRef="par" targetRef="close"/>
    <sequenceFlow id="f12" sourceRef="par" targetRef="survey"/>
    <sequenceFlow id="f13" sourceRef="close" targetRef="done"/>
    <sequenceFlow id="f14" sourceRef="survey" targetRef="done2"/>
  </process>
</definitions>
"""


def test_lane_model_with_events_merging_and_parallel_gateways(tmp_path: Path) -> None:
    journey = imported(TICKETS, tmp_path, "tickets")
    assert journey.title == "Support ticket"  # the process's name (no pool)
    tps = journey.touchpoints
    assert list(tps) == ["triage", "fix", "answer", "notify", "close", "survey"]
    # a third of the customers abandon at the gateway: the two tasks keep a third each
    assert [(t.target, t.share) for t in tps["triage"].next] == [
        ("fix", 0.333333),
        ("answer", 0.333333),
    ]
    assert [t.target for t in tps["fix"].next] == ["notify"]  # through the timer event
    assert [t.target for t in tps["answer"].next] == ["notify"]  # through the merge
    assert [(t.target, t.share) for t in tps["notify"].next] == [("close", None), ("survey", None)]
    assert tps["triage"].outcome is None  # it goes on; the abandoning third drops off
    assert (tps["close"].outcome, tps["survey"].outcome) == ("closed", "surveyed")
    analysis = journeymap.analyze(journey)
    assert {(h.source, h.target, h.from_function, h.to_function) for h in analysis.handoffs} == {
        ("triage", "fix", "support", "engineering"),
        ("fix", "notify", "engineering", "support"),
        ("notify", "survey", "support", "marketing"),
    }
    third = 0.333333
    reached = 2 * third  # notify: through fix and through answer
    assert analysis.metrics.expected_handoffs_per_customer == pytest.approx(
        third + third + reached / 2
    )
    assert analysis.metrics.drop_off == pytest.approx(1 - reached)
    assert dict(analysis.metrics.outcomes) == pytest.approx(
        {"closed": reached / 2, "surveyed": reached / 2}
    )


def test_a_pool_without_lanes_is_one_function_and_entries_are_inferred(tmp_path: Path) -> None:
    text = f"""<definitions xmlns="{MODEL}">
      <collaboration id="c"><participant id="p" name="Front desk" processRef="P"/></collaboration>
      <process id="P">
        <task id="a" name="Greet"/><task id="b" name="Check in"/>
        <sequenceFlow id="f" sourceRef="a" targetRef="b"/>
      </process></definitions>"""
    yaml_text = import_bpmn(text, str(tmp_path / "desk.bpmn"))
    assert "tasks in no lane belong to function 'front-desk'" in yaml_text
    journey = read_journey(tmp_path / "desk.yaml", text=yaml_text)
    assert {tp.function for tp in journey.touchpoints.values()} == {"front-desk"}
    assert [e.id for e in journey.entries()] == ["greet"]
    assert journeymap.analyze(journey).metrics.handoffs == 0


BOMB = """<?xml version="1.0"?>
<!DOCTYPE definitions [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol3;</definitions>
"""
EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE definitions [
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">
<task id="t" name="&xxe;"/></process></definitions>
"""


@pytest.mark.parametrize(
    ("text", "where", "entity"),
    [(BOMB, "3:3", "lol"), (EXTERNAL, "3:2", "xxe")],
    ids=["bomb", "external"],
)
def test_entities_are_refused_with_one_located_line(text: str, where: str, entity: str) -> None:
    with pytest.raises(InputError) as err:
        import_bpmn(text, "in.bpmn")
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"in.bpmn:{where}: error: the XML declares entity '{entity}'")
    assert "; BPMN needs neither" in message
    assert "root:" not in message  # nothing of /etc/passwd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "<definitions><x></definitions>",
            "in.bpmn:1:19: error: not well-formed XML (mismatched tag)",
        ),
        ("<foo/>", "in.bpmn:1:1: error: not BPMN 2.0: the root element is <foo>"),
        (f'<definitions xmlns="{MODEL}"/>', "in.bpmn:1:1: error: no <process> in this BPMN file"),
        (
            f'<definitions xmlns="{MODEL}"><process id="p">\n<task id="a"/>\n'
            '  <sequenceFlow id="f" sourceRef="a" targetRef="b"/></process></definitions>',
            "in.bpmn:3:3: error: sequence flow 'f' connects 'b', which is no task",
        ),
    ],
)
def test_bad_bpmn_is_a_located_error(text: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        import_bpmn(text, "in.bpmn")
    assert str(err.value).startswith(expected)


def test_cli_imports_bpmn_and_refuses_a_bomb_with_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    model = tmp_path / "order.bpmn"
    model.write_text(ORDER, encoding="utf-8")
    out = tmp_path / "order.yaml"
    result = runner.invoke(main, ["import", str(model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert list(read_journey(out).touchpoints)[0] == "take-order"

    bomb = tmp_path / "bomb.bpmn"
    bomb.write_text(BOMB, encoding="utf-8")
    target = tmp_path / "bomb.yaml"
    result = runner.invoke(main, ["import", str(bomb), "-o", str(target)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{bomb}:3:3: error: the XML declares entity")
    assert "Traceback" not in result.output
    assert not target.exists()


def test_cli_round_trip_through_files(tmp_path: Path) -> None:
    runner = CliRunner()
    source = EXAMPLES[0]
    bpmn = tmp_path / "x.bpmn"
    assert (
        runner.invoke(main, ["export", "-f", "bpmn", str(source), "-o", str(bpmn)]).exit_code == 0
    )
    out = tmp_path / "x.yaml"
    result = runner.invoke(main, ["import", str(bpmn), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert figures(journeymap.analyze(read_journey(out))) == figures(
        journeymap.analyze(read_journey(source))
    )


def _process(body: str) -> str:
    return f'<definitions xmlns="{MODEL}"><process id="p" name="P">{body}</process></definitions>'


def test_long_gateway_chains_lattices_and_loops_import(tmp_path: Path) -> None:
    """3,000 gateways in a row (deeper than Python's recursion limit), a lattice of 60 layers of
    two fully connected gateways (2^60 paths), and a loop of gateways with no task in it."""
    n = 3000
    chain = '<task id="a" name="A"/><task id="b" name="B"/>'
    chain += "".join(f'<exclusiveGateway id="g{i}"/>' for i in range(n))
    chain += '<sequenceFlow id="s" sourceRef="a" targetRef="g0"/>'
    chain += "".join(
        f'<sequenceFlow id="f{i}" sourceRef="g{i}" targetRef="g{i + 1}"/>' for i in range(n - 1)
    )
    chain += f'<sequenceFlow id="e" sourceRef="g{n - 1}" targetRef="b"/>'
    journey = imported(_process(chain), tmp_path, "chain")
    assert [(t.target, t.share) for t in journey.touchpoints["a"].next] == [("b", None)]

    layers = 60
    lattice = '<task id="a" name="A"/><task id="b" name="B"/>'
    lattice += "".join(
        f'<parallelGateway id="g{i}x"/><parallelGateway id="g{i}y"/>' for i in range(layers)
    )
    lattice += '<sequenceFlow id="s1" sourceRef="a" targetRef="g0x"/>'
    lattice += '<sequenceFlow id="s2" sourceRef="a" targetRef="g0y"/>'
    for i in range(layers - 1):
        for u in "xy":
            for v in "xy":
                lattice += (
                    f'<sequenceFlow id="f{i}{u}{v}" sourceRef="g{i}{u}" targetRef="g{i + 1}{v}"/>'
                )
    last = layers - 1
    lattice += f'<sequenceFlow id="ex" sourceRef="g{last}x" targetRef="b"/>'
    lattice += f'<sequenceFlow id="ey" sourceRef="g{last}y" targetRef="b"/>'
    journey = imported(_process(lattice), tmp_path, "lattice")
    assert [(t.target, t.share) for t in journey.touchpoints["a"].next] == [("b", None)]

    loop = '<task id="a" name="A"/><task id="b" name="B"/><exclusiveGateway id="g1"/>'
    loop += '<exclusiveGateway id="g2"/><sequenceFlow id="f1" sourceRef="a" targetRef="g1"/>'
    loop += '<sequenceFlow id="f2" sourceRef="g1" targetRef="g2"/>'
    loop += '<sequenceFlow id="f3" sourceRef="g2" targetRef="g1"/>'
    loop += '<sequenceFlow id="f4" sourceRef="g1" targetRef="b"/>'
    journey = imported(_process(loop), tmp_path, "loop")
    # half of a's customers go to b at g1; the other half circle g1 -> g2 -> g1: dropped
    assert [(t.target, t.share) for t in journey.touchpoints["a"].next] == [("b", 0.5)]


def test_link_events_jump_and_boundary_events_are_another_way_out(tmp_path: Path) -> None:
    body = """
      <task id="a" name="A"/><task id="b" name="B"/><task id="c" name="C"/>
      <intermediateThrowEvent id="go" name="to B"><linkEventDefinition name="L"/></intermediateThrowEvent>
      <intermediateCatchEvent id="land" name="from A"><linkEventDefinition name="L"/></intermediateCatchEvent>
      <boundaryEvent id="late" attachedToRef="a"><timerEventDefinition/></boundaryEvent>
      <sequenceFlow id="f1" sourceRef="a" targetRef="go"/>
      <sequenceFlow id="f2" sourceRef="land" targetRef="b"/>
      <sequenceFlow id="f3" sourceRef="late" targetRef="c"/>"""
    journey = imported(_process(body), tmp_path, "links")
    # a's customers leave by its flow (through the link to B) or by its timer (to C): evenly
    assert [(t.target, t.share) for t in journey.touchpoints["a"].next] == [
        ("b", None),
        ("c", None),
    ]
    assert [e.id for e in journey.entries()] == ["a"]


def test_cli_refuses_uses_with_bpmn(tmp_path: Path) -> None:
    model = tmp_path / "order.bpmn"
    model.write_text(ORDER, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["import", str(model), "-o", str(tmp_path / "o.yaml"), "--uses", "org.yaml"]
    )
    assert result.exit_code == 2
    assert "--uses applies to spreadsheets (csv, xlsx); a bpmn file" in result.output
