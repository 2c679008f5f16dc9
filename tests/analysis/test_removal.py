"""Removal effect: hand-computed figures (in fractions) on small journeys, a loop, entries,
conservation of customers, and monotonicity on the example journeys."""

from __future__ import annotations

from fractions import Fraction as F
from pathlib import Path

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.removal import Removal, RemovalEffects, removal_effects
from journeymap.load import load_journey
from journeymap.model import Journey
from tests.analysis.builders import journey

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = sorted(
    p
    for p in (ROOT / "journeys").glob("*.yaml")
    if p.stem != "organisation" and not p.name.endswith(".scenarios.yaml")
)


def fork() -> Journey:
    """a (entry, sales) splits evenly to b (sales) and c (care); b -> won share 0.8 (0.2 drop
    off); c -> won share 0.25 (handoff care -> sales), c -> churn share 0.75."""
    return journey(
        {
            "a": {"function": "sales", "next": ["b", "c"]},
            "b": {"function": "sales", "next": [{"to": "won", "share": 0.8}]},
            "c": {
                "function": "care",
                "next": [{"to": "won", "share": 0.25}, {"to": "churn", "share": 0.75}],
            },
            "won": {"function": "sales", "outcome": "won"},
            "churn": {"function": "care", "outcome": "churned"},
        }
    )


def loop() -> Journey:
    """a (entry) -> b; b -> c share 1/2 (handoff f -> g), b -> won share 1/2; c -> b share 2/3
    (handoff g -> f), the other 1/3 of c drops off: b and c form a cycle."""
    return journey(
        {
            "a": {"next": ["b"]},
            "b": {"next": [{"to": "c", "share": 0.5}, {"to": "won", "share": 0.5}]},
            "c": {"function": "g", "next": [{"to": "b", "share": 2 / 3}]},
            "won": {"outcome": "won"},
        }
    )


def by_label(result: RemovalEffects) -> dict[str, Removal]:
    return {r.label: r for r in (*result.touchpoints, *result.handoffs)}


def check(
    removal: Removal,
    after: dict[str, F],
    lost: F,
    drop_off: F = F(0),
    before: dict[str, F] | None = None,
) -> None:
    for outcome, value in after.items():
        change = removal.change(outcome)
        assert change.after == pytest.approx(float(value), abs=1e-12), (removal.label, outcome)
        if before is not None:
            b = before[outcome]
            assert change.drop == pytest.approx(float(b - value), abs=1e-12)
            if b > 0:
                assert change.effect == pytest.approx(float((b - value) / b), abs=1e-12)
            else:
                assert change.effect is None
    assert removal.lost == pytest.approx(float(lost), abs=1e-12), removal.label
    assert removal.drop_off == pytest.approx(float(drop_off), abs=1e-12), removal.label


def test_fork_by_hand() -> None:
    # Before (1 entering customer): won = 1/2·4/5 + 1/2·1/4 = 2/5 + 1/8 = 21/40,
    # churned = 1/2·3/4 = 3/8, drop-off = 1/2·1/5 = 1/10; 21/40 + 15/40 + 4/40 = 1.
    # Remove a (the entry): everyone lost: won 0, churned 0, lost 1; effect 1 on both.
    # Remove b: its 1/2 lost; won = 1/8, churned = 3/8, drop 0; effect(won) = (21/40-5/40)/(21/40)
    #   = 16/21, effect(churned) = 0.
    # Remove c: its 1/2 lost; won = 2/5, churned 0, drop 1/10; effect(won) = (1/8)/(21/40) = 5/21.
    # Remove won: its 21/40 lost, churned 3/8, drop 1/10. Remove churn: its 3/8 lost.
    # Handoff a -> c: the same as removing c (all of c's inflow comes that way): lost 1/2.
    # Handoff c -> won: c's 1/2 · 1/4 = 1/8 lost; won = 2/5, churned = 3/8, drop 1/10.
    result = removal_effects(fork())
    before = {"won": F(21, 40), "churned": F(3, 8)}
    assert result.outcomes == ("won", "churned")
    assert dict(result.before) == pytest.approx({k: float(v) for k, v in before.items()})
    assert result.drop_off == pytest.approx(0.1)
    assert result.primary == "won"
    r = by_label(result)
    check(r["a"], {"won": F(0), "churned": F(0)}, F(1), before=before)
    check(r["b"], {"won": F(1, 8), "churned": F(3, 8)}, F(1, 2), before=before)
    assert r["b"].change("won").effect == pytest.approx(16 / 21)
    check(r["c"], {"won": F(2, 5), "churned": F(0)}, F(1, 2), F(1, 10), before=before)
    assert r["c"].change("won").effect == pytest.approx(5 / 21)
    check(r["won"], {"won": F(0), "churned": F(3, 8)}, F(21, 40), F(1, 10), before=before)
    check(r["churn"], {"won": F(21, 40), "churned": F(0)}, F(3, 8), F(1, 10), before=before)
    check(r["a -> c"], {"won": F(2, 5), "churned": F(0)}, F(1, 2), F(1, 10), before=before)
    check(r["c -> won"], {"won": F(2, 5), "churned": F(3, 8)}, F(1, 8), F(1, 10), before=before)
    # only the two cross-function transitions are handoffs, numbered as in the analysis
    assert [h.label for h in result.handoffs] == ["a -> c", "c -> won"]
    numbers: dict[tuple[str, str | None], int] = {
        (h.source, h.target): h.number for h in analyze(fork()).handoffs
    }
    assert all(h.number == numbers[(h.source, h.target)] for h in result.handoffs)
    # ranked by the drop of won (the largest outcome): a (21/40), won (21/40), b (16/40), then
    # c, a -> c and c -> won (5/40 each; touchpoints before handoffs, then file order), churn 0
    assert [x.label for x in result.ranked] == ["a", "won", "b", "c", "a -> c", "c -> won", "churn"]
    assert [x.label for x in result.ranking("churned")][:3] == ["a", "c", "churn"]


