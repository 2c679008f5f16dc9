"""Most handoffs on a simple path (bounded search) and the ping-pong search."""

from __future__ import annotations

from typing import Any

from journeymap.analysis._index import build_index
from journeymap.analysis.paths import max_handoffs_on_path, ping_pongs
from tests.analysis.builders import journey


def _complete_graph(n: int) -> Any:
    # n touchpoints, each of its own function, every one linked to every other: a path through
    # all of them has n - 1 handoffs, and there are about (n-1)! simple paths.
    return journey(
        {
            f"t{i}": {
                "function": f"f{i}",
                "entry": i == 0,
                "next": [f"t{k}" for k in range(n) if k != i],
            }
            for i in range(n)
        }
    )


def test_dag_is_exact_by_dynamic_programming() -> None:
    # a(f) -> b(g) -> c(f) -> d(g), plus a shortcut a -> d: longest is 3 handoffs.
    j = journey(
        {
            "a": {"function": "f", "next": ["b", "d"]},
            "b": {"function": "g", "next": ["c"]},
            "c": {"function": "f", "next": ["d"]},
            "d": {"function": "g"},
        }
    )
    assert max_handoffs_on_path(build_index(j)) == (3, True)


def test_cycle_counts_each_touchpoint_once() -> None:
    # a(f) <-> b(g) loop, b -> c(h). Simple paths: a b c = 2 handoffs; the loop adds nothing.
    j = journey(
        {
            "a": {"function": "f", "entry": True, "next": ["b"]},
            "b": {"function": "g", "next": ["a", "c"]},
            "c": {"function": "h"},
        }
    )
    assert max_handoffs_on_path(build_index(j)) == (2, True)


def test_budget_reports_incomplete_but_keeps_a_real_lower_bound() -> None:
    ix = build_index(_complete_graph(11))
    most, complete = max_handoffs_on_path(ix, budget=1000)
    assert not complete
    assert 1 <= most <= 10  # a true simple path's count, never more than n - 1
    # The first depth-first descent already walks a Hamiltonian path: 10 handoffs.
    assert most == 10
    small = build_index(_complete_graph(5))
    assert max_handoffs_on_path(small) == (4, True)


def test_ping_pong_pairs_reported_once() -> None:
    # a(f) -> b(g) -> a and b -> end: pair (a->b, b->a) once, at b -> a.
    j = journey(
        {
            "a": {"function": "f", "entry": True, "next": ["b"]},
            "b": {"function": "g", "next": ["a", "end"]},
            "end": {"function": "g"},
        }
    )
    ix = build_index(j)
    pairs = [(ix.transitions[p.first].key, ix.transitions[p.back].key) for p in ping_pongs(ix)]
    assert pairs == [(("a", "b"), ("b", "a"))]
