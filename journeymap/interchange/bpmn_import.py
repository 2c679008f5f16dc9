"""BPMN 2.0 XML into a journey file: lanes become functions, tasks touchpoints, flows transitions.

What BPMN draws and a journey cannot hold is collapsed, and the YAML says so in comments:
gateways and intermediate events pass customers on, split evenly between their outgoing flows
(a parallel gateway too: a journey follows one customer down one path); start events mark the
touchpoints they reach as entries; end events make the touchpoints before them terminal, named
by the end event (its outcome), and the share of customers reaching an end event from a
touchpoint that also goes on is a drop-off. A flow between tasks of different lanes is
therefore a handoff. The ``jm:`` extension elements that
:func:`~journeymap.interchange.bpmn.export_bpmn` writes (stages, channels, shares, waits,
organisation data...) are read back when present; the diagram's own structure (names, lanes,
flows) wins over them.

The XML is parsed by defusedxml with entity declarations and external references refused: an
XML bomb or an external entity is a one-line located error, never expanded or fetched.
"""

from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

import yaml
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from journeymap.errors import InputError
from journeymap.interchange.bpmn import NS
from journeymap.model import Location

__all__ = ["import_bpmn"]

B = "{" + NS["bpmn"] + "}"
JM = "{" + NS["jm"] + "}"
TASKS = {
    "task",
    "userTask",
    "serviceTask",
    "manualTask",
    "sendTask",
    "receiveTask",
    "scriptTask",
    "businessRuleTask",
    "callActivity",
    "subProcess",
    "adHocSubProcess",
    "transaction",
}
PASSING = {
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "eventBasedGateway",
    "complexGateway",
    "intermediateCatchEvent",
    "intermediateThrowEvent",
    "boundaryEvent",
}
_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}\Z")
_SHARE_STEP = 1e-6


# -- parsing -------------------------------------------------------------------------------------


