"""The observed journey (``mine -o J.yaml``): every value checked against a log worked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import journeymap
from journeymap.cli import main
from journeymap.load import load_journey
from journeymap.mining import mine
from journeymap.mining.observed import _shares, observed_journey_yaml

# Four cases (times UTC unless an offset is given):
#   c1: Apply (Sales) 09:00 -> Review (Ops) 10:00 -> Close (Ops) 12:00
#   c2: Apply (Sales) 09:00 -> Review (Ops) 09:30 -> Refer (Service) 11:30
#   c3: Apply (Sales) 09:00 -> Close (Ops) 09:00 (same time: file order decides)
#   c4: Review (Ops) 09:00+01:00 = 08:00 -> Close (Ops) 08:20
# Apply: 3 events, all start a case; followed by Review twice, Close once -> shares 2/3, 1/3.
# Review: 3 events (c1, c2, c4), 1 start; followed by Close twice (2 h, 20 min: median 70 min)
#   and Refer once (2 h).
# Close and Refer always end their cases -> terminal, with outcomes.
# Apply -> Review waits 1 h and 30 min: median 45 min; Apply -> Close 0: no wait written.
LOG = """case,activity,time,who,dept
c1,Apply,2024-03-01T09:00:00Z,ann,Sales
c1,Review,2024-03-01T10:00:00Z,bob,Ops
c1,Close,2024-03-01T12:00:00Z,bob,Ops
c2,Apply,2024-03-01T09:00:00Z,ann,Sales
c2,Review,2024-03-01T09:30:00Z,cy,Ops
c2,Refer,2024-03-01T11:30:00Z,dee,Service
c3,Apply,2024-03-02T09:00:00Z,ann,Sales
c3,Close,2024-03-02T09:00:00Z,bob,Ops
c4,Close,2024-03-03T08:20:00Z,cy,Ops
c4,Review,2024-03-03T09:00:00+01:00,cy,Ops
"""

COLUMNS = [
    "--case-column", "case", "--activity-column", "activity", "--timestamp-column", "time",
    "--resource-column", "who", "--function-column", "dept",
]  # fmt: skip


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "claims.csv"
    path.write_text(LOG)
    return path


def _mined(log: Path):  # type: ignore[no-untyped-def]
    from journeymap.mining import LogColumns

    columns = LogColumns().with_options(
        case="case", activity="activity", timestamp="time", resource="who", function="dept"
    )
    return mine(str(log), columns)


def test_the_observed_journey_carries_every_figure_worked_by_hand(log: Path, tmp_path: Path) -> None:
    text = observed_journey_yaml(_mined(log))
    doc = yaml.safe_load(text)
    tps = doc["touchpoints"]
    assert list(tps) == ["apply", "review", "close", "refer"]  # mean positions 1, 1.67, 2.33, 3
    assert doc["functions"] == {"sales": {"name": "Sales"}, "ops": {"name": "Ops"}, "service": {"name": "Service"}}
    assert {k: tp["function"] for k, tp in tps.items()} == {
        "apply": "sales", "review": "ops", "close": "ops", "refer": "service"
    }  # fmt: skip
    assert (tps["apply"]["entry"], tps["apply"]["volume"]) == (True, 3)
    assert (tps["review"]["entry"], tps["review"]["volume"]) == (True, 1)
    assert "entry" not in tps["close"] and "entry" not in tps["refer"]
    assert tps["apply"]["next"] == [
        {"to": "review", "share": 0.6667, "wait": "45m"},
        {"to": "close", "share": 0.3333},
    ]
    assert tps["review"]["next"] == [
        {"to": "close", "share": 0.6667, "wait": "70m"},
        {"to": "refer", "share": 0.3333, "wait": "2h"},
    ]
    assert (tps["close"]["outcome"], tps["refer"]["outcome"]) == ("close", "refer")
    assert "next" not in tps["close"]
    # the header names the log's figures and the guesses
    assert "10 events, 4 cases, 4 activities" in text
    assert text.startswith("# Made by `journeymap mine` from ")
    assert "# - one stage 'as-lived'" in text

    path = tmp_path / "observed.yaml"
    path.write_text(text)
    journey = load_journey(path)
    analysis = journeymap.analyze(journey)
    # handoffs: apply -> review and apply -> close (Sales -> Ops), review -> refer (Ops -> Service)
    assert {(h.source, h.target) for h in analysis.handoffs} == {
        ("apply", "review"), ("apply", "close"), ("review", "refer")
    }  # fmt: skip
    # per customer (4 enter: 3 at apply, 1 at review): apply -> review 3/4 x 2/3 = 1/2,
    # apply -> close 3/4 x 1/3 = 1/4, review -> refer (1/4 + 1/2) x 1/3 = 1/4: 1 in all, as the
    # log says (4 handoffs in 4 cases); shares rounded to 4 decimals move it by < 1e-4.
    assert analysis.metrics.expected_handoffs_per_customer == pytest.approx(1.0, abs=1e-4)
    assert dict(analysis.metrics.outcomes) == pytest.approx({"close": 0.75, "refer": 0.25}, abs=1e-4)


def test_shares_add_up_to_the_rounded_exact_sum_and_never_above_one() -> None:
    assert _shares([1, 1, 1], 3) == [0.3334, 0.3333, 0.3333]
    assert sum(_shares([1, 1, 1], 3)) == pytest.approx(1.0)
    assert _shares([2, 1], 4) == [0.5, 0.25]  # a quarter of the events ended a case there
    for counts in ([1] * 7, [3, 5, 11], [1, 2, 3, 4, 5, 6]):
        shares = _shares(counts, sum(counts))
        assert round(sum(shares), 4) == 1.0
        assert all(abs(s - c / sum(counts)) < 1e-4 for s, c in zip(shares, counts, strict=True))


def test_a_log_without_functions_gives_one_unknown_function(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "1,Call,2024-01-01T10:00:00Z\n1,Visit,2024-01-02T10:00:00Z\n"
    )
    text = observed_journey_yaml(mine(str(path)))
    doc = yaml.safe_load(text)
    assert doc["functions"] == {"unknown": {"name": "Unknown"}}
    assert doc["touchpoints"]["call"]["next"] == [{"to": "visit", "share": 1.0, "wait": "1d"}]
    assert "the log names no org unit" in text


def test_cli_writes_the_journey_and_refuses_to_overwrite_it(log: Path, tmp_path: Path) -> None:
    out = tmp_path / "observed.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["mine", str(log), "-o", str(out), *COLUMNS])
    assert result.exit_code == 0, result.output
    assert load_journey(out).touchpoints["apply"].function == "sales"
    before = out.read_bytes()
    again = runner.invoke(main, ["mine", str(log), "-o", str(out), *COLUMNS])
    assert again.exit_code == 2 and "--force" in again.stderr
    assert out.read_bytes() == before
    forced = runner.invoke(main, ["mine", str(log), "-o", str(out), "--force", *COLUMNS, "--title", "Claims"])
    assert forced.exit_code == 0
    assert load_journey(out).title == "Claims"


def test_cli_json_has_the_handovers_worked_by_hand(log: Path) -> None:
    result = CliRunner().invoke(main, ["mine", str(log), "-f", "json", *COLUMNS])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert (data["format"], data["cases"], data["events"]) == ("journeymap-mine", 4, 10)
    # 6 successions: Sales->Ops x3 (c1, c2, c3), Ops->Ops x2 (c1, c4), Ops->Service x1 (c2)
    assert data["handovers"]["function"] == [
        {"from": "Ops", "to": "Ops", "count": 2, "fraction": 2 / 6},
        {"from": "Ops", "to": "Service", "count": 1, "fraction": 1 / 6},
        {"from": "Sales", "to": "Ops", "count": 3, "fraction": 3 / 6},
    ]
    # resources: ann->bob (c1, c3), bob->bob (c1), ann->cy (c2), cy->dee (c2), cy->cy (c4)
    assert [(h["from"], h["to"], h["count"]) for h in data["handovers"]["resource"]] == [
        ("ann", "bob", 2), ("ann", "cy", 1), ("bob", "bob", 1), ("cy", "cy", 1), ("cy", "dee", 1)
    ]  # fmt: skip
    assert data["ping_pong"] == {"cases": 0, "share": 0.0, "direct": [], "indirect": []}
    # waits at handoffs: Sales -> Ops 1 h, 30 min, 0 -> median 30 min, p90 = 30 + 0.8 x 30 min
    assert data["waits"]["function"][1] == {
        "from": "Sales", "to": "Ops", "count": 3, "median": 1800.0, "p90": 3240.0
    }  # fmt: skip
    same = CliRunner().invoke(main, ["mine", str(log), "-f", "json", *COLUMNS])
    assert same.stdout == result.stdout


def test_cli_text_and_usage_errors(log: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["mine", str(log), *COLUMNS])
    assert text.exit_code == 0
    assert "10 events in 4 cases, 4 activities" in text.stdout
    assert "4 handoffs between functions in 6 successions (67%), 1.00 per case" in text.stdout
    no_output = runner.invoke(main, ["mine", str(log), "-f", "journey", *COLUMNS])
    assert no_output.exit_code == 2 and "-o" in no_output.stderr
    missing = runner.invoke(main, ["mine", str(log)])
    assert missing.exit_code == 2
    assert missing.stderr.startswith(f"{log}:1:1: error: the log has no case column")
    assert "Traceback" not in missing.output
    onto_log = runner.invoke(main, ["mine", str(log), "-o", str(log), "-f", "json", *COLUMNS])
    assert onto_log.exit_code == 2 and log.read_text() == LOG
