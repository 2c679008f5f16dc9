"""Text, JSON and Markdown diffs list only real changes (journeymap.diff's matching rules).

tests/data/diff/flow-old.yaml -> flow-new.yaml, read by hand: ad's split moves from 0.5/0.5 to
0.8/0.2 (form/gone) and ad lists its two systems in the other order. The one handoff, form -> ship
(Marketing -> Operations, owned, carrying x), keeps its risk factors and functions; only its
flow moves, 0.5 -> 0.8, so it is not a changed handoff, and ad is not a changed touchpoint.
"""

from __future__ import annotations

import json
from pathlib import Path

from journeymap.analysis.engine import analyze
from journeymap.diff import diff_journeys
from journeymap.load import load_journey
from journeymap.output.diff import format_json, format_markdown, format_text

DATA = Path(__file__).resolve().parents[1] / "data" / "diff"


def _diff():  # type: ignore[no-untyped-def]
    old = analyze(load_journey(DATA / "flow-old.yaml"))
    new = analyze(load_journey(DATA / "flow-new.yaml"))
    return diff_journeys(old, new)


def test_text_lists_the_shares_not_a_changed_handoff_or_touchpoint() -> None:
    text = format_text(_diff(), "old", "new")
    assert "Handoffs: 1 -> 1 (±0): 0 removed, 0 created, 0 changed" in text
    assert "~ changed" not in text
    assert "Touchpoints:" not in text  # the reordered systems are no change
    assert "  ~ ad -> form: share 0.500 -> 0.800" in text
    assert "  ~ ad -> gone: share 0.500 -> 0.200" in text
    assert "expected handoffs per customer    0.500 -> 0.800  +0.300" in text


def test_json_and_markdown_agree() -> None:
    d = _diff()
    data = json.loads(format_json(d, "old", "new"))
    assert data["handoffs"] == {"created": [], "removed": [], "changed": []}
    assert data["touchpoints"] == {"added": [], "removed": [], "changed": []}
    assert [(t["from"], t["to"]) for t in data["transitions"]["changed"]] == [
        ("ad", "form"),
        ("ad", "gone"),
    ]
    markdown = format_markdown(d, "old", "new")
    assert "0 removed, 0 created, 0 changed" in markdown
    assert "changed handoff" not in markdown
    assert "changed touchpoint" not in markdown
