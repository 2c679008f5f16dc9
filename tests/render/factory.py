"""Hand-built journeys and analyses for the render tests (no loader, no engine).

Flows here are written by hand (broadband: from tests/data/worked/broadband.md) or trivially
stubbed (every touchpoint 1, every transition its share): the renderer only presents them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from journeymap.analysis.types import Handoff, JourneyAnalysis, Metrics
from journeymap.model import (
    Function,
    Integration,
    Journey,
    Stage,
    System,
    Touchpoint,
    Transition,
    frozen_map,
)


def journey(
    *,
    id: str = "j",
    title: str = "Test journey",
    functions: Sequence[tuple[str, str, str | None]],
    stages: Sequence[tuple[str, str]],
    touchpoints: Sequence[Mapping[str, Any]],
    systems: Sequence[tuple[str, str, str | None, bool]] = (),
    integrations: Sequence[tuple[str, str, bool]] = (),
    persona: str | None = None,
) -> Journey:
    """Build a Journey; each touchpoint is a dict with ``id``, ``name``, ``stage``, ``function``,
    optional model fields, and ``next`` as a list of target ids or Transition keyword dicts."""
    tps = {}
    for spec in touchpoints:
        spec = dict(spec)
        nxt = []
        for item in spec.pop("next", ()):
            if isinstance(item, str):
                item = {"target": item}
            nxt.append(Transition(source=spec["id"], **item))
        for key in ("systems", "asks", "pains"):
            if key in spec:
                spec[key] = tuple(spec[key])
        tps[spec["id"]] = Touchpoint(next=tuple(nxt), **spec)
    return Journey(
        id=id,
        title=title,
        path=f"{id}.yaml",
        functions=frozen_map({f: Function(f, n, lead) for f, n, lead in functions}),
        systems=frozen_map({s: System(s, n, o, sh) for s, n, o, sh in systems}),
        integrations=tuple(Integration(a, b, ow) for a, b, ow in integrations),
        channels=frozen_map({}),
        stages=tuple(Stage(s, n) for s, n in stages),
        touchpoints=frozen_map(tps),
        persona=persona,
    )


def analysis(
    j: Journey,
    *,
    touchpoint_flow: Mapping[str, float] | None = None,
    transition_flow: Mapping[tuple[str, str], float] | None = None,
    rules: Mapping[tuple[str, str], Sequence[str]] | None = None,
    numbers: Mapping[tuple[str, str], int] | None = None,
) -> JourneyAnalysis:
    """A stub analysis: given flows (default 1 per touchpoint, share per transition), handoffs
    numbered as ``numbers`` says (default: file order) with the given rule codes."""
    rules = rules or {}
    tflow = dict(touchpoint_flow or {t: 1.0 for t in j.touchpoints})
    eflow: dict[tuple[str, str], float] = {}
    for t in j.transitions():
        tp = j.touchpoints[t.source]
        share = t.share if t.share is not None else 1.0 / len(tp.next)
        eflow[t.key] = (transition_flow or {}).get(t.key, tflow.get(t.source, 1.0) * share)
    handoff_keys = [t.key for t in j.transitions() if j.is_handoff(t)]
    order = numbers or {k: i + 1 for i, k in enumerate(handoff_keys)}
    handoffs = sorted(
        (
            Handoff(
                source=a,
                target=b,
                from_function=j.touchpoints[a].function,
                to_function=j.touchpoints[b].function,
                flow=eflow[(a, b)],
                per_customer=eflow[(a, b)]
                / (sum(tflow.get(t.id, 0.0) for t in j.entries()) or 1.0),
                risk=0.0,
                rules=("JM100", *rules.get((a, b), ())),
                number=order[(a, b)],
            )
            for a, b in handoff_keys
        ),
        key=lambda h: h.number,
    )
    matrix: dict[tuple[str, str], float] = {}
    for h in handoffs:
        key = (h.from_function, h.to_function)
        matrix[key] = matrix.get(key, 0.0) + h.flow
    fshare: dict[str, float] = {}
    for tid, flow in tflow.items():
        f = j.touchpoints[tid].function
        fshare[f] = fshare.get(f, 0.0) + flow
    total = sum(fshare.values()) or 1.0
    volume = sum(tflow.get(t.id, 0.0) for t in j.entries()) or 1.0
    metrics = Metrics(
        touchpoints=len(j.touchpoints),
        transitions=len(eflow),
        handoffs=len(handoffs),
        handoff_ratio=len(handoffs) / max(len(eflow), 1),
        expected_handoffs_per_customer=sum(h.per_customer for h in handoffs),
        max_handoffs_on_path=len(handoffs),
        max_handoffs_on_path_complete=True,
        functions_touched=len({t.function for t in j.touchpoints.values()}),
        outcomes={},
        drop_off=0.0,
        expected_wait_hours_per_customer=0.0,
        stage_functions={},
        stage_fragmentation={},
        function_flow_share={f: v / total for f, v in fshare.items()},
        lead_flow_share={},
        system_owner_flow_share={},
        handoff_matrix=matrix,
        total_volume=volume,
    )
    return JourneyAnalysis(j, metrics, tflow, eflow, tuple(handoffs))


def broadband() -> JourneyAnalysis:
    """The worked example, with the flows and rule hits computed by hand in broadband.md."""
    j = journey(
        id="broadband",
        title="Broadband installation",
        persona="Home worker switching provider",
        functions=[
            ("marketing", "Marketing", "CMO"),
            ("sales", "Telesales", "VP Sales"),
            ("field", "Field engineering", "COO"),
            ("care", "Customer care", "Head of Care"),
        ],
        systems=[
            ("web", "Web shop", "marketing", False),
            ("crm", "CRM", "sales", False),
            ("wfm", "Workforce scheduling", "field", False),
            ("survey", "Survey tool", "marketing", True),
        ],
        integrations=[("web", "crm", False), ("crm", "wfm", True)],
        stages=[("choose", "choose"), ("install", "install"), ("live", "live")],
        touchpoints=[
            dict(
                id="offer",
                name="Online offer",
                stage="choose",
                function="marketing",
                channel="web",
                systems=["web"],
                asks=["address"],
                emotion=4,
                volume=200.0,
                next=[dict(target="call", share=0.5)],
            ),
            dict(
                id="call",
                name="Sales call",
                stage="choose",
                function="sales",
                channel="phone",
                systems=["crm"],
                asks=["address", "bank"],
                emotion=3,
                next=[dict(target="visit", share=0.8, owner="field", wait_hours=120.0)],
            ),
            dict(
                id="visit",
                name="Engineer visit",
                stage="install",
                function="field",
                channel="field",
                systems=["wfm"],
                asks=["address"],
                emotion=2,
                next=[
                    dict(target="care-call", share=0.25),
                    dict(target="happy", share=0.75, owner="field"),
                ],
            ),
            dict(
                id="care-call",
                name="Call care about a fault",
                stage="install",
                function="care",
                channel="phone",
                asks=["address"],
                emotion=1,
                next=[
                    dict(target="visit", share=0.6, carries=("address",)),
                    dict(target="survey", share=0.4),
                ],
            ),
            dict(
                id="survey",
                name="Satisfaction survey",
                stage="live",
                function="marketing",
                channel="email",
                systems=["survey"],
                emotion=2,
                outcome="churn-risk",
            ),
            dict(
                id="happy",
                name="Working broadband",
                stage="live",
                function="field",
                channel="field",
                systems=["wfm"],
                emotion=5,
                outcome="live",
            ),
        ],
    )
    v = 80 / 0.85
    c = 0.25 * v
    flows = {
        "offer": 200.0,
        "call": 100.0,
        "visit": v,
        "care-call": c,
        "survey": 0.4 * c,
        "happy": 0.75 * v,
    }
    rules = {
        ("offer", "call"): ["JM101", "JM104"],
        ("call", "visit"): ["JM104", "JM106"],
        ("visit", "care-call"): ["JM101", "JM102", "JM103", "JM104", "JM108"],
        ("care-call", "visit"): ["JM101", "JM104", "JM108"],
        ("care-call", "survey"): ["JM101", "JM102", "JM104", "JM107"],
    }
    numbers = {
        ("visit", "care-call"): 1,
        ("care-call", "survey"): 2,
        ("offer", "call"): 3,
        ("care-call", "visit"): 4,
        ("call", "visit"): 5,
    }
    return analysis(j, touchpoint_flow=flows, rules=rules, numbers=numbers)


def merge_lines(root: Any) -> Any:
    """Fold the engine's one-node-per-line text back into one group per label, as the report's
    script does (``foldLines`` in templates/report.js): the ``<text>`` of a text-only group
    ``<id>-2``, ``<id>-text``, ``<id>-text-2``... moves into the group ``<id>``, and the emptied
    group goes (an ElementTree root)."""
    import re

    svg = "{http://www.w3.org/2000/svg}"
    parent = {child: g for g in root.iter() for child in g}
    groups = {g.get("id", ""): g for g in root.iter(f"{svg}g")}
    for gid, g in list(groups.items()):
        match = re.fullmatch(r"(.*?)(-text)?(-[0-9]+)?", gid)
        if not match or not (match[2] or match[3]) or match[1] not in groups:
            continue
        if any(e.tag.split("}")[-1] in ("polygon", "path", "ellipse") for e in g.iter()):
            continue
        for text in list(g.iter(f"{svg}text")):
            groups[match[1]].append(text)
        parent[g].remove(g)
    return root
