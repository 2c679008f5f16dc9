"""Ranked fixes: each resolves the findings it was proposed for, they are ranked by risk
removed, and applying claims-before's top three lowers its risk by the predicted amount (checked
against editing the journey file the same way)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from journeymap import project
from journeymap.analysis.engine import analyze
from journeymap.analysis.fixes import combined, ranked_fixes
from journeymap.analysis.whatif import apply, total_risk
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
