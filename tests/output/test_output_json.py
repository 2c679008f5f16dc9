"""The public JSON of ``analyze``: exact shape on a hand-built analysis, rounding, paths, bytes."""

from __future__ import annotations

import json
import math
import os
from dataclasses import replace

from output_fixtures import tiny_analysis

from journeymap.analysis.types import Finding
from journeymap.model import Location
from journeymap.output import display_path, number
from journeymap.output.json import SCHEMA_VERSION, analysis_to_dict, render_json

EXPECTED_TINY = {
    "schema_version": 1,
    "journey": "tiny",
    "title": "Tiny purchase",
    "file": "journeys/tiny.yaml",
    "metrics": {
        "touchpoints": 3,
        "transitions": 2,
        "handoffs": 1,
        "handoff_ratio": 0.5,
        "expected_handoffs_per_customer": 0.4,
        "max_handoffs_on_path": 1,
        "max_handoffs_on_path_complete": True,
        "functions_touched": 2,
        "outcomes": {"won": 0.1},
        "drop_off": 0.9,
        "expected_wait_hours_per_customer": 0.0,
        "stage_functions": {"aware": ["marketing"], "buy": ["sales"]},
        "stage_fragmentation": {"aware": 0.0, "buy": 0.0},
        "function_flow_share": {"marketing": 0.666667, "sales": 0.333333},
        "lead_flow_share": {"CMO": 0.666667, "VP Sales": 0.333333},
        "system_owner_flow_share": {},
        "handoff_matrix": [{"from": "marketing", "to": "sales", "flow": 40.0}],
        "total_volume": 100.0,
        "trapped": 0.0,
        "context_search_complete": True,
    },
    "touchpoint_flow": {"ad": 100.0, "call": 40.0, "deal": 10.0},
    "transition_flow": [
        {"from": "ad", "to": "call", "flow": 40.0},
        {"from": "call", "to": "deal", "flow": 10.0},
    ],
    "handoffs": [
        {
            "number": 1,
            "from": "ad",
            "to": "call",
            "from_function": "marketing",
            "to_function": "sales",
            "flow": 40.0,
            "per_customer": 0.4,
            "risk": 1.2,
            "rules": ["JM101", "JM104"],
            "owner": None,
            "wait_hours": None,
            "file": "journeys/tiny.yaml",
            "line": 12,
            "col": 9,
        }
    ],
    "findings": [
        # no location: cites the journey file, line and col null; sorted first ("<unknown>")
        {
            "rule": "JM202",
            "severity": "warning",
            "message": "the journey has no end-to-end owner; add `owner:`",
            "journey": "tiny",
            "file": "journeys/tiny.yaml",
            "line": None,
            "col": None,
            "touchpoints": [],
            "transition": None,
        },
        {
            "rule": "JM100",
            "severity": "info",
            "message": "handoff marketing -> sales (risk 1.2)",
            "journey": "tiny",
            "file": "journeys/tiny.yaml",
            "line": 12,
            "col": 9,
            "touchpoints": ["ad", "call"],
            "transition": {"from": "ad", "to": "call"},
        },
        {
            "rule": "JM101",
            "severity": "warning",
            "message": "handoff ad -> call has no owner; name the accountable function with "
            "`owner:`",
            "journey": "tiny",
            "file": "journeys/tiny.yaml",
            "line": 12,
            "col": 9,
            "touchpoints": ["ad", "call"],
            "transition": {"from": "ad", "to": "call"},
        },
    ],
}


def test_tiny_analysis_as_json_object_exactly(tmp_path: os.PathLike[str]) -> None:
    assert analysis_to_dict(tiny_analysis(), cwd=str(tmp_path)) == EXPECTED_TINY


def test_schema_version_is_one() -> None:
    assert SCHEMA_VERSION == 1


