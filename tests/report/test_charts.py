"""Inline SVG charts: coordinates worked out by hand, user text escaped."""

from __future__ import annotations

import re

from journeymap.analysis.types import JourneyAnalysis
from journeymap.report import charts


def test_sparkline_coordinates() -> None:
    # 6 values over a 120x28 box with 4px padding: step 112/5 = 22.4; y = 4 + 5 * (5 - v).
    out = str(charts.sparkline([4, 3, 2, 1, 2, 5], "label"))
    assert 'points="4,9 26.4,14 48.8,19 71.2,24 93.6,19 116,4"' in out
    assert '<circle class="spark-low" cx="71.2" cy="24"' in out
    assert 'aria-label="label"' in out


def test_sparkline_without_scores_is_a_dashed_line() -> None:
    out = str(charts.sparkline([None, None], "<none>"))
    assert "spark-none" in out and "polyline" not in out
    assert "&lt;none&gt;" in out


def test_share_bar_clamps() -> None:
    assert 'class="bar-fg" width="80"' in str(charts.share_bar(0.5, "half"))
    assert 'class="bar-fg" width="160"' in str(charts.share_bar(7.0, "all"))
    assert 'class="bar-fg" width="0"' in str(charts.share_bar(-1.0, "none"))


def test_display_order_is_by_stage_then_file(broadband: JourneyAnalysis) -> None:
    assert charts.display_order(broadband) == [
        "offer",
        "call",
        "visit",
        "care-call",
        "survey",
        "happy",
    ]


def test_emotion_curve_marks_every_handoff(broadband: JourneyAnalysis) -> None:
    out = str(charts.emotion_curve(broadband))
    assert len(re.findall(r'<circle class="emo-point', out)) == 6
    markers = re.findall(r'<g class="emo-marker" data-handoff="(\d+)"', out)
    assert sorted(markers) == ["1", "2", "3", "4", "5"]
    # visit -> happy stays inside field: drawn, not a handoff.
    assert len(re.findall(r'<path class="emo-link"', out)) == 1
    assert 'aria-labelledby="emo-title emo-desc"' in out


def test_emotion_curve_escapes_names(hostile: JourneyAnalysis) -> None:
    out = str(charts.emotion_curve(hostile))
    assert "<script" not in out and "<svg/" not in out and "<style" not in out
    assert "&lt;script&gt;" in out


def test_chart_labels_lose_bidi_overrides_and_nul() -> None:
    out = str(charts.sparkline([3, 4], "abc\u202edef\x00<b>"))
    assert 'aria-label="abcdef\ufffd&lt;b&gt;"' in out
    assert "\u202e" not in out and "\x00" not in out
