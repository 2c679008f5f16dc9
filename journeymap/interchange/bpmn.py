"""A journey as BPMN 2.0 XML: one pool, a lane per function, laid out by our own grid.

The mapping (docs/interchange.md "BPMN"): a touchpoint is a task (``serviceTask`` on self-service
channels, else ``userTask``); an entry gets a message start event (the customer gets in touch);
a terminal touchpoint an end event named by its outcome (``No outcome`` when it has none); a
touchpoint whose customers split (several transitions, or shares summing below 1) an exclusive
gateway whose flows carry the shares as conditions, and a ``Drop off`` end event for the
customers who leave; a touchpoint reached by several flows an exclusive merging gateway.
Everything the analysis needs that BPMN has no element for (stages, channels, systems, asks,
emotions, waits, owners, carries, organisation data) travels in ``jm:`` extension elements, so
export and :func:`~journeymap.interchange.bpmn_import.import_bpmn` give the same analysis.

Diagram interchange comes from the journey view's pass-1 ``dot`` layout: lanes in the view's
order and heights, each touchpoint's row, and its column; gateways and events sit in the gaps
between columns, flows are routed orthogonally through channels kept free of shapes.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from journeymap.durations import UNIT_HOURS
from journeymap.model import Journey, Touchpoint, Transition

__all__ = ["NS", "SELF_SERVICE", "export_bpmn"]

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
    "jm": "urn:journeymap:bpmn:1",
}

#: Channels where the customer serves themselves: their touchpoints become service tasks.
SELF_SERVICE = frozenset(
    {"web", "app", "portal", "online", "ivr", "kiosk", "chatbot", "self-service", "sms"}
)
EMOTION_WORDS = ("frustrated", "unhappy", "neutral", "happy", "delighted")

# sizes in BPMN DI pixels: bpmn.io's defaults for tasks, gateways and events
TASK_W, TASK_H = 100.0, 80.0
GATEWAY = 50.0
EVENT = 36.0
PAD = 12.0  # between a shape and its neighbour in a gap
CHANNEL = 28.0  # the free strip in every gap where flows run vertically
POOL_LABEL = 30.0  # the pool's and each lane's name strip on the left
TOP = 60.0
LEFT = 60.0


# -- XML text ------------------------------------------------------------------------------------

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: object) -> str:
    """``text`` with the characters XML 1.0 cannot hold at all (NUL, most C0 controls, lone
    surrogates, U+FFFE/U+FFFF) replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(text))


