"""``journeymap check`` end to end: exit codes, linter lines, selection, thresholds, formats.

On the worked example (tests/data/output/broadband.yaml) the hand analysis in
tests/data/worked/broadband.md finds warnings only (no JM301-JM303), with JM106 once at the
5-day wait of call -> visit (line 39 of the file, the flow mapping at column 9).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from journeymap.cli import main

DATA = Path(__file__).resolve().parent / "data" / "output"
V = 80 / 0.85
C = 0.25 * V


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(DATA / "broadband.yaml", tmp_path / "broadband.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", *args])
    return result.exit_code, result.stdout, result.stderr


def test_warnings_pass_by_default(here: Path) -> None:
    code, out, err = run("broadband.yaml", "--one-line")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "1 journey checked: 0 errors, 11 warnings, 0 info; passed (--fail-on error)"
    assert len(lines) == 12
    assert all(line.startswith("broadband.yaml:") for line in lines[:-1])
    assert [line.split(" ")[1] for line in lines[:-1]] == [
        "JM202", "JM101", "JM106", "JM101", "JM102", "JM103", "JM101", "JM108", "JM101",
        "JM102", "JM107",
    ]  # fmt: skip


# Written by hand from tests/data/output/broadband.yaml and the hand analysis in
# tests/data/worked/broadband.md: the five handoffs by rank (risk = weight sum x per customer:
# offer -> call 4 x 0.5, call -> visit 4 x 0.4, visit -> care-call 10 x 0.1176, care-call ->
# visit 7 x 0.0706, care-call -> survey 9 x 0.0471), their warnings by rule title (JM100 and the
# JM104 channel switches are info, not reported), the repeat ask of `care-call` on the last step
# of its path (visit -> care-call), then the journey finding, then the count per rule.
GROUPED = """\
broadband.yaml: Broadband installation (5 handoffs with findings, worst first; 1 other finding)
  warning #1 risk 2.00  Marketing → Telesales: 'Online offer' → 'Sales call': \
handoff without owner  [broadband.yaml:29]
  warning #2 risk 1.60  Telesales → Field engineering: 'Sales call' → 'Engineer visit': \
long wait (5d)  [broadband.yaml:39]
  warning #3 risk 1.18  Field engineering → Customer care: 'Engineer visit' → \
'Call care about a fault': handoff without owner · context loss · repeat ask  [broadband.yaml:49]
  warning #4 risk 0.49  Customer care → Field engineering: 'Call care about a fault' → \
'Engineer visit': handoff without owner · ping-pong  [broadband.yaml:59]
  warning #5 risk 0.42  Customer care → Marketing: 'Call care about a fault' → \
'Satisfaction survey': handoff without owner · context loss · shadow system  [broadband.yaml:60]
  warning journey 'Broadband installation': no end-to-end owner  [broadband.yaml:1]

Findings by rule
  JM101  handoff without owner  4
  JM102  context loss           2
  JM103  repeat ask             1
  JM106  long wait              1
  JM107  shadow system          1
  JM108  ping-pong              1
  JM202  no end-to-end owner    1
1 journey checked: 0 errors, 11 warnings, 0 info; passed (--fail-on error)
"""


def test_text_groups_findings_by_handoff_worst_first(here: Path) -> None:
    code, out, err = run("broadband.yaml")
    assert (code, err) == (0, "")
    assert out == GROUPED


TINY = """\
journeymap: 1
title: "Tiny \\e[2J claim"
owner: cx
functions:
  cx: {name: CX office}
  claims: {name: "Claims\\nhandling"}
  finance: {name: Finance}
stages: [decide]
touchpoints:
  decision:
    name: Settlement decision
    stage: decide
    function: claims
    volume: 10
    next:
      - {to: paid, wait: 2d}
  paid:
    name: Payment issued
    stage: decide
    function: finance
    outcome: paid