class _Builder(ET.TreeBuilder):
    """A tree builder that remembers where each element starts (line, column from 1)."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.where: dict[ET.Element, tuple[int, int]] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        element = super().start(tag, attrs)
        if self.parser is not None:
            expat = self.parser.parser
            self.where[element] = (expat.CurrentLineNumber, expat.CurrentColumnNumber + 1)
        return element


def _parse(text: str, path: str) -> tuple[ET.Element, dict[ET.Element, tuple[int, int]]]:
    builder = _Builder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=False)
    builder.parser = parser

    def declaration() -> Location:
        """Where the offending declaration starts (expat stops a little way into it)."""
        expat = parser.parser
        lines = text.split("\n")
        line, col = expat.CurrentLineNumber, expat.CurrentColumnNumber
        offset = sum(len(x) + 1 for x in lines[: line - 1]) + col
        start = text.rfind("<!", 0, offset + 1)
        if start < 0:
            return Location(path, line, col + 1)
        line = text.count("\n", 0, start) + 1
        return Location(path, line, start - (text.rfind("\n", 0, start) + 1) + 1)

    try:
        parser.feed(text)
        root = parser.close()
    except DefusedXmlException as err:
        name = getattr(err, "name", None)
        what = f"entity {name!r}" if name else "an external reference"
        raise InputError.at(
            declaration(),
            f"the XML declares {what}: entity declarations and external references are "
            "refused (they can expand without bound or read other files)",
            "BPMN needs neither: remove the <!DOCTYPE ...> block and export the file again",
        ) from None
    except ET.ParseError as err:
        line, col = err.position
        reason = str(err).split(":")[0]
        raise InputError.at(
            Location(path, line, col + 1),
            f"not well-formed XML ({reason})",
            "check that the file is BPMN 2.0 XML as a modeller saves it",
        ) from None
    return root, builder.where


# -- the diagram as a graph ----------------------------------------------------------------------


@dataclass
class _Element:
    id: str
    kind: str  # local tag name
    name: str
    element: ET.Element
    process: str  # the participant or process name it belongs to
    outgoing: list[str] = field(default_factory=list)  # flow ids


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    element: ET.Element


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def slug(text: str) -> str:
    """A journey id from any name: lower-case ASCII letters, digits and dashes."""
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    s = re.sub(r"[^a-z0-9_]+", "-", s).strip("-_")
    return s[:64].rstrip("-_") or "x"


class _Ids:
    """Unique journey ids: a wanted id when it is valid and free, else a slug with a number."""

    def __init__(self) -> None:
        self.taken: set[str] = set()

    def make(self, wanted: str | None, fallback: str) -> str:
        base = wanted if wanted and _ID.match(wanted) and wanted not in self.taken else None
        if base is None:
            base = slug(fallback)
            n = 1
            candidate = base
            while candidate in self.taken:
                n += 1
                suffix = f"-{n}"
                candidate = base[: 64 - len(suffix)] + suffix
            base = candidate
        self.taken.add(base)
        return base


def _jm(element: ET.Element, tag: str) -> ET.Element | None:
    ext = element.find(f"{B}extensionElements")
    return None if ext is None else ext.find(f"{JM}{tag}")


def _texts(element: ET.Element, tag: str) -> list[str]:
    return [child.text or "" for child in element.findall(f"{JM}{tag}")]


def _refs(element: ET.Element, tag: str) -> list[str]:
    return [child.get("ref", "") for child in element.findall(f"{JM}{tag}") if child.get("ref")]


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class _Reader:
    def __init__(self, root: ET.Element, where: dict[ET.Element, tuple[int, int]], path: str):
        self.path = path
        self.where = where
        self.elements: dict[str, _Element] = {}
        self.flows: dict[str, _Flow] = {}
        self.lane_of: dict[str, ET.Element] = {}
        self.lanes: list[tuple[ET.Element, str]] = []  # lane, process name
        self.notes: list[str] = []
        if root.tag != f"{B}definitions":
            raise InputError.at(
                self.at(root),
                f"not BPMN 2.0: the root element is <{_local(root.tag)}>, not <definitions>",
                f'a BPMN file\'s root is <definitions xmlns="{NS["bpmn"]}">',
            )
        pool_names = {
            p.get("processRef", ""): p.get("name", "")
            for p in root.iter(f"{B}participant")
            if p.get("processRef")
        }
        self.processes = root.findall(f"{B}process")
        if not self.processes:
            raise InputError.at(
                self.at(root),
                "no <process> in this BPMN file",
                "export the process, not only a diagram",
            )
        self.pool_names = pool_names
        di = "{" + NS["bpmndi"] + "}"
        dc = "{" + NS["dc"] + "}"
        self.bounds: dict[str, tuple[float, float, float, float]] = {}
        for shape in root.iter(f"{di}BPMNShape"):
            b = shape.find(f"{dc}Bounds")
            values = (
                [_number(b.get(k)) for k in ("x", "y", "width", "height")] if b is not None else []
            )
            if len(values) == 4 and all(v is not None for v in values):
                x, y, w, h = (float(v or 0.0) for v in values)
                self.bounds[shape.get("bpmnElement", "")] = (x, y, x + w, y + h)
        category = {v.get("id", ""): v.get("value", "") for v in root.iter(f"{B}categoryValue")}
        self.groups: list[tuple[str, tuple[float, float, float, float]]] = sorted(
            (
                (
                    category.get(g.get("categoryValueRef", ""), "") or g.get("id", ""),
                    self.bounds[g.get("id", "")],
                )
                for g in root.iter(f"{B}group")
                if g.get("id", "") in self.bounds
            ),
            key=lambda item: (item[1][0], item[1][1]),
        )
        for process in self.processes:
            pname = (
                pool_names.get(process.get("id", ""), "") or process.get("name", "") or "Process"
            )
            for lane in process.iter(f"{B}lane"):
                if lane.find(f"{B}childLaneSet") is not None:
                    continue  # the leaf lanes are the functions
                self.lanes.append((lane, pname))
                for ref in lane.findall(f"{B}flowNodeRef"):
                    self.lane_of.setdefault((ref.text or "").strip(), lane)
            for child in process:
                kind = _local(child.tag)
                if kind == "sequenceFlow":
                    self.flows[child.get("id", "")] = _Flow(
                        child.get("id", ""),
                        child.get("sourceRef", ""),
                        child.get("targetRef", ""),
                        child,
                    )
                elif kind in TASKS or kind in PASSING or kind in ("startEvent", "endEvent"):
                    self.elements[child.get("id", "")] = _Element(
                        child.get("id", ""), kind, (child.get("name") or "").strip(), child, pname
                    )
        for flow in self.flows.values():
            for end in (flow.source, flow.target):
                if end not in self.elements:
                    raise InputError.at(
                        self.at(flow.element),
                        f"sequence flow {flow.id!r} connects {end!r}, which is no task, event or "
                        "gateway of its process",
                        "fix the flow's sourceRef/targetRef",
                    )
            self.elements[flow.source].outgoing.append(flow.id)
        for element in self.elements.values():  # a boundary event: another way out of its task
            attached = element.element.get("attachedToRef")
            if element.kind == "boundaryEvent" and attached in self.elements:
                pseudo = f"~boundary-{element.id}"
                self.flows[pseudo] = _Flow(pseudo, attached, element.id, element.element)
                self.elements[attached].outgoing.append(pseudo)
        catches: dict[tuple[str, str], str] = {}  # (process, link name) -> catching event
        for element in self.elements.values():
            link = element.element.find(f"{B}linkEventDefinition")
            if element.kind == "intermediateCatchEvent" and link is not None:
                catches.setdefault((element.process, link.get("name") or element.name), element.id)
        for element in self.elements.values():  # a link throw event jumps to its catch event
            link = element.element.find(f"{B}linkEventDefinition")
            if element.kind == "intermediateThrowEvent" and link is not None:
                target = catches.get((element.process, link.get("name") or element.name))
                if target is not None and not element.outgoing:
                    pseudo = f"~link-{element.id}"
                    self.flows[pseudo] = _Flow(pseudo, element.id, target, element.element)
                    element.outgoing.append(pseudo)
        self.tasks = [e for e in self.elements.values() if e.kind in TASKS]
        self.memo: dict[str, _Reach] = {}
        if not self.tasks:
            raise InputError.at(
                self.at(self.processes[0]),
                "this BPMN process has no tasks",
                "a journey needs at least one task (a touchpoint)",
            )

    def at(self, element: ET.Element) -> Location:
        line, col = self.where.get(element, (1, 1))
        return Location(self.path, line, col)

    def reach(self, start: str) -> _Reach:
        """From element ``start``: the share of its customers reaching each task and each end
        event, splitting evenly at every element with several ways out; and for each task, the
        first flow on the way that carries ``jm:transition`` data.

        What a gateway or intermediate event passes on is computed once (without recursion, so
        long chains and wide lattices of gateways stay cheap); customers going round a loop of
        gateways with no task in it, or into a gateway leading nowhere, drop off."""
        for flow_id in self.elements[start].outgoing:
            target = self.flows[flow_id].target
            if self.elements[target].kind in PASSING:
                self._passing(target)
        return self._spread(start)

    def _passing(self, root: str) -> None:
        memo = self.memo
        stack, on_stack = [root], {root}
        while stack:
            node = stack[-1]
            if node in memo:
                stack.pop()
                on_stack.discard(node)
                continue
            pending = [
                t
                for t in (self.flows[f].target for f in self.elements[node].outgoing)
                if self.elements[t].kind in PASSING and t not in memo and t not in on_stack
            ]
            if pending:
                stack.append(pending[0])
                on_stack.add(pending[0])
                continue
            memo[node] = self._spread(node)
            stack.pop()
            on_stack.discard(node)

    def _spread(self, node: str) -> _Reach:
        """``node``'s customers over its outgoing flows, through gateways already computed."""
        result = _Reach()
        outgoing = self.elements[node].outgoing
        for flow_id in outgoing:
            part = 1.0 / len(outgoing)
            flow = self.flows[flow_id]
            ext = _jm(flow.element, "transition")
            target = self.elements[flow.target]
            if target.kind in TASKS:
                result.tasks[target.id] = result.tasks.get(target.id, 0.0) + part
                if ext is not None:
                    result.data.setdefault(target.id, ext)
            elif target.kind == "endEvent":
                result.ends[target.id] = result.ends.get(target.id, 0.0) + part
            elif target.id in self.memo:  # else a loop back onto the stack: dropped
                sub = self.memo[target.id]
                for key, mass in sub.tasks.items():
                    result.tasks[key] = result.tasks.get(key, 0.0) + part * mass
                    carried = ext if ext is not None else sub.data.get(key)
                    if carried is not None:
                        result.data.setdefault(key, carried)
                for key, mass in sub.ends.items():
                    result.ends[key] = result.ends.get(key, 0.0) + part * mass
        return result


