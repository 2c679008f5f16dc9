"""``journeymap check`` end to end: exit codes, linter lines, selection, thresholds, formats.

On the worked example (tests/data/output/broadband.yaml) the hand analysis in
tests/data/worked/broadband.md finds warnings only (no JM301-JM303), with JM106 once at the
5-day wait of call -> visit (line 39 of the file, the flow mapping at column 9).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    code, out, err = run("broadband.yaml")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-1] == "1 journey checked: 0 errors, 11 warnings, 0 info; passed (--fail-on error)"
    assert len(lines) == 12
    assert all(line.startswith("broadband.yaml:") for line in lines[:-1])
    assert [line.split(" ")[1] for line in lines[:-1]] == [
        "JM202", "JM101", "JM106", "JM101", "JM102", "JM103", "JM101", "JM108", "JM101",
        "JM102", "JM107",
    ]  # fmt: skip


def test_fail_on_warning_fails(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--fail-on", "warning")
    assert code == 1
    assert out.splitlines()[-1] == (
        "1 journey checked: 0 errors, 11 warnings, 0 info; failed: 11 at or above warning"
    )


def test_select_one_code_gives_one_linter_line(here: Path) -> None:
    code, out, _ = run("broadband.yaml", "--select", "JM106", "--fail-on", "warning")
    assert code == 1
    first, summary = out.splitlines()
    assert first.startswith("broadband.yaml:39:9: JM106 warning: ")
    assert "call -> visit" in first
    assert (
        summary == "1 journey checked: 0 errors, 1 warning, 0 info; failed: 1 at or above warning"
    )


def test_prefix_select_and_ignore(here: Path) -> None:
    _, out, _ = run("broadband.yaml", "--select", "jm1", "--ignore", "JM100,JM104,JM101")
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
    code, _, err = run("broadband.yaml", "--ignore", "E501")
    assert code == 2
    assert "unknown rule code 'E501'; known codes are JM100-JM108, JM201-JM202" in err


def test_thresholds_from_a_config_file_fail_the_gate(here: Path) -> None:
    (here / "gate.yaml").write_text(
        "check:\n  max_expected_handoffs: 1\n  max_handoffs_on_path: 4\n  max_wait_hours: 40\n",
        encoding="utf-8",
    )
    code, out, _ = run("broadband.yaml", "--config", "gate.yaml", "--select", "JM4")
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


def test_thresholds_from_the_config_beside_the_journeys(here: Path) -> None:
    (here / ".journeymap.yaml").write_text("check:\n  max_handoffs_on_path: 3\n", encoding="utf-8")
    code, out, _ = run("broadband.yaml", "--select", "JM402")
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


def test_every_format_is_byte_identical_across_runs(here: Path) -> None:
    for fmt in ("text", "json", "sarif"):
        first = run("broadband.yaml", "--format", fmt, "--select", "ALL")[1]
        assert (
            first.encode() == run("broadband.yaml", "--format", fmt, "--select", "ALL")[1].encode()
        )


def test_folder_of_journeys(here: Path) -> None:
    (here / "journeys").mkdir()
    shutil.move(str(here / "broadband.yaml"), here / "journeys" / "broadband.yaml")
    code, out, _ = run("journeys", "--select", "JM106")
    assert code == 0
    assert out.splitlines()[0].startswith("journeys/broadband.yaml:39:9: JM106 warning: ")
