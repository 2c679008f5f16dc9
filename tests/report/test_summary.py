"""The journey summary the cache keeps for the index renders the very same index."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest

from journeymap.analysis.engine import analyze
from journeymap.analysis.portfolio import JourneySummary, portfolio, summarize
from journeymap.analysis.types import JourneyAnalysis
from journeymap.config import load_config
from journeymap.load import load_journeys
from journeymap.model import Journey
from journeymap.render import build_silo_dot, render_dot
from journeymap.report import cache as _cache  # noqa: F401  (teaches pickle read-only mappings)
from journeymap.report import render_index
from journeymap.report.summary import index_summary

ROOT = Path(__file__).resolve().parents[2]


def _analyses(*paths: Path) -> list[JourneyAnalysis]:
    return [analyze(j, load_config(j.path)) for j in load_journeys(list(paths))]


def _index(analyses: list[JourneyAnalysis]) -> str:
    svg = render_dot(build_silo_dot(analyses), "svg")
    return render_index(analyses, portfolio(analyses), svg)


def test_index_from_summaries_is_byte_identical_to_index_from_full_analyses(
    broadband: JourneyAnalysis, hostile: JourneyAnalysis
) -> None:
    # The example journeys (an organisation file, several leads, loops) plus the test journeys
    # (the worked example; names full of markup).
    full = [*_analyses(ROOT / "journeys"), broadband, hostile]
    slim = [pickle.loads(pickle.dumps(index_summary(a))) for a in full]
    assert _index(slim) == _index(full)


def test_summary_keeps_finding_counts_and_drops_their_text(broadband: JourneyAnalysis) -> None:
    slim = index_summary(broadband)
    assert isinstance(slim, JourneySummary) and not isinstance(slim, JourneyAnalysis)
    severities = [f.severity for f in broadband.findings]
    assert dict(slim.counts) == {s: severities.count(s) for s in ("error", "warning", "info")}
    assert slim.handoffs == broadband.handoffs and slim.metrics == broadband.metrics
    assert slim.worst == broadband.handoffs[0]
    journey = broadband.journey
    assert (slim.id, slim.title, slim.path) == (journey.id, journey.title, journey.path)
    assert list(slim.touchpoint_functions) == list(journey.touchpoints)
    assert slim.lanes == journey.lanes()


def test_summary_is_frozen_and_holds_no_journey(broadband: JourneyAnalysis) -> None:
    slim = index_summary(broadband)
    assert dataclasses.is_dataclass(slim)
    with pytest.raises(dataclasses.FrozenInstanceError):
        slim.title = "x"  # type: ignore[misc]
    assert not any(isinstance(getattr(slim, f.name), Journey) for f in dataclasses.fields(slim))
    assert summarize(slim) is slim and portfolio([slim]) == portfolio([broadband])


def test_summary_pickles_much_smaller(broadband: JourneyAnalysis) -> None:
    full, slim = pickle.dumps(broadband), pickle.dumps(index_summary(broadband))
    assert len(slim) < len(full) / 2


def test_index_takes_the_silo_map_already_inlined(broadband: JourneyAnalysis) -> None:
    from journeymap.report.pages import silo_markup

    svg = render_dot(build_silo_dot([broadband]), "svg")
    figures = portfolio([broadband])
    assert render_index([broadband], figures, silo_markup(svg)) == render_index(
        [broadband], figures, svg
    )
