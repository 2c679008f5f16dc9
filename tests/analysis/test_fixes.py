"""Ranked fixes: each resolves the findings it was proposed for, they are ranked by risk
removed, and applying claims-before's top three lowers its risk by the predicted amount (checked
against editing the journey file the same way). With a limit, the list is exactly the top of the
full list (on the examples and on generated journeys, under several weightings and search
budgets), and every proposal's bound holds."""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap import project
from journeymap.analysis._index import build_index
from journeymap.analysis.context import build_systems, repeat_asks
from journeymap.analysis.engine import analyze
from journeymap.analysis.fixes import (
    Fix,
    _Bounds,
    _complete_after_carry,
    combined,
    ranked_fixes,
)
from journeymap.analysis.types import JourneyAnalysis
from journeymap.analysis.whatif import AssignOwner, apply, total_risk
from journeymap.config import Config
from journeymap.load import load_journey_text
from journeymap.model import Journey
from tests.analysis.test_whatif import EXAMPLES, JOURNEYS, reanalysed


def _key(f: object) -> tuple[object, ...]:
    return (f.rule, f.transition, tuple(f.touchpoints))  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", EXAMPLES)
def test_every_fix_resolves_what_it_was_proposed_for(name: str) -> None:
    x = project.analyse_file(JOURNEYS / f"{name}.yaml")
    fixes = ranked_fixes(x.analysis.journey, x.analysis, x.config)
    assert fixes, name
    unresolved = []
    for fix in fixes:
        left = {_key(f) for f in fix.prediction.after.findings}
        unresolved += [(fix.title, f.rule) for f in fix.resolves if _key(f) in left]
    assert unresolved == []
    removed = [round(f.risk_removed, 9) for f in fixes]
    assert removed == sorted(removed, reverse=True)
    assert all(f.executive for f in fixes if f.function in x.analysis.journey.functions)


def test_claims_before_top_three_lower_the_risk_by_the_predicted_amount(tmp_path: Path) -> None:
    x = project.analyse_file(JOURNEYS / "claims-before.yaml")
    journey = x.analysis.journey
    top = ranked_fixes(journey, x.analysis, x.config)[:3]
    predicted = combined(journey, top, x.config)
    changes = [c for fix in top for c in fix.changes]
    # independently: the journey file edited the same way, loaded and analysed (no config file
    # beside the examples, so the default config is the one analyse_file used)
    assert x.config == type(x.config).default()
    edited = reanalysed("claims-before", changes, tmp_path)
    before = total_risk(x.analysis)
    assert total_risk(predicted.after) == pytest.approx(total_risk(edited), abs=1e-9)
    assert before - total_risk(edited) == pytest.approx(-predicted.deltas["total_risk"], abs=1e-9)
    assert before - total_risk(edited) > 10  # the three remove a real share of the risk
    assert total_risk(analyze(apply(journey, changes))) == pytest.approx(total_risk(edited))
    shutil.rmtree(tmp_path, ignore_errors=True)


# -- the limit: the same top fixes, from far fewer predictions ----------------------------------


def _fields(fix: Fix) -> tuple[object, ...]:
    return (
        fix.title,
        fix.changes,
        fix.resolves,
        fix.function,
        fix.executive,
        fix.risk_removed,
        dict(fix.prediction.deltas),
        fix.prediction.after,
        fix.prediction.before,
    )


def assert_top_equal(journey: Journey, analysis: JourneyAnalysis, config: Config | None) -> None:
    """``ranked_fixes(limit=k)`` is ``ranked_fixes()[:k]`` field by field, for k = 1, 3, 5;
    and every proposal's bound is at least the risk its prediction removes."""
    full = ranked_fixes(journey, analysis, config)
    for k in (1, 3, 5):
        top = ranked_fixes(journey, analysis, config, limit=k)
        assert [_fields(f) for f in top] == [_fields(f) for f in full[:k]], k
        assert top == full[:k]
    bounds = _Bounds(journey, analyze(journey, config), config)
    for fix in full:
        assert fix.risk_removed <= bounds.of(fix.changes) + 1e-9, fix.title


@pytest.mark.parametrize("name", EXAMPLES)
def test_a_limit_gives_exactly_the_top_of_the_full_list(name: str) -> None:
    x = project.analyse_file(JOURNEYS / f"{name}.yaml")
    assert_top_equal(x.analysis.journey, x.analysis, x.config)


def test_a_limit_of_zero_or_less_gives_nothing() -> None:
    x = project.analyse_file(JOURNEYS / "claims-after.yaml")
    assert ranked_fixes(x.analysis.journey, x.analysis, x.config, limit=0) == []
    assert ranked_fixes(x.analysis.journey, x.analysis, x.config, limit=-2) == []


