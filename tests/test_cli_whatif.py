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
from journeymap.errors import InputError, UsageError
from journeymap.output import number
from journeymap.scenario import (
    KINDS,
    SCENARIO_SCHEMA_FILE,
    ChangeError,
    change_text,
    parse_change,
    read_scenarios,
    render_scenario_schema,
)

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


# -- scenario files ------------------------------------------------------------------------------

SCENARIOS = "tests/data/whatif/claims.yaml"


def test_scenario_file_reads_into_the_changes_the_options_give() -> None:
    scenarios = {s.name: s for s in read_scenarios(SCENARIOS)}
    assert list(scenarios) == ["claims-owns-close", "fix-the-worst-handoff", "one-system"]
    assert scenarios["claims-owns-close"].changes == (HandOver("claims", stage="close"),)
    assert scenarios["fix-the-worst-handoff"].changes == (
        AssignOwner("coverage-check", "adjuster-assign", "claims"),
        Carry("coverage-check", "adjuster-assign", ("incident-details", "photos")),
        ChangeWait("coverage-check", "adjuster-assign", 4.0),
    )
    one = scenarios["one-system"].changes
    assert Integrate("claims-sys", "claims-sheet") in one
    assert Integrate("policy-admin", "claims-sheet", one_way=True) in one
    assert AlignChannel("coverage-check", "fraud-review") in one
    assert AlignChannel("payment", "survey", "email") in one
    assert MoveTouchpoint("survey", "sales") in one
    assert HandOver("claims", touchpoints=("repair-booking", "sign-off")) in one
    assert RemoveTouchpoint("chase-call", "handler-callback") in one
    assert {type(c) for c in one} >= {ChangeShares}
    assert [str(loc) for loc in scenarios["claims-owns-close"].locations] == [f"{SCENARIOS}:5:23"]


def test_scenario_file_json_equals_predict_for_each_scenario() -> None:
    code, out, err = run(CLAIMS, "--scenario", SCENARIOS, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    analysed = project.analyse_file(CLAIMS)
    expected = read_scenarios(SCENARIOS)
    assert [s["name"] for s in data["scenarios"]] == [s.name for s in expected]
    for got, scenario in zip(data["scenarios"], expected, strict=True):
        prediction = whatif.predict(analysed.journey, scenario.changes, analysed.config)
        assert got["deltas"] == {k: number(v) for k, v in prediction.deltas.items()}


def test_options_and_scenario_files_together() -> None:
    code, out, err = run(
        CLAIMS, "--move", "survey=sales", "--scenario", SCENARIOS, "--format", "markdown"
    )
    assert code == 0, err
    titles = [line for line in out.splitlines() if line.startswith("## ")]
    assert titles == [
        "## What if: command-line (claims-before)",
        "## What if: claims-owns-close (claims-before)",
        "## What if: fix-the-worst-handoff (claims-before)",
        "## What if: one-system (claims-before)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "scenarios:\n  x:\n    ownr: {a:b: c}\n",
            ["3:5: error: unknown change `ownr`; did you mean 'owner'?"],
        ),
        (
            "scenarios:\n  x:\n    move: {survy: sales}\n",
            ["3:12: error: move survy=sales: no touchpoint 'survy'"],
        ),
        (
            "scenarios:\n  x:\n    wait: {coverage-check:adjuster-assign: 2x}\n",
            ["3:12: error: wait coverage-check:adjuster-assign=2x: '2x' is not a duration"],
        ),
        (
            "scenarios:\n  x:\n    owner: a\n  x:\n    move: a=b\n",
            ["3:12: error: owner a:", "4:3: error: duplicate key `x`"],
        ),
        ("scenario: {}\n", ["1:1: error: unknown key `scenario`; did you mean 'scenarios'?"]),
        ("scenarios: []\n", ["1:12: error: `scenarios` must be a mapping"]),
        ("scenarios: {}\n", ["1:1: error: `scenarios` is empty"]),
        ("scenarios:\n  x: !!python/object 1\n", ["2:6: error:"]),
        ("scenarios:\n  x:\n    owner: &a x\n", ["3:12: error:"]),
        ("- a\n", ["1:1: error: a scenario file must be a mapping"]),
        ("", ["1:1: error: no scenarios"]),
    ],
)
def test_scenario_file_errors_are_located(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(str(Path(CLAIMS).resolve()), "--scenario", str(path))
    assert code == 2 and out == "", err
    lines = err.splitlines()
    assert len(lines) == len(expected), err
    for line, start in zip(lines, expected, strict=True):
        assert line.startswith(f"{path}:{start}"), err


def test_scenario_schema_is_current_and_agrees_with_the_reader(tmp_path: Path) -> None:
    import jsonschema
    import yaml

    packaged = ROOT / "journeymap" / "schema" / SCENARIO_SCHEMA_FILE
    assert packaged.read_text(encoding="utf-8") == render_scenario_schema()
    schema = json.loads(render_scenario_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(yaml.safe_load((ROOT / SCENARIOS).read_text(encoding="utf-8")))
    for bad in (
        "scenarios:\n  x:\n    ownr: a\n",
        "scenario: {}\n",
        "scenarios: {}\n",
        "scenarios:\n  x: [a]\n",
    ):
        assert not validator.is_valid(yaml.safe_load(bad)), bad
        path = tmp_path / "bad.yaml"
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(InputError):
            read_scenarios(str(path))


def test_config_file_is_used_for_both_sides(tmp_path: Path) -> None:
    heavy = tmp_path / "heavy.yaml"
    heavy.write_text("risk:\n  weights: {JM100: 100}\n", encoding="utf-8")
    args = (CLAIMS, "--hand-over-stage", "close=claims", "--format", "json")
    code, out, err = run(*args, "--config", str(heavy))
    assert code == 0, err
    analysed = project.analyse_file(CLAIMS, heavy)
    change = HandOver("claims", stage="close")
    prediction = whatif.predict(analysed.journey, [change], analysed.config)
    (scenario,) = json.loads(out)["scenarios"]
    assert scenario["deltas"] == {k: number(v) for k, v in prediction.deltas.items()}
    (default,) = json.loads(run(*args)[1])["scenarios"]
    assert scenario["deltas"]["total_risk"] < default["deltas"]["total_risk"]


def test_json_is_byte_identical_and_can_go_to_a_file(tmp_path: Path) -> None:
    args = (CLAIMS, "--scenario", SCENARIOS, "--owner", "payment:survey=marketing")
    first = run(*args, "--format", "json")
    assert first == run(*args, "--format", "json") and first[0] == 0
    target = tmp_path / "whatif.json"
    code, out, err = run(*args, "--format", "json", "-o", str(target))
    assert (code, out, err) == (0, "", "")
    assert target.read_text(encoding="utf-8") == first[1]
