"""The terminal summary and linter lines, exactly, on hand-built analyses."""

from __future__ import annotations

from dataclasses import replace

from output_fixtures import tiny_analysis

from journeymap.analysis.types import Finding
from journeymap.model import Location
from journeymap.output.text import finding_line, render_text, style

EXPECTED_TINY = """\
Tiny purchase (tiny)  journeys/tiny.yaml
  3 touchpoints, 2 transitions, 1 handoff (ratio 0.50), 2 functions touched
  expected handoffs per customer 0.400, most handoffs on a path 1, expected wait 0.0 h
  outcomes: won 10.0%, drop-off 90.0%
  who owns the customer (touchpoint flow): marketing 66.7%, sales 33.3%
  by lead: CMO 66.7%, VP Sales 33.3%

  Handoffs, worst first
    #  risk   flow  per cust.  from -> to  functions           rules
    1  1.20  40.00      0.400  ad -> call  marketing -> sales  JM101 JM104

  Silo map (handoff flow between functions)
    marketing -> sales  40.00

  Findings: 0 errors, 2 warnings, 1 info
    journeys/tiny.yaml: JM202 warning: the journey has no end-to-end owner; add `owner:`
    journeys/tiny.yaml:12:9: JM101 warning: handoff ad -> call has no owner; name the accountable function with `owner:`
    journeys/tiny.yaml:12:9: JM100 info: handoff marketing -> sales (risk 1.2)
"""  # noqa: E501


def test_tiny_summary_exactly() -> None:
    assert render_text([tiny_analysis()]) == EXPECTED_TINY


def test_no_colour_codes_unless_asked() -> None:
    assert "\x1b[" not in render_text([tiny_analysis()])
    coloured = render_text([tiny_analysis()], color=True)
    assert "\x1b[1mTiny purchase\x1b[0m" in coloured
    assert "\x1b[33;1mJM101\x1b[0m \x1b[33mwarning\x1b[0m" in coloured
    assert "\x1b[36mJM100\x1b[0m \x1b[36minfo\x1b[0m" in coloured


def test_style_is_identity_without_colour() -> None:
    assert style("x", False, "red", bold=True) == "x"
    assert style("x", True, "red", bold=True) == "\x1b[31;1mx\x1b[0m"
    assert style("x", True) == "x"


def test_worst_handoffs_first_whatever_the_input_order() -> None:
    worst = tiny_analysis().handoffs[0]
    mild = replace(worst, source="call", target="deal", number=2, risk=0.05, rules=("JM100",))
    text = render_text([tiny_analysis(handoffs=(mild, worst))])
    assert text.index("1  1.20") < text.index("2  0.05")


def test_errors_listed_before_warnings_before_info() -> None:
    error = Finding("JM301", "error", "unreachable", "tiny", Location("journeys/tiny.yaml", 20, 3))
    analysis = tiny_analysis(findings=(*tiny_analysis().findings, error))
    lines = [line.strip() for line in render_text([analysis]).splitlines()]
    found = [line for line in lines if line.startswith("journeys/tiny.yaml")]
    assert [line.split(" ")[1] for line in found] == ["JM301", "JM202", "JM101", "JM100"]
    assert "Findings: 1 error, 2 warnings, 1 info" in lines


def test_linter_line_formats() -> None:
    finding = tiny_analysis().findings[1]
    assert finding_line(finding) == (
        "journeys/tiny.yaml:12:9: JM101 warning: handoff ad -> call has no owner; "
        "name the accountable function with `owner:`"
    )
    nowhere = tiny_analysis().findings[2]
    assert finding_line(nowhere, journey_path="journeys/tiny.yaml").startswith(
        "journeys/tiny.yaml: JM202 warning: "
    )


def test_control_characters_in_user_text_cannot_drive_the_terminal() -> None:
    journey = replace(tiny_analysis().journey, title="Evil\x1b[2J\nname")
    text = render_text([tiny_analysis(journey=journey)])
    assert "\x1b" not in text
    assert text.startswith("Evil [2J name (tiny)")


def test_several_journeys_end_with_a_total_line() -> None:
    text = render_text([tiny_analysis(), tiny_analysis("journeys/b.yaml")])
    assert text.endswith("\n\n2 journeys, 2 handoffs, 6 findings\n")
    assert text.count("Tiny purchase (tiny)") == 2


def test_no_handoffs_says_so() -> None:
    metrics = replace(tiny_analysis().metrics, handoffs=0, handoff_matrix={})
    text = render_text([tiny_analysis(handoffs=(), metrics=metrics, findings=())])
    assert "  No handoffs: one function serves the whole journey.\n" in text
    assert "Silo map" not in text
    assert text.endswith("  Findings: 0 errors, 0 warnings, 0 info\n")


def test_incomplete_path_search_is_shown_as_a_lower_bound() -> None:
    metrics = replace(tiny_analysis().metrics, max_handoffs_on_path_complete=False)
    assert "most handoffs on a path >= 1," in render_text([tiny_analysis(metrics=metrics)])


def test_empty_input_renders_nothing() -> None:
    assert render_text([]) == ""
