"""Conformance of an event log to a designed journey (journeymap.mining.conform), against answers
worked out by hand from tests/data/conform/shop.yaml and its logs (each case written out below).

shop.yaml: ad -> web; web -> call (0.4) | order (0.6, wait 1h); call -> order | lost (even);
order -> delivered (0.9) | survey (0.1); delivered (won), lost (lost), survey (resolved) are
terminal. Functions: ad, web marketing; call, order, lost sales; delivered, survey service.
Designed flow per entering customer: marketing -> sales 0.4 + 0.6 = 1.0; sales -> service:
order's inflow 0.6 + 0.2 = 0.8, all of it to service.

log.csv (names as the log spells them):
  c1: Online ad, web, Order, DELIVERED              regular
  c2: ad, Web Shop, Sales call, order, Fax form, delivered   Fax form ad hoc
  c3: ad, web, call, lost                           regular, ends at a bad outcome
  c4: ad, web, web, order                           web -> web irregular, ends at order
"""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.errors import InputError
from journeymap.mining.conform import Conformance, LogMapping, Variant, conform
from journeymap.mining.lived import mine_lived, read_mapping
from journeymap.project import load_file

DATA = Path(__file__).resolve().parents[1] / "data" / "conform"


def _conform(log: str, mapping: str | None = None) -> Conformance:
    journey = load_file(DATA / "shop.yaml").journey
    mined, variants = mine_lived(str(DATA / log))
    table = read_mapping(str(DATA / mapping), journey) if mapping else None
    return conform(journey, mined, variants, table)


@pytest.fixture(scope="module")
def shop() -> Conformance:
    return _conform("log.csv")


def test_score_and_conforming_cases(shop: Conformance) -> None:
    # steps: 3 + 5 + 3 + 3 = 14; irregular: order->Fax, Fax->delivered, web->web
    assert (shop.cases, shop.events, shop.steps, shop.designed_steps) == (4, 18, 14, 11)
    assert shop.score == pytest.approx(11 / 14)
    assert shop.conforming_cases == 2 and shop.irregular_case_share == 0.5


def test_names_match_ids_and_names_case_insensitively(shop: Conformance) -> None:
    how = {m.activity: (m.touchpoint, m.how) for m in shop.matched}
    assert how["Online ad"] == ("ad", "name")
    assert how["Web Shop"] == ("web", "name")  # designed "Web shop"
    assert how["DELIVERED"] == ("delivered", "id")  # trimmed, upper case
    assert how["Order"] == ("order", "id")


def test_ad_hoc_and_missing(shop: Conformance) -> None:
    assert [(a.activity, a.events, a.cases) for a in shop.ad_hoc] == [("Fax form", 1, 1)]
    assert [m.touchpoint for m in shop.missing] == ["survey"]


def test_irregular_sequences(shop: Conformance) -> None:
    got = {
        (s.source, s.target): (s.source_ad_hoc, s.target_ad_hoc, s.count, s.cases)
        for s in shop.irregular
    }
    assert got == {
        ("order", "Fax form"): (False, True, 1, 1),
        ("Fax form", "delivered"): (True, False, 1, 1),
        ("web", "web"): (False, False, 1, 1),
    }
    fax = next(s for s in shop.irregular if s.source == "order")
    assert fax.median_wait == 3600.0  # 13:00 -> 14:00


def test_failing_touchpoints(shop: Conformance) -> None:
    got = {f.touchpoint: (f.reasons, f.ended, f.repeated) for f in shop.failing}
    assert got == {
        "lost": (("bad-outcome",), 1, 0),  # c3 ends at outcome lost
        "order": (("ends",), 1, 0),  # c4 ends at order, which goes on to delivered
        "web": (("loops",), 0, 1),  # c4 meets web twice, no designed path returns
    }
    assert "delivered" not in got  # ends there twice, outcome won


