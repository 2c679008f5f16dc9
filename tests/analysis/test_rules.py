"""Each rule on small hand-built journeys: hits where it should, silent where it should not."""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.types import Finding
from journeymap.catalog import RULES
from journeymap.config import Config
from tests.analysis.builders import journey


def _hits(j: Any, rule: str, config: Config | None = None) -> list[Finding]:
    return [f for f in analyze(j, config).findings if f.rule == rule]


def _pair(**a: Any) -> Any:
    """Two touchpoints of different functions, a -> b, with the given touchpoint/edge fields."""
    edge = a.pop("edge", {})
    left = {"function": "sales", **a.pop("left", {})}
    right = {"function": "service", "outcome": "done", **a.pop("right", {})}
    return journey({"a": {**left, "next": [{"to": "b", **edge}]}, "b": right}, owner="sales", **a)


def test_jm100_and_jm101() -> None:
    j = _pair()
    (jm100,) = _hits(j, "JM100")
    assert jm100.severity == "info" and jm100.transition == ("a", "b")
    assert "risk" in jm100.message
    (jm101,) = _hits(j, "JM101")
    assert jm101.severity == "warning" and jm101.location.line == 11  # the transition's line
    assert _hits(_pair(edge={"owner": "sales"}), "JM101") == []


def test_no_handoff_within_one_function() -> None:
    j = journey({"a": {"next": ["b"]}, "b": {"outcome": "x"}}, owner="f")
    assert [f.rule for f in analyze(j).findings] == []


def test_jm102_context_loss() -> None:
    assert len(_hits(_pair(), "JM102")) == 1  # no systems, nothing carried
    assert _hits(_pair(edge={"carries": ["x"]}), "JM102") == []
    same = _pair(left={"systems": ["crm"]}, right={"systems": ["crm"]})
    assert _hits(same, "JM102") == []
    # one-way integration b's system -> a's system does not connect a to b
    wrong_way = _pair(
        left={"systems": ["x"]}, right={"systems": ["y"]}, integrations=[("y", "x", True)]
    )
    assert len(_hits(wrong_way, "JM102")) == 1
    right_way = _pair(
        left={"systems": ["x"]}, right={"systems": ["y"]}, integrations=[("x", "y", True)]
    )
    assert _hits(right_way, "JM102") == []


def test_jm104_channel_switch_needs_both_channels() -> None:
    assert len(_hits(_pair(left={"channel": "web"}, right={"channel": "phone"}), "JM104")) == 1
    assert _hits(_pair(left={"channel": "web"}, right={"channel": "web"}), "JM104") == []
    assert _hits(_pair(left={"channel": "web"}), "JM104") == []


@pytest.mark.parametrize(("left", "right", "hits"), [(4, 2, 1), (4, 3, 0), (5, 1, 1), (2, 4, 0)])
def test_jm105_emotion_drop(left: int, right: int, hits: int) -> None:
    j = _pair(left={"emotion": left}, right={"emotion": right})
    assert len(_hits(j, "JM105")) == hits


def test_jm106_wait_threshold_from_config() -> None:
    assert _hits(_pair(edge={"wait": 24.0}), "JM106") == []  # not longer than 1 day
    (hit,) = _hits(_pair(edge={"wait": 48.0}), "JM106")
    assert "2d" in hit.message and "1d threshold" in hit.message
    assert _hits(_pair(edge={"wait": 48.0}), "JM106", Config(wait_hours=72)) == []


def test_jm107_shadow_direction() -> None:
    systems = {"sheet": {"shadow": True}, "crm": {}}
    # shadow on the source side: it must feed the target's systems
    feeds = _pair(
        left={"systems": ["sheet"]},
        right={"systems": ["crm"]},
        systems=systems,
        integrations=[("sheet", "crm", True)],
    )
    assert _hits(feeds, "JM107") == []
    fed_only = _pair(
        left={"systems": ["sheet"]},
        right={"systems": ["crm"]},
        systems=systems,
        integrations=[("crm", "sheet", True)],
    )
    (hit,) = _hits(fed_only, "JM107")
    assert "`sheet` at `a`" in hit.message
    # shadow on the target side: the source's systems must feed it
    target_side = _pair(
        left={"systems": ["crm"]},
        right={"systems": ["sheet"]},
        systems=systems,
        integrations=[("crm", "sheet", True)],
    )
    assert _hits(target_side, "JM107") == []
    unfed = _pair(left={"systems": ["crm"]}, right={"systems": ["sheet"]}, systems=systems)
    assert len(_hits(unfed, "JM107")) == 1


