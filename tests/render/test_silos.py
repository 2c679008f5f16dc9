"""The silo map weighs one journey by its flows and several by their per-customer figures."""

from __future__ import annotations

import dataclasses

from journeymap.render import build_dot, build_silo_dot
from tests.render import factory as F


def _edge_label(dot: str, a: str, b: str) -> str:
    line = next(row for row in dot.splitlines() if row.startswith(f'"fn-{a}" -> "fn-{b}"'))
    return line.split('label="', 1)[1].split('"', 1)[0]


def test_one_journey_edges_carry_its_flow() -> None:
    # broadband.md: offer -> call carries 100 of 200 customers (marketing -> sales)
    assert _edge_label(build_dot(F.broadband(), "silos"), "marketing", "sales").startswith(
        "1 handoff · flow 100\\n"
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
    label = _edge_label(build_silo_dot([small, big], "default"), "marketing", "sales")
    assert label.startswith("2 handoffs · 1.00 per customer")  # 0.5 + 0.5, not 100 + 10,000
