"""The spreadsheet layout as an Excel workbook: lossless round trips of every example, formula
cells kept as text, byte-identical output, hand-made workbooks, located errors."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from journeymap.errors import InputError
from journeymap.interchange import export_xlsx, import_xlsx
from journeymap.load import load_journey, load_journey_text
from tests.interchange.figures import EXAMPLES, JOURNEYS, figures, same_model
from tests.interchange.test_csv_table import HOSTILE, hostile_journey


def _book(rows_by_sheet: dict[str, list[list[object]]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in rows_by_sheet.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_round_trip_keeps_the_analysis_figure_for_figure(path: Path, tmp_path: Path) -> None:
    journey = load_journey(path)
    text = import_xlsx(export_xlsx(journey), f"{journey.id}.xlsx")
    back = load_journey_text(text, str(tmp_path / f"{journey.id}.yaml"))
    assert figures(back) == figures(journey)
    assert same_model(journey, back)


def test_one_sheet_per_table_with_the_touchpoints_first() -> None:
    book = load_workbook(io.BytesIO(export_xlsx(load_journey(JOURNEYS / "claims-after.yaml"))))
    assert book.sheetnames == [
        "Touchpoints",
        "Transitions",
        "Journey",
        "Stages",
        "Functions",
        "Systems",
        "Integrations",
        "Channels",
    ]
    touchpoints = book["Touchpoints"]
    assert [c.value for c in touchpoints[1]][:4] == ["id", "name", "stage", "function"]
    assert touchpoints["G2"].data_type == "n"  # emotion stays a number a sheet can sum


def test_the_same_journey_gives_the_same_bytes_with_fixed_timestamps() -> None:
    journey = load_journey(JOURNEYS / "claims-before.yaml")
    first = export_xlsx(journey)
    assert export_xlsx(journey) == first
    archive = zipfile.ZipFile(io.BytesIO(first))
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]*)<", core) == [
        "1980-01-01T00:00:00Z",
        "1980-01-01T00:00:00Z",
    ]


def test_hostile_text_is_stored_as_text_never_as_a_formula(tmp_path: Path) -> None:
    journey = hostile_journey()
    data = export_xlsx(journey)
    archive = zipfile.ZipFile(io.BytesIO(data))
    sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(
        b"<f>" in archive.read(n) or b"<f " in archive.read(n) for n in sheets
    )
    book = load_workbook(io.BytesIO(data))
    names = {c.value: c for c in book["Touchpoints"]["B"][1:]}
    formula = names['=HYPERLINK("http://evil.example","click")']
    assert formula.data_type == "s" and formula.quotePrefix
    assert names["  spaced out  "].quotePrefix
    assert not names["Login:Page"].quotePrefix
    back = load_journey_text(import_xlsx(data, "h.xlsx"), str(tmp_path / "claims-after.yaml"))
    assert [t.name for t in back.touchpoints.values()] == [
        HOSTILE[i % len(HOSTILE)] for i in range(len(journey.touchpoints))
    ]
    assert same_model(journey, back)
    assert figures(back) == figures(journey)


def test_a_hand_made_workbook_with_synonyms_numbers_and_a_first_sheet_of_any_name(
    tmp_path: Path,
) -> None:
    data = _book(
        {
            "Workshop 3 March": [
                ["Touchpoint", "Journey Stage", "Team", "Feeling", "Volume", "Next Steps"],
                ["Sees an advert", "Aware", "Marketing", 4, 1000, "Calls sales"],
                ["Calls sales", "Buy", "Sales", 3.0, None, "Signs: 0.25"],
                ["Signs", "Buy", "Legal", 5, None, None],
            ],
            "Notes": [["anything"], ["is ignored"]],
            "Functions": [
                ["Function", "Led by"],
                ["Marketing", "CMO"],
                ["Sales", "CRO"],
                ["Legal", "GC"],
            ],
        }
    )
    text = import_xlsx(data, "w.xlsx")
    back = load_journey_text(text, str(tmp_path / "w.yaml"))
    assert list(back.touchpoints) == ["sees-an-advert", "calls-sales", "signs"]
    assert [(f.id, f.name, f.lead) for f in back.functions.values()] == [
        ("marketing", "Marketing", "CMO"),
        ("sales", "Sales", "CRO"),
        ("legal", "Legal", "GC"),
    ]
    assert [t.emotion for t in back.touchpoints.values()] == [4, 3, 5]
    assert back.touchpoints["sees-an-advert"].volume == 1000
    assert [(t.target, t.share) for t in back.touchpoints["calls-sales"].next] == [("signs", 0.25)]
    assert "function id 'marketing' made from the name 'Marketing'" in text


def test_bad_cells_name_the_sheet_row_and_column() -> None:
    data = _book(
        {
            "Touchpoints": [["name", "stage", "function"], ["A", "s", "f"], ["B", "s", "f"]],
            "Transitions": [["from", "to", "share"], ["A", "B", 2], ["A", "C", None]],
        }
    )
    with pytest.raises(InputError) as err:
        import_xlsx(data, "b.xlsx")
    assert str(err.value).splitlines() == [
        "b.xlsx:2:3: error: sheet 'Transitions': share must be a number from 0 to 1, found '2'",
        "b.xlsx:3:2: error: sheet 'Transitions': no touchpoint 'C'; give a touchpoint id or name",
    ]


def test_a_formula_without_a_saved_value_is_a_located_error() -> None:
    data = _book(
        {"Touchpoints": [["name", "stage", "function", "volume"], ["A", "s", "f", "=1+1"]]}
    )
    with pytest.raises(InputError) as err:
        import_xlsx(data, "f.xlsx")
    assert str(err.value) == (
        "f.xlsx:2:4: error: sheet 'Touchpoints': a formula with no saved value; open the file in "
        "a spreadsheet and save it, or paste the values"
    )


def test_what_is_not_a_workbook_is_one_line() -> None:
    with pytest.raises(InputError) as err:
        import_xlsx(b"name,stage\n", "t.xlsx")
    assert (
        str(err.value)
        == "t.xlsx:1:1: error: not an .xlsx workbook; save it from the spreadsheet as .xlsx"
    )


def test_a_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (257 * 1024 * 1024))
    with pytest.raises(InputError) as err:
        import_xlsx(out.getvalue(), "bomb.xlsx")
    assert "unpacks to" in str(err.value) and str(err.value).startswith("bomb.xlsx:1:1: error:")


# a billion laughs: lol9 expands to 10**9 "lol" (3 GB); the sheet's first cell refers to it
LAUGHS = (
    '<!DOCTYPE worksheet [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol%s;" % (i - 1 or "")) * 10}">\n' for i in range(1, 10))
    + "]>\n"
)


def _bomb() -> bytes:
    """A real workbook whose first sheet's XML declares the entity bomb and uses it in a cell."""
    good = zipfile.ZipFile(io.BytesIO(_book({"Touchpoints": [["name", "stage"], ["a", "s"]]})))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                head, sep, body = text.rpartition("?>")  # a declaration, if openpyxl wrote one
                assert "<sheetData>" in body
                body = body.replace(
                    "<sheetData>",
                    '<sheetData><row r="9"><c r="A9" t="inlineStr"><is><t>&lol9;</t></is></c></row>',
                )
                data = (head + sep + LAUGHS + body).encode("utf-8")
            archive.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("defused_by", ["openpyxl", "journeymap"])
