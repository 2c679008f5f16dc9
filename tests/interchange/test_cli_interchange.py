"""``journeymap import`` and ``export`` through the command line: the FORMAT-first spellings and
the older ones, choices from the format table, validation before writing, one-line errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.interchange import EXPORT_FORMATS, FORMATS, IMPORT_FORMATS, export_csv
from journeymap.load import load_journey
from tests.interchange.figures import JOURNEYS, figures, same_model

CLAIMS = JOURNEYS / "claims-after.yaml"


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_a_workshop_table_without_ids_imports_instead_of_a_traceback(tmp_path: Path) -> None:
    # two or more rows and no id column ended in KeyError: 'id' (issue 13)
    table = tmp_path / "workshop.csv"
    table.write_text(
        "Step,Stage,Owner,Next\n"
        "Call the hotline,Report,Customer Service,Claim set up\n"
        "Claim set up,Report,Claims,\n",
        encoding="utf-8",
    )
    out = tmp_path / "workshop.yaml"
    result = run("import", "csv", str(table), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output and result.exception is None
    journey = load_journey(out)
    assert list(journey.touchpoints) == ["call-the-hotline", "claim-set-up"]
    assert journey.touchpoints["call-the-hotline"].next[0].target == "claim-set-up"
    assert [f.name for f in journey.functions.values()] == ["Customer Service", "Claims"]
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Imported by `journeymap import csv` from ")
    assert "# - touchpoint ids made from names: call-the-hotline, claim-set-up" in text


def test_ids_made_from_names_are_unique_slugs(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text(
        "name,stage,function\nCafé Visit!,s,f\ncafe visit,s,f\n  ,s,f\nÉtape,s,f\n漢字,s,f\n",
        encoding="utf-8",
    )
    result = run("import", str(table), "-o", str(tmp_path / "t.yaml"))
    assert result.exit_code == 2  # the row with a blank name
    assert result.output == (
        f"{table}:4:1: error: name is empty; every touchpoint needs a name or an id\n"
    )
    table.write_text(
        "name,stage,function\nCafé Visit!,s,f\ncafe visit,s,f\nÉtape,s,f\n漢字,s,f\n",
        encoding="utf-8",
    )
    result = run("import", str(table), "-o", str(tmp_path / "t.yaml"))
    assert result.exit_code == 0, result.output
    assert list(load_journey(tmp_path / "t.yaml").touchpoints) == [
        "cafe-visit",
        "cafe-visit-2",
        "etape",
        "step",
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_by_format_name_keeps_the_analysis(fmt: str, tmp_path: Path) -> None:
    book = tmp_path / f"claims.{fmt}"
    result = run("export", fmt, str(CLAIMS), "-o", str(book))
    assert result.exit_code == 0, result.output
    out = tmp_path / "claims-after.yaml"
    result = run("import", fmt, str(book), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}\n"
    original, back = load_journey(CLAIMS), load_journey(out)
    assert same_model(original, back)
    assert figures(back) == figures(original)


def test_the_older_spellings_still_work(tmp_path: Path) -> None:
    mermaid = run("export", "-f", "mermaid", str(CLAIMS))
    assert mermaid.exit_code == 0 and mermaid.stdout.startswith("journey\n")
    assert run("export", str(CLAIMS)).stdout == mermaid.stdout  # mermaid by default
    assert run("export", "mermaid", str(CLAIMS)).stdout == mermaid.stdout
    assert run("export", "csv", str(CLAIMS), "-f", "csv").exit_code == 0
    table = tmp_path / "t.csv"
    table.write_text(export_csv(load_journey(CLAIMS)), encoding="utf-8")
    result = run("import", str(table), "-o", str(tmp_path / "t.yaml"))
    assert result.exit_code == 0, result.output


def test_format_choices_and_help_come_from_the_format_table() -> None:
    assert tuple(n for n, f in FORMATS.items() if f.exporter) == EXPORT_FORMATS
    assert {"csv", "xlsx"} <= set(IMPORT_FORMATS) and {"csv", "xlsx", "json"} <= set(EXPORT_FORMATS)
    export_help = run("export", "--help").output
    import_help = run("import", "--help").output
    for name in EXPORT_FORMATS:
        assert f"  {name} " in export_help and FORMATS[name].help in " ".join(export_help.split())
    for name in IMPORT_FORMATS:
        assert f"  {name} " in import_help
    assert "[" + "|".join(EXPORT_FORMATS) + "]" in export_help
    bad = run("export", "docx", str(CLAIMS))
    assert bad.exit_code == 2
    assert "'docx' is not one of " + ", ".join(f"'{n}'" for n in EXPORT_FORMATS) in bad.output
    bad = run("import", "mermaid-sequence", "x.txt", "-o", "y.yaml")
    assert bad.exit_code == 2 and "is not one of" in bad.output


def test_disagreeing_format_spellings_are_refused() -> None:
    result = run("export", "csv", str(CLAIMS), "-f", "json")
    assert result.exit_code == 2
    assert "FORMAT 'csv' and -f 'json' disagree" in result.output


def test_an_unknown_suffix_asks_for_the_format(tmp_path: Path) -> None:
    source = tmp_path / "t.txt"
    source.write_text("name,stage,function\nA,s,f\n", encoding="utf-8")
    result = run("import", str(source), "-o", str(tmp_path / "t.yaml"))
    assert result.exit_code == 2
    assert result.output.startswith(f"journeymap: error: cannot tell the format of {source}")
    assert run("import", "csv", str(source), "-o", str(tmp_path / "t.yaml")).exit_code == 0


def test_an_import_that_does_not_validate_writes_nothing(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    out = tmp_path / "t.yaml"
    # an outcome on a touchpoint that goes on: caught at its cell
    table.write_text("name,stage,function,outcome,next\nA,s,f,won,B\nB,s,f,,\n", encoding="utf-8")
    result = run("import", "csv", str(table), "-o", str(out))
    assert result.exit_code == 2
    assert result.output == (
        f"{table}:2:4: error: outcome on 'a', which leads on (to 'b'); an outcome belongs to a "
        "touchpoint with no next step\n"
    )
    assert not out.exists()
    # shares on one transition of two: caught by validating the journey it would write
    table.write_text(
        "name,stage,function,next\nA,s,f,B: 0.5; C\nB,s,f,\nC,s,f,\n", encoding="utf-8"
    )
    result = run("import", "csv", str(table), "-o", str(out))
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "share" in result.output
    # cited at the source row of the touchpoint (A, row 2), a file that exists
    assert result.output.startswith(f"{table}:2:1: error: ")
    assert re.search(
        rf"found in the journey the import would write to {re.escape(str(out))} "
        r"\(line \d+; nothing written\)$",
        result.output.rstrip(),
    )
    assert not out.exists()
    # a problem of the whole journey: cited at the start of the source
    table.write_text("name,stage,function,next\nA,s,f,B\nB,s,f,A\n", encoding="utf-8")
    result = run("import", "csv", str(table), "-o", str(out))
    assert result.exit_code == 2
    assert result.output.startswith(f"{table}:1:1: error: no entry touchpoint")
    assert str(out) + ":" not in result.output and not out.exists()


def test_bad_rows_exit_2_with_located_lines_and_no_traceback(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text("name,stage,function,emotion,share\nA,s,f,7,\n", encoding="utf-8")
    result = run("import", "csv", str(table), "-o", str(tmp_path / "t.yaml"))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"{table}:1:5: error: unknown column 'share'; that is a column of the transitions "
        "table; here, write it in the next cell: 'target (share 0.6, wait 2d, owner sales, "
        "carries contact)'",
        f"{table}:2:4: error: emotion must be a whole number 1..5, found '7'",
    ]


def test_xlsx_goes_to_a_pipe_as_bytes(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "xlsx", str(CLAIMS)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes[:2] == b"PK"
    (tmp_path / "b.xlsx").write_bytes(result.stdout_bytes)
    result = run("import", str(tmp_path / "b.xlsx"), "-o", str(tmp_path / "claims-after.yaml"))
    assert result.exit_code == 0, result.output


def test_uses_lets_rows_name_the_shared_functions_and_systems(tmp_path: Path) -> None:
    (tmp_path / "organisation.yaml").write_text(
        (JOURNEYS / "organisation.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    table = tmp_path / "w.csv"
    table.write_text(
        "Step,Stage,Owner,Systems\nVisit the site,find,Marketing,Web CMS\n"
        "Book the engineer,buy,Field Service,field scheduling; crm\n",
        encoding="utf-8",
    )
    out = tmp_path / "w.yaml"
    result = run("import", "csv", str(table), "-o", str(out), "--uses", "organisation.yaml")
    assert result.exit_code == 0, result.output
    journey = load_journey(out)
    assert journey.uses == ("organisation.yaml",)
    book = journey.touchpoints["book-the-engineer"]
    assert (book.function, book.systems) == ("field", ("wfm", "crm"))
    assert journey.touchpoints["visit-the-site"].systems == ("cms",)
    assert "functions:" not in out.read_text(encoding="utf-8")  # left to the organisation file
    table.write_text("Step,Stage,Owner\nA,s,Salez\n", encoding="utf-8")
    result = run(
        "import", "csv", str(table), "-o", str(tmp_path / "x.yaml"), "--uses", "organisation.yaml"
    )
    assert result.exit_code == 2
    assert result.output == f"{table}:2:3: error: unknown function 'Salez'; did you mean 'sales'?\n"
    result = run("import", "csv", str(table), "-o", str(tmp_path / "x.yaml"), "--uses", "org.yaml")
    assert result.exit_code == 2
    assert result.output.startswith("journeymap: error: --uses org.yaml: no such file beside ")
