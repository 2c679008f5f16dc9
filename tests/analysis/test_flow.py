"""Flow: hand-computed figures on small journeys, and a cross-check against independent solvers."""

from __future__ import annotations

import random

import numpy as np
import pytest

from journeymap.analysis._index import build_index
from journeymap.analysis.engine import analyze
from journeymap.analysis.flow import DENSE_LIMIT, solve_flow, strong_components
from tests.analysis.builders import journey


def test_chain_with_drop_off() -> None:
    # a (entry, 1 customer) -> b share 0.6 (0.4 drop off at a) -> c (terminal, outcome won)
    j = journey(
        {
            "a": {"next": [{"to": "b", "share": 0.6}]},
            "b": {"next": ["c"]},
            "c": {"outcome": "won"},
        }
    )
    a = analyze(j)
    assert dict(a.touchpoint_flow) == pytest.approx({"a": 1.0, "b": 0.6, "c": 0.6})
    assert a.metrics.outcomes == pytest.approx({"won": 0.6})
    assert a.metrics.drop_off == pytest.approx(0.4)
    assert a.metrics.total_volume == 1.0


def test_even_split_without_shares_and_two_entries() -> None:
    # Entries s (volume 30) and t (volume 10); s splits evenly over x, y, z (10 each);
    # t -> x. x = 10 + 10 = 20. Total 40; outcome ok at x: 20/40 = 0.5, y and z: no outcome.
    j = journey(
        {
            "s": {"volume": 30, "next": ["x", "y", "z"]},
            "t": {"volume": 10, "next": ["x"]},
            "x": {"outcome": "ok"},
            "y": {"outcome": "meh"},
            "z": {},
        }
    )
    a = analyze(j)
    assert a.touchpoint_flow["x"] == pytest.approx(20.0)
    assert a.touchpoint_flow["y"] == pytest.approx(10.0)
    assert a.metrics.total_volume == 40.0
    assert a.metrics.outcomes == pytest.approx({"ok": 0.5, "meh": 0.25})
    assert a.metrics.drop_off == pytest.approx(0.25)  # z is terminal without outcome


def test_cycle_solved_exactly() -> None:
    # a -> b; b -> c 0.5, b -> a 0.5 (a is marked entry since it has an incoming edge).
    # B = 1 + 0.5 B... precisely: A = 1 + 0.5 B, B = A  => A = 2, B = 2, C = 1.
    j = journey(
        {
            "a": {"entry": True, "next": ["b"]},
            "b": {"next": [{"to": "c", "share": 0.5}, {"to": "a", "share": 0.5}]},
            "c": {"outcome": "done"},
        }
    )
    a = analyze(j)
    assert dict(a.touchpoint_flow) == pytest.approx({"a": 2.0, "b": 2.0, "c": 1.0})
    assert a.transition_flow[("b", "a")] == pytest.approx(1.0)
    assert a.metrics.outcomes == pytest.approx({"done": 1.0})


def test_self_loop() -> None:
    # a -> a 0.75, a -> b 0.25: A = 1 / (1 - 0.75) = 4 visits; B = 4 * 0.25 = 1.
    j = journey(
        {
            "a": {"entry": True, "next": [{"to": "a", "share": 0.75}, {"to": "b", "share": 0.25}]},
            "b": {"outcome": "out"},
        }
    )
    a = analyze(j)
    assert a.touchpoint_flow["a"] == pytest.approx(4.0)
    assert a.transition_flow[("a", "a")] == pytest.approx(3.0)
    assert a.metrics.outcomes == pytest.approx({"out": 1.0})


def test_closed_loop_traps_customers_and_is_jm302() -> None:
    # s -> a 0.5 (0.5 drop off); a <-> b with no exit: 0.5 trapped, counted once at a.
    j = journey(
        {
            "s": {"next": [{"to": "a", "share": 0.5}]},
            "a": {"next": ["b"]},
            "b": {"next": ["a"]},
        }
    )
    a = analyze(j)
    assert a.metrics.trapped == pytest.approx(0.5)
    assert a.metrics.drop_off == pytest.approx(0.5)
    assert a.touchpoint_flow["a"] == pytest.approx(0.5)
    assert a.touchpoint_flow["b"] == pytest.approx(0.0)
    dead = sorted(f.touchpoints[0] for f in a.findings if f.rule == "JM302")
    assert dead == ["a", "b"]
    assert all(f.severity == "error" for f in a.findings if f.rule == "JM302")