"""


def test_grouped_text_of_one_handoff_names_it_in_words(here: Path) -> None:
    """One handoff (no owner, nothing carried, 2 days' wait: risk (1 + 2 + 3 + 2) x 1 = 8), named
    by its functions and touchpoints; escape codes and newlines in names are made inert."""
    (here / "tiny.yaml").write_text(TINY, encoding="utf-8")
    code, out, _ = run("tiny.yaml")
    assert code == 0
    assert out == (
        "tiny.yaml: Tiny  [2J claim (1 handoff with findings, worst first)\n"
        "  warning #1 risk 8.00  Claims handling → Finance: 'Settlement decision' → "
        "'Payment issued': handoff without owner · context loss · long wait (2d)  [tiny.yaml:16]\n"
        "\n"
        "Findings by rule\n"
        "  JM101  handoff without owner  1\n"
        "  JM102  context loss           1\n"
        "  JM106  long wait              1\n"
        "1 journey checked: 0 errors, 3 warnings, 0 info; passed (--fail-on error)\n"
    )


def test_grouped_and_one_line_text_give_the_same_exit_code(here: Path) -> None:
    for args in ([], ["--fail-on", "warning"], ["--ignore", "JM1,JM2"], ["--select", "ALL"]):
        grouped, one_line = run("broadband.yaml", *args), run("broadband.yaml", *args, "--one-line")
        assert grouped[0] == one_line[0]
        assert grouped[1].splitlines()[-1] == one_line[1].splitlines()[-1]


def test_one_line_is_the_linter_format_of_every_reported_finding() -> None:
    """--one-line = the format check printed before grouping: `path:line:col: CODE severity:
    message` per finding in the gate's order, then the summary line (rebuilt from the JSON)."""
    root = Path(__file__).resolve().parent.parent
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        args = ["check", "journeys", "tests/data/output/broadband.yaml"]
        one_line = runner.invoke(main, [*args, "--one-line"])
        data = json.loads(runner.invoke(main, [*args, "--format", "json"]).stdout)
    expected = [
        f"{f['file']}:{f['line']}:{f['col']}: {f['rule']} {f['severity']}: {f['message']}"
        for f in data["findings"]
    ]
    counts = data["counts"]
    expected.append(
        f"6 journeys checked: {counts['error']} errors, {counts['warning']} warnings, "
        f"{counts['info']} info; passed (--fail-on error)"
    )
    assert one_line.exit_code == 0
    assert one_line.stdout.splitlines() == expected
    assert len(expected) == 454 + 11 + 1  # the examples' warnings, broadband's, the summary


def test_summary_counts_match_the_analysis_findings_per_rule() -> None:
    """The per-rule counts of the grouped text equal the findings of `analyze --format json`
    counted per rule (default selection: every severity but info)."""
    root = Path(__file__).resolve().parent.parent
    runner = CliRunner()
    expected: dict[str, int] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        out = runner.invoke(main, ["check", "journeys"]).stdout
        for path in sorted((root / "journeys").glob("*.yaml")):
            if path.name == "organisation.yaml" or path.name.endswith(".scenarios.yaml"):
                continue
            analysis = json.loads(
                runner.invoke(main, ["analyze", "--format", "json", str(path)]).stdout
            )
            for f in analysis["findings"]:
                if f["severity"] != "info":
                    expected[f["rule"]] = expected.get(f["rule"], 0) + 1
    lines = out.splitlines()
    table = lines[lines.index("Findings by rule") + 1 : -1]
    counted = {line.split()[0]: int(line.split()[-1]) for line in table}
    assert counted == expected
    assert sum(counted.values()) == 454
    from journeymap.catalog import RULES

    assert all(
        f"  {code}  {RULES[code].title} " in f"{line} "
        for code, line in zip(counted, table, strict=True)
    )


def test_grouped_text_is_much_shorter_than_one_line_per_finding() -> None:
    root = Path(__file__).resolve().parent.parent
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        grouped = CliRunner().invoke(main, ["check", "journeys"]).stdout.splitlines()
        one_line = CliRunner().invoke(main, ["check", "journeys", "--one-line"]).stdout.splitlines()
    assert len(one_line) == 455
    assert len(grouped) < len(one_line) / 2
    assert grouped[-1] == one_line[-1]


def test_stage_and_touchpoint_findings_are_named(here: Path) -> None:
    (here / ".journeymap.yaml").write_text("thresholds:\n  stage_functions: 2\n", encoding="utf-8")
    _, out, _ = run("broadband.yaml", "--select", "JM201,JM103")
    assert "  warning stage 'install': fragmented stage  [broadband.yaml:17]" in out.splitlines()
    assert "repeat ask  [broadband.yaml:49]" in out  # on the handoff visit -> care-call


def test_one_line_needs_text_format(here: Path) -> None:
    code, out, err = run("broadband.yaml", "--format", "json", "--one-line")
    assert (code, out) == (2, "")
    assert "--one-line applies to --format text only" in err


def test_fail_on_warning_fails(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--fail-on", "warning")
    assert code == 1
    assert out.splitlines()[-1] == (
        "1 journey checked: 0 errors, 11 warnings, 0 info; failed: 11 at or above warning"
    )


def test_select_one_code_gives_one_linter_line(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--select", "JM106", "--fail-on", "warning", "--one-line")
    assert code == 1
    first, summary = out.splitlines()
    assert first.startswith("broadband.yaml:39:9: JM106 warning: ")
    assert "call -> visit" in first
    assert (
        summary == "1 journey checked: 0 errors, 1 warning, 0 info; failed: 1 at or above warning"
    )


def test_prefix_select_and_ignore(here: Path) -> None:
    _, out, _ = run(
        "broadband.yaml", "--select", "jm1", "--ignore", "JM100,JM104,JM101", "--one-line"
    )
    rules = [line.split(" ")[1] for line in out.splitlines()[:-1]]
    assert sorted(rules) == ["JM102", "JM102", "JM103", "JM106", "JM107", "JM108"]
    _, out, _ = run("broadband.yaml", "--select", "JM104")  # info, only when selected
    assert out.splitlines()[-1].startswith("1 journey checked: 0 errors, 0 warnings, 5 info;")


def test_ignoring_every_warning_passes_even_fail_on_warning(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--fail-on", "warning", "--ignore", "JM1,JM2")
    assert code == 0
    assert out == "1 journey checked: 0 errors, 0 warnings, 0 info; passed (--fail-on warning)\n"


def test_unknown_code_is_a_usage_error_with_a_hint(here: Path) -> None:
    code, out, err = run("broadband.yaml", "--select", "JM1,JM190")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1].endswith(
        "'--select': unknown rule code 'JM190'; did you mean 'JM106' or 'JM107' or 'JM108'?"
    )
    code, _, err = run("broadband.yaml", "--ignore", "XY999")
    assert code == 2
    assert "unknown rule code 'XY999'; known codes are JM100-JM108, JM201-JM202" in err


def test_thresholds_from_a_config_file_fail_the_gate(here: Path) -> None:
    (here / "gate.yaml").write_text(
        "check:\n  max_expected_handoffs: 1\n  max_handoffs_on_path: 4\n  max_wait_hours: 40\n",
        encoding="utf-8",
    )
    code, out, _ = run("broadband.yaml", "--config", "gate.yaml", "--select", "JM4", "--one-line")
    assert code == 1
    assert out.splitlines() == [
        # 1.135294 expected handoffs > 1; 4 handoffs on a path is not > 4; 48 h > 40 h
        "broadband.yaml:1:1: JM401 error: expected handoffs per customer 1.135 exceed "
        "max_expected_handoffs 1; let one function own consecutive touchpoints or route "
        "customers around the busiest handoffs",
        "broadband.yaml:1:1: JM403 error: expected wait per customer 48.0 h exceeds "
        "max_wait_hours 40 h; shorten the longest waits between touchpoints",
        "1 journey checked: 2 errors, 0 warnings, 0 info; failed: 2 at or above error",
    ]
    code, out, _ = run("broadband.yaml", "--config", "gate.yaml", "--select", "JM4")
    assert code == 1
    assert out.splitlines() == [  # grouped: journey findings by title, the figures kept
        "broadband.yaml: Broadband installation (2 other findings)",
        "  error   journey 'Broadband installation': too many expected handoffs (expected "
        "handoffs per customer 1.135 exceed max_expected_handoffs 1)  [broadband.yaml:1]",
        "  error   journey 'Broadband installation': too long expected wait (expected wait per "
        "customer 48.0 h exceeds max_wait_hours 40 h)  [broadband.yaml:1]",
        "",
        "Findings by rule",
        "  JM401  too many expected handoffs  1",
        "  JM403  too long expected wait      1",
        "1 journey checked: 2 errors, 0 warnings, 0 info; failed: 2 at or above error",
    ]


def test_thresholds_from_the_config_beside_the_journeys(here: Path) -> None:
    (here / ".journeymap.yaml").write_text("check:\n  max_handoffs_on_path: 3\n", encoding="utf-8")
    code, out, _ = run("broadband.yaml", "--select", "JM402", "--one-line")
    assert code == 1
    assert out.splitlines()[0] == (
        "broadband.yaml:1:1: JM402 error: a path has 4 handoffs, more than max_handoffs_on_path 3; "
        "shorten the relay between functions on the longest path"
    )
    (here / ".journeymap.yaml").write_text("check:\n  max_handoffs_on_path: 4\n", encoding="utf-8")
    assert run("broadband.yaml")[0] == 0


def test_bad_config_is_exit_2_with_location(here: Path) -> None:
    (here / "bad.yaml").write_text("check:\n  max_handofs_on_path: 3\n", encoding="utf-8")
    code, out, err = run("broadband.yaml", "--config", "bad.yaml")
    assert (code, out) == (2, "")
    assert err.startswith("bad.yaml:2:3: error: ") and "Traceback" not in err


def test_missing_path_is_exit_2(here: Path) -> None:
    assert run("nope.yaml") == (2, "", "nope.yaml:1:1: error: no such file or folder\n")


def test_json_verdict(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--format", "json", "--fail-on", "warning")
    assert code == 1
    data = json.loads(out)
    assert data["schema_version"] == 1 and data["passed"] is False
    assert (data["fail_on"], data["failing"]) == ("warning", 11)
    assert data["counts"] == {"error": 0, "warning": 11, "info": 0}
    assert data["journeys"] == [{"journey": "broadband", "file": "broadband.yaml"}]
    jm106 = [f for f in data["findings"] if f["rule"] == "JM106"]
    assert [(f["line"], f["col"], f["transition"]) for f in jm106] == [
        (39, 9, {"from": "call", "to": "visit"})
    ]


def test_sarif_to_a_file(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--format", "sarif", "-o", "results.sarif")
    assert (code, out) == (0, "")
    log = json.loads((here / "results.sarif").read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    run_ = log["runs"][0]
    assert run_["tool"]["driver"]["name"] == "journeymap"
    assert len(run_["results"]) == 11
    jm103 = next(r for r in run_["results"] if r["ruleId"] == "JM103")
    assert jm103["level"] == "warning"
    assert jm103["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "broadband.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 51, "startColumn": 3},  # the `care-call:` touchpoint
    }
    rules = run_["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run_["results"])


def _sarif_validator() -> Any:
    """validate_sarif and the shape checks of tests/output/test_output_sarif.py (the SARIF 2.1.0
    schema constraints the output tests use)."""
    import importlib.util
    import sys

    folder = Path(__file__).resolve().parent / "output"
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(
            "_sarif_schema", folder / "test_output_sarif.py"
        )
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
    return module


def test_sarif_ties_the_findings_of_a_handoff_together(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--format", "sarif")
    assert code == 0
    log = json.loads(out)
    schema = _sarif_validator()
    schema.validate_sarif(log)
    results = log["runs"][0]["results"]
    assert len(results) == 11  # still one result per finding
    for result in results:  # relatedLocations are schema `location` objects
        for related in result.get("relatedLocations", []):
            schema._shape("location", related)
            schema._shape("physicalLocation", related["physicalLocation"])
            schema._shape("artifactLocation", related["physicalLocation"]["artifactLocation"])
            schema._shape("region", related["physicalLocation"]["region"])
            schema._shape("message", related["message"])
            assert isinstance(related["id"], int) and related["id"] >= 0
        ids = [r["id"] for r in result.get("relatedLocations", [])]
        assert len(ids) == len(set(ids))

    def key(result: dict[str, Any]) -> str | None:
        return result["partialFingerprints"].get("journeymapHandoff/v1")

    def line(result: dict[str, Any]) -> int:
        return int(result["locations"][0]["physicalLocation"]["region"]["startLine"])

    # the journey finding belongs to no handoff
    jm202 = next(r for r in results if r["ruleId"] == "JM202")
    assert key(jm202) is None and "relatedLocations" not in jm202
    # handoff line in the file (transitions at 29, 39, 49, 59, 60; the JM103 of care-call, line
    # 51, belongs to visit -> care-call at 49) -> its findings
    groups: dict[str, set[int]] = {}
    for result in results:
        if key(result) is not None:
            groups.setdefault(str(key(result)), set()).add(
                49 if result["ruleId"] == "JM103" else line(result)
            )
    assert sorted(min(lines) for lines in groups.values()) == [29, 39, 49, 59, 60]
    assert all(len(lines) == 1 for lines in groups.values())  # equal within, distinct across
    visit_care = [r for r in results if key(r) and 49 in groups[str(key(r))]]
    assert sorted(r["ruleId"] for r in visit_care) == ["JM101", "JM102", "JM103"]
    # the per-finding fingerprint is unchanged and still distinct per finding
    assert len({r["partialFingerprints"]["journeymap/v1"] for r in results}) == 11
    # relatedLocations: the handoff's two touchpoints (`offer:` at 19, `call:` at 30)
    offer_call = next(r for r in results if line(r) == 29)
    assert [
        (rel["id"], rel["physicalLocation"]["region"]["startLine"], rel["message"]["text"])
        for rel in offer_call["relatedLocations"]
    ] == [
        (1, 19, "handoff from 'Online offer' (Marketing)"),
        (2, 30, "handoff to 'Sales call' (Telesales)"),
    ]
    assert offer_call["relatedLocations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "broadband.yaml",
        "uriBaseId": "%SRCROOT%",
    }


def test_sarif_handoff_fingerprint_is_stable_and_specific() -> None:
    from journeymap.output.sarif import handoff_fingerprint

    first = handoff_fingerprint("broadband", "offer", "call")
    assert first == handoff_fingerprint("broadband", "offer", "call")
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != handoff_fingerprint("broadband", "call", "offer")
    assert first != handoff_fingerprint("other", "offer", "call")
    assert handoff_fingerprint("a", "b", "c") != handoff_fingerprint("a", "b c", "")


def test_sarif_of_every_example_is_valid_with_one_key_per_handoff() -> None:
    root = Path(__file__).resolve().parent.parent
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        runner = CliRunner()
        log = json.loads(runner.invoke(main, ["check", "journeys", "--format", "sarif"]).stdout)
        text = runner.invoke(main, ["check", "journeys"]).stdout
    _sarif_validator().validate_sarif(log)
    results = log["runs"][0]["results"]
    assert len(results) == 454
    keys = {r["partialFingerprints"].get("journeymapHandoff/v1") for r in results} - {None}
    handoff_lines = [line for line in text.splitlines() if line.lstrip().startswith("warning #")]
    assert len(keys) == len(handoff_lines)  # one SARIF key per handoff entry of the text


def test_every_format_is_byte_identical_across_runs(here: Path) -> None:
    for fmt in ("text", "json", "sarif"):
        first = run("broadband.yaml", "--format", fmt, "--select", "ALL")[1]
        assert (
            first.encode() == run("broadband.yaml", "--format", fmt, "--select", "ALL")[1].encode()
        )


def test_folder_of_journeys(here: Path) -> None:
    (here / "journeys").mkdir()
    shutil.move(str(here / "broadband.yaml"), here / "journeys" / "broadband.yaml")
    code, out, _ = run("journeys", "--select", "JM106", "--one-line")
    assert code == 0
    assert out.splitlines()[0].startswith("journeys/broadband.yaml:39:9: JM106 warning: ")
