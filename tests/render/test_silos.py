"""The silo map: one line per pair of functions, weighed as the engine weighs handoffs (a journey's
flows alone, per entering customer across journeys), the strongest tagged, minor ones counted.

Every figure below is computed by hand from the flows written into the fixtures.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest

from journeymap.render import build_dot, build_silo_dot, silos_view
from tests.render import factory as F

_STATEMENT = re.compile(r'^"((?:[^"\\]|\\.)*)"(?: -> "((?:[^"\\]|\\.)*)")? \[(.*)\];$')
_ATTRIBUTE = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|[^,\s]+)')


def _parse(dot: str) -> tuple[dict[str, dict[str, str]], list[tuple[str, str, dict[str, str]]]]:
    """Nodes and edges of the DOT pydot writes: one statement a line (our names and values are
    always quoted; numbers and booleans are bare)."""
    nodes: dict[str, dict[str, str]] = {}
    edges: list[tuple[str, str, dict[str, str]]] = []
    for line in dot.splitlines():
        match = _STATEMENT.match(line)
        if not match:
            continue
        attrs = {
            k: v[1:-1] if v.startswith('"') else v for k, v in _ATTRIBUTE.findall(match.group(3))
        }
        if match.group(2) is None:
            nodes[match.group(1)] = attrs
        else:
            edges.append((match.group(1), match.group(2), attrs))
    return nodes, edges


def _rows(attrs: dict[str, str]) -> list[str]:
    return attrs["label"].split("\\n")


def _lines(dot: str) -> dict[frozenset[str], dict[str, Any]]:
    """Each drawn line by its pair of functions: its tag's rows (None for an untagged line) and
    the arrowheads at each function ({function: True when an arrow points into it})."""
    nodes, edges = _parse(dot)
    found: dict[frozenset[str], dict[str, Any]] = {}
    for tail, head, attrs in edges:
        if not tail.startswith("fn-"):
            continue  # the second half of a tagged line, read with its first half
        if head.startswith("silotag-"):
            onward = next((h, a) for t, h, a in edges if t == head)
            a, b = tail[3:], onward[0][3:]
            rows = _rows(nodes[head])
            arrows = {a: attrs["dir"] == "back", b: onward[1]["dir"] == "forward"}
        else:
            a, b = tail[3:], head[3:]
            rows = None
            arrows = {a: attrs["dir"] in ("back", "both"), b: attrs["dir"] in ("forward", "both")}
        pair = frozenset((a, b))
        assert pair not in found, f"two lines for {sorted(pair)}"
        found[pair] = {"rows": rows, "arrows": arrows, "attrs": attrs}
    return found


def _portfolio() -> list[Any]:
    """Two journeys on different scales.

    A (100 customers a week): sales -> ops for all 100 (1.0 per customer); ops -> care for half
    of them (0.5), care -> ops back for those 50 (0.5); a rule hits ops -> care.
    B (1000 a quarter): sales -> care 200 (0.2), sales -> billing 800 (0.8), billing -> sales 80
    (0.08), care -> billing 50 (0.05).

    Per pair, summed: sales-ops 1.0 one way; ops-care 1.0 both ways, risky; sales-billing 0.88
    both ways; sales-care 0.2 one way; care-billing 0.05, under 10% of the strongest (1.0) and
    not the strongest link of either function: minor.
    """
    a = F.journey(
        id="a",
        functions=[("sales", "Sales", "CSO"), ("ops", "Operations", None), ("care", "Care", None)],
        stages=[("s", "s")],
        touchpoints=[
            dict(id="a1", name="Order", stage="s", function="sales", next=["a2"]),
            dict(
                id="a2",
                name="Build",
                stage="s",
                function="ops",
                next=[dict(target="a3", share=0.5), dict(target="a5", share=0.5)],
            ),
            dict(id="a3", name="Query", stage="s", function="care", next=["a4"]),
            dict(id="a4", name="Fix", stage="s", function="ops", outcome="done"),
            dict(id="a5", name="Ship", stage="s", function="ops", outcome="done"),
        ],
    )
    b = F.journey(
        id="b",
        functions=[("sales", "Sales", "CSO"), ("care", "Care", None), ("billing", "Billing", None)],
        stages=[("s", "s")],
        touchpoints=[
            dict(
                id="b1",
                name="Order",
                stage="s",
                function="sales",
                next=[dict(target="b2", share=0.2), dict(target="b3", share=0.8)],
            ),
            dict(
                id="b2",
                name="Ask",
                stage="s",
                function="care",
                next=[dict(target="b6", share=0.25), dict(target="b7", share=0.75)],
            ),
            dict(
                id="b3",
                name="Invoice",
                stage="s",
                function="billing",
                next=[dict(target="b4", share=0.1), dict(target="b5", share=0.9)],
            ),
            dict(id="b4", name="Dispute", stage="s", function="sales", outcome="x"),
            dict(id="b5", name="Paid", stage="s", function="billing", outcome="y"),
            dict(id="b6", name="Refund", stage="s", function="billing", outcome="z"),
            dict(id="b7", name="Answered", stage="s", function="care", outcome="w"),
        ],
    )
    flows_a = {"a1": 100.0, "a2": 100.0, "a3": 50.0, "a4": 50.0, "a5": 50.0}
    flows_b = {
        "b1": 1000.0,
        "b2": 200.0,
        "b3": 800.0,
        "b4": 80.0,
        "b5": 720.0,
        "b6": 50.0,
        "b7": 150.0,
    }
    return [
        F.analysis(a, touchpoint_flow=flows_a, rules={("a2", "a3"): ["JM101"]}),
        F.analysis(b, touchpoint_flow=flows_b),
    ]


def test_the_fixture_handoffs_are_what_the_docstring_says() -> None:
    per_customer = {
        (h.from_function, h.to_function): round(h.per_customer, 4)
        for x in _portfolio()
        for h in x.handoffs
    }
    assert per_customer == {
        ("sales", "ops"): 1.0,
        ("ops", "care"): 0.5,
        ("care", "ops"): 0.5,
        ("sales", "care"): 0.2,
        ("sales", "billing"): 0.8,
        ("billing", "sales"): 0.08,
        ("care", "billing"): 0.05,
    }


def test_one_line_per_pair_weighed_per_entering_customer() -> None:
    lines = _lines(build_silo_dot(_portfolio()))
    assert set(lines) == {
        frozenset(p)
        for p in [("sales", "ops"), ("ops", "care"), ("sales", "billing"), ("sales", "care")]
    }
    assert lines[frozenset(("sales", "ops"))]["rows"] == ["1.00 per customer"]
    assert lines[frozenset(("ops", "care"))]["rows"] == ["1.00 per customer", "both ways · risky"]
    assert lines[frozenset(("sales", "billing"))]["rows"] == ["0.88 per customer", "both ways"]
    assert lines[frozenset(("sales", "care"))]["rows"] == ["0.20 per customer"]


def test_arrowheads_point_the_way_customers_are_handed() -> None:
    lines = _lines(build_silo_dot(_portfolio()))
    assert lines[frozenset(("sales", "ops"))]["arrows"] == {"sales": False, "ops": True}
    assert lines[frozenset(("ops", "care"))]["arrows"] == {"ops": True, "care": True}
    assert lines[frozenset(("sales", "billing"))]["arrows"] == {"sales": True, "billing": True}
    assert lines[frozenset(("sales", "care"))]["arrows"] == {"sales": False, "care": True}


def test_minor_pairs_are_counted_in_both_boxes_not_drawn() -> None:
    dot = build_silo_dot(_portfolio())
    nodes, _ = _parse(dot)
    assert "+1 minor link" in _rows(nodes["fn-care"]) and "+1 minor link" in _rows(
        nodes["fn-billing"]
    )
    assert not any("minor" in row for row in _rows(nodes["fn-sales"]) + _rows(nodes["fn-ops"]))
    assert "Billing" in nodes["fn-care"]["tooltip"]  # the minor link named on hover
    key = nodes["silo-key"]["label"]
    assert "(1 in all;" in key.replace("\\l", " ")


def test_only_the_strongest_are_tagged_the_rest_thin_and_dashed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(silos_view, "LABELLED", 2)
    lines = _lines(build_silo_dot(_portfolio()))
    # the two pairs of 1.0 (ties in order of first mention: sales before ops), then 0.88, 0.2
    tagged = {pair for pair, line in lines.items() if line["rows"] is not None}
    assert tagged == {frozenset(("sales", "ops")), frozenset(("ops", "care"))}
    for pair in (frozenset(("sales", "billing")), frozenset(("sales", "care"))):
        attrs = lines[pair]["attrs"]
        assert "label" not in attrs and attrs["style"] == "dashed"
        assert float(attrs["penwidth"]) == 1.2  # the default theme's edge_width
        assert "weak" in attrs["class"]
    strong = lines[frozenset(("sales", "ops"))]["attrs"]
    assert float(strong["penwidth"]) == 6.0 and strong["style"] == "solid"  # the strongest: widest
    assert float(lines[frozenset(("ops", "care"))]["attrs"]["penwidth"]) == 6.0  # as strong


def test_a_function_keeps_its_strongest_link_however_weak() -> None:
    # Make care -> billing (0.05) billing's only link: it stays drawn, as billing's strongest.
    a, b = _portfolio()
    b = dataclasses.replace(
        b,
        handoffs=tuple(
            h for h in b.handoffs if h.from_function != "sales" or h.to_function != "billing"
        ),
    )
    b = dataclasses.replace(
        b, handoffs=tuple(h for h in b.handoffs if h.from_function != "billing")
    )
    lines = _lines(build_silo_dot([a, b]))
    assert frozenset(("care", "billing")) in lines


def test_rule_codes_only_in_hover_text() -> None:
    nodes, edges = _parse(build_silo_dot(_portfolio()))
    visible = [a.get("label", "") for a in nodes.values()] + [a.get("label", "") for *_, a in edges]
    assert not any(re.search(r"JM\d{3}", text) for text in visible)
    tips = [a.get("tooltip", "") for *_, a in edges]
    assert any("JM101" in tip for tip in tips)


def test_one_journey_weighs_its_flows_and_numbers_its_handoffs() -> None:
    # broadband.md: marketing -> sales 100 (#3), sales -> field 80 (#5), field -> care
    # 80/0.85 * 0.25 = 23.53 (#1) and care -> field 0.6 of that = 14.12 (#4), together 37.65;
    # care -> marketing 0.4 * 23.53 = 9.41 (#2) is under 10% of 100 and both functions have a
    # stronger link: minor.
    lines = _lines(build_dot(F.broadband(), "silos"))
    assert set(lines) == {
        frozenset(("marketing", "sales")),
        frozenset(("sales", "field")),
        frozenset(("field", "care")),
    }
    assert lines[frozenset(("marketing", "sales"))]["rows"] == ["flow 100", "risky", "#3"]
    assert lines[frozenset(("sales", "field"))]["rows"] == ["flow 80", "risky", "#5"]
    assert lines[frozenset(("field", "care"))]["rows"] == [
        "flow 37.6",
        "both ways · risky",
        "#1 #4",
    ]
    nodes, _ = _parse(build_dot(F.broadband(), "silos"))
    assert "+1 minor link" in _rows(nodes["fn-marketing"]) and "+1 minor link" in _rows(
        nodes["fn-care"]
    )


def test_several_journeys_add_up_per_entering_customer_not_raw_flows() -> None:
    small = F.broadband()  # 200 customers: marketing -> sales is 0.5 per customer
    big_metrics = dataclasses.replace(small.metrics, total_volume=20_000.0)
    big = dataclasses.replace(
        small,
        metrics=big_metrics,
        handoffs=tuple(
            dataclasses.replace(h, flow=h.flow * 100) for h in small.handoffs
        ),  # same journey counted per quarter instead of per day: per-customer figures unchanged
    )
    lines = _lines(build_silo_dot([small, big], "default"))
    rows = lines[frozenset(("marketing", "sales"))]["rows"]
    assert rows == ["1.00 per customer", "risky"]  # 0.5 + 0.5, not 100 + 10,000


def test_boxes_are_sized_by_us_and_hold_their_text() -> None:
    from journeymap.render._text import LINE_SPACING, text_width

    nodes, _ = _parse(build_silo_dot(_portfolio()))
    for name, attrs in nodes.items():
        rows = [r for r in re.split(r"\\[nl]", attrs["label"]) if r]
        size = 12.0
        bold = name.startswith("silotag-")
        assert float(attrs["width"]) * 72 >= max(text_width(r, size, bold) for r in rows), name
        assert float(attrs["height"]) * 72 >= len(rows) * LINE_SPACING * size, name
    assert "fixedsize=true" in build_silo_dot(_portfolio())