def test_jm108_ping_pong_needs_the_next_handoff() -> None:
    # sales -> service -> sales: ping-pong at the second handoff.
    bounce = journey(
        {
            "a": {"function": "sales", "next": ["b"]},
            "b": {"function": "service", "next": ["c"]},
            "c": {"function": "sales", "outcome": "x"},
        }
    )
    (hit,) = _hits(bounce, "JM108")
    assert hit.transition == ("b", "c")
    # sales -> service -> it -> sales: the next handoff after sales->service goes to it: none.
    relay = journey(
        {
            "a": {"function": "sales", "next": ["b"]},
            "b": {"function": "service", "next": ["c"]},
            "c": {"function": "it", "next": ["d"]},
            "d": {"function": "sales", "outcome": "x"},
        }
    )
    assert _hits(relay, "JM108") == []
    # Within-function steps between the two handoffs do not break the bounce.
    long = journey(
        {
            "a": {"function": "sales", "next": ["b"]},
            "b": {"function": "service", "next": ["b2"]},
            "b2": {"function": "service", "next": ["c"]},
            "c": {"function": "sales", "outcome": "x"},
        }
    )
    assert [f.transition for f in _hits(long, "JM108")] == [("b2", "c")]


def test_jm201_stage_functions_threshold() -> None:
    tps = {
        "a": {"stage": "buy", "function": "f1", "next": ["b"]},
        "b": {"stage": "buy", "function": "f2", "next": ["c"]},
        "c": {"stage": "buy", "function": "f3", "outcome": "x"},
    }
    (hit,) = _hits(journey(tps), "JM201")
    assert "3 functions" in hit.message and hit.touchpoints == ("a", "b", "c")
    assert _hits(journey(tps), "JM201", Config(stage_functions=4)) == []


def test_jm202_owner() -> None:
    tps = {"a": {"outcome": "x"}}
    assert len(_hits(journey(tps), "JM202")) == 1
    assert _hits(journey(tps, owner="f"), "JM202") == []


def test_jm301_unreachable() -> None:
    j = journey(
        {
            "a": {"entry": True, "next": ["b"]},
            "b": {"outcome": "x"},
            "island": {"next": ["b"]},
        }
    )
    (hit,) = _hits(j, "JM301")
    assert hit.touchpoints == ("island",) and hit.severity == "error"


def test_jm302_terminal_without_outcome_is_a_warning() -> None:
    (hit,) = _hits(journey({"a": {"next": ["b"]}, "b": {}}), "JM302")
    assert hit.touchpoints == ("b",) and hit.severity == "warning"


def test_jm302_loop_that_leads_only_into_a_trap() -> None:
    # p -> a <-> b: all three can never leave.
    j = journey({"p": {"next": ["a"]}, "a": {"next": ["b"]}, "b": {"next": ["a"]}})
    assert sorted(f.touchpoints[0] for f in _hits(j, "JM302")) == ["a", "b", "p"]


def test_jm303_sum_exactly_one_is_fine() -> None:
    j = journey(
        {
            "a": {
                "next": [
                    {"to": "b", "share": 0.1},
                    {"to": "c", "share": 0.2},
                    {"to": "d", "share": 0.7},
                ]
            },
            "b": {"outcome": "x"},
            "c": {"outcome": "x"},
            "d": {"outcome": "x"},
        }
    )
    assert _hits(j, "JM303") == []


def test_findings_sorted_by_location_then_rule_and_use_catalog_codes() -> None:
    j = _pair(left={"channel": "web"}, right={"channel": "phone"})
    findings = analyze(j).findings
    keys = [(f.location.path, f.location.line, f.location.col, f.rule) for f in findings]
    assert keys == sorted(keys)
    assert {f.rule for f in findings} <= set(RULES)
