"""The check gate: code selection, threshold findings (JM401-JM403) and the pass/fail verdict."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from journeymap.analysis.types import Finding, JourneyAnalysis, Metrics
from journeymap.errors import UsageError
from journeymap.gate import evaluate, matches, parse_codes, select_findings, threshold_findings
from journeymap.model import Journey, Location, Stage, Touchpoint, frozen_map

PATH = "journeys/gate.yaml"


def _analysis(findings: tuple[Finding, ...] = (), **metrics: object) -> JourneyAnalysis:
    journey = Journey(
        id="gate",
        title="Gate",
        path=PATH,
        functions=frozen_map(),
        systems=frozen_map(),
        integrations=(),
        channels=frozen_map(),
        stages=(Stage("s", "s"),),
        touchpoints=frozen_map({"a": Touchpoint("a", "A", "s", "f")}),
        location=Location(PATH, 1, 1),
    )
    figures: dict[str, object] = dict(
        touchpoints=1, transitions=0, handoffs=0, handoff_ratio=0.0,
        expected_handoffs_per_customer=2.5, max_handoffs_on_path=6,
        max_handoffs_on_path_complete=True, functions_touched=1, outcomes={}, drop_off=0.0,
        expected_wait_hours_per_customer=30.0, stage_functions={}, stage_fragmentation={},
        function_flow_share={}, lead_flow_share={}, system_owner_flow_share={},
        handoff_matrix={}, total_volume=1.0,
    )  # fmt: skip
    figures.update(metrics)
    return JourneyAnalysis(journey, Metrics(**figures), {}, {}, (), findings)  # type: ignore[arg-type]


def _finding(rule: str, severity: str, line: int = 5) -> Finding:
    return Finding(rule, severity, f"{rule} here", "gate", Location(PATH, line, 3))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Limits:
    max_expected_handoffs: float | None = None
    max_handoffs_on_path: int | None = None
    max_wait_hours: float | None = None


# --- parse_codes ------------------------------------------------------------------------------


def test_codes_are_split_trimmed_upper_cased_and_deduplicated() -> None:
    assert parse_codes(" jm1, JM202,,JM1 ") == ("JM1", "JM202")
    assert parse_codes(None) == ()
    assert parse_codes("") == ()


def test_prefixes_and_all() -> None:
    assert parse_codes("JM10,JM4") == ("JM10", "JM4")
    assert parse_codes("all") == ("JM",)
    assert matches("JM104", ("JM10",)) and matches("JM401", ("JM4",))
    assert not matches("JM201", ("JM1",))


def test_unknown_code_is_a_usage_error_with_the_closest_codes() -> None:
    with pytest.raises(UsageError) as err:
        parse_codes("JM1,JM109", "--select")
    assert str(err.value) == (
        "--select: unknown rule code 'JM109'; did you mean 'JM106' or 'JM107' or 'JM108'?"
    )


def test_unknown_code_without_a_close_one_lists_the_known_ranges() -> None:
    with pytest.raises(UsageError) as err:
        parse_codes("XY999", "--ignore")
    assert str(err.value) == (
        "--ignore: unknown rule code 'XY999'; known codes are JM100-JM108, JM201-JM202, "
        "JM301-JM303, JM401-JM403, JM501-JM504 (a prefix like JM1 selects JM1xx)"
    )


def test_a_prefix_matching_no_rule_is_unknown() -> None:
    with pytest.raises(UsageError, match="unknown rule code 'JM6'"):
        parse_codes("JM6")


# --- selection ---------------------------------------------------------------------------------

FINDINGS = (
    _finding("JM100", "info"),
    _finding("JM101", "warning"),
    _finding("JM202", "warning"),
    _finding("JM301", "error"),
)


def _rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def test_default_selection_leaves_out_info() -> None:
    assert _rules(select_findings(FINDINGS)) == ["JM101", "JM202", "JM301"]


def test_select_takes_any_severity_and_ignore_wins() -> None:
    assert _rules(select_findings(FINDINGS, ("JM1",))) == ["JM100", "JM101"]
    assert _rules(select_findings(FINDINGS, ("JM1",), ("JM100",))) == ["JM101"]
    assert _rules(select_findings(FINDINGS, (), ("JM2", "JM3"))) == ["JM101"]


# --- thresholds --------------------------------------------------------------------------------


def test_no_config_or_no_limits_add_nothing() -> None:
    assert threshold_findings(_analysis(), None) == []
    assert threshold_findings(_analysis(), Limits()) == []


def test_limits_equal_to_the_figure_pass() -> None:
    limits = Limits(max_expected_handoffs=2.5, max_handoffs_on_path=6, max_wait_hours=30)
    assert threshold_findings(_analysis(), limits) == []


def test_exceeded_limits_become_error_findings_at_the_journey() -> None:
    limits = Limits(max_expected_handoffs=2, max_handoffs_on_path=5, max_wait_hours=24)
    found = threshold_findings(_analysis(), limits)
    assert [(f.rule, f.severity, f.location) for f in found] == [
        ("JM401", "error", Location(PATH, 1, 1)),
        ("JM402", "error", Location(PATH, 1, 1)),
        ("JM403", "error", Location(PATH, 1, 1)),
    ]
    assert found[0].message.startswith(
        "expected handoffs per customer 2.500 exceed max_expected_handoffs 2;"
    )
    assert found[1].message.startswith("a path has 6 handoffs, more than max_handoffs_on_path 5;")
    assert found[2].message.startswith(
        "expected wait per customer 30.0 h exceeds max_wait_hours 24 h;"
    )


def test_an_incomplete_path_search_reports_a_lower_bound() -> None:
    analysis = _analysis(max_handoffs_on_path_complete=False)
    (found,) = threshold_findings(analysis, Limits(max_handoffs_on_path=2))
    assert found.message.startswith("a path has at least 6 handoffs")


# --- verdict -----------------------------------------------------------------------------------


def test_warnings_pass_fail_on_error_and_fail_fail_on_warning() -> None:
    analysis = _analysis((FINDINGS[0], FINDINGS[1], FINDINGS[2]))
    passed = evaluate([analysis])
    assert passed.passed and passed.counts() == {"error": 0, "warning": 2, "info": 0}
    failed = evaluate([analysis], fail_on="warning")
    assert not failed.passed and _rules(list(failed.failing)) == ["JM101", "JM202"]


def test_errors_fail_unless_ignored() -> None:
    analysis = _analysis(FINDINGS)
    assert not evaluate([analysis]).passed
    assert evaluate([analysis], ignore=("JM3",)).passed


def test_threshold_findings_join_and_can_be_ignored() -> None:
    limits = Limits(max_expected_handoffs=1)
    result = evaluate([_analysis()], [limits])
    assert not result.passed and _rules(list(result.findings)) == ["JM401"]
    assert evaluate([_analysis()], [limits], ignore=("JM401",)).passed


def test_info_selected_explicitly_never_fails_the_gate() -> None:
    result = evaluate([_analysis((FINDINGS[0],))], select=("JM100",), fail_on="warning")
    assert result.passed and _rules(list(result.findings)) == ["JM100"]


def test_findings_are_sorted_and_a_located_journey_finding_comes_first() -> None:
    late, early = _finding("JM101", "warning", 40), _finding("JM102", "warning", 7)
    nowhere = Finding("JM202", "warning", "no owner", "gate")
    result = evaluate([_analysis((late, nowhere, early))])
    assert _rules(list(result.findings)) == ["JM202", "JM102", "JM101"]


def test_bad_fail_on_and_mismatched_configs() -> None:
    with pytest.raises(UsageError):
        evaluate([_analysis()], fail_on="info")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        evaluate([_analysis()], [])


def test_result_is_independent_of_input_order_within_a_journey() -> None:
    a = evaluate([_analysis(FINDINGS)])
    b = evaluate([_analysis(tuple(reversed(FINDINGS)))])
    assert a.findings == b.findings
    assert replace(a, analyses=()) == replace(b, analyses=())
