"""Headline figures in context: each journey page against the portfolio's median and the gate."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from journeymap.analysis.engine import analyze
from journeymap.analysis.portfolio import summarize
from journeymap.analysis.types import JourneyAnalysis
from journeymap.config import Config, load_config
from journeymap.load import load_journeys
from journeymap.report import build_site, render_journey_page
from journeymap.report.context import FIGURES, fill, medians

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "report"


def _examples() -> list[JourneyAnalysis]:
    return [analyze(j, load_config(j.path)) for j in load_journeys([ROOT / "journeys"])]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _middle(values: list[float]) -> float:
    ordered = sorted(values)
    n = len(ordered)
    return ordered[n // 2] if n % 2 else (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def _own(a: JourneyAnalysis) -> dict[str, float]:
    """The five compared figures, read from the analysis directly (not through FIGURES)."""
    m = a.metrics
    return {
        "handoffs": m.handoffs,
        "expected_handoffs": m.expected_handoffs_per_customer,
        "max_handoffs_on_path": m.max_handoffs_on_path,
        "functions_touched": m.functions_touched,
        "total_risk": sum(h.risk for h in a.handoffs),
    }


DIGITS = {
    "handoffs": 0,
    "expected_handoffs": 2,
    "max_handoffs_on_path": 0,
    "functions_touched": 0,
    "total_risk": 1,
}


def test_every_page_says_where_it_stands_against_the_median_of_the_examples(
    tiny_svg: Any,
) -> None:
    analyses = _examples()
    assert len(analyses) == 5 and set(FIGURES) == set(DIGITS)
    own = [_own(a) for a in analyses]
    middle = {key: _middle([o[key] for o in own]) for key in DIGITS}
    median = medians([summarize(a) for a in analyses])
    assert median.journeys == 5
    assert median.values == middle  # five values: the third smallest, exactly
    for analysis, figures in zip(analyses, own, strict=True):
        page = render_journey_page(analysis, tiny_svg([]))
        filled = fill(page, summarize(analysis), median)
        spans = dict(re.findall(r'data-vs="([a-z_]+)" title="[^"]*">([^<]*)</span>', filled))
        assert set(spans) == set(DIGITS)
        for key, digits in DIGITS.items():
            a, b = round(figures[key], digits), round(middle[key], digits)
            word = "above" if a > b else "below" if a < b else "at"
            assert spans[key] == f"{word} the portfolio median ({b:.{digits}f})", key


def test_claims_before_is_above_the_median_where_the_issue_said_it_looked_bad(
    tiny_svg: Any,
) -> None:
    analyses = {a.journey.id: a for a in _examples()}
    before = analyses["claims-before"]
    median = medians([summarize(a) for a in analyses.values()])
    text = _text(fill(render_journey_page(before, tiny_svg([])), summarize(before), median))
    # the journey the issue called out: more handoffs per customer than the median journey
    own = before.metrics.expected_handoffs_per_customer
    others = sorted(a.metrics.expected_handoffs_per_customer for a in analyses.values())
    assert own > others[2]
    assert f"Expected handoffs per customer {own:.2f} above the portfolio median" in text


def test_filling_again_replaces_the_old_context_and_a_lone_journey_has_none(
    broadband: JourneyAnalysis, hostile: JourneyAnalysis, tiny_svg: Any
) -> None:
    page = render_journey_page(broadband, tiny_svg([]))
    one, two = summarize(broadband), summarize(hostile)
    pair = medians([one, two])
    once = fill(page, one, pair)
    assert once != page and "portfolio median" in _text(once)
    assert fill(once, one, pair) == once
    alone = medians([one])
    assert fill(once, one, alone) == page == fill(page, one, alone)
    assert "portfolio median" not in _text(fill(once, one, alone))


def test_the_gate_limits_are_named_when_the_config_sets_them(
    broadband: JourneyAnalysis, tiny_svg: Any
) -> None:
    # broadband: 1.135 handoffs per customer, at most 4 on one path (tests/data/worked)
    config = Config(max_expected_handoffs=1.0, max_handoffs_on_path=4)
    text = _text(render_journey_page(broadband, tiny_svg([]), config=config))
    assert "check limit 1.00: over" in text
    assert "check limit 4: within" in text
    assert "check limit" not in _text(render_journey_page(broadband, tiny_svg([])))


def test_the_site_sets_every_page_against_the_portfolio_and_keeps_it_true(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("broadband.yaml", "hostile.yaml"):
        shutil.copy(DATA / name, folder / name)
    out = tmp_path / "site"
    build_site([folder], out, jobs=1)
    hostile = (out / "hostile.html").read_text(encoding="utf-8")
    assert hostile.count("the portfolio median (") == 5
    # A third journey moves the median: hostile's page is not rendered again (it comes from
    # the cache) but its context follows, exactly as a build without the cache gives it.
    for name in ("telecom-onboarding.yaml", "organisation.yaml"):
        shutil.copy(ROOT / "journeys" / name, folder / name)
    again = build_site([folder], out, jobs=1)
    assert (again.rendered, again.cached) == (1, 2)
    assert (out / "hostile.html").read_text(encoding="utf-8") != hostile
    fresh = build_site([folder], tmp_path / "fresh", jobs=1, cache=False)
    for name in ("broadband.html", "hostile.html", "telecom-onboarding.html"):
        assert (out / name).read_bytes() == (fresh.out_dir / name).read_bytes()
    (folder / "telecom-onboarding.yaml").unlink()

    # A site of one journey: nothing to compare with, the slots stay empty.
    (folder / "broadband.yaml").unlink()
    single = build_site([folder], out, jobs=1)
    assert single.cached == 1
    assert "portfolio median" not in (out / "hostile.html").read_text(encoding="utf-8")


def test_the_cache_notes_its_medians_and_a_wrong_note_costs_only_a_reread(tmp_path: Path) -> None:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("broadband.yaml", "hostile.yaml"):
        shutil.copy(DATA / name, folder / name)
    out = tmp_path / "site"
    first = build_site([folder], out, jobs=1)
    assert first.cache_dir is not None
    note = first.cache_dir / "portfolio-medians.txt"
    assert note.read_text(encoding="utf-8").startswith("(2, [")
    before = {p.name: p.read_bytes() for p in out.glob("*.html")}
    note.write_text("(9, [])\n", encoding="utf-8")  # a note that no longer holds
    again = build_site([folder], out, jobs=1)
    assert again.cached == 2
    assert {p.name: p.read_bytes() for p in out.glob("*.html")} == before
    assert note.read_text(encoding="utf-8").startswith("(2, [")