def test_a_limit_above_the_number_of_fixes_gives_them_all() -> None:
    x = project.analyse_file(JOURNEYS / "claims-after.yaml")
    full = ranked_fixes(x.analysis.journey, x.analysis, x.config)
    assert ranked_fixes(x.analysis.journey, x.analysis, x.config, limit=len(full) + 7) == full


def test_ties_are_broken_by_title_with_a_limit_too() -> None:
    # with every factor weighing the same, many fixes remove exactly the same risk: the limit
    # must pick the same ones as the full sort (by title among equals)
    x = project.analyse_file(JOURNEYS / "claims-before.yaml")
    flat = dataclasses.replace(
        x.config, weights={**x.config.weights, **{code: 1.0 for code in x.config.weights}}
    )
    full = ranked_fixes(x.analysis.journey, x.analysis, flat)
    tied = [round(f.risk_removed, 9) for f in full]
    assert len(tied) > len(set(tied))  # there are ties
    assert_top_equal(x.analysis.journey, x.analysis, flat)


def test_without_weights_every_fix_ties_at_zero() -> None:
    x = project.analyse_file(JOURNEYS / "retail-omnichannel.yaml")
    zero = dataclasses.replace(x.config, weights={code: 0.0 for code in x.config.weights})
    full = ranked_fixes(x.analysis.journey, x.analysis, zero)
    assert {f.risk_removed for f in full} == {0.0}
    assert [f.title for f in full] == sorted(f.title for f in full)
    assert_top_equal(x.analysis.journey, x.analysis, zero)


def test_a_negative_weight_turns_the_bounds_off() -> None:
    # the file format refuses negative weights; a config built in code may have one, and then
    # switching a rule on can remove risk, so no proposal can be skipped
    x = project.analyse_file(JOURNEYS / "claims-after.yaml")
    odd = dataclasses.replace(x.config, weights={**x.config.weights, "JM104": -1.0})
    journey = x.analysis.journey
    assert _Bounds(journey, analyze(journey, odd), odd).of((AssignOwner("a", "b", "c"),)) == (
        math.inf
    )
    assert_top_equal(journey, x.analysis, odd)


def test_the_repeat_ask_search_stays_inside_the_state_bound() -> None:
    # _complete_after_carry rests on: states <= items x touchpoints x 4 x (distinct unions of
    # the touchpoints' reach); checked against the search's own count on every example
    for name in EXAMPLES:
        journey = project.analyse_file(JOURNEYS / f"{name}.yaml").analysis.journey
        ix = build_index(journey)
        systems = build_systems(ix)
        context = repeat_asks(ix, systems)
        items = {i for tp in ix.touchpoints for i in tp.asks}
        unions: set[int] = set()
        for reach in systems.reach:  # the closure, computed the slow way
            changed = True
            unions.add(reach)
            while changed:
                grown = {u | r for u in unions for r in systems.reach} - unions
                changed = bool(grown)
                unions |= grown
        assert context.complete
        assert context.states <= len(items) * ix.n * 4 * len(unions), name
        assert _complete_after_carry(ix, systems, len(items) * ix.n * 4 * len(unions))
        assert not _complete_after_carry(ix, systems, len(items) * ix.n * 4 * len(unions) - 1)


_spec = importlib.util.spec_from_file_location(
    "bench_generate_fixes", JOURNEYS.parent / "benchmarks" / "generate.py"
)
assert _spec and _spec.loader
generate = importlib.util.module_from_spec(_spec)
sys.modules["bench_generate_fixes"] = generate
_spec.loader.exec_module(generate)


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(6, 30),
    weights=st.sampled_from(["default", "flat", "no-repeat-asks", "only-context"]),
    state_budget=st.sampled_from([20_000_000, 400, 60]),
)
def test_a_limit_gives_the_top_on_generated_journeys(
    seed: int, n: int, weights: str, state_budget: int
) -> None:
    journey = load_journey_text(generate.generate_journey(n, seed=seed), "gen.yaml")
    base = Config.default()
    chosen = {
        "default": dict(base.weights),
        "flat": {code: 1.0 for code in base.weights},
        "no-repeat-asks": {**base.weights, "JM103": 0.0},
        "only-context": {c: (3.0 if c in {"JM102", "JM103"} else 0.0) for c in base.weights},
    }[weights]
    config = dataclasses.replace(base, weights=chosen, state_budget=state_budget)
    assert_top_equal(journey, analyze(journey, config), config)
