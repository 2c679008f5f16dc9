"""Invariants on random small journeys built as model objects (hypothesis)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.model import Integration, Journey, System, Transition, frozen_map
from tests.analysis.builders import journey

FUNCTIONS = ["sales", "service", "it"]
SYSTEMS = ["crm", "erp", "sheet"]
CHANNELS = ["web", "phone", None]
ITEMS = ["email", "iban"]


@st.composite
def journeys(draw: st.DrawFn) -> Journey:
    n = draw(st.integers(1, 7))
    ids = [f"t{i}" for i in range(n)]
    tps: dict[str, dict[str, Any]] = {}
    for tid in ids:
        targets = draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
        with_shares = draw(st.booleans())
        nexts = []
        for target in targets:
            edge: dict[str, Any] = {"to": target}
            if with_shares:
                edge["share"] = draw(st.sampled_from([0.0, 0.1, 0.25, 0.5, 0.6, 1.0]))
            if draw(st.booleans()):
                edge["owner"] = draw(st.sampled_from(FUNCTIONS))
            edge["carries"] = draw(st.lists(st.sampled_from(ITEMS), max_size=2, unique=True))
            edge["wait"] = draw(st.sampled_from([None, 1.0, 48.0]))
            nexts.append(edge)
        tps[tid] = {
            "function": draw(st.sampled_from(FUNCTIONS)),
            "stage": draw(st.sampled_from(["s1", "s2"])),
            "channel": draw(st.sampled_from(CHANNELS)),
            "systems": draw(st.lists(st.sampled_from(SYSTEMS), max_size=2, unique=True)),
            "asks": draw(st.lists(st.sampled_from(ITEMS), max_size=2, unique=True)),
            "emotion": draw(st.sampled_from([None, 1, 3, 5])),
            "next": nexts,
        }
        if not nexts and draw(st.booleans()):
            tps[tid]["outcome"] = draw(st.sampled_from(["won", "lost"]))
    targets_all = {e["to"] for t in tps.values() for e in t["next"]}
    if all(tid in targets_all for tid in ids) or draw(st.booleans()):
        tps[ids[0]]["entry"] = True  # otherwise the entries are those with no incoming edge
        if draw(st.booleans()):
            tps[ids[0]]["volume"] = draw(st.sampled_from([1.0, 50.0, 1000.0]))
    integrations = draw(
        st.lists(
            st.tuples(st.sampled_from(SYSTEMS), st.sampled_from(SYSTEMS), st.booleans()),
            max_size=3,
        )
    )
    systems = {s: {"shadow": s == "sheet"} for s in SYSTEMS}
    return journey(
        tps,
        functions={f: {"lead": f.upper()} for f in FUNCTIONS},
        systems=systems,
        integrations=[i for i in integrations if i[0] != i[1]],
        owner=draw(st.sampled_from([None, "sales"])),
    )


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(journeys())
def test_flow_conserves_volume(j: Journey) -> None:
    m = analyze(j).metrics
    absorbed = sum(m.outcomes.values()) + m.drop_off + m.trapped
    assert math.isclose(absorbed, 1.0, rel_tol=1e-9, abs_tol=1e-9)
    assert all(v >= -1e-12 for v in m.outcomes.values()) and m.drop_off >= -1e-12


@SETTINGS
@given(journeys())
def test_handoffs_are_the_cross_function_edges(j: Journey) -> None:
    a = analyze(j)
    cross = [t for t in j.transitions() if j.is_handoff(t)]
    assert a.metrics.handoffs == len(cross) == len(a.handoffs)
    assert Counter((h.source, h.target) for h in a.handoffs) == Counter(t.key for t in cross)
    assert sum(1 for f in a.findings if f.rule == "JM100") == len(cross)
    assert sorted(h.number for h in a.handoffs) == list(range(1, len(cross) + 1))
    risks = [h.risk for h in a.handoffs]
    assert risks == sorted(risks, reverse=True)


@SETTINGS
@given(journeys())
def test_one_function_means_no_handoff_findings(j: Journey) -> None:
    same = replace(
        j,
        touchpoints=frozen_map({k: replace(t, function="sales") for k, t in j.touchpoints.items()}),
    )
    a = analyze(same)
    assert [f for f in a.findings if f.rule.startswith("JM1")] == []
    assert a.metrics.handoffs == 0 and a.metrics.expected_handoffs_per_customer == 0


def _rename(j: Journey) -> tuple[Journey, dict[str, str]]:
    """Every id renamed (touchpoints, functions, systems, items), file order unchanged."""
    names: dict[str, str] = {}

    def r(value: str) -> str:
        return names.setdefault(value, f"zz-{value[::-1]}")

    def tr(t: Transition) -> Transition:
        return replace(
            t,
            source=r(t.source),
            target=r(t.target),
            carries=tuple(r(c) for c in t.carries),
            owner=r(t.owner) if t.owner else None,
        )

    tps = {
        r(k): replace(
            t,
            id=r(t.id),
            function=r(t.function),
            systems=tuple(r(s) for s in t.systems),
            asks=tuple(r(a) for a in t.asks),
            next=tuple(tr(x) for x in t.next),
        )
        for k, t in j.touchpoints.items()
    }
    functions = {r(k): replace(f, id=r(f.id)) for k, f in j.functions.items()}
    systems = {
        r(k): System(r(s.id), s.name, r(s.owner) if s.owner else None, s.shadow)
        for k, s in j.systems.items()
    }
    integrations = tuple(Integration(r(i.a), r(i.b), i.one_way) for i in j.integrations)
    renamed = replace(
        j,
        touchpoints=frozen_map(tps),
        functions=frozen_map(functions),
        systems=frozen_map(systems),
        integrations=integrations,
        owner=r(j.owner) if j.owner else None,
    )
    return renamed, names


def _shape(a: JourneyAnalysis, names: dict[str, str] | None = None) -> object:
    def r(value: str) -> str:
        return names.get(value, value) if names else value

    m = a.metrics
    return (
        round(m.expected_handoffs_per_customer, 9),
        m.max_handoffs_on_path,
        round(m.drop_off, 9),
        round(m.expected_wait_hours_per_customer, 9),
        {r(k): round(v, 9) for k, v in a.touchpoint_flow.items()},
        {(r(k[0]), r(k[1])): round(v, 9) for k, v in m.handoff_matrix.items()},
        [(r(h.source), r(h.target), h.rules, round(h.risk, 9), h.number) for h in a.handoffs],
        sorted((f.rule, f.severity, f.location, tuple(map(r, f.touchpoints))) for f in a.findings),
    )


@SETTINGS
@given(journeys())
def test_renaming_ids_changes_nothing_but_names(j: Journey) -> None:
    renamed, names = _rename(j)
    assert _shape(analyze(renamed)) == _shape(analyze(j), names)