def _text(text: object) -> str:
    s = xml_safe(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("\r", "&#13;")


def _attr(text: object) -> str:
    s = _text(text).replace('"', "&quot;")
    return s.replace("\n", "&#10;").replace("\t", "&#9;")


def _num(value: float) -> str:
    """A coordinate: whole pixels (bpmn.io writes them so too)."""
    return str(int(round(value)))


def number_text(value: float) -> str:
    """A share or volume as the shortest decimal that reads back as the same float."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    return text if "e" not in text else f"{value:.17f}".rstrip("0")


def duration_text(hours: float) -> str:
    """A wait in the journey format's grammar (``2d``, ``30m``), read back as exactly ``hours``."""
    for unit in ("w", "d", "h", "m"):
        value = hours / UNIT_HOURS[unit]
        text = repr(value)
        if "e" not in text and float(text) * UNIT_HOURS[unit] == hours:
            if value.is_integer():
                return f"{int(value)}{unit}"
            if len(text) <= 8:
                return f"{text}{unit}"
    return f"{hours / UNIT_HOURS['m']:.9f}".rstrip("0").rstrip(".") + "m"


# -- the process as nodes and flows ---------------------------------------------------------------


@dataclass
class _Node:
    id: str
    kind: str  # userTask, serviceTask, split, join, start, end
    name: str
    lane: str  # function id
    touchpoint: str  # the touchpoint it belongs to
    documentation: str = ""
    extension: str = ""
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x, y, w, h
    label: tuple[float, float, float, float] | None = None  # its name's box, when placed


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str = ""
    extension: str = ""
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    label: tuple[float, float, float, float] | None = None  # its name's box (x, y, w, h)


def _splits(tp: Touchpoint) -> bool:
    if len(tp.next) > 1:
        return True
    return _drop_off(tp) > 1e-12


def _drop_off(tp: Touchpoint) -> float:
    shares = [t.share for t in tp.next]
    if not tp.next or any(s is None for s in shares):
        return 0.0
    return max(0.0, 1.0 - sum(s for s in shares if s is not None))


def _share(tp: Touchpoint, t: Transition) -> float:
    return t.share if t.share is not None else 1.0 / len(tp.next)


def _percent(share: float) -> str:
    pct = share * 100
    text = f"{pct:.0f}" if pct >= 9.95 or pct == 0 else f"{pct:.1f}".removesuffix(".0")
    return f"{text}%"


def _el(tag: str, attrs: Iterable[tuple[str, object]] = (), body: str = "") -> str:
    values = "".join(f' {k}="{_attr(v)}"' for k, v in attrs if v is not None)
    return f"<{tag}{values}>{body}</{tag}>" if body else f"<{tag}{values}/>"


def _texts(tag: str, items: Iterable[str]) -> str:
    return "".join(_el(tag, (), _text(item)) if item else _el(tag) for item in items)


def _refs(tag: str, items: Iterable[str]) -> str:
    return "".join(_el(tag, [("ref", item)]) for item in items)


def _touchpoint_extension(tp: Touchpoint, entry: bool) -> str:
    attrs: list[tuple[str, object]] = [
        ("id", tp.id),
        ("stage", tp.stage),
        ("channel", tp.channel),
        ("emotion", tp.emotion),
        ("entry", "true" if entry else None),
        ("volume", None if tp.volume is None else number_text(tp.volume)),
        ("outcome", tp.outcome),
    ]
    body = (
        (_el("jm:description", (), _text(tp.description)) if tp.description else "")
        + _refs("jm:system", tp.systems)
        + _refs("jm:ask", tp.asks)
        + _texts("jm:pain", tp.pains)
        + _texts("jm:gain", tp.gains)
        + _texts("jm:note", tp.notes)
        + _texts("jm:idea", tp.ideas)
        + _texts("jm:evidence", tp.evidence)
        + "".join(_el("jm:kpi", [("name", k)], _text(v)) for k, v in tp.kpis)
    )
    return _el("jm:touchpoint", attrs, body)


def _transition_extension(t: Transition) -> str:
    attrs: list[tuple[str, object]] = [
        ("to", t.target),
        ("share", None if t.share is None else number_text(t.share)),
        ("owner", t.owner),
        ("wait", None if t.wait_hours is None else duration_text(t.wait_hours)),
    ]
    body = _refs("jm:carries", t.carries) + (_el("jm:note", (), _text(t.note)) if t.note else "")
    return _el("jm:transition", attrs, body)


def _journey_extension(journey: Journey) -> str:
    attrs: list[tuple[str, object]] = [
        ("id", journey.id),
        ("title", journey.title),
        ("persona", journey.persona),
        ("owner", journey.owner),
    ]
    body = (
        (_el("jm:description", (), _text(journey.description)) if journey.description else "")
        + "".join(
            _el("jm:function", [("id", f.id), ("name", f.name), ("lead", f.lead)])
            for f in journey.functions.values()
        )
        + "".join(
            _el(
                "jm:system",
                [
                    ("id", s.id),
                    ("name", s.name),
                    ("owner", s.owner),
                    ("shadow", "true" if s.shadow else None),
                ],
            )
            for s in journey.systems.values()
        )
        + "".join(
            _el(
                "jm:integration",
                [("a", i.a), ("b", i.b), ("one-way", "true" if i.one_way else None)],
            )
            for i in journey.integrations
        )
        + "".join(
            _el("jm:channel", [("id", c.id), ("name", c.name)]) for c in journey.channels.values()
        )
        + "".join(_el("jm:stage", [("id", s.id), ("name", s.name)]) for s in journey.stages)
    )
    return _el("jm:journey", attrs, body)


def _documentation(journey: Journey, tp: Touchpoint) -> str:
    parts = []
    if tp.channel:
        channel = journey.channels.get(tp.channel)
        parts.append(f"Channel: {channel.name if channel else tp.channel}.")
    if tp.systems:
        names = [journey.systems[s].name if s in journey.systems else s for s in tp.systems]
        parts.append(f"Systems: {', '.join(names)}.")
    if tp.emotion is not None:
        parts.append(f"Emotion: {tp.emotion} of 5 ({EMOTION_WORDS[tp.emotion - 1]}).")
    if tp.description:
        parts.append(tp.description)
    return " ".join(parts)


class _Process:
    """The journey's touchpoints as BPMN flow nodes and sequence flows, in file order."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.nodes: dict[str, _Node] = {}
        self.flows: list[_Flow] = []
        tps = journey.touchpoints
        entries = {tp.id for tp in journey.entries()}
        incoming: dict[str, int] = dict.fromkeys(tps, 0)
        for t in journey.transitions():
            incoming[t.target] += 1
        for tp_id in entries:
            incoming[tp_id] += 1
        self.entries = entries
        self.has_join = {k for k, n in incoming.items() if n > 1}
        self.has_split = {k for k, tp in tps.items() if _splits(tp)}
        for tp in tps.values():
            kind = "serviceTask" if (tp.channel or "") in SELF_SERVICE else "userTask"
            self._node(
                f"Task_{tp.id}",
                kind,
                tp.name,
                tp,
                documentation=_documentation(journey, tp),
                extension=_touchpoint_extension(tp, tp.id in entries),
            )
            if tp.id in self.has_join:
                self._node(f"Join_{tp.id}", "join", "", tp)
            if tp.id in entries:
                channel = f" ({tp.channel})" if tp.channel else ""
                self._node(f"Start_{tp.id}", "start", f"Start{channel}", tp)
            if tp.id in self.has_split:
                self._node(f"Split_{tp.id}", "split", "Split", tp)
                if _drop_off(tp) > 1e-12:
                    self._node(
                        f"DropOff_{tp.id}",
                        "end",
                        "Drop off",
                        tp,
                        extension=_el("jm:end", [("kind", "drop-off")]),
                    )
            if not tp.next:
                kind_text = "outcome" if tp.outcome else "dead-end"
                self._node(
                    f"End_{tp.id}",
                    "end",
                    tp.outcome or "No outcome",
                    tp,
                    extension=_el("jm:end", [("kind", kind_text)]),
                )
        for tp in tps.values():
            if tp.id in entries:
                self._flow(f"Start_{tp.id}", self.entry_of(tp.id))
            if tp.id in self.has_join:
                self._flow(f"Join_{tp.id}", f"Task_{tp.id}")
            source = f"Task_{tp.id}"
            if tp.id in self.has_split:
                self._flow(source, f"Split_{tp.id}")
                source = f"Split_{tp.id}"
            for t in tp.next:
                split = tp.id in self.has_split
                share = _share(tp, t)
                self._flow(
                    source,
                    self.entry_of(t.target),
                    name=_percent(share) if split else "",
                    condition=f"{_percent(share)} of customers" if split else "",
                    extension=_transition_extension(t),
                )
            if tp.id in self.has_split and _drop_off(tp) > 1e-12:
                rest = _drop_off(tp)
                self._flow(
                    source,
                    f"DropOff_{tp.id}",
                    name=_percent(rest),
                    condition=f"{_percent(rest)} of customers drop off",
                )
            if not tp.next:
                self._flow(source, f"End_{tp.id}")

    def entry_of(self, tp_id: str) -> str:
        """The node a flow into touchpoint ``tp_id`` ends at (its merging gateway if it has one)."""
        return f"Join_{tp_id}" if tp_id in self.has_join else f"Task_{tp_id}"

    def _node(
        self,
        node_id: str,
        kind: str,
        name: str,
        tp: Touchpoint,
        documentation: str = "",
        extension: str = "",
    ) -> None:
        self.nodes[node_id] = _Node(
            node_id, kind, name, tp.function, tp.id, documentation, extension
        )

    def _flow(
        self, source: str, target: str, name: str = "", condition: str = "", extension: str = ""
    ) -> None:
        flow = _Flow(f"Flow_{len(self.flows) + 1}", source, target, name, condition, extension)
        self.flows.append(flow)
        self.nodes[source].outgoing.append(flow.id)
        self.nodes[target].incoming.append(flow.id)


# -- layout ---------------------------------------------------------------------------------------


@dataclass
class _Layout:
    lanes: list[tuple[str, float, float]]  # function id, top, bottom
    pool: tuple[float, float, float, float]  # x, y, w, h
    column: dict[str, int]  # touchpoint id -> column
    channel_x: dict[int, float]  # gap index (-1 = before column 0) -> channel centre
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0 y0 x1 y1
    groups: list[tuple[str, tuple[float, float, float, float]]] = field(default_factory=list)


def _grid_positions(
    journey: Journey, renderer: str, timeout: float | None
) -> tuple[dict[str, tuple[float, float]], list[tuple[str, float, float]]]:
    """Pass 1 of the journey view: each touchpoint's centre and each lane's top and bottom, in
    Graphviz points (y up)."""
    from journeymap import analyze
    from journeymap.render._grid import parse_layout
    from journeymap.render.graphviz import render
    from journeymap.render.journey_view import build_journey_graph, tp_name
    from journeymap.render.themes import get_theme

    grid = build_journey_graph(analyze(journey), get_theme("default"))
    layout = parse_layout(
        render(grid.layout_dot(), fmt="json0", renderer=renderer, timeout=timeout)
    )
    objects = layout.get("objects", [])
    assert isinstance(objects, list)
    pos: dict[str, tuple[float, float]] = {}
    bands: dict[str, tuple[float, float]] = {}
    for o in objects:
        name = o.get("name", "")
        if name.startswith("cluster_band_") and "bb" in o:
            _, y0, _, y1 = (float(v) for v in o["bb"].split(","))
            bands[name] = (y0, y1)
        elif "pos" in o:
            x, y = (float(v) for v in o["pos"].split(","))
            pos[name] = (x, y)
    centres = {tp_id: pos[tp_name(tp_id)] for tp_id in journey.touchpoints}
    lanes = [(key, *bands[f"cluster_band_{b}"]) for b, key in enumerate(grid.band_order)]
    for b in range(len(lanes) - 1):  # lanes meet halfway across dot's gap, as in the picture
        upper, lower = lanes[b], lanes[b + 1]
        middle = (upper[1] + lower[2]) / 2
        lanes[b] = (upper[0], middle, upper[2])
        lanes[b + 1] = (lower[0], lower[1], middle)
    return centres, lanes


def _layout(process: _Process, renderer: str, timeout: float | None, node_h: float) -> _Layout:
    journey = process.journey
    centres, bands = _grid_positions(journey, renderer, timeout)
    scale = TASK_H / node_h  # our boxes are node_h points tall; BPMN tasks 80 px
    top_pt = max(y1 for _, _, y1 in bands)

    def y_of(y_pt: float) -> float:
        return TOP + round((top_pt - y_pt) * scale)

    xs = sorted({round(x, 1) for x, _ in centres.values()})
    col_of_x = {x: i for i, x in enumerate(xs)}
    column = {tp_id: col_of_x[round(x, 1)] for tp_id, (x, _) in centres.items()}
    n_cols = len(xs)
    tps = journey.touchpoints
    split_w = dict.fromkeys(range(-1, n_cols), 0.0)
    start_w = dict.fromkeys(range(-1, n_cols), 0.0)
    join_w = dict.fromkeys(range(-1, n_cols), 0.0)
    for tp_id, c in column.items():
        tp = tps[tp_id]
        if tp_id in process.has_split:
            width = GATEWAY + (PAD + EVENT if _drop_off(tp) > 1e-12 else 0.0)
            split_w[c] = max(split_w[c], width)
        elif not tp.next:
            split_w[c] = max(split_w[c], EVENT)
        if tp_id in process.has_join:
            join_w[c - 1] = max(join_w[c - 1], GATEWAY)
            if tp_id in process.entries:
                start_w[c - 1] = max(start_w[c - 1], EVENT + PAD)
        elif tp_id in process.entries:
            join_w[c - 1] = max(join_w[c - 1], EVENT)

    pool_x = LEFT
    x = pool_x + 2 * POOL_LABEL
    col_left: dict[int, float] = {}
    split_x: dict[int, float] = {}
    channel_x: dict[int, float] = {}
    start_x: dict[int, float] = {}
    join_x: dict[int, float] = {}
    for g in range(-1, n_cols):
        if g >= 0:
            col_left[g] = x
            x += TASK_W
            x += PAD
            split_x[g] = x
            if split_w[g]:
                x += split_w[g] + PAD
        else:
            x += PAD
        channel_x[g] = x + CHANNEL / 2
        x += CHANNEL + PAD
        if g < n_cols - 1:
            start_x[g] = x
            x += start_w[g]
            join_x[g] = x
            if join_w[g]:
                x += join_w[g] + PAD
    pool_w = x - pool_x

    lanes = [(key, float(y_of(y1)), float(y_of(y0))) for key, y0, y1 in bands]
    pool = (
        (pool_x, lanes[0][1], pool_w, lanes[-1][2] - lanes[0][1])
        if lanes
        else (pool_x, TOP, pool_w, TASK_H)
    )
    layout = _Layout(lanes, pool, column, channel_x)
    for stage in journey.stages:  # a group over the stage's columns, between the channels
        cols = [column[tp.id] for tp in tps.values() if tp.stage == stage.id]
        if cols:
            x0 = channel_x[min(cols) - 1] + CHANNEL / 2 + PAD / 2
            x1 = channel_x[max(cols)] - CHANNEL / 2 - PAD / 2
            box = (round(x0), pool[1] + 4, round(x1 - x0), pool[3] - 8)
            layout.groups.append((stage.id, box))

    for node in process.nodes.values():
        c = column[node.touchpoint]
        cy = float(y_of(centres[node.touchpoint][1]))
        if node.kind in ("userTask", "serviceTask"):
            node.box = (col_left[c], cy - TASK_H / 2, TASK_W, TASK_H)
        elif node.kind == "split":
            node.box = (split_x[c], cy - GATEWAY / 2, GATEWAY, GATEWAY)
        elif node.kind == "join":
            node.box = (join_x[c - 1], cy - GATEWAY / 2, GATEWAY, GATEWAY)
        elif node.kind == "start":
            has_join = node.touchpoint in process.has_join
            sx = start_x[c - 1] if has_join else join_x[c - 1] + join_w[c - 1] - EVENT
            node.box = (sx, cy - EVENT / 2, EVENT, EVENT)
        elif node.id.startswith("DropOff_"):
            node.box = (split_x[c] + GATEWAY + PAD, cy - EVENT / 2, EVENT, EVENT)
        else:  # an end event in place of the split
            node.box = (split_x[c], cy - EVENT / 2, EVENT, EVENT)
        bx, by, bw, bh = node.box
        node.box = (round(bx), round(by), round(bw), round(bh))
        layout.boxes.append((node.box[0], node.box[1], node.box[0] + bw, node.box[1] + bh))
    _route(process, layout)
    _place_labels(process)
    return layout


LABEL_H = 14.0  # one line of bpmn.io's 11 px label text


def _label_w(text: str) -> float:
    """About the width bpmn.io's 11 px label font gives ``text`` (7 px a character)."""
    return 7.0 * len(text) + 4.0


def _place_labels(process: _Process) -> None:
    """Boxes for the names bpmn.io draws beside shapes and flows, where nothing else is: a
    split gateway's name below its left half (flows leave by its bottom at the middle), a start
    event's below it and clear of the task on its right, a
    flow's share above its last horizontal run, just before it arrives (shares arriving at one
    point stacked upwards). Without them bpmn.io centres a flow's name on its middle segment,
    which often runs along a task's edge, and every name under its shape."""
    for node in process.nodes.values():
        x, y, w, h = node.box
        if node.kind == "split" and node.name:
            lw = _label_w(node.name)
            node.label = (round(x + w / 2 - 3 - lw), round(y + h + 1), round(lw), LABEL_H)
        elif node.kind == "start" and node.name:
            # below the event, ending just past it: clear of the task (or merge) on its right,
            # wrapped onto two lines rather than reaching far into the channel on its left
            full = _label_w(node.name)
            lw = min(full, w + 28)
            lines = -(-full // lw)
            node.label = (round(x + w + 4 - lw), round(y + h + 2), round(lw), LABEL_H * lines)
    stacked: dict[tuple[float, float], int] = {}
    for flow in process.flows:
        if not flow.name or len(flow.waypoints) < 2:
            continue
        points = flow.waypoints
        pairs = zip(points, points[1:], strict=False)
        runs = [(a, b) for a, b in pairs if a[1] == b[1] and a[0] != b[0]]
        a, b = runs[-1] if runs else (points[-2], points[-1])
        w = _label_w(flow.name)
        k = stacked.get(b, 0)
        stacked[b] = k + 1
        if abs(b[0] - a[0]) >= w + 4:
            x = b[0] - 4 - w if b[0] > a[0] else b[0] + 4
            y = a[1] - 2 - LABEL_H * (k + 1)
        else:  # a short run (a gateway into the event beside it): above both shapes
            s_box, t_box = process.nodes[flow.source].box, process.nodes[flow.target].box
            x = (a[0] + b[0]) / 2 - w / 2
            y = min(s_box[1], t_box[1]) - 1 - LABEL_H * (k + 1)
        flow.label = (round(x), round(y), round(w), LABEL_H)


def _route(process: _Process, layout: _Layout) -> None:
    """Orthogonal waypoints for every flow: out of a shape's right side, along its row to the
    channel of its column's gap, up or down that channel, along a free corridor to the channel
    before the target's column, and into the target's left side (a merging gateway that an entry's
    start event enters from the left is entered from the top)."""
    nodes = process.nodes
    used: dict[int, int] = {}
    lane_edges = sorted({y for _, y0, y1 in layout.lanes for y in (y0, y1)})

    def offset(gap: int) -> float:
        k = used.get(gap, 0)
        used[gap] = k + 1
        return layout.channel_x[gap] + ((k % 5) - 2) * 5.0

    def free(y: float, xa: float, xb: float) -> bool:
        lo, hi = min(xa, xb), max(xa, xb)
        return not any(
            b[0] - 3 < hi and lo < b[2] + 3 and b[1] - 3 < y < b[3] + 3 for b in layout.boxes
        )

    for flow in process.flows:
        s, t = nodes[flow.source], nodes[flow.target]
        sx, sy, sw, sh = s.box
        tx, ty, tw, th = t.box
        s_cy, t_cy = sy + sh / 2, ty + th / 2
        start = (sx + sw, s_cy)
        from_top = t.kind == "join" and t.touchpoint in process.entries and s.kind != "start"
        end = (tx + tw / 2, ty) if from_top else (tx, t_cy)
        adjacent = s.kind in ("start", "join") or t.kind == "end" or t.kind == "split"
        if adjacent and not from_top:
            points = [start, end] if s_cy == t_cy else [start, (start[0], t_cy), end]
            flow.waypoints = points
            continue
        c_s = layout.column[s.touchpoint]
        c_t = layout.column[t.touchpoint] - 1
        approach_y = ty - 4 if from_top else t_cy
        xb = offset(c_t)
        if c_t < c_s:  # back, or down/up the same column: leave by the bottom or the top
            row = nodes[f"Task_{s.touchpoint}"].box
            down = approach_y >= s_cy
            exit_x = sx + sw / 2
            start = (exit_x, sy + sh) if down else (exit_x, sy)
            edge_y = row[1] + row[3] + 4 if down else row[1] - 4
            points = [start, (exit_x, edge_y)]
            if not free(edge_y, xb, exit_x):
                xa = offset(c_s - 1)
                points.append((xa, edge_y))
                corridor = _corridor(layout, edge_y, approach_y, xa, xb, lane_edges)
                points += [(xa, corridor), (xb, corridor)]
            else:
                points.append((xb, edge_y))
        else:
            xa = offset(c_s) if c_t != c_s else xb
            level = s_cy
            if s.kind == "split" and f"DropOff_{s.touchpoint}" in nodes:
                # the drop-off event sits right of the gateway: leave by a corner round it
                row = nodes[f"Task_{s.touchpoint}"].box
                down = approach_y >= s_cy
                level = row[1] + row[3] + 4 if down else row[1] - 4
                start = (sx + sw / 2, sy + sh) if down else (sx + sw / 2, sy)
                points = [start, (start[0], level), (xa, level)]
            else:
                points = [start, (xa, s_cy)]
            if c_t != c_s:
                corridor = _corridor(layout, level, approach_y, xa, xb, lane_edges)
                points += [(xa, corridor), (xb, corridor)]
        points.append((xb, approach_y))
        if from_top:
            points.append((end[0], approach_y))
        points.append(end)
        flow.waypoints = _simplify(points)


def _corridor(
    layout: _Layout,
    y_from: float,
    y_to: float,
    xa: float,
    xb: float,
    lane_edges: Sequence[float],
) -> float:
    """The height at which a flow crosses from channel ``xa`` to channel ``xb`` touching no
    shape, with the least climbing: rows, gaps between rows and lane borders are candidates."""
    top, bottom = layout.pool[1], layout.pool[1] + layout.pool[3]
    lo, hi = min(xa, xb), max(xa, xb)
    blocked = sorted((b[1] - 3, b[3] + 3) for b in layout.boxes if b[0] - 3 < hi and lo < b[2] + 3)
    merged: list[list[float]] = []
    for y0, y1 in blocked:  # open intervals: a shared end point stays free
        if merged and y0 < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], y1)
        else:
            merged.append([y0, y1])
    starts = [m[0] for m in merged]

    def free(y: float) -> bool:
        k = bisect.bisect_left(starts, y) - 1
        return k < 0 or not merged[k][0] < y < merged[k][1]

    candidates = {y_from, y_to, top + 3, bottom - 3, *lane_edges}
    candidates.update(y for pair in merged for y in pair)
    for _cost, y in sorted((abs(y_from - y) + abs(y - y_to), y) for y in candidates):
        if top < y < bottom and free(y):
            return y
    return bottom - 3


