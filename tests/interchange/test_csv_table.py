"""The spreadsheet layout as CSV: lossless round trips of every example, hand-made workshop
tables (synonyms, ids from names, the next-cell syntax), formula neutralisation, located errors."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from journeymap.errors import InputError
from journeymap.interchange import export_csv, import_csv
from journeymap.load import load_journey, load_journey_text
from tests.interchange.figures import EXAMPLES, JOURNEYS, figures, same_model


def _reimport(text: str, tmp_path: Path, name: str = "back.yaml", **kw: object):
    yaml_text = import_csv(text, "t.csv", **kw)  # type: ignore[arg-type]
    return load_journey_text(yaml_text, str(tmp_path / name)), yaml_text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_keeps_the_analysis_figure_for_figure(path: Path, tmp_path: Path) -> None:
    journey = load_journey(path)
    back, yaml_text = _reimport(export_csv(journey), tmp_path, f"{journey.id}.yaml")
    assert figures(back) == figures(journey)
    assert same_model(journey, back)
    assert "Nothing was guessed" in yaml_text


def test_round_trip_keeps_what_the_handoff_rules_read(tmp_path: Path) -> None:
    # the fields a bare touchpoint table used to drop: pains, KPIs, transition owner, carries,
    # wait, note; shadow flags, integrations, leads and the journey owner
    journey = load_journey(JOURNEYS / "claims-after.yaml")
    back, _ = _reimport(export_csv(journey), tmp_path, f"{journey.id}.yaml")
    for tp in journey.touchpoints.values():
        got = back.touchpoints[tp.id]
        assert (got.pains, got.gains, got.kpis, got.evidence) == (
            tp.pains,
            tp.gains,
            tp.kpis,
            tp.evidence,
        )
        assert [(t.owner, t.carries, t.wait_hours, t.note) for t in got.next] == [
            (t.owner, t.carries, t.wait_hours, t.note) for t in tp.next
        ]
    assert {s.id: s.shadow for s in back.systems.values()} == {
        s.id: s.shadow for s in journey.systems.values()
    }
    assert back.integrations == journey.integrations
    assert back.owner == journey.owner and back.owner is not None
    assert [f.lead for f in back.functions.values()] == [f.lead for f in journey.functions.values()]


def test_workshop_table_with_synonyms_ids_from_names_and_next_cells(tmp_path: Path) -> None:
    table = (
        "Step,PHASE,Department,Channel,Pain Points,Next Step\n"
        'Call the hotline,Report,Customer Service,Phone,Long queue,"Claim set up (wait 1d, owner '
        'Claims, carries policy-number contact)"\n'
        "Claim set up,Report,Claims,email,,Visit: 0.6; Desktop check: 40%\n"
        'Visit,Assess,Field service,field,"Third person asking\nNo date given",\n'
        "Desktop check,Assess,Claims,phone,,\n"
    )
    back, yaml_text = _reimport(table, tmp_path)
    assert list(back.touchpoints) == ["call-the-hotline", "claim-set-up", "visit", "desktop-check"]
    assert [(s.id, s.name) for s in back.stages] == [("report", "Report"), ("assess", "Assess")]
    assert {f.id: f.name for f in back.functions.values()} == {
        "customer-service": "Customer Service",
        "claims": "Claims",
        "field-service": "Field service",
    }
    call = back.touchpoints["call-the-hotline"]
    assert call.channel == "phone" and call.pains == ("Long queue",)
    (handoff,) = call.next
    assert (handoff.target, handoff.wait_hours, handoff.owner, handoff.carries) == (
        "claim-set-up",
        24.0,
        "claims",
        ("policy-number", "contact"),
    )
    assert back.touchpoints["visit"].pains == ("Third person asking", "No date given")
    setup = back.touchpoints["claim-set-up"]
    assert [(t.target, t.share) for t in setup.next] == [("visit", 0.6), ("desktop-check", 0.4)]
    assert "touchpoint ids made from names" in yaml_text
    assert "functions declared from the touchpoint rows" in yaml_text
    assert "call-the-hotline:  # id made from the name 'Call the hotline'" in yaml_text


# Names from the adversarial corpus (tests/adversarial-corpus.md): formula starts, CSV and
# Graphviz syntax, markup, line breaks, bidi and control characters, spaces around text.
HOSTILE = (
    '=HYPERLINK("http://evil.example","click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTabbed",
    "\rReturn first",
    "'=already quoted",
    "'plain apostrophe",
    "#1 priority",
    "  spaced out  ",
    '"x"; "y" [label="INJECTED"]; "z"',
    "C:\\dir\\ \\N \\G \\l",
    "Login:Page",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "javascript:alert(1)",
    "Sales, EMEA",
    "line one\nline two",
    "bidi \u202e reversed",
    "ctrl \x01 \x1b",
    "_x0041_ is not an escape here",
)


def hostile_journey():
    """claims-after with every touchpoint, function and transition note given hostile text."""
    import dataclasses

    from journeymap.model import frozen_map

    journey = load_journey(JOURNEYS / "claims-after.yaml")
    tps = {}
    for i, tp in enumerate(journey.touchpoints.values()):
        text = HOSTILE[i % len(HOSTILE)]
        tps[tp.id] = dataclasses.replace(
            tp,
            name=text,
            description=HOSTILE[(i + 1) % len(HOSTILE)],
            pains=(text, HOSTILE[(i + 2) % len(HOSTILE)]),
            kpis=((text, HOSTILE[(i + 3) % len(HOSTILE)]), ("plain", "1")),
            next=tuple(dataclasses.replace(t, note=text) for t in tp.next),
        )
    functions = {
        f.id: dataclasses.replace(f, name=HOSTILE[i % len(HOSTILE)], lead=HOSTILE[-i])
        for i, f in enumerate(journey.functions.values())
    }
    return dataclasses.replace(
        journey,
        title=HOSTILE[0],
        touchpoints=frozen_map(tps),
        functions=frozen_map(functions),
    )


def test_hostile_names_are_neutralised_on_export_and_read_back_exactly(tmp_path: Path) -> None:
    journey = hostile_journey()
    text = export_csv(journey)
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert cells, "the export has cells"
    starts = ("=", "+", "-", "@", "\t", "\r")
    runnable = [c for c in cells if c.startswith(starts)]
    assert runnable == []
    assert '\'=HYPERLINK("http://evil.example","click")' in cells
    assert "''=already quoted" in cells and "'  spaced out  " in cells
    back, _ = _reimport(text, tmp_path, "claims-after.yaml")
    assert same_model(journey, back)
    assert figures(back) == figures(journey)


def test_a_leading_apostrophe_is_dropped_and_the_rest_kept_as_written(tmp_path: Path) -> None:
    table = "name,stage,function\n'=1+1,s,f\n'  kept  ,s,f\n  stripped  ,s,f\n"
    back, _ = _reimport(table, tmp_path)
    assert [t.name for t in back.touchpoints.values()] == ["=1+1", "  kept  ", "stripped"]


HEADER = "id,name,stage,function,emotion,next\n"


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            HEADER + "a,A,s,f,9,\n",
            "t.csv:2:5: error: emotion must be a whole number 1..5, found '9'",
        ),
        (
            "id,name,stage,functoin\n",
            "t.csv:1:4: error: unknown column 'functoin'; did you mean 'function'?",
        ),
        (
            HEADER + 'a,"A,s,f,3,\n',
            "t.csv:2:1: error: malformed CSV: unexpected end of data; check for an unclosed "
            "quote on this row or the ones before",
        ),
        (
            HEADER + "a,A,s,f,3,b:1.5\n",
            "t.csv:2:6: error: share in 'b:1.5' must be a number from 0 to 1",
        ),
        (
            HEADER + "a,A,s,f,3,\na,B,s,f,3,\n",
            "t.csv:3:1: error: duplicate touchpoint id 'a'; first in row 2",
        ),
        (
            HEADER + ",,s,f,3,\n",
            "t.csv:2:2: error: name is empty; every touchpoint needs a name or an id",
        ),
        (
            HEADER + "a,A,,f,3,\n",
            "t.csv:2:3: error: stage is empty; every touchpoint needs a stage",
        ),
        (
            HEADER + "a,A,s,f,3,\n" + "b," + "x" * 140_000 + ",s,f,3,\n",
            "t.csv:3:2: error: cell is 140000 characters long, more than 131072; keep long text "
            "in the journey file's notes",
        ),
        (
            HEADER + "a,A,s,f,3,zz\n",
            "t.csv:2:6: error: no touchpoint 'zz'; give a touchpoint id or name",
        ),
        (
            HEADER + "a,A,s,f,3,b (wait 2 days)\nb,B,s,f,3,\n",
            "t.csv:2:6: error: wait '2 days' is not a duration; write it as 30m, 4h, 2d or 1w",
        ),
        (
            "name,stage,function,kpis\nA,s,f,no colon here\n",
            "t.csv:2:4: error: KPI line 'no colon here' is not 'name: value'; one 'name: value' per line",
        ),
        (
            "name,stage\nA,s\n",
            "t.csv:1:1: error: missing column 'function'; say who runs each step in a 'function' "
            "(or 'owner', 'department') column",
        ),
        (
            "# touchpoints\nid,stage,function\na,s,f\nb,s,f\n\n# transitons\nfrom,to\na,b\n",
            "t.csv:6:1: error: unknown section '# transitons'; did you mean 'transitions'?",
        ),
        (
            "# touchpoints\nid,stage,function\na,s,f\nb,s,f\n# transitions\nfrom,to,wait\na,b,soon\n",
            "t.csv:7:3: error: wait 'soon' is not a duration; write it as 30m, 4h, 2d or 1w",
        ),
        (
            "# touchpoints\nid,stage,function\na,s,Sails\n# functions\nid,name\nsale,Sales\n",
            "t.csv:3:3: error: unknown function 'Sails'; did you mean 'sale'?",
        ),
    ],
)
def test_bad_rows_are_reported_at_row_and_column(table: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        import_csv(table, "t.csv", "T")
    assert str(err.value).splitlines()[0] == expected


def test_rows_are_counted_as_a_spreadsheet_counts_them() -> None:
    # a cell with a line break is still one row: the bad emotion is on row 3, line 4
    table = 'name,stage,function,pains,emotion\nA,s,f,"one\ntwo",3\nB,s,f,,9\n'
    with pytest.raises(InputError) as err:
        import_csv(table, "t.csv")
    assert str(err.value) == "t.csv:3:5: error: emotion must be a whole number 1..5, found '9'"


def test_every_problem_is_reported_at_once() -> None:
    table = "name,stage,function,emotion,volume\nA,s,f,0,-1\nB,s,f,six,\n"
    with pytest.raises(InputError) as err:
        import_csv(table, "t.csv")
    assert [str(p.location) for p in err.value.problems] == ["t.csv:2:4", "t.csv:2:5", "t.csv:3:4"]


def test_the_title_option_wins_and_the_file_name_is_the_fallback(tmp_path: Path) -> None:
    exported = export_csv(load_journey(JOURNEYS / "claims-after.yaml"))
    assert yaml.safe_load(import_csv(exported, "x.csv", "Mine"))["title"] == "Mine"
    assert (
        yaml.safe_load(import_csv(exported, "x.csv"))["title"] == "Home water-damage claim (after)"
    )
    plain = "name,stage,function\nA,s,f\n"
    assert yaml.safe_load(import_csv(plain, "dir/first-workshop.csv"))["title"] == "First workshop"


def test_no_stage_column_puts_every_step_in_one_stage_and_says_so(tmp_path: Path) -> None:
    back, yaml_text = _reimport("name,owner\nAsk,Sales\nBuy,Billing\n", tmp_path)
    assert [s.id for s in back.stages] == ["journey"]
    assert [t.function for t in back.touchpoints.values()] == ["sales", "billing"]
    assert "no 'stage' column" in yaml_text
    assert [t.target for t in back.touchpoints["ask"].next] == ["buy"]
    assert "each row leads to the row below it" in yaml_text


def test_columns_outside_the_layout_are_skipped_and_said_but_typos_are_errors(
    tmp_path: Path,
) -> None:
    back, yaml_text = _reimport("name,stage,function,Sticky colour\nA,s,f,yellow\n", tmp_path)
    assert list(back.touchpoints) == ["a"]
    assert "# - column 'Sticky colour' skipped: it is not part of the layout" in yaml_text
    with pytest.raises(InputError) as err:
        import_csv("name,stage,function,function\nA,s,f,g\n", "t.csv")
    assert str(err.value) == (
        "t.csv:1:4: error: column 'function' says the same as 'function'; keep one of them"
    )


def test_many_stray_columns_are_a_few_comment_lines_not_one_each(tmp_path: Path) -> None:
    # The audit's 20,000 unknown columns: before, 20,000 comment lines in the imported file.
    stray = [f"x{i}" for i in range(20_000)]
    table = ",".join(["name", "stage", "function", *stray]) + "\nA,s,f" + "," * 20_000 + "\n"
    back, yaml_text = _reimport(table, tmp_path)
    assert list(back.touchpoints) == ["a"]
    said = [line for line in yaml_text.splitlines() if "skipped" in line]
    assert said == [
        "# - column 'x0' skipped: it is not part of the layout",
        "# - column 'x1' skipped: it is not part of the layout",
        "# - column 'x2' skipped: it is not part of the layout",
        "# - ... and 19,997 more columns skipped, from 'x3' to 'x19999'",
    ]
    ten = ",".join(["name", "stage", "function", *stray[:10]]) + "\nA,s,f" + "," * 10 + "\n"
    assert _reimport(ten, tmp_path)[1].count("skipped: it is not part of the layout") == 10


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_separated_tables_are_read(sep: str, tmp_path: Path) -> None:
    rows = [["Step", "Stage", "Owner", "Pains"], ["Call, then wait", "Buy", "Sales", "Slow, rude"]]
    table = "\n".join(sep.join(r) for r in rows) + "\n"
    back, _ = _reimport(table, tmp_path)
    (tp,) = back.touchpoints.values()
    assert (tp.name, tp.function, tp.pains) == ("Call, then wait", "sales", ("Slow, rude",))


def test_line_breaks_inside_a_cell_hide_no_formula_and_nul_is_never_written(
    tmp_path: Path,
) -> None:
    # the audit's payload: a lone \r (csv.writer with "\n" did not quote it, so the row split
    # and the next one started with a live formula), then a \n line, a \r\n line, a line that
    # starts with the apostrophe that marks a formula, and a NUL
    source = tmp_path / "j.yaml"
    source.write_text(
        "journeymap: 1\ntitle: T\nfunctions: {a: {name: \"A\\0B\"}, b: {name: B}}\n"
        "stages: [s]\ntouchpoints:\n"
        "  x: {name: \"X\\r=cmd|' /C calc'!A0\\n=2+2\\r\\n@SUM(1)\\n'kept\", stage: s,"
        " function: a, next: [y]}\n"
        "  y: {name: Y, stage: s, function: b, outcome: done}\n"
    )
    journey = load_journey(source)
    text = export_csv(journey)
    assert "\0" not in text
    # any tool that splits at line breaks, quoted or not, sees no line that starts a formula
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    assert [line for line in lines if line.startswith(("=", "+", "-", "@", "\t"))] == []
    # an RFC 4180 reader sees the cell whole, quoted, every inner line marked
    cells = [c for row in csv.reader(io.StringIO(text, newline="")) for c in row]
    assert "X\r'=cmd|' /C calc'!A0\n'=2+2\r\n'@SUM(1)\n''kept" in cells
    back, _ = _reimport(text, tmp_path)
    assert back.touchpoints["x"].name == journey.touchpoints["x"].name
    assert back.functions["a"].name == "A\ufffdB"  # NUL stands in as U+FFFD