def test_designed_transitions_shares_and_waits(shop: Conformance) -> None:
    rows = {(t.source, t.target): t for t in shop.transitions}
    # web is visited 5 times (c4 twice): to call in c2, c3; to order in c1, c4
    web_order = rows[("web", "order")]
    assert (web_order.designed_share, web_order.observed, web_order.visits) == (0.6, 2, 5)
    assert web_order.observed_share == pytest.approx(0.4)
    assert web_order.designed_wait == 3600.0
    assert rows[("call", "lost")].designed_share == 0.5  # no shares: split evenly
    assert rows[("call", "lost")].observed_share == 0.5
    assert rows[("order", "delivered")].observed_share == pytest.approx(1 / 3)
    assert rows[("order", "survey")].observed_share == 0.0
    # ad -> web: the most frequent spelling "ad" -> "web" (c3 30 min, c4 5 min): median 17.5 min
    assert rows[("ad", "web")].observed_wait == 1050.0


def test_handoffs_from_designed_functions(shop: Conformance) -> None:
    assert shop.handoffs_from == "design"
    got = {
        (h.from_function, h.to_function): (
            h.observed,
            h.observed_per_case,
            round(h.designed_per_customer, 9),
        )
        for h in shop.handoffs
    }
    # marketing -> sales once in every case; sales -> service in c1, c2 (Fax form passed over)
    assert got == {("marketing", "sales"): (4, 1.0, 1.0), ("sales", "service"): (2, 0.5, 0.8)}
    assert shop.over_handing == ()


def test_handoffs_from_the_org_column_with_a_mapping_file() -> None:
    c = _conform("org-log.csv", "mapping.yaml")
    assert c.handoffs_from == "log" and c.unmatched_functions == ()
    got = {(h.from_function, h.to_function): (h.observed, h.observed_per_case) for h in c.handoffs}
    # c1: M M S Sv; c2: M M S Sv S Sv ("Service"/"SERVICE" match id service)
    assert got == {
        ("marketing", "sales"): (2, 1.0),
        ("sales", "service"): (3, 1.5),
        ("service", "sales"): (1, 0.5),
    }
    over = [(h.from_function, h.to_function, round(h.excess, 9)) for h in c.over_handing]
    assert over == [("sales", "service", 0.7), ("service", "sales", 0.5)]
    # "Ring back" mapped to call: order -> call irregular, call -> order designed
    assert [(s.source, s.target) for s in c.irregular] == [("order", "call")]
    assert (c.designed_steps, c.steps) == (7, 8)
    assert {f.touchpoint: f.reasons for f in c.failing} == {"order": ("loops",)}


def test_without_mapping_the_org_units_stay_unmatched() -> None:
    c = _conform("org-log.csv")
    assert c.unmatched_functions == ("Mktg", "Sales Dept", "mktg")
    assert [a.activity for a in c.ad_hoc] == ["Ring back"]


def test_variants_are_read_exactly() -> None:
    _, variants = mine_lived(str(DATA / "log.csv"))
    assert sorted(variants, key=lambda v: v.activities) == sorted(
        [
            Variant(("Online ad", "web", "Order", "DELIVERED"), 1),
            Variant(("ad", "Web Shop", "Sales call", "order", "Fax form", "delivered"), 1),
            Variant(("ad", "web", "call", "lost"), 1),
            Variant(("ad", "web", "web", "order"), 1),
        ],
        key=lambda v: v.activities,
    )


def test_mapping_errors_are_located(tmp_path: Path) -> None:
    journey = load_file(DATA / "shop.yaml").journey
    bad = tmp_path / "map.yaml"
    bad.write_text('activities:\n  "Ring back": cal\nfunction: {}\n', encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_mapping(str(bad), journey)
    lines = [str(p) for p in err.value.problems]
    assert lines[0].startswith(f"{bad}:2:16: error: unknown touchpoint `cal`")
    assert "'call'" in lines[0]
    assert lines[1].startswith(f"{bad}:3:1: error: unknown key `function`")


def test_bad_outcomes_from_the_mapping() -> None:
    journey = load_file(DATA / "shop.yaml").journey
    mined, variants = mine_lived(str(DATA / "log.csv"))
    c = conform(journey, mined, variants, LogMapping(bad_outcomes=frozenset({"won"})))
    reasons = {f.touchpoint: f.reasons for f in c.failing}
    assert reasons["delivered"] == ("bad-outcome",) and "lost" not in reasons