def test_one_journey_is_an_object_several_a_list_none_an_empty_list() -> None:
    one = json.loads(render_json([tiny_analysis()]))
    assert isinstance(one, dict) and one["journey"] == "tiny"
    two = json.loads(render_json([tiny_analysis(), tiny_analysis("journeys/other.yaml")]))
    assert [j["file"] for j in two] == ["journeys/tiny.yaml", "journeys/other.yaml"]
    assert all(j["schema_version"] == 1 for j in two)
    assert json.loads(render_json([])) == []


def test_text_is_canonical_sorted_ascii_and_stable() -> None:
    analysis = replace(tiny_analysis(), journey=replace(tiny_analysis().journey, title="Café ☕"))
    first, second = render_json([analysis]), render_json([analysis])
    assert first.encode() == second.encode()
    assert first.endswith("}\n") and first.isascii()
    assert '"title": "Caf\\u00e9 \\u2615"' in first
    data = json.loads(first)
    assert list(data) == sorted(data)
    assert list(data["metrics"]) == sorted(data["metrics"])
    assert first.startswith('{\n  "file": "journeys/tiny.yaml",\n')


def test_findings_are_sorted_whatever_the_engine_order() -> None:
    shuffled = tiny_analysis(findings=tuple(reversed(tiny_analysis().findings)))
    assert render_json([shuffled]) == render_json([tiny_analysis()])


def test_handoffs_follow_their_risk_number() -> None:
    base = tiny_analysis().handoffs[0]
    second = replace(base, source="call", target="deal", number=2, risk=0.1)
    data = analysis_to_dict(tiny_analysis(handoffs=(second, base)))
    assert [h["number"] for h in data["handoffs"]] == [1, 2]


def test_numbers_are_rounded_to_six_decimals() -> None:
    assert number(1 / 3) == 0.333333
    assert number(2 / 3) == 0.666667
    assert number(1.1352941176) == 1.135294
    assert number(-0.0000001) == 0.0 and math.copysign(1, number(-0.0000001)) == 1  # type: ignore[arg-type]
    assert number(7) == 7 and isinstance(number(7), int)
    assert number(True) == 1
    assert number(float("nan")) is None and number(float("inf")) is None


def test_a_float_metric_that_is_not_finite_becomes_null_not_invalid_json() -> None:
    metrics = replace(tiny_analysis().metrics, drop_off=float("nan"))
    data = json.loads(render_json([tiny_analysis(metrics=metrics)]))
    assert data["metrics"]["drop_off"] is None


def test_display_path_relative_to_cwd_inside_absolute_outside(tmp_path: os.PathLike[str]) -> None:
    cwd = os.fspath(tmp_path)
    assert display_path(os.path.join(cwd, "journeys", "a.yaml"), cwd) == "journeys/a.yaml"
    assert display_path("./journeys/../b.yaml", cwd) == "b.yaml"
    assert display_path("/elsewhere/c.yaml", cwd) == "/elsewhere/c.yaml"
    assert display_path("<unknown>", cwd) == "<unknown>"


def test_absolute_finding_paths_are_shown_relative_to_cwd(tmp_path: os.PathLike[str]) -> None:
    cwd = os.fspath(tmp_path)
    absolute = os.path.join(cwd, "journeys", "tiny.yaml")
    data = analysis_to_dict(tiny_analysis(absolute), cwd=cwd)
    assert data["file"] == "journeys/tiny.yaml"
    assert {f["file"] for f in data["findings"]} == {"journeys/tiny.yaml"}
    assert data["handoffs"][0]["file"] == "journeys/tiny.yaml"


def test_finding_in_a_shared_file_keeps_its_own_file() -> None:
    shared = Finding("JM107", "warning", "shadow", "tiny", Location("journeys/org.yaml", 3, 5))
    data = analysis_to_dict(tiny_analysis(findings=(shared,)))
    assert data["findings"][0]["file"] == "journeys/org.yaml"
    assert (data["findings"][0]["line"], data["findings"][0]["col"]) == (3, 5)