def _simplify(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Without repeated points and without middle points of straight runs."""
    result: list[tuple[float, float]] = []
    for p in points:
        p = (round(p[0]), round(p[1]))
        if result and result[-1] == p:
            continue
        if len(result) >= 2:
            a, b = result[-2], result[-1]
            if (a[0] == b[0] == p[0]) or (a[1] == b[1] == p[1]):
                result[-1] = p
                continue
        result.append(p)
    return result


# -- XML -----------------------------------------------------------------------------------------


def _node_xml(node: _Node) -> str:
    tag = {
        "split": "bpmn:exclusiveGateway",
        "join": "bpmn:exclusiveGateway",
        "start": "bpmn:startEvent",
        "end": "bpmn:endEvent",
    }.get(node.kind, f"bpmn:{node.kind}")
    body = ""
    if node.documentation:
        body += _el("bpmn:documentation", (), _text(node.documentation))
    if node.extension:
        body += _el("bpmn:extensionElements", (), node.extension)
    body += "".join(_el("bpmn:incoming", (), f) for f in node.incoming)
    body += "".join(_el("bpmn:outgoing", (), f) for f in node.outgoing)
    if node.kind == "start":
        body += _el("bpmn:messageEventDefinition", [("id", f"{node.id}_message")])
    attrs: list[tuple[str, object]] = [("id", node.id), ("name", node.name or None)]
    if node.kind == "join":
        attrs.append(("gatewayDirection", "Converging"))
    elif node.kind == "split":
        attrs.append(("gatewayDirection", "Diverging"))
    return "      " + _el(tag, attrs, body) + "\n"


def _flow_xml(flow: _Flow) -> str:
    body = ""
    if flow.extension:
        body += _el("bpmn:extensionElements", (), flow.extension)
    if flow.condition:
        body += _el(
            "bpmn:conditionExpression",
            [("xsi:type", "bpmn:tFormalExpression")],
            _text(flow.condition),
        )
    attrs = [
        ("id", flow.id),
        ("name", flow.name or None),
        ("sourceRef", flow.source),
        ("targetRef", flow.target),
    ]
    return "      " + _el("bpmn:sequenceFlow", attrs, body) + "\n"


def _bounds(x: float, y: float, w: float, h: float) -> str:
    return _el(
        "dc:Bounds", [("x", _num(x)), ("y", _num(y)), ("width", _num(w)), ("height", _num(h))]
    )


def _label(box: tuple[float, float, float, float] | None) -> str:
    return "" if box is None else _el("bpmndi:BPMNLabel", (), _bounds(*box))


def export_bpmn(journey: Journey, renderer: str = "auto", timeout: float | None = None) -> str:
    """BPMN 2.0 XML of ``journey``, laid out (BPMN DI) from the journey view's grid.

    ``renderer`` and ``timeout`` are the Graphviz that lays out the grid and its time limit, as
    for :func:`journeymap.render.render_dot`. Deterministic: the same journey gives the same
    bytes."""
    from journeymap import __version__
    from journeymap.render._grid import metrics_for
    from journeymap.render.themes import get_theme

    process = _Process(journey)
    layout = _layout(process, renderer, timeout, metrics_for(get_theme("default")).node_h)
    jid = journey.id
    names = {f.id: f.name for f in journey.lanes()}
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        "<bpmn:definitions"
        + "".join(f' xmlns:{p}="{uri}"' for p, uri in NS.items())
        + f' id="Definitions_{jid}" targetNamespace="urn:journeymap:journey:{jid}"'
        + f' exporter="journeymap" exporterVersion="{_attr(__version__)}">\n',
        "  "
        + _el(
            "bpmn:collaboration",
            [("id", f"Collaboration_{jid}")],
            _el(
                "bpmn:participant",
                [
                    ("id", f"Participant_{jid}"),
                    ("name", journey.title),
                    ("processRef", f"Process_{jid}"),
                ],
            ),
        )
        + "\n",
        f'  <bpmn:process id="Process_{jid}" name="{_attr(journey.title)}" isExecutable="false">\n',
    ]
    if journey.description:
        out.append("    " + _el("bpmn:documentation", (), _text(journey.description)) + "\n")
    out.append("    " + _el("bpmn:extensionElements", (), _journey_extension(journey)) + "\n")
    out.append(f'    <bpmn:laneSet id="LaneSet_{jid}">\n')
    members: dict[str, list[str]] = {}
    for node in process.nodes.values():
        members.setdefault(node.lane, []).append(node.id)
    for fid, _, _ in layout.lanes:
        lead = journey.functions[fid].lead if fid in journey.functions else None
        body = (
            (_el("bpmn:documentation", (), _text(f"Lead: {lead}")) if lead else "")
            + _el("bpmn:extensionElements", (), _el("jm:lane", [("function", fid)]))
            + "".join(_el("bpmn:flowNodeRef", (), n) for n in members.get(fid, ()))
        )
        out.append(
            "      "
            + _el("bpmn:lane", [("id", f"Lane_{fid}"), ("name", names.get(fid, fid))], body)
            + "\n"
        )
    out.append("    </bpmn:laneSet>\n")
    out.extend(_node_xml(node) for node in process.nodes.values())
    out.extend(_flow_xml(flow) for flow in process.flows)
    out.extend(
        "      "
        + _el("bpmn:group", [("id", f"Group_{sid}"), ("categoryValueRef", f"Stage_{sid}")])
        + "\n"
        for sid, _ in layout.groups
    )
    out.append("  </bpmn:process>\n")
    if layout.groups:
        stage_names = {stage.id: stage.name for stage in journey.stages}
        values = "".join(
            _el("bpmn:categoryValue", [("id", f"Stage_{sid}"), ("value", stage_names[sid])])
            for sid, _ in layout.groups
        )
        out.append("  " + _el("bpmn:category", [("id", f"Category_{jid}_stages")], values) + "\n")

    out.append(f'  <bpmndi:BPMNDiagram id="Diagram_{jid}" name="{_attr(journey.title)}">\n')
    out.append(f'    <bpmndi:BPMNPlane id="Plane_{jid}" bpmnElement="Collaboration_{jid}">\n')
    out.append(
        "      "
        + _el(
            "bpmndi:BPMNShape",
            [
                ("id", f"Participant_{jid}_di"),
                ("bpmnElement", f"Participant_{jid}"),
                ("isHorizontal", "true"),
            ],
            _bounds(*layout.pool),
        )
        + "\n"
    )
    px, _, pw, _ = layout.pool
    for fid, y0, y1 in layout.lanes:
        out.append(
            "      "
            + _el(
                "bpmndi:BPMNShape",
                [
                    ("id", f"Lane_{fid}_di"),
                    ("bpmnElement", f"Lane_{fid}"),
                    ("isHorizontal", "true"),
                ],
                _bounds(px + POOL_LABEL, y0, pw - POOL_LABEL, y1 - y0),
            )
            + "\n"
        )
    for sid, box in layout.groups:
        out.append(
            "      "
            + _el(
                "bpmndi:BPMNShape",
                [("id", f"Group_{sid}_di"), ("bpmnElement", f"Group_{sid}")],
                # the stage's name above the pool, as a column header clear of the first row
                _bounds(*box) + _label((box[0], layout.pool[1] - LABEL_H - 6, box[2], LABEL_H)),
            )
            + "\n"
        )
    for node in process.nodes.values():
        attrs: list[tuple[str, object]] = [("id", f"{node.id}_di"), ("bpmnElement", node.id)]
        if node.kind in ("split", "join"):
            attrs.append(("isMarkerVisible", "true"))
        body = _bounds(*node.box) + _label(node.label)
        out.append("      " + _el("bpmndi:BPMNShape", attrs, body) + "\n")
    for flow in process.flows:
        points = "".join(
            _el("di:waypoint", [("x", _num(x)), ("y", _num(y))]) for x, y in flow.waypoints
        ) + _label(flow.label)
        out.append(
            "      "
            + _el("bpmndi:BPMNEdge", [("id", f"{flow.id}_di"), ("bpmnElement", flow.id)], points)
            + "\n"
        )
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out)