def test_an_xml_entity_bomb_in_a_sheet_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, defused_by: str
) -> None:
    """openpyxl parses the parts through defusedxml when it is installed (a dependency); told
    not to (``OPENPYXL_DEFUSEDXML=False``, seen here as its flag off), the import parses them
    with defusedxml itself first. Either way: refused before anything expands."""
    import openpyxl
    from click.testing import CliRunner

    from journeymap.cli import main

    if defused_by == "journeymap":
        monkeypatch.setattr(openpyxl, "DEFUSEDXML", False)
    else:
        assert openpyxl.DEFUSEDXML is True
    source = tmp_path / "bomb.xlsx"
    source.write_bytes(_bomb())
    out = tmp_path / "bomb.yaml"
    result = CliRunner().invoke(main, ["import", "xlsx", str(source), "-o", str(out)])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"{source}:1:1: error: the workbook's XML declares entity 'lol'")
    assert not out.exists()


def test_without_a_touchpoints_sheet_the_first_sheet_is_read_as_one(tmp_path: Path) -> None:
    # a workshop workbook whose one sheet is called "Journey" holds steps, not journey fields
    data = _book(
        {"Journey": [["Step", "Stage", "Owner", "Outcome"], ["Buy", "Buy", "Sales", "Won"]]}
    )
    text = import_xlsx(data, "j.xlsx")
    back = load_journey_text(text, str(tmp_path / "j.yaml"))
    assert list(back.touchpoints) == ["buy"] and back.touchpoints["buy"].outcome == "won"
    assert "outcome 'Won' read as the id 'won'" in text
