"""``journeymap analyze`` end to end: real files, the real loader and engine, exact output.

Expected figures are the hand computation of tests/data/worked/broadband.md (its journey
copied as tests/data/output/broadband.yaml): flows 200 -> 100 -> 80, visit V = 80 / 0.85, care-call
C = 0.25 V, etc.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.cli.analyze import color_wanted

DATA = Path(__file__).resolve().parent / "data" / "output"
V = 80 / 0.85  # inflow of `visit`
C = 0.25 * V  # inflow of `care-call`


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding broadband.yaml, made the current directory."""
    shutil.copy(DATA / "broadband.yaml", tmp_path / "broadband.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_figures_match_the_hand_computation(here: Path) -> None:
    code, out, err = run("analyze", "broadband.yaml", "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["schema_version"], data["journey"], data["file"]) == (
        1,
        "broadband",
        "broadband.yaml",
    )
    m = data["metrics"]
    assert (m["touchpoints"], m["transitions"], m["handoffs"]) == (6, 6, 5)
    assert m["handoff_ratio"] == round(5 / 6, 6)
    # sum of handoff flows / 200: (100 + 80 + C + 0.6 C + 0.4 C) / 200
    assert m["expected_handoffs_per_customer"] == round((180 + 2 * C) / 200, 6) == 1.135294
    assert m["outcomes"] == {
        "live": round(0.75 * V / 200, 6),
        "churn-risk": round(0.4 * C / 200, 6),
    }
    assert m["outcomes"] == {"live": 0.352941, "churn-risk": 0.047059}
    assert m["drop_off"] == 0.6  # (100 at offer + 20 at call) / 200
    assert m["expected_wait_hours_per_customer"] == 48.0  # 80 customers wait 5 d = 120 h, / 200
    assert (m["max_handoffs_on_path"], m["functions_touched"]) == (4, 4)
    assert m["handoff_matrix"] == [
        {"from": "care", "to": "field", "flow": round(0.6 * C, 6)},
        {"from": "care", "to": "marketing", "flow": round(0.4 * C, 6)},
        {"from": "field", "to": "care", "flow": round(C, 6)},
        {"from": "marketing", "to": "sales", "flow": 100.0},
        {"from": "sales", "to": "field", "flow": 80.0},
    ]
    flows = {(h["from"], h["to"]): (h["flow"], h["per_customer"]) for h in data["handoffs"]}
    assert flows == {
        ("offer", "call"): (100.0, 0.5),
        ("call", "visit"): (80.0, 0.4),
        ("visit", "care-call"): (round(C, 6), 0.117647),
        ("care-call", "visit"): (round(0.6 * C, 6), 0.070588),
        ("care-call", "survey"): (round(0.4 * C, 6), 0.047059),
    }
    assert [h["number"] for h in data["handoffs"]] == [1, 2, 3, 4, 5]
    risks = [h["risk"] for h in data["handoffs"]]
    assert risks == sorted(risks, reverse=True)
    rules = {(h["from"], h["to"]): set(h["rules"]) for h in data["handoffs"]}
    assert (
        rules[("offer", "call")] >= {"JM101", "JM104"} and "JM102" not in rules[("offer", "call")]
    )
    assert (
        rules[("call", "visit")] >= {"JM104", "JM106"} and "JM101" not in rules[("call", "visit")]
    )
    assert rules[("visit", "care-call")] >= {"JM101", "JM102", "JM104"}
    assert rules[("care-call", "survey")] >= {"JM101", "JM102", "JM104", "JM107"}
    counts: dict[str, int] = {}
    for finding in data["findings"]:
        counts[finding["rule"]] = counts.get(finding["rule"], 0) + 1
        assert finding["file"] == "broadband.yaml" and finding["line"] >= 1
    assert counts == {
        "JM100": 5, "JM101": 4, "JM102": 2, "JM103": 1, "JM104": 5,
        "JM106": 1, "JM107": 1, "JM108": 1, "JM202": 1,
    }  # fmt: skip


def test_text_summary_head_exactly(here: Path) -> None:
    code, out, _ = run("analyze", "broadband.yaml")
    assert code == 0
    assert out.splitlines()[:6] == [
        "Broadband installation (broadband)  broadband.yaml",
        "  6 touchpoints, 6 transitions, 5 handoffs (ratio 0.83), 4 functions touched",
        "  expected handoffs per customer 1.135, most handoffs on a path 4, expected wait 48.0 h",
        "  outcomes: live 35.3%, churn-risk 4.7%, drop-off 60.0%",
        # visits: marketing 200 + 9.41, field V + 0.75 V, sales 100, care C; of 497.65
        "  who owns the customer (touchpoint flow): marketing 42.1%, field 33.1%, sales 20.1%, "
        "care 4.7%",
        "  by lead: CMO 42.1%, COO 33.1%, VP Sales 20.1%, Head of Care 4.7%",
    ]
    assert "\x1b[" not in out
    assert "  Findings: 0 errors, 11 warnings, 10 info" in out.splitlines()
    assert "    broadband.yaml:39:9: JM106 warning: " in out


def test_handoffs_listed_worst_first(here: Path) -> None:
    _, out, _ = run("analyze", "broadband.yaml")
    lines = out.splitlines()
    start = lines.index("  Handoffs, worst first") + 2
    numbers = [int(line.split()[0]) for line in lines[start : start + 5]]
    risks = [float(line.split()[1]) for line in lines[start : start + 5]]
    assert numbers == [1, 2, 3, 4, 5] and risks == sorted(risks, reverse=True)


def test_markdown_tables(here: Path) -> None:
    code, out, _ = run("analyze", "broadband.yaml", "--format", "markdown")
    assert code == 0
    assert out.startswith("# Journey analysis\n\n## Broadband installation (`broadband`)\n")
    assert "| Expected handoffs per customer | 1.135 |\n" in out
    assert "| marketing | sales | 100.00 |\n" in out
    assert "| `call` → `visit` | sales → field | 80.00 | 0.400 |" in out


def test_output_file_is_written_and_nothing_printed(here: Path) -> None:
    code, out, _ = run("analyze", "broadband.yaml", "--format", "json", "-o", "out.json")
    assert (code, out) == (0, "")
    _, printed, _ = run("analyze", "broadband.yaml", "--format", "json")
    assert (here / "out.json").read_text(encoding="utf-8") == printed
    assert [p.name for p in here.iterdir() if p.name.startswith(".out.json")] == []


def test_output_in_a_missing_folder_is_refused(here: Path) -> None:
    code, out, err = run(
        "analyze", "broadband.yaml", "-o", "reports/new/out.md", "--format", "markdown"
    )
    assert (code, out) == (2, "")
    assert err.startswith("reports/new/out.md: error: cannot write (the folder reports/new ")
    assert err.count("\n") == 1
    assert not (here / "reports").exists()


def test_unwritable_output_is_a_one_line_error(here: Path) -> None:
    code, out, err = run("analyze", "broadband.yaml", "-o", "broadband.yaml/out.txt")
    assert (code, out) == (2, "")
    assert err.startswith("broadband.yaml/out.txt: error: cannot write (")
    assert err.count("\n") == 1
    code, _, err = run("analyze", "broadband.yaml", "-o", ".")
    assert code == 2 and "--output" in err  # click refuses a folder before we run


def test_byte_identical_runs(here: Path) -> None:
    for fmt in ("text", "json", "markdown"):
        first = run("analyze", "broadband.yaml", "--format", fmt)[1]
        assert first.encode() == run("analyze", "broadband.yaml", "--format", fmt)[1].encode()


def test_absolute_paths_are_shown_relative_to_cwd(here: Path) -> None:
    _, out, _ = run("analyze", str(here / "broadband.yaml"), "--format", "json")
    assert json.loads(out)["file"] == "broadband.yaml"


def test_several_journeys_give_a_list(here: Path) -> None:
    (here / "sub").mkdir()
    text = (here / "broadband.yaml").read_text(encoding="utf-8")
    (here / "sub" / "other.yaml").write_text("id: other\n" + text, encoding="utf-8")
    code, out, _ = run("analyze", "broadband.yaml", "sub", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [(d["journey"], d["file"]) for d in data] == [
        ("broadband", "broadband.yaml"),
        ("other", "sub/other.yaml"),
    ]
    _, text_out, _ = run("analyze", "broadband.yaml", "sub")
    assert text_out.endswith("\n\n2 journeys, 10 handoffs, 42 findings\n")


def test_bad_input_is_one_line_and_exit_2(here: Path) -> None:
    code, out, err = run("analyze", "missing.yaml")
    assert (code, out, err) == (2, "", "missing.yaml:1:1: error: no such file or folder\n")
    (here / "bad.yaml").write_text("journeymap: 1\ntitle: x\nbogus: 1\n", encoding="utf-8")
    code, out, err = run("analyze", "bad.yaml")
    assert code == 2 and out == "" and "Traceback" not in err
    assert all(line.startswith("bad.yaml:") and ": error: " in line for line in err.splitlines())


def test_bad_format_is_a_usage_error(here: Path) -> None:
    code, _, err = run("analyze", "broadband.yaml", "--format", "xml")
    assert code == 2 and "Invalid value for '--format'" in err


def test_config_file_changes_thresholds(here: Path) -> None:
    (here / "strict.yaml").write_text("thresholds:\n  wait_hours: 200\n", encoding="utf-8")
    _, out, _ = run("analyze", "broadband.yaml", "--format", "json", "--config", "strict.yaml")
    assert "JM106" not in {f["rule"] for f in json.loads(out)["findings"]}
    # the same threshold from a .journeymap.yaml beside the journey
    (here / ".journeymap.yaml").write_text("thresholds:\n  wait_hours: 200\n", encoding="utf-8")
    _, out, _ = run("analyze", "broadband.yaml", "--format", "json")
    assert "JM106" not in {f["rule"] for f in json.loads(out)["findings"]}


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def test_colour_only_on_a_terminal_without_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setattr("sys.stdout", _Stream(tty=True))
    assert color_wanted(None) is True
    assert color_wanted("out.txt") is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert color_wanted(None) is False
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout", _Stream(tty=False))
    assert color_wanted(None) is False