@dataclass
class _Reach:
    """Where one customer leaving an element goes: tasks and end events with their shares."""

    tasks: dict[str, float] = field(default_factory=dict)
    ends: dict[str, float] = field(default_factory=dict)
    data: dict[str, ET.Element] = field(default_factory=dict)  # task -> its jm:transition


# -- the journey ----------------------------------------------------------------------------------


def _floor_share(value: float) -> float:
    return math.floor(value / _SHARE_STEP + 1e-6) * _SHARE_STEP


def import_bpmn(text: str, path: str, title: str | None = None) -> str:
    """Journey YAML text from BPMN 2.0 XML ``text`` (read from ``path``, which errors cite).

    Raises :class:`~journeymap.errors.InputError` (one located line) on XML that is not
    well-formed, declares entities or references external ones, or is not a BPMN process."""
    root, where = _parse(text.lstrip("\ufeff"), path)
    reader = _Reader(root, where, path)
    journey_ext = None
    for process in reader.processes:
        journey_ext = _jm(process, "journey")
        if journey_ext is not None:
            break
    notes: list[str] = []
    doc: dict[str, Any] = {"journeymap": 1}
    jm = journey_ext if journey_ext is not None else ET.Element("none")
    if jm.get("id") and _ID.match(jm.get("id", "")):
        doc["id"] = jm.get("id")
    first = reader.processes[0]
    pool = reader.pool_names.get(first.get("id", ""), "") or first.get("name", "")
    doc["title"] = title or jm.get("title") or pool or path.rsplit("/", 1)[-1].split(".")[0]
    for key in ("persona", "owner"):
        if jm.get(key):
            doc[key] = jm.get(key)
    description = jm.findtext(f"{JM}description")
    if description is None:
        documentation = first.findtext(f"{B}documentation")
        description = documentation.strip() if documentation and documentation.strip() else None
    if description:
        doc["description"] = description

    # functions: the lanes (their names win), then what the extension declares besides
    function_ids = _Ids()
    functions: dict[str, dict[str, Any]] = {}
    declared = {f.get("id", ""): f for f in jm.findall(f"{JM}function")}
    lane_function: dict[ET.Element, str] = {}
    for lane, _ in reader.lanes:
        ext = _jm(lane, "lane")
        wanted = ext.get("function") if ext is not None else None
        name = (lane.get("name") or "").strip() or wanted or lane.get("id") or "lane"
        fid = function_ids.make(wanted, name)
        lane_function[lane] = fid
        entry: dict[str, Any] = {"name": name}
        if fid in declared and declared[fid].get("lead"):
            entry["lead"] = declared[fid].get("lead")
        functions[fid] = entry
    pool_function: dict[str, str] = {}
    for task in reader.tasks:
        if task.id not in reader.lane_of and task.process not in pool_function:
            fid = function_ids.make(None, task.process)
            pool_function[task.process] = fid
            functions[fid] = {"name": task.process}
            notes.append(f"tasks in no lane belong to function '{fid}' (their pool)")
    for fid, f in declared.items():
        if fid not in functions and _ID.match(fid):
            function_ids.taken.add(fid)
            functions[fid] = {"name": f.get("name") or fid}
            if f.get("lead"):
                functions[fid]["lead"] = f.get("lead")
    doc["functions"] = functions

    systems = {}
    for s in jm.findall(f"{JM}system"):
        entry = {"name": s.get("name") or s.get("id")}
        if s.get("owner"):
            entry["owner"] = s.get("owner")
        if s.get("shadow") == "true":
            entry["shadow"] = True
        systems[s.get("id", "")] = entry
    if systems:
        doc["systems"] = systems
    integrations = []
    for i in jm.findall(f"{JM}integration"):
        item: dict[str, Any] = {"between": [i.get("a"), i.get("b")]}
        if i.get("one-way") == "true":
            item["one-way"] = True
        integrations.append(item)
    if integrations:
        doc["integrations"] = integrations
    channels = {
        c.get("id", ""): {"name": c.get("name") or c.get("id")} for c in jm.findall(f"{JM}channel")
    }
    if channels:
        doc["channels"] = channels
    stages = [(s.get("id", ""), s.get("name") or s.get("id", "")) for s in jm.findall(f"{JM}stage")]
    group_stage: dict[str, str] = {}  # task id -> stage id, from the groups drawn around tasks
    if not stages and reader.groups:
        stage_ids_made = _Ids()
        for name, (x0, y0, x1, y1) in reader.groups:
            sid = stage_ids_made.make(None, name)
            stages.append((sid, name))
            for task in reader.tasks:
                box = reader.bounds.get(task.id)
                if box and x0 <= (box[0] + box[2]) / 2 <= x1 and y0 <= (box[1] + box[3]) / 2 <= y1:
                    group_stage.setdefault(task.id, sid)
        notes.append("stages from the groups drawn around tasks, left to right")
    if not stages:
        stages = [("process", doc["title"])]
        notes.append("the BPMN has no stages: every touchpoint is in one stage, 'process'")
    doc["stages"] = [sid if name == sid else {"id": sid, "name": name} for sid, name in stages]
    stage_ids = [sid for sid, _ in stages]

    # touchpoints
    tp_ids = _Ids()
    tp_of: dict[str, str] = {}
    ext_of: dict[str, ET.Element | None] = {}
    for task in reader.tasks:
        ext = _jm(task.element, "touchpoint")
        ext_of[task.id] = ext
        tp_of[task.id] = tp_ids.make(
            ext.get("id") if ext is not None else None, task.name or task.id
        )

    entries: set[str] = set()
    for element in reader.elements.values():
        if element.kind == "startEvent":
            entries.update(reader.reach(element.id).tasks)
    reach = {task.id: reader.reach(task.id) for task in reader.tasks}
    incoming: dict[str, list[str]] = {task.id: [] for task in reader.tasks}
    for task_id, ways in reach.items():
        for target in ways.tasks:
            incoming[target].append(task_id)

    touchpoints: dict[str, dict[str, Any]] = {}
    even: list[str] = []
    stage_of: dict[str, str] = {}
    guessed_stage: list[str] = []
    for task in reader.tasks:
        ext = ext_of[task.id]
        e = ext if ext is not None else ET.Element("none")
        tp_id = tp_of[task.id]
        stage = e.get("stage") or group_stage.get(task.id)
        if stage is None or stage not in stage_ids:
            preds = [stage_of[p] for p in incoming[task.id] if p in stage_of]
            stage = preds[0] if preds else stage_ids[0]
            if ext is not None or len(stage_ids) > 1:
                guessed_stage.append(tp_id)
        stage_of[task.id] = stage
        task_lane = reader.lane_of.get(task.id)
        function = (
            lane_function[task_lane] if task_lane is not None else pool_function[task.process]
        )
        tp: dict[str, Any] = {"name": task.name or tp_id}
        if e.findtext(f"{JM}description"):
            tp["description"] = e.findtext(f"{JM}description")
        tp["stage"] = stage
        tp["function"] = function
        if e.get("channel"):
            tp["channel"] = e.get("channel")
        if _refs(e, "system"):
            tp["systems"] = _refs(e, "system")
        emotion = _number(e.get("emotion"))
        if emotion is not None and emotion.is_integer() and 1 <= emotion <= 5:
            tp["emotion"] = int(emotion)
        if task.id in entries:
            tp["entry"] = True
            volume = _number(e.get("volume"))
            if volume is not None and volume >= 0:
                tp["volume"] = int(volume) if volume.is_integer() else volume
        for key, tag in (("asks", "ask"),):
            if _refs(e, tag):
                tp[key] = _refs(e, tag)
        for key, tag in (
            ("pains", "pain"),
            ("gains", "gain"),
            ("notes", "note"),
            ("ideas", "idea"),
        ):
            if _texts(e, tag):
                tp[key] = _texts(e, tag)
        kpis = {k.get("name", ""): k.text or "" for k in e.findall(f"{JM}kpi")}
        if kpis:
            tp["kpis"] = kpis
        if _texts(e, "evidence"):
            tp["evidence"] = _texts(e, "evidence")

        ways = reach[task.id]
        reached, ends, data = ways.tasks, ways.ends, ways.data
        if reached:
            tp["next"] = _transitions(reached, ends, data, tp_of)
            if not all(t in data for t in reached) and (
                len(reached) > 1 or ends or abs(sum(reached.values()) - 1) > 1e-9
            ):
                even.append(tp_id)
        else:
            outcome = _outcome(reader, ends, e)
            if outcome:
                tp["outcome"] = outcome
        touchpoints[tp_id] = tp
    if any("volume" in tp for tp in touchpoints.values()) and not all(
        "volume" in tp for tp in touchpoints.values() if tp.get("entry")
    ):
        for tp in touchpoints.values():
            tp.pop("volume", None)
        notes.append("entry volumes dropped: not every entry had one")
    doc["touchpoints"] = touchpoints
    if even:
        notes.append(
            "gateways collapsed into shares split evenly (BPMN has no shares) after: "
            + ", ".join(even)
        )
    if guessed_stage:
        notes.append("stage guessed from the step before: " + ", ".join(guessed_stage))
    if root.find(f".//{B}messageFlow") is not None:
        notes.append("message flows between pools are not transitions and were left out")

    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    header = [f"# Imported from BPMN by `journeymap import`: {_comment(path)}"]
    header += [f"# - {note}" for note in notes]
    return "\n".join(header) + "\n" + body


