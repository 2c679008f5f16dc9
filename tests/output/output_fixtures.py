"""Hand-built analyses for presentation tests: no loader and no engine involved.

``tiny`` is a three-touchpoint journey (ad -> call -> deal) whose figures are chosen by hand so
every rendered number can be checked by eye: 100 customers enter at ``ad``, 40 reach ``call``
(a marketing -> sales handoff), 10 reach ``deal``.
"""

from __future__ import annotations

from typing import Any

from journeymap.analysis.types import Finding, Handoff, JourneyAnalysis, Metrics
from journeymap.model import (
    Function,
    Journey,
    Location,
    Stage,
    Touchpoint,
    Transition,
    frozen_map,
)

PATH = "journeys/tiny.yaml"


def tiny_journey(path: str = PATH, title: str = "Tiny purchase") -> Journey:
    ad = Touchpoint(
        "ad",
        "Online ad",
        "aware",
        "marketing",
        channel="web",
        volume=100,
        next=(Transition("ad", "call", share=0.4, location=Location(path, 12, 9)),),
        location=Location(path, 8, 3),
    )
    call = Touchpoint(
        "call",
        "Sales call",
        "buy",
        "sales",
        channel="phone",
        next=(
            Transition("call", "deal", share=0.25, owner="sales", location=Location(path, 18, 9)),
        ),
        location=Location(path, 14, 3),
    )
    deal = Touchpoint(
        "deal",
        "Contract",
        "buy",
        "sales",
        channel="email",
        outcome="won",
        location=Location(path, 20, 3),
    )
    return Journey(
        id="tiny",
        title=title,
        path=path,
        functions=frozen_map(
            {
                "marketing": Function("marketing", "Marketing", "CMO"),
                "sales": Function("sales", "Sales", "VP Sales"),
            }
        ),
        systems=frozen_map(),
        integrations=(),
        channels=frozen_map(),
        stages=(Stage("aware", "aware"), Stage("buy", "buy")),
        touchpoints=frozen_map({"ad": ad, "call": call, "deal": deal}),
        location=Location(path, 1, 1),
    )


def tiny_metrics(**changes: Any) -> Metrics:
    figures: dict[str, Any] = dict(
        touchpoints=3,
        transitions=2,
        handoffs=1,
        handoff_ratio=0.5,
        expected_handoffs_per_customer=0.4,
        max_handoffs_on_path=1,
        max_handoffs_on_path_complete=True,
        functions_touched=2,
        outcomes={"won": 0.1},
        drop_off=0.9,
        expected_wait_hours_per_customer=0.0,
        stage_functions={"aware": ("marketing",), "buy": ("sales",)},
        stage_fragmentation={"aware": 0.0, "buy": 0.0},
        function_flow_share={"marketing": 100 / 150, "sales": 50 / 150},
        lead_flow_share={"CMO": 100 / 150, "VP Sales": 50 / 150},
        system_owner_flow_share={},
        handoff_matrix={("marketing", "sales"): 40.0},
        total_volume=100.0,
    )
    figures.update(changes)
    return Metrics(**figures)


def tiny_findings(path: str = PATH) -> tuple[Finding, ...]:
    return (
        Finding(
            "JM100",
            "info",
            "handoff marketing -> sales (risk 1.2)",
            "tiny",
            Location(path, 12, 9),
            ("ad", "call"),
            ("ad", "call"),
        ),
        Finding(
            "JM101",
            "warning",
            "handoff ad -> call has no owner; name the accountable function with `owner:`",
            "tiny",
            Location(path, 12, 9),
            ("ad", "call"),
            ("ad", "call"),
        ),
        Finding("JM202", "warning", "the journey has no end-to-end owner; add `owner:`", "tiny"),
    )


def tiny_analysis(path: str = PATH, **changes: Any) -> JourneyAnalysis:
    handoff = Handoff(
        "ad",
        "call",
        "marketing",
        "sales",
        40.0,
        0.4,
        1.2,
        ("JM104", "JM101"),
        1,
        Location(path, 12, 9),
    )
    values: dict[str, Any] = dict(
        journey=tiny_journey(path),
        metrics=tiny_metrics(),
        touchpoint_flow={"ad": 100.0, "call": 40.0, "deal": 10.0},
        transition_flow={("ad", "call"): 40.0, ("call", "deal"): 10.0},
        handoffs=(handoff,),
        findings=tiny_findings(path),
    )
    values.update(changes)
    return JourneyAnalysis(**values)