def test_loop_by_hand() -> None:
    # Before: x_b = 1 + 2/3·x_c, x_c = 1/2·x_b  =>  x_b = 3/2, x_c = 3/4;
    #   won = 1/2·x_b = 3/4, drop-off = 1/3·x_c = 1/4.
    # Remove c (in the cycle): x_b = 1, x_c = 1/2 all lost; won = 1/2, effect (3/4-1/2)/(3/4) = 1/3.
    # Remove b (in the cycle, the only way on): x_b = 1 lost, c never reached; won 0, effect 1.
    # Handoff c -> b: x_b = 1, x_c = 1/2; lost = 1/2·2/3 = 1/3, drop = 1/2·1/3 = 1/6, won = 1/2.
    # Handoff b -> c: x_b = 1; lost = 1/2, won = 1/2, drop 0.
    result = removal_effects(loop())
    before = {"won": F(3, 4)}
    assert result.before["won"] == pytest.approx(0.75)
    assert result.drop_off == pytest.approx(0.25)
    r = by_label(result)
    check(r["c"], {"won": F(1, 2)}, F(1, 2), before=before)
    assert r["c"].change("won").effect == pytest.approx(1 / 3)
    check(r["b"], {"won": F(0)}, F(1), before=before)
    check(r["a"], {"won": F(0)}, F(1), before=before)
    check(r["won"], {"won": F(0)}, F(3, 4), F(1, 4), before=before)
    check(r["c -> b"], {"won": F(1, 2)}, F(1, 3), F(1, 6), before=before)
    check(r["b -> c"], {"won": F(1, 2)}, F(1, 2), before=before)


def test_removing_one_of_two_entries_loses_only_its_volume() -> None:
    # s (volume 3) -> x (won), t (volume 1) -> x: before won = 1. Remove s: 3/4 lost, won 1/4,
    # effect 3/4; remove t: 1/4 lost, won 3/4.
    j = journey(
        {
            "s": {"volume": 3, "next": ["x"]},
            "t": {"volume": 1, "next": ["x"]},
            "x": {"outcome": "won"},
        }
    )
    r = by_label(removal_effects(j))
    check(r["s"], {"won": F(1, 4)}, F(3, 4), before={"won": F(1)})
    check(r["t"], {"won": F(3, 4)}, F(1, 4), before={"won": F(1)})


def test_closed_loop_customers_become_lost() -> None:
    # a splits evenly to b and won; b -> c -> b is closed: 1/2 trapped before. Removing c lets
    # the loop's customers go to "lost" instead (trapped 0); removing won leaves them trapped.
    j = journey(
        {
            "a": {"next": ["b", "won"]},
            "b": {"next": ["c"]},
            "c": {"next": ["b"]},
            "won": {"outcome": "won"},
        }
    )
    result = removal_effects(j)
    assert result.trapped == pytest.approx(0.5)
    r = by_label(result)
    assert r["c"].trapped == 0.0 and r["c"].lost == pytest.approx(0.5)
    assert r["won"].trapped == pytest.approx(0.5) and r["won"].lost == pytest.approx(0.5)


def _removals(result: RemovalEffects) -> tuple[Removal, ...]:
    return result.touchpoints + result.handoffs


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_conserve_customers_and_never_gain(path: Path) -> None:
    j = load_journey(path)
    a = analyze(j)
    result = removal_effects(j, a)
    # before: the same figures as the engine's metrics
    assert dict(result.before) == pytest.approx(dict(a.metrics.outcomes), abs=1e-12)
    assert result.drop_off == pytest.approx(a.metrics.drop_off, abs=1e-12)
    assert len(result.touchpoints) == len(j.touchpoints)
    assert len(result.handoffs) == len(a.handoffs)
    assert {h.number for h in result.handoffs} == {h.number for h in a.handoffs}
    for r in _removals(result):
        after = sum(c.after for c in r.changes)
        assert after + r.drop_off + r.trapped + r.lost == pytest.approx(1.0, abs=1e-12), r.label
        assert r.lost >= -1e-12
        for c in r.changes:
            # mass only moves to "lost": no outcome gains (Anderl's removal effect is >= 0)
            assert c.after <= c.before + 1e-12, (r.label, c.outcome)
            assert c.drop == c.before - c.after
    ranked = result.ranked
    assert sorted(ranked, key=lambda r: (r.kind, r.order)) == sorted(
        _removals(result), key=lambda r: (r.kind, r.order)
    )
    assert result.primary is not None
    drops = [r.change(result.primary).drop for r in ranked]
    assert drops == sorted(drops, reverse=True)


def test_small_journeys_conserve_customers() -> None:
    for j in (fork(), loop()):
        for r in _removals(removal_effects(j)):
            after = sum(c.after for c in r.changes)
            assert after + r.drop_off + r.trapped + r.lost == pytest.approx(1.0, abs=1e-12)


def test_deterministic_and_checks_the_analysis() -> None:
    assert removal_effects(fork()) == removal_effects(fork())
    with pytest.raises(ValueError):
        removal_effects(fork(), analyze(loop()))
    with pytest.raises(KeyError):
        removal_effects(fork()).ranking("nope")
