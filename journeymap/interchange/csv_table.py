"""A journey as one CSV file: the spreadsheet layout of :mod:`journeymap.interchange.sheets`,
each table a section headed by a row ``# transitions``, ``# functions``, ... (cells separated by
``,``, or by ``;`` or tabs when the first header row is).

Rows before the first ``#`` row are the touchpoint table, so a plain workshop table (a header
and one row per step) imports as it is. A cell that a spreadsheet would run as a formula (it
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a leading
``'``, and so is one that starts with ``'`` or ``#`` or has spaces around it; on import a
leading ``'`` is dropped and the rest taken exactly as written (other cells lose surrounding
spaces). Inside a cell, a line that starts like a formula (or with ``'``) after a line break is
marked the same way and read back the same, so a tool that splits cells at line breaks finds no
live formula; cells with a line break or a quote are always quoted; a NUL is written as U+FFFD
(CSV readers stop at it). Problems cite ``file:row:column``, rows counted as a spreadsheet counts them.
"""

from __future__ import annotations

import csv
import io
import re

from journeymap.errors import InputError
from journeymap.interchange.sheets import (
    FORMULA_START,
    SHEETS,
    Cell,
    ImportedJourney,
    RawTable,
    format_number,
    journey_tables,
    normalise,
    sheet_for,
    tables_to_journey,
)
from journeymap.model import Journey, Location
from journeymap.suggest import did_you_mean

__all__ = ["MAX_FIELD", "export_csv", "import_csv", "read_csv_tables"]

MAX_FIELD = 128 * 1024
_SECTION = re.compile(r"#\s*(.+?)\s*\Z", re.S)


# A line inside a cell that starts like a formula (or with the ``'`` that marks one) gets a
# leading ``'`` too: a tool that splits cells at line breaks must not find a live formula.
_AFTER_BREAK = re.compile(r"([\r\n])(?=[=+\-@\t\r'])")
_MARKED_BREAK = re.compile(r"([\r\n])'")
#: What a NUL in journey text is written as: CSV readers stop or fail at a NUL byte.
NUL_STAND_IN = "\ufffd"


def csv_cell(value: str | int | float | None) -> str:
    """A cell as CSV text, neutralised so no spreadsheet runs it and it reads back unchanged."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return format_number(value)
    value = _AFTER_BREAK.sub(r"\1'", value.replace("\0", NUL_STAND_IN))
    if value.startswith((*FORMULA_START, "'", "#")) or value != value.strip():
        return "'" + value
    return value


def export_csv(journey: Journey) -> str:
    """The journey's tables in one CSV: ``# touchpoints`` first, then ``# transitions`` and the
    journey, stages and organisation tables, a blank row between them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; a \r in a cell gets quoted
    for index, table in enumerate(journey_tables(journey)):
        if index:
            writer.writerow([])
        writer.writerow([f"# {table.sheet.key}"])
        writer.writerow(table.header)
        for row in table.rows:
            writer.writerow(csv_cell(v) for v in row)
    return out.getvalue()


def _uncell(text: str) -> str:
    text = _MARKED_BREAK.sub(r"\1", text)
    return text[1:] if text.startswith("'") else text.strip()


def _delimiter(text: str) -> str:
    """``,``, or ``;`` or a tab when the first header row uses that instead (Excel in many
    European locales saves CSV with ``;``)."""
    for line in text.split("\n", 50)[:50]:
        if line.strip() and not line.lstrip().startswith("#"):
            counts = {d: line.count(d) for d in (",", ";", "\t")}
            best = max(counts, key=lambda d: counts[d])
            return best if counts[best] > counts[","] else ","
    return ","


def read_csv_tables(text: str, path: str) -> list[RawTable]:
    """The sections of a CSV file as raw tables (row numbers as a spreadsheet counts them)."""
    previous_limit = csv.field_size_limit(len(text) + 1)  # our own limit is checked per cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    tables: list[RawTable] = []
    current: RawTable | None = None
    row_number = 0
    try:
        for row_number, raw in enumerate(reader, start=1):
            for index, cell in enumerate(raw, start=1):
                if len(cell) > MAX_FIELD:
                    raise InputError.at(
                        Location(path, row_number, index),
                        f"cell is {len(cell)} characters long, more than {MAX_FIELD}",
                        "keep long text in the journey file's notes",
                    )
            if not any(c.strip() for c in raw):
                continue
            first = raw[0].strip()
            marker = _SECTION.match(first) if first.startswith("#") else None
            if marker and not any(c.strip() for c in raw[1:]):
                name = marker.group(1)
                if sheet_for(name) is None:
                    names = [s.key for s in SHEETS]
                    raise InputError.at(
                        Location(path, row_number, 1),
                        f"unknown section {first!r}",
                        did_you_mean(normalise(name), names)
                        or "sections are: " + ", ".join(f"# {n}" for n in names),
                    )
                current = RawTable(name, row_number + 1, [], [], row=row_number)
                tables.append(current)
                continue
            cells: list[Cell | None] = [
                Cell(_uncell(c), row_number, i) if _uncell(c) else None
                for i, c in enumerate(raw, start=1)
            ]
            if current is None:
                current = RawTable(None, row_number, cells, [], row=row_number)
                tables.append(current)
            elif not current.header:
                current.header, current.header_row = cells, row_number
            else:
                current.rows.append(cells)
    except csv.Error as err:
        raise InputError.at(
            Location(path, row_number + 1, 1),
            f"malformed CSV: {err}",
            "check for an unclosed quote on this row or the ones before",
        ) from None
    finally:
        csv.field_size_limit(previous_limit)
    return tables


def import_csv_tables(
    text: str, path: str, title: str | None = None, uses: str | None = None
) -> ImportedJourney:
    """Journey data from CSV text (see :func:`import_csv`)."""
    tables = read_csv_tables(text.lstrip("\ufeff"), path)
    if not tables or not any(t.header for t in tables):
        raise InputError.at(
            Location(path, 1, 1),
            "empty table",
            "start with a header row such as: name,stage,function,next",
        )
    return tables_to_journey(tables, path, title, uses)


def import_csv(text: str, path: str, title: str | None = None, uses: str | None = None) -> str:
    """Journey YAML text from a CSV table or a CSV written by :func:`export_csv`; problems cite
    ``path:row:column``; what was guessed is said in comments at the top.

    ``title`` wins over the journey section's; without either, one made from the file name. With
    ``uses`` (an organisation file) functions and systems the file does not declare are left
    to it.
    """
    from journeymap.interchange.plain import journey_yaml

    imported = import_csv_tables(text, path, title, uses)
    return journey_yaml(imported.doc, path, "csv", imported.guesses, imported.comments)
