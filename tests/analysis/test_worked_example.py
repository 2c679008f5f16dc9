"""The worked example (tests/data/worked/broadband.md): every figure and finding, computed by hand.

Exact values: visit V = 80 / 0.85 = 1600/17, care-call C = 0.25 V = 400/17, survey 0.4 C = 160/17,
happy 0.75 V = 1200/17; total entry volume 200.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.load import load_journey
from journeymap.model import Journey
from tests.analysis.builders import broadband

DATA = Path(__file__).parent.parent / "data" / "analysis"

V, C, S, H = 1600 / 17, 400 / 17, 160 / 17, 1200 / 17


def _from_file() -> Journey:
    return load_journey(DATA / "broadband.yaml")


@pytest.fixture(params=["model", "file"])
def analysis(request: pytest.FixtureRequest) -> JourneyAnalysis:
    j = broadband() if request.param == "model" else _from_file()
    return analyze(j)


def test_flows(analysis: JourneyAnalysis) -> None:
    assert dict(analysis.touchpoint_flow) == pytest.approx(
        {"offer": 200, "call": 100, "visit": V, "care-call": C, "survey": S, "happy": H}
    )
    # Absorbed: 100 + 20 drop-offs + happy 70.588 + survey 9.412 = 200.
    m = analysis.metrics
    assert 200 * (m.drop_off + sum(m.outcomes.values())) == pytest.approx(200)
    assert m.drop_off * 200 == pytest.approx(120)


def test_handoffs_and_flows(analysis: JourneyAnalysis) -> None:
    got = {
        (h.source, h.target): (h.from_function, h.to_function, h.flow, h.per_customer)
        for h in analysis.handoffs
    }
    assert got == {
        ("offer", "call"): ("marketing", "sales", 100, 0.5),
        ("call", "visit"): ("sales", "field", 80, 0.4),
        ("visit", "care-call"): (
            "field",
            "care",
            pytest.approx(23.529, abs=1e-3),
            pytest.approx(0.117647, abs=1e-6),
        ),
        ("care-call", "visit"): (
            "care",
            "field",
            pytest.approx(14.118, abs=1e-3),
            pytest.approx(0.070588, abs=1e-6),
        ),
        ("care-call", "survey"): (
            "care",
            "marketing",
            pytest.approx(9.412, abs=1e-3),
            pytest.approx(0.047059, abs=1e-6),
        ),
    }


def test_metrics(analysis: JourneyAnalysis) -> None:
    m = analysis.metrics
    assert (m.touchpoints, m.transitions, m.handoffs) == (6, 6, 5)
    assert m.handoff_ratio == pytest.approx(5 / 6)
    # (100 + 80 + 23.529 + 14.118 + 9.412) / 200
    assert m.expected_handoffs_per_customer == pytest.approx(1.135294, abs=1e-6)
    assert m.outcomes == pytest.approx({"live": 0.352941, "churn-risk": 0.047059}, abs=1e-6)
    assert (m.max_handoffs_on_path, m.max_handoffs_on_path_complete) == (4, True)
    assert m.functions_touched == 4
    # Only call -> visit waits: 80 customers x 120 h / 200 = 48 h per entering customer.
    assert m.expected_wait_hours_per_customer == pytest.approx(48.0)
    assert m.total_volume == 200


def test_frontstage_flow_shares(analysis: JourneyAnalysis) -> None:
    # marketing 200 + 9.412 = 209.4 of 497.6; field 94.118 + 70.588 = 164.7; sales 100; care 23.5
    total = 300 + 3360 / 17  # 497.647
    shares = analysis.metrics.function_flow_share
    assert total == pytest.approx(497.6, abs=0.05)
    assert shares["marketing"] * total == pytest.approx(209.4, abs=0.05)
    assert shares["field"] * total == pytest.approx(164.7, abs=0.05)
    assert shares["sales"] * total == pytest.approx(100)
    assert shares["care"] * total == pytest.approx(23.5, abs=0.05)
    assert [round(100 * shares[f]) for f in ("marketing", "field", "sales", "care")] == [
        42,
        33,
        20,
        5,
    ]


def test_findings(analysis: JourneyAnalysis) -> None:
    counts = Counter(f.rule for f in analysis.findings)
    assert counts == {
        "JM100": 5,
        "JM101": 4,
        "JM102": 2,
        "JM103": 1,
        "JM104": 5,
        "JM106": 1,
        "JM107": 1,
        "JM108": 1,
        "JM202": 1,
    }

    def at(rule: str) -> set[tuple[str, ...] | None]:
        return {f.transition or f.touchpoints for f in analysis.findings if f.rule == rule}

    assert at("JM101") == {
        ("offer", "call"),
        ("visit", "care-call"),
        ("care-call", "visit"),
        ("care-call", "survey"),
    }
    assert at("JM102") == {("visit", "care-call"), ("care-call", "survey")}
    jm103 = [f for f in analysis.findings if f.rule == "JM103"]
    assert (
        jm103[0].touchpoints == ("offer", "call", "visit", "care-call")
        and "`address`" in jm103[0].message
    )
    assert at("JM104") == at("JM100")
    assert at("JM106") == {("call", "visit")}
    assert at("JM107") == {("care-call", "survey")}
    jm108 = [f for f in analysis.findings if f.rule == "JM108"]
    assert jm108[0].transition == ("care-call", "visit")
    assert "visit -> care-call (field -> care)" in jm108[0].message


def test_risk_and_ranking(analysis: JourneyAnalysis) -> None:
    # Default weights: JM100 1, JM101 2, JM102 3, JM103 3, JM104 1, JM106 2, JM107 2, JM108 3.
    expected = [
        ("offer", "call", ("JM101", "JM104"), (1 + 2 + 1) * 0.5),  # 2.0
        ("call", "visit", ("JM104", "JM106"), (1 + 1 + 2) * 0.4),  # 1.6
        ("visit", "care-call", ("JM101", "JM102", "JM103", "JM104"), 10 * 2 / 17),  # 1.176
        ("care-call", "visit", ("JM101", "JM104", "JM108"), 7 * 1.2 / 17),  # 0.494
        ("care-call", "survey", ("JM101", "JM102", "JM104", "JM107"), 9 * 0.8 / 17),  # 0.424
    ]
    got = [(h.source, h.target, h.rules, h.risk) for h in analysis.handoffs]
    assert got == [(s, t, r, pytest.approx(x)) for s, t, r, x in expected]
    assert [h.number for h in analysis.handoffs] == [1, 2, 3, 4, 5]
