"""Build model Journeys directly from compact Python dicts (no YAML), for engine tests.

``journey(touchpoints={...}, functions=..., systems=..., integrations=...)`` where each
touchpoint is a dict of Touchpoint fields plus ``next``: a list of target ids or of dicts of
Transition fields (``to`` for the target, ``wait`` in hours). Functions default to one per
function id used; every transition gets a distinct fake location so findings sort by file order.
"""

from __future__ import annotations

from typing import Any

from journeymap.model import (
    Function,
    Integration,
    Journey,
    Location,
    Stage,
    System,
    Touchpoint,
    Transition,
    frozen_map,
)


def journey(
    touchpoints: dict[str, dict[str, Any]],
    *,
    functions: dict[str, dict[str, Any]] | None = None,
    systems: dict[str, dict[str, Any]] | None = None,
    integrations: list[tuple[str, str] | tuple[str, str, bool]] = (),  # type: ignore[assignment]
    stages: list[str] | None = None,
    owner: str | None = None,
    id: str = "test",
    path: str = "test.yaml",
) -> Journey:
    line = 10
    tps: dict[str, Touchpoint] = {}
    used_functions: dict[str, None] = {}
    used_stages: dict[str, None] = {}
    for tid, spec in touchpoints.items():
        spec = dict(spec)
        tp_line = line
        line += 1
        nexts = []
        for item in spec.pop("next", []):
            if isinstance(item, str):
                item = {"to": item}
            item = dict(item)
            target = item.pop("to")
            wait = item.pop("wait", None)
            carries = tuple(item.pop("carries", ()))
            nexts.append(
                Transition(
                    tid,
                    target,
                    wait_hours=wait,
                    carries=carries,
                    location=Location(path, line, 9),
                    **item,
                )
            )
            line += 1
        spec.setdefault("name", tid)
        spec.setdefault("stage", "s")
        spec.setdefault("function", "f")
        for key in ("systems", "asks"):
            if key in spec:
                spec[key] = tuple(spec[key])
        used_functions[spec["function"]] = None
        used_stages[spec["stage"]] = None
        tps[tid] = Touchpoint(
            id=tid, next=tuple(nexts), location=Location(path, tp_line, 3), **spec
        )
    fn_specs = functions if functions is not None else {f: {} for f in used_functions}
    fns = {
        fid: Function(fid, spec.get("name", fid.title()), spec.get("lead"))
        for fid, spec in fn_specs.items()
    }
    for f in used_functions:
        fns.setdefault(f, Function(f, f.title()))
    sys_specs = systems or {}
    syss = {
        sid: System(sid, spec.get("name", sid), spec.get("owner"), spec.get("shadow", False))
        for sid, spec in sys_specs.items()
    }
    for tp in tps.values():
        for s in tp.systems:
            syss.setdefault(s, System(s, s))
    for integration in integrations:
        for s in integration[:2]:
            syss.setdefault(s, System(s, s))
    ints = tuple(Integration(i[0], i[1], bool(i[2]) if len(i) > 2 else False) for i in integrations)
    stage_ids = stages if stages is not None else list(used_stages)
    return Journey(
        id=id,
        title=id,
        path=path,
        functions=frozen_map(fns),
        systems=frozen_map(syss),
        integrations=ints,
        channels=frozen_map({}),
        stages=tuple(
            Stage(s, s, location=Location(path, 2, 1 + k)) for k, s in enumerate(stage_ids)
        ),
        touchpoints=frozen_map(tps),
        owner=owner,
        location=Location(path, 1, 1),
    )


def broadband() -> Journey:
    """tests/data/worked/broadband.yaml, transcribed by hand (the loader test uses the file)."""
    return journey(
        functions={
            "marketing": {"name": "Marketing", "lead": "CMO"},
            "sales": {"name": "Telesales", "lead": "VP Sales"},
            "field": {"name": "Field engineering", "lead": "COO"},
            "care": {"name": "Customer care", "lead": "Head of Care"},
        },
        systems={
            "web": {"owner": "marketing"},
            "crm": {"owner": "sales"},
            "wfm": {"owner": "field"},
            "survey": {"owner": "marketing", "shadow": True},
        },
        integrations=[("web", "crm"), ("crm", "wfm", True)],
        stages=["choose", "install", "live"],
        id="broadband",
        path="broadband.yaml",
        touchpoints={
            "offer": dict(
                stage="choose",
                function="marketing",
                channel="web",
                systems=["web"],
                asks=["address"],
                emotion=4,
                volume=200,
                next=[{"to": "call", "share": 0.5}],
            ),
            "call": dict(
                stage="choose",
                function="sales",
                channel="phone",
                systems=["crm"],
                asks=["address", "bank"],
                emotion=3,
                next=[{"to": "visit", "share": 0.8, "owner": "field", "wait": 120.0}],
            ),
            "visit": dict(
                stage="install",
                function="field",
                channel="field",
                systems=["wfm"],
                asks=["address"],
                emotion=2,
                next=[
                    {"to": "care-call", "share": 0.25},
                    {"to": "happy", "share": 0.75, "owner": "field"},
                ],
            ),
            "care-call": dict(
                stage="install",
                function="care",
                channel="phone",
                asks=["address"],
                emotion=1,
                next=[
                    {"to": "visit", "share": 0.6, "carries": ["address"]},
                    {"to": "survey", "share": 0.4},
                ],
            ),
            "survey": dict(
                stage="live",
                function="marketing",
                channel="email",
                systems=["survey"],
                emotion=2,
                outcome="churn-risk",
            ),
            "happy": dict(
                stage="live",
                function="field",
                channel="field",
                systems=["wfm"],
                emotion=5,
                outcome="live",
            ),
        },
    )
