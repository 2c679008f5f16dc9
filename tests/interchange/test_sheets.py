"""The shared spreadsheet layout: cell syntax that reads back what it wrote (hypothesis), ids
made from names, and docs/interchange.md showing the tables the code declares."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from journeymap.durations import MAX_DURATION_HOURS, UNIT_HOURS, parse_duration
from journeymap.interchange.csv_table import csv_cell, read_csv_tables
from journeymap.interchange.sheets import (
    SHEETS,
    format_hours,
    join_kpis,
    join_texts,
    layout_markdown,
    make_id,
    split_kpis,
    split_texts,
)

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "interchange.md"
TEXT = st.text(min_size=1).filter(lambda s: s.strip())


def test_the_docs_show_the_layout_the_code_declares() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = re.search(r"<!-- layout:start -->\n(.*)<!-- layout:end -->", text, re.S)
    assert block, "docs/interchange.md lost its layout markers"
    assert block.group(1) == layout_markdown()
    for sheet in SHEETS:
        for column in sheet.columns:
            assert f"| `{column.key}` |" in block.group(1)
    assert "\n## Mermaid\n" in text and "\n## BPMN\n" in text


@given(st.lists(TEXT, max_size=5))
def test_text_lists_read_back(items: list[str]) -> None:
    assert split_texts(join_texts(items)) == items


@given(st.lists(st.tuples(TEXT, TEXT), max_size=5, unique_by=lambda kv: kv[0]))
def test_kpis_read_back(kpis: list[tuple[str, str]]) -> None:
    assert split_kpis(join_kpis(kpis)) == kpis


@given(st.text(max_size=30))
def test_a_csv_cell_reads_back_and_never_starts_a_formula(text: str) -> None:
    cell = csv_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    line = '"' + cell.replace('"', '""') + '"'
    tables = read_csv_tables("name\n" + line + "\n", "t.csv")
    got = tables[0].rows[0][0] if tables and tables[0].rows else None
    written = text.replace("\0", "\ufffd")  # NUL is never written
    assert "\0" not in cell
    assert (got.text if got else "") == (written if cell.startswith("'") else written.strip())


@given(
    st.integers(min_value=1, max_value=5000),
    st.sampled_from(sorted(UNIT_HOURS)),
    st.integers(min_value=0, max_value=3),
)
def test_waits_are_written_so_they_read_back_to_the_same_hours(
    n: int, unit: str, places: int
) -> None:
    hours = parse_duration(f"{n / 10**places}{unit}")
    assert hours is not None
    if hours > MAX_DURATION_HOURS:
        return
    text = format_hours(hours)
    assert parse_duration(text) == hours
    assert len(text) <= 12


def test_waits_use_the_largest_unit_that_reads_short() -> None:
    assert [format_hours(h) for h in (120, 36, 168, 0.5, 1 / 3, 420)] == [
        "5d",
        "1.5d",
        "1w",
        "30m",
        "20m",
        "2.5w",
    ]


def test_ids_from_names_are_slugs_unique_among_those_taken() -> None:
    assert make_id("Call the hotline") == "call-the-hotline"
    assert make_id("Café Visit!") == "cafe-visit"
    assert make_id("Visit", taken={"visit", "visit-2"}) == "visit-3"
    assert make_id("漢字", fallback="step") == "step"
    assert len(make_id("x" * 200)) <= 64


def test_the_docs_example_import_is_what_the_import_writes() -> None:
    from journeymap.interchange import import_csv

    text = DOC.read_text(encoding="utf-8")
    table = re.search(r"```text\n(Step,Stage,Owner.*?)```", text, re.S)
    sample = re.search(r"  ```yaml\n(  # Imported by.*?)  \.\.\.\n", text, re.S)
    assert table and sample
    expected = "\n".join(line[2:] for line in sample.group(1).splitlines()) + "\n"
    assert import_csv(table.group(1), "workshop.csv").startswith(expected)