def _comment(text: str) -> str:
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]", "?", text)


def _transitions(
    reached: dict[str, float],
    ends: dict[str, float],
    data: dict[str, ET.Element],
    tp_of: dict[str, str],
) -> list[Any]:
    ours = all(t in data for t in reached)
    even = (
        not ends
        and len({round(m, 12) for m in reached.values()}) == 1
        and abs(sum(reached.values()) - 1) < 1e-9
    )
    items: list[Any] = []
    for target, mass in reached.items():
        ext = data.get(target) if ours else None
        item: dict[str, Any] = {"to": tp_of[target]}
        if ext is not None:
            share = _number(ext.get("share"))
            if share is not None:
                item["share"] = share
            carries = _refs(ext, "carries")
            if carries:
                item["carries"] = carries
            if ext.get("owner"):
                item["owner"] = ext.get("owner")
            if ext.get("wait"):
                item["wait"] = ext.get("wait")
            note = ext.findtext(f"{JM}note")
            if note:
                item["note"] = note
        elif not even:
            item["share"] = _floor_share(mass)
        items.append(item if len(item) > 1 else item["to"])
    return items


def _outcome(reader: _Reader, ends: dict[str, float], ext: ET.Element) -> str | None:
    """A terminal touchpoint's outcome: the name of the end event most of its customers reach
    (unless our export marked it a dead end)."""
    best = None
    for end_id, mass in ends.items():
        element = reader.elements[end_id]
        marker = _jm(element.element, "end")
        if marker is not None and marker.get("kind") in ("dead-end", "drop-off"):
            continue
        if element.name and (best is None or mass > best[0]):
            best = (mass, element.name)
    if best is None:
        return None
    return best[1] if _ID.match(best[1]) else slug(best[1])
