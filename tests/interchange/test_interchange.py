"""Export to CSV/JSON and import from CSV (Mermaid: test_mermaid.py), on real files through the library and CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.errors import InputError
from journeymap.interchange import export_csv, export_json, import_csv
from journeymap.load import load_journey, load_journey_text

DATA = Path(__file__).parent.parent / "data" / "interchange"
BROADBAND = DATA / "broadband.yaml"


def _table_view(journey):  # the fields a touchpoint table carries
    return [
        (
            t.id,
            t.name,
            t.stage,
            t.function,
            t.channel,
            t.systems,
            t.emotion,
            t.asks,
            tuple((n.target, n.share) for n in t.next),
            t.outcome,
            t.volume,
        )
        for t in journey.touchpoints.values()
    ]


def test_csv_round_trip_keeps_every_column(tmp_path: Path) -> None:
    journey = load_journey(BROADBAND)
    table = export_csv(journey)
    assert table.splitlines()[:2] == [
        "# touchpoints",
        "id,name,stage,function,channel,systems,emotion,entry,volume,asks,pains,gains,kpis,"
        "evidence,notes,ideas,outcome,description",
    ]
    assert (
        table.splitlines()[3] == "call,Sales call,choose,sales,phone,crm,3,,,address; bank,,,,,,,,"
    )
    assert "call,visit,0.8,5d,field,," in table.splitlines()
    yaml_text = import_csv(table, "broadband.csv", "Broadband installation")
    back = load_journey_text(yaml_text, str(tmp_path / "broadband.yaml"))
    assert _table_view(back) == _table_view(journey)


def test_csv_export_quotes_formula_cells_and_import_restores_them(tmp_path: Path) -> None:
    text = BROADBAND.read_text().replace("name: Online offer", 'name: "=HYPERLINK(\\"http://x\\")"')
    journey = load_journey_text(text, str(BROADBAND))
    table = export_csv(journey)
    assert "'=HYPERLINK" in table
    back = load_journey_text(import_csv(table, "t.csv", "T"), str(tmp_path / "t.yaml"))
    assert back.touchpoints["offer"].name == '=HYPERLINK("http://x")'


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
        (HEADER + 'a,"A,s,f,3,\n', "t.csv:2:1: error: malformed CSV: unexpected end of data"),
        (
            HEADER + "a,A,s,f,3,b:1.5\n",
            "t.csv:2:6: error: share in 'b:1.5' must be a number from 0 to 1",
        ),
        (HEADER + "a,A,s,f,3,\na,B,s,f,3,\n", "t.csv:3:1: error: duplicate touchpoint id 'a'"),
        (
            HEADER + ",,s,f,3,\n",
            "t.csv:2:2: error: name is empty; every touchpoint needs a name or an id",
        ),
        (
            HEADER + "a,A,s,f,3,\n" + "b," + "x" * 140_000 + ",s,f,3,\n",
            "t.csv:3:2: error: cell is 140000 characters long, more than 131072; keep long text in the journey file's notes",
        ),
    ],
)
def test_csv_import_errors_cite_row_and_column(table: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        import_csv(table, "t.csv", "T")
    assert str(err.value).splitlines()[0].startswith(expected)


def test_import_cli_accepts_a_bom_header_and_refuses_to_overwrite(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("\ufeff" + HEADER + "a,Start,s,f,3,b\nb,End,s,g,4,\n", encoding="utf-8")
    out = tmp_path / "t.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(table), "-o", str(out)])
    assert result.exit_code == 0, result.output
    journey = load_journey(out)
    assert list(journey.touchpoints) == ["a", "b"]
    assert journey.touchpoints["a"].next[0].target == "b"
    again = runner.invoke(main, ["import", str(table), "-o", str(out)])
    assert again.exit_code == 2
    assert "exists" in again.output


def test_import_cli_reports_bad_utf8_in_one_line(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_bytes(b"id,name\n\xff\xfe,x\n")
    result = CliRunner().invoke(main, ["import", str(table), "-o", str(tmp_path / "o.yaml")])
    assert result.exit_code == 2
    assert result.output.startswith(f"{table}:1:1: error: not UTF-8 text")
    assert "Traceback" not in result.output


def test_export_cli_writes_json_model(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    result = CliRunner().invoke(main, ["export", str(BROADBAND), "-f", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["journeymap"] == 1
    assert list(data["touchpoints"]) == ["offer", "call", "visit", "care-call", "survey", "happy"]
    assert data["touchpoints"]["call"]["next"][0]["wait_hours"] == 5 * 24
    assert out.read_text() == export_json(load_journey(BROADBAND))
