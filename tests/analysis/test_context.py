"""Context: systems, integration chains (one-way respected), carries, and repeat asks (JM103)."""

from __future__ import annotations

from typing import Any

from journeymap.analysis._index import build_index
from journeymap.analysis.context import build_systems, connected, repeat_asks
from journeymap.analysis.engine import analyze
from tests.analysis.builders import journey


def _repeats(j: Any) -> set[tuple[str, str]]:
    return {
        (f.touchpoints[-1], f.message.split("`")[3])
        for f in analyze(j).findings
        if f.rule == "JM103"
    }


def test_one_way_integration_respected() -> None:
    # a (sys x) gives email; b (sys y) asks again. x -> y one-way: available at b.
    # Reverse direction (y -> x only): not available at b -> repeat ask.
    tps = {
        "a": {"systems": ["x"], "asks": ["email"], "next": ["b"]},
        "b": {"systems": ["y"], "asks": ["email"], "function": "g"},
    }
    assert _repeats(journey(tps, integrations=[("x", "y", True)])) == set()
    assert _repeats(journey(tps, integrations=[("y", "x", True)])) == {("b", "email")}
    assert _repeats(journey(tps, integrations=[("y", "x")])) == set()  # both ways


def test_chain_of_integrations() -> None:
    # x -> y -> z (one-way each): an item recorded in x reaches z.
    tps = {
        "a": {"systems": ["x"], "asks": ["id"], "next": ["b"]},
        "b": {"systems": ["z"], "asks": ["id"], "function": "g"},
    }
    j = journey(tps, integrations=[("x", "y", True), ("y", "z", True)])
    assert _repeats(j) == set()
    ix = build_index(j)
    assert connected(build_systems(ix), 0, 1)
    assert not connected(build_systems(ix), 1, 0)


def test_carries_needs_availability_before() -> None:
    # a gives `id` (no systems); a -> b carries it; b (no systems) -> c carries it; c asks: fine.
    ok = journey(
        {
            "a": {"asks": ["id"], "next": [{"to": "b", "carries": ["id"]}]},
            "b": {"next": [{"to": "c", "carries": ["id"]}]},
            "c": {"asks": ["id"], "function": "g"},
        }
    )
    assert _repeats(ok) == set()
    # The chain breaks at a -> b (carries nothing): carrying it on b -> c does not help.
    broken = journey(
        {
            "a": {"asks": ["id"], "next": ["b"]},
            "b": {"next": [{"to": "c", "carries": ["id"]}]},
            "c": {"asks": ["id"], "function": "g"},
        }
    )
    assert _repeats(broken) == {("c", "id")}
    # The same loss inside one function is that function's own form design: not JM103.
    inside = journey(
        {
            "a": {"asks": ["id"], "next": ["b"]},
            "b": {"next": [{"to": "c", "carries": ["id"]}]},
            "c": {"asks": ["id"]},
        }
    )
    assert _repeats(inside) == set()


def test_only_some_paths_lose_it() -> None:
    # a gives id (sys x); a -> b (sys x) -> d and a -> c (no systems) -> d; d (sys w) asks.
    # Via b: w is not connected to x, but b -> d carries it while it is available at b: fine.
    # Via c: c has no system and c -> d carries nothing: lost. One repeat at d, lost on c -> d.
    j = journey(
        {
            "a": {"systems": ["x"], "asks": ["id"], "next": ["b", "c"]},
            "b": {"systems": ["x"], "next": [{"to": "d", "carries": ["id"]}]},
            "c": {"next": ["d"]},
            "d": {"systems": ["w"], "asks": ["id"], "function": "g"},
        }
    )
    ix = build_index(j)
    result = repeat_asks(ix, build_systems(ix))
    assert [(ix.ids[r.touchpoint], r.item) for r in result.repeats] == [("d", "id")]
    losing = {ix.transitions[e].key for e in result.repeats[0].losing}
    assert losing == {("c", "d")}  # b -> d carries it while it is available at b


def test_repeat_ask_inside_a_cycle_terminates() -> None:
    # a gives id (sys x); loop b <-> c; c asks id and has no system; b -> c carries nothing.
    # First time at c: repeat ask. The search ends despite the loop.
    j = journey(
        {
            "a": {"systems": ["x"], "asks": ["id"], "next": ["b"]},
            "b": {"systems": ["x"], "next": ["c", "end"]},
            "c": {"asks": ["id"], "function": "g", "next": ["b"]},
            "end": {"outcome": "done"},
        }
    )
    assert _repeats(j) == {("c", "id")}


def test_first_ask_is_not_a_repeat_and_never_asked_items_are_ignored() -> None:
    j = journey(
        {
            "a": {"asks": ["email"], "next": ["b"]},
            "b": {"asks": ["phone"], "next": [{"to": "c", "carries": ["other"]}]},
            "c": {"asks": ["iban"]},
        }
    )
    assert _repeats(j) == set()


def test_giver_after_another_giver_is_not_a_seed() -> None:
    # a gives id into x; b gives it again? no: b holds it via x. c (sys x only) asks: available.
    # If b were wrongly seeded alone (holding only y), c would look like a repeat ask.
    j = journey(
        {
            "a": {"systems": ["x"], "asks": ["id"], "next": ["b"]},
            "b": {"systems": ["x", "y"], "asks": ["id"], "function": "h", "next": ["c"]},
            "c": {"systems": ["x"], "asks": ["id"], "function": "g"},
        }
    )
    assert _repeats(j) == set()


def test_budget_stops_and_says_so() -> None:
    tps: dict[str, dict[str, Any]] = {
        f"t{i}": {"asks": ["id"], "function": f"f{i % 2}", "next": [f"t{i + 1}"]} for i in range(50)
    }
    tps["t50"] = {"asks": ["id"], "function": "f0"}
    ix = build_index(journey(tps))
    full = repeat_asks(ix, build_systems(ix))
    cut = repeat_asks(ix, build_systems(ix), budget=10)
    assert full.complete and len(full.repeats) == 50
    assert not cut.complete and len(cut.repeats) < 50
    assert analyze(journey(tps)).metrics.context_search_complete


def test_witness_of_a_repeat_in_a_loop_ends_with_the_asker() -> None:
    # a(f) gives id; b(g) asks again (a -> b crosses a handoff, nothing carried): repeat at b.
    # b -> a crosses back and a asks again: repeat at a, witness a -> b -> a. Each touchpoint is
    # listed once (its last visit): (b, a), the asker last, the step before it second to last.
    j = journey(
        {
            "a": {"asks": ["id"], "entry": True, "next": ["b"]},
            "b": {"function": "g", "asks": ["id"], "next": ["a", "end"]},
            "end": {"function": "g", "outcome": "x"},
        }
    )
    found = {f.touchpoints for f in analyze(j).findings if f.rule == "JM103"}
    assert found == {("a", "b"), ("b", "a")}