def test_shares_above_one_are_scaled_for_the_flow() -> None:
    # shares 0.8 + 0.4 = 1.2 -> scaled to 2/3 and 1/3; JM303 error.
    j = journey(
        {
            "a": {"next": [{"to": "b", "share": 0.8}, {"to": "c", "share": 0.4}]},
            "b": {"outcome": "x"},
            "c": {"outcome": "y"},
        }
    )
    a = analyze(j)
    assert a.metrics.outcomes == pytest.approx({"x": 2 / 3, "y": 1 / 3})
    jm303 = [f for f in a.findings if f.rule == "JM303"]
    assert len(jm303) == 1 and jm303[0].severity == "error" and "1.2" in jm303[0].message


def test_components_in_topological_order() -> None:
    j = journey(
        {
            "a": {"next": ["b"]},
            "b": {"next": ["c"]},
            "c": {"next": ["b", "d"]},
            "d": {},
        }
    )
    comps = strong_components(build_index(j))
    assert comps == [[0], [1, 2], [3]]


# --- independent cross-checks ---------------------------------------------------------------


def _random_journey(rng: random.Random, n: int, density: float = 0.15) -> object:
    tps: dict[str, dict[str, object]] = {}
    for i in range(n):
        # Every touchpoint can reach the terminal t{n-1}, so no loop is closed.
        targets = [k for k in range(n - 1) if rng.random() < density] + [n - 1]
        if i == n - 1:
            tps[f"t{i}"] = {"function": f"f{i % 3}"}
            continue
        nexts: list[object]
        if rng.random() < 0.5:
            raw = [rng.random() for _ in targets]
            scale = rng.uniform(0.5, 1.0) / sum(raw)
            nexts = [{"to": f"t{k}", "share": w * scale} for k, w in zip(targets, raw, strict=True)]
        else:
            nexts = [f"t{k}" for k in targets]
        tps[f"t{i}"] = {"function": f"f{i % 3}", "next": nexts}
    tps["t0"]["entry"] = True
    tps["t0"]["volume"] = 7.0
    return journey(tps)


def _dense_reference(ix: object) -> np.ndarray:
    """x = (I - Pᵀ)⁻¹ v with one dense solve over the whole graph."""
    n = ix.n  # type: ignore[attr-defined]
    p = np.zeros((n, n))
    for s, d, pr in zip(ix.src, ix.dst, ix.prob, strict=True):  # type: ignore[attr-defined]
        p[s, d] += pr
    return np.linalg.solve(np.eye(n) - p.T, np.array(ix.volume))  # type: ignore[attr-defined]


def _iterate_reference(ix: object, rounds: int = 20000) -> np.ndarray:
    """Sum of v, Pᵀv, (Pᵀ)²v, ... (the expected visits, step by step)."""
    n = ix.n  # type: ignore[attr-defined]
    p = np.zeros((n, n))
    for s, d, pr in zip(ix.src, ix.dst, ix.prob, strict=True):  # type: ignore[attr-defined]
        p[s, d] += pr
    step = np.array(ix.volume, dtype=float)  # type: ignore[attr-defined]
    total = step.copy()
    for _ in range(rounds):
        step = p.T @ step
        total += step
        if step.sum() < 1e-13:
            break
    return total


@pytest.mark.parametrize("seed", range(12))
def test_flow_matches_dense_solve_and_iteration(seed: int) -> None:
    rng = random.Random(seed)
    j = _random_journey(rng, rng.randint(3, 25))
    ix = build_index(j)  # type: ignore[arg-type]
    flow = solve_flow(ix)
    assert not flow.closed
    np.testing.assert_allclose(flow.node, _dense_reference(ix), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(flow.node, _iterate_reference(ix), rtol=1e-6, atol=1e-6)


def test_large_component_uses_sparse_solver_and_agrees() -> None:
    # A ring of DENSE_LIMIT + 50 touchpoints with exits: one big cyclic component.
    n = DENSE_LIMIT + 50
    tps: dict[str, dict[str, object]] = {}
    for i in range(n):
        tps[f"r{i}"] = {
            "next": [
                {"to": f"r{(i + 1) % n}", "share": 0.9},
                {"to": f"r{(i * 7 + 3) % n}", "share": 0.05},
                {"to": "out", "share": 0.05},
            ]
        }
    tps["r0"]["entry"] = True
    tps["out"] = {"outcome": "done"}
    ix = build_index(journey(tps))
    flow = solve_flow(ix)
    np.testing.assert_allclose(flow.node, _dense_reference(ix), rtol=1e-9)
    # Everyone leaves through `out` eventually.
    assert flow.node[ix.pos["out"]] == pytest.approx(1.0)
