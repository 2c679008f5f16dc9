"""``journeymap whatif`` end to end: real journeys from journeys/, the real loader and engine.

Each option parses into the right change; the JSON deltas are what
:func:`journeymap.analysis.whatif.predict` gives for the same changes; errors are one line naming
the option (or the file) and exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap import project
from journeymap.analysis import whatif
from journeymap.analysis.whatif import (
    AlignChannel,
    AssignOwner,
    Carry,
    ChangeShares,
    ChangeWait,
    HandOver,
    Integrate,
    MoveTouchpoint,
    RemoveTouchpoint,
)
from journeymap.cli import main
from journeymap.errors import UsageError
from journeymap.output import number
from journeymap.scenario import KINDS, ChangeError, change_text, parse_change

ROOT = Path(__file__).resolve().parent.parent
CLAIMS = "journeys/claims-before.yaml"

PARSED = [
    ("owner", "a:b=claims", AssignOwner("a", "b", "claims")),
    ("owner", " a : b = claims ", AssignOwner("a", "b", "claims")),
    ("integrate", "x,y", Integrate("x", "y")),
    ("integrate-one-way", "x,y", Integrate("x", "y", one_way=True)),
    ("carry", "a:b=i1,i2", Carry("a", "b", ("i1", "i2"))),
    ("move", "tp=fn", MoveTouchpoint("tp", "fn")),
    ("hand-over", "fn=t1,t2", HandOver("fn", touchpoints=("t1", "t2"))),
    ("hand-over-stage", "close=cx", HandOver("cx", stage="close")),
    ("align-channel", "a:b", AlignChannel("a", "b")),
    ("align-channel", "a:b=web", AlignChannel("a", "b", "web")),
    ("wait", "a:b=2d", ChangeWait("a", "b", 48.0)),
    ("wait", "a:b=30m", ChangeWait("a", "b", 0.5)),
    ("wait", "a:b=none", ChangeWait("a", "b", None)),
    ("shares", "s=t:0.6,u:0.4", ChangeShares("s", (("t", 0.6), ("u", 0.4)))),
    ("remove", "tp", RemoveTouchpoint("tp")),
    ("remove", "tp=other", RemoveTouchpoint("tp", "other")),
]

# Changes claims-before can take, one of every kind, as options and as values.
CHANGES = [
    (
        "owner",
        "coverage-check:adjuster-assign=claims",
        AssignOwner("coverage-check", "adjuster-assign", "claims"),
    ),
    ("integrate", "claims-sys,claims-sheet", Integrate("claims-sys", "claims-sheet")),
    (
        "carry",
        "fnol-web:claim-setup=incident-details",
        Carry("fnol-web", "claim-setup", ("incident-details",)),
    ),
    ("move", "survey=sales", MoveTouchpoint("survey", "sales")),
    (
        "hand-over",
        "claims=repair-booking,sign-off",
        HandOver("claims", touchpoints=("repair-booking", "sign-off")),
    ),
    ("hand-over-stage", "close=claims", HandOver("claims", stage="close")),
    (
        "align-channel",
        "coverage-check:fraud-review",
        AlignChannel("coverage-check", "fraud-review"),
    ),
    ("wait", "payment:survey=2d", ChangeWait("payment", "survey", 48.0)),
    (
        "shares",
        "coverage-check=fraud-review:0.05,desktop-assess:0.27,adjuster-assign:0.6,declined:0.08",
        ChangeShares(
            "coverage-check",
            (
                ("fraud-review", 0.05),
                ("desktop-assess", 0.27),
                ("adjuster-assign", 0.6),
                ("declined", 0.08),
            ),
        ),
    ),
    ("remove", "chase-call=handler-callback", RemoveTouchpoint("chase-call", "handler-callback")),
]


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["whatif", *args])
    return result.exit_code, result.stdout, result.stderr


def options(changes: list[tuple[str, str, object]]) -> list[str]:
    return [arg for kind, text, _ in changes for arg in (f"--{kind}", text)]


@pytest.mark.parametrize(("kind", "text", "expected"), PARSED)
def test_each_option_parses_into_its_change(kind: str, text: str, expected: object) -> None:
    assert parse_change(kind, text) == expected


@pytest.mark.parametrize(("kind", "text", "expected"), PARSED + CHANGES)
def test_change_text_reads_back(kind: str, text: str, expected: whatif.Change) -> None:
    assert parse_change(*change_text(expected)) == expected


def test_every_kind_of_change_is_covered() -> None:
    assert {k for k, _, _ in PARSED} == {k.name for k in KINDS}
    assert {k for k, _, _ in CHANGES} >= {k.name for k in KINDS} - {"integrate-one-way"}


def test_help_lists_every_option() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for kind in KINDS:
        assert f"--{kind.name} {kind.syntax}" in out
    for option in ("--format", "--config", "--output"):
        assert option in out


@pytest.mark.parametrize(("kind", "text", "change"), CHANGES)
def test_json_deltas_equal_predict_for_each_change(kind: str, text: str, change: object) -> None:
    code, out, err = run(CLAIMS, f"--{kind}", text, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    analysed = project.analyse_file(CLAIMS)
    prediction = whatif.predict(analysed.journey, [change], analysed.config)  # type: ignore[list-item]
    (scenario,) = data["scenarios"]
    assert scenario["changes"] == [{"option": kind, "value": text}]
    assert scenario["deltas"] == {k: number(v) for k, v in prediction.deltas.items()}
    assert scenario["before"]["figures"]["total_risk"] == number(
        whatif.total_risk(prediction.before)
    )
    assert scenario["after"]["figures"]["total_risk"] == number(whatif.total_risk(prediction.after))


def test_all_changes_together_equal_predict_in_option_order() -> None:
    code, out, err = run(CLAIMS, *options(list(reversed(CHANGES))), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["whatif"] == 1 and data["journey"] == "claims-before"
    assert data["file"] == CLAIMS
    analysed = project.analyse_file(CLAIMS)
    prediction = whatif.predict(analysed.journey, [c for _, _, c in CHANGES], analysed.config)  # type: ignore[misc]
    (scenario,) = data["scenarios"]
    assert [c["option"] for c in scenario["changes"]] == [k for k, _, _ in CHANGES]
    assert scenario["deltas"] == {k: number(v) for k, v in prediction.deltas.items()}
    for side in ("before", "after"):
        figures = scenario[side]["figures"]
        assert set(figures) == set(scenario["deltas"])
        rules = scenario[side]["findings_by_rule"]
        assert sum(rules.values()) == figures["findings"]


def test_owner_on_a_handoff_removes_jm101_from_it() -> None:
    code, out, err = run(
        CLAIMS, "--owner", "coverage-check:adjuster-assign=claims", "--format", "json"
    )
    assert code == 0, err
    (scenario,) = json.loads(out)["scenarios"]

    def handoff(side: str) -> dict[str, object]:
        (h,) = [
            h
            for h in scenario[side]["handoffs"]
            if (h["from"], h["to"]) == ("coverage-check", "adjuster-assign")
        ]
        return h

    assert "JM101" in handoff("before")["rules"] and handoff("before")["owner"] is None  # type: ignore[operator]
    assert "JM101" not in handoff("after")["rules"]  # type: ignore[operator]
    assert handoff("after")["owner"] == "claims"
    before = scenario["before"]["findings_by_rule"]["JM101"]
    assert scenario["after"]["findings_by_rule"]["JM101"] == before - 1
    assert scenario["deltas"]["total_risk"] < 0


def test_text_table_and_markdown() -> None:
    args = (
        CLAIMS,
        "--owner",
        "coverage-check:adjuster-assign=claims",
        "--wait",
        "payment:survey=2d",
    )
    code, text, err = run(*args)
    assert code == 0, err
    lines = text.splitlines()
    assert lines[0] == f"claims-before ({CLAIMS}): what if command-line"
    assert lines[1:3] == [
        "  --owner coverage-check:adjuster-assign=claims",
        "  --wait payment:survey=2d",
    ]
    assert lines[3].split() == ["before", "after", "delta"]
    labels = [
        "total risk",
        "handoffs",
        "expected handoffs per customer",
        "expected wait per customer (h)",
        "drop-off",
        "findings",
        "outcome retained",
        "JM101",
    ]
    for label in labels:
        assert any(line.strip().startswith(label) for line in lines), label
    assert run(*args) == (code, text, err)  # deterministic
    code, md, err = run(*args, "--format", "markdown")
    assert code == 0, err
    assert "| figure | before | after | delta |" in md
    assert "| findings JM101 | 23 | 22 | -1 |" in md


def test_no_change_gives_zero_deltas() -> None:
    code, out, err = run(CLAIMS, "--format", "json")
    assert code == 0, err
    (scenario,) = json.loads(out)["scenarios"]
    assert scenario["changes"] == []
    assert all(value == 0 for value in scenario["deltas"].values())


@pytest.mark.parametrize(
    ("args", "start", "fragment"),
    [
        (["--owner", "a"], "--owner a: error: expected SOURCE:TARGET=FUNCTION", "missing '='"),
        (["--owner", "a:=b"], "--owner a:=b: error:", "TARGET is missing"),
        (["--wait", "a:b=2x"], "--wait a:b=2x: error: '2x' is not a duration", "30m, 4h"),
        (["--integrate", "a"], "--integrate a: error:", "exactly two systems"),
        (["--shares", "s=t:1.5"], "--shares s=t:1.5: error: share '1.5'", "from 0 to 1"),
        (["--shares", "s=t:x"], "--shares s=t:x: error:", "from 0 to 1"),
        (["--carry", "a:b="], "--carry a:b=: error:", "empty"),
        (
            ["--owner", "coverage-check:adjuster-asign=claims"],
            "--owner coverage-check:adjuster-asign=claims: error: no transition",
            "did you mean 'adjuster-assign'?",
        ),
        (
            ["--owner", "coverage-check:adjuster-assign=claim"],
            "--owner coverage-check:adjuster-assign=claim: error: no function 'claim'",
            "did you mean 'claims'?",
        ),
        (["--move", "survy=sales"], "--move survy=sales: error: no touchpoint", "'survey'"),
        (
            ["--hand-over-stage", "clse=claims"],
            "--hand-over-stage clse=claims: error: no stage",
            "'close'",
        ),
        (
            ["--integrate", "claims-sys,claim-sheet"],
            "--integrate claims-sys,claim-sheet: error:",
            "'claims-sheet'",
        ),
        (["--align-channel", "coverage-check:fraud-review=wbe"], "--align-channel", "'web'"),
        (
            ["--integrate", "policy-admin,claims-sys"],
            "--integrate policy-admin,claims-sys: "
            "error: policy-admin and claims-sys are integrated already",
            "",
        ),
        (
            ["--remove", "survey=survey"],
            "--remove survey=survey: error: a touchpoint cannot be rerouted to itself",
            "",
        ),
    ],
)
def test_errors_are_one_line_naming_the_option(args: list[str], start: str, fragment: str) -> None:
    code, out, err = run(CLAIMS, *args)
    assert code == 2 and out == ""
    assert len(err.splitlines()) == 1, err
    assert err.startswith(start), err
    assert fragment in err


def test_a_missing_file_is_one_line_at_the_file() -> None:
    code, _, err = run("journeys/nope.yaml", "--owner", "a:b=c")
    assert code == 2
    assert len(err.splitlines()) == 1 and err.startswith("journeys/nope.yaml:"), err


def test_change_error_is_a_usage_error() -> None:
    with pytest.raises(UsageError) as raised:
        parse_change("ownr", "a:b=c")
    assert isinstance(raised.value, ChangeError)
    assert str(raised.value) == "--ownr a:b=c: error: no such kind of change; did you mean 'owner'?"
