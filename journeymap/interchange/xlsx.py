"""A journey as an Excel workbook (openpyxl): one sheet per table of the spreadsheet layout in
:mod:`journeymap.interchange.sheets` (Touchpoints, Transitions, Journey, Stages, Functions,
Systems, Integrations, Channels).

Text that a spreadsheet would run as a formula, or that has spaces around it, is stored as a
text cell with Excel's quote-prefix mark (what Excel itself stores when one types ``'=x``): it is
shown as written, never evaluated, and read back exactly; other text cells lose surrounding
spaces on import. Characters a workbook cannot hold (control characters) are written in the
OOXML ``_xHHHH_`` escape and decoded on import. The same journey always gives the same bytes:
fixed document timestamps and fixed times inside the zip.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

from defusedxml.common import DefusedXmlException

from journeymap.errors import InputError
from journeymap.interchange.sheets import (
    FORMULA_START,
    SHEETS,
    Cell,
    ImportedJourney,
    RawTable,
    format_number,
    journey_tables,
    sheet_for,
    tables_to_journey,
)
from journeymap.model import Journey, Location

__all__ = ["MAX_UNPACKED", "export_xlsx", "import_xlsx", "read_xlsx_tables"]

MAX_UNPACKED = 256 * 1024 * 1024  # a workbook that unpacks to more is refused (zip bombs)
_FIXED_TIME = "1980-01-01T00:00:00Z"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\r\x0e-\x1f]|_(?=x[0-9A-Fa-f]{4}_)")
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")
_WIDTHS = {"id": 18, "name": 32, "description": 40, "pains": 40, "gains": 32, "note": 40}


def _escape(text: str) -> str:
    return _ILLEGAL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _deterministic(data: bytes) -> bytes:
    """The workbook zip again with fixed member times and fixed document timestamps."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)",
                    lambda m: m.group(1) + _FIXED_TIME + m.group(3),
                    text,
                )
                body = text.encode("utf-8")
            member = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o600 << 16
            target.writestr(member, body)
    return out.getvalue()


def export_xlsx(journey: Journey) -> bytes:
    """The journey's tables as an .xlsx workbook, one sheet each, byte-identical on every run."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    fixed = dt.datetime(1980, 1, 1)
    book.properties.creator = "journeymap"
    book.properties.created = fixed
    book.properties.modified = fixed
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for table in journey_tables(journey):
        sheet = book.create_sheet(table.sheet.title)
        for col, name in enumerate(table.header, start=1):
            cell = sheet.cell(row=1, column=col, value=name)
            cell.font = bold
            sheet.column_dimensions[get_column_letter(col)].width = _WIDTHS.get(name, 14)
        sheet.freeze_panes = "A2"
        for row_index, row in enumerate(table.rows, start=2):
            for col, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=row_index, column=col)
                if isinstance(value, str):
                    cell.value = _escape(value)
                    cell.data_type = "s"  # never a formula, whatever it starts with
                    if value.startswith(FORMULA_START) or value != value.strip():
                        cell.quotePrefix = True
                    if "\n" in value:
                        cell.alignment = wrap
                else:
                    cell.value = value
    raw = io.BytesIO()
    book.save(raw)
    return _deterministic(raw.getvalue())


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    return _unescape(str(value))


def _defused(err: BaseException | None) -> DefusedXmlException | None:
    """The defusedxml refusal behind ``err`` (openpyxl wraps it in a ValueError), if any."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        if isinstance(err, DefusedXmlException):
            return err
        seen.add(id(err))
        err = err.__cause__ or err.__context__
    return None


def _check_xml(archive: zipfile.ZipFile) -> None:
    """Parse every XML part with defusedxml (entities and external references refused), for
    an openpyxl that was told not to use it (``OPENPYXL_DEFUSEDXML=False``)."""
    from defusedxml.ElementTree import iterparse

    for info in archive.infolist():
        if info.filename.endswith((".xml", ".rels", ".vml")):
            with archive.open(info) as part:
                try:
                    for _ in iterparse(part):
                        pass
                except DefusedXmlException:
                    raise
                except Exception:  # not well-formed: openpyxl says so below
                    continue


def _open(data: bytes, path: str, data_only: bool) -> Any:
    """The workbook, read by openpyxl; its XML through defusedxml (openpyxl uses it when it is
    installed, and it is a dependency), so an entity bomb or an external entity is refused."""
    import openpyxl
    from openpyxl import load_workbook

    if not openpyxl.DEFUSEDXML:
        _check_xml(zipfile.ZipFile(io.BytesIO(data)))
    return load_workbook(io.BytesIO(data), data_only=data_only)


def read_xlsx_tables(data: bytes, path: str) -> list[RawTable]:
    """The sheets of a workbook as raw tables: the sheets named as tables of the layout, and
    the first sheet as the touchpoints when no sheet is named so. Other sheets are skipped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    # a broken archive: also a name that is not UTF-8 (ValueError), an unknown zip version
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        raise InputError.at(
            Location(path, 1, 1), "not an .xlsx workbook", "save it from the spreadsheet as .xlsx"
        ) from None
    if unpacked > MAX_UNPACKED:
        raise InputError.at(
            Location(path, 1, 1),
            f"the workbook unpacks to {unpacked} bytes, more than {MAX_UNPACKED}",
            "split it, or export the touchpoints sheet alone",
        )
    try:
        book = _open(data, path, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a broken file
        refused = _defused(err)
        if refused is not None:
            name = getattr(refused, "name", None)
            what = f"entity {name!r}" if name else "an external reference"
            raise InputError.at(
                Location(path, 1, 1),
                f"the workbook's XML declares {what}: entity declarations and external "
                "references are refused (they can expand without bound or read other files)",
                "a spreadsheet saves none: open the file in a spreadsheet and save it as .xlsx",
            ) from None
        raise InputError.at(
            Location(path, 1, 1),
            f"cannot read the workbook ({type(err).__name__})",
            "save it from the spreadsheet as .xlsx",
        ) from None
    values: Any = None
    named = [ws for ws in book.worksheets if sheet_for(ws.title) is not None]
    has_touchpoints = any(sheet_for(ws.title) is SHEETS[0] for ws in named)
    chosen = list(book.worksheets) if not has_touchpoints else named
    tables: list[RawTable] = []
    problems = []
    for index, ws in enumerate(chosen):
        sheet = sheet_for(ws.title)
        if sheet is None and (has_touchpoints or index > 0):
            continue
        where = f"sheet {ws.title!r}: "
        rows: list[list[Cell | None]] = []
        for row in ws.iter_rows():
            cells: list[Cell | None] = []
            for cell in row:
                value = cell.value
                if cell.data_type == "f" or (
                    isinstance(value, str) and value.startswith("=") and cell.data_type != "s"
                ):
                    if values is None:
                        values = _open(data, path, data_only=True)
                    value = values[ws.title].cell(row=cell.row, column=cell.column).value
                    if value is None:
                        problems.append(
                            (cell.row, cell.column, where, "a formula with no saved value")
                        )
                        cells.append(None)
                        continue
                if value is None:
                    cells.append(None)
                    continue
                text = _text(value)
                if not (isinstance(value, str) and cell.quotePrefix):
                    text = text.strip()
                cells.append(Cell(text, cell.row, cell.column) if text else None)
            if any(c is not None for c in cells):
                rows.append(cells)
        name = sheet.key if sheet is not None and (has_touchpoints or index > 0) else None
        header = rows[0] if rows else []
        tables.append(
            RawTable(name, header[0].row if header and header[0] else 1, header, rows[1:], where)
        )
    if problems:
        from journeymap.errors import Problem

        raise InputError(
            Problem(
                Location(path, row, col),
                where + message,
                "open the file in a spreadsheet and save it, or paste the values",
            )
            for row, col, where, message in problems
        )
    return tables


def import_xlsx_tables(
    data: bytes, path: str, title: str | None = None, uses: str | None = None
) -> ImportedJourney:
    """Journey data from workbook bytes (see :func:`import_xlsx`)."""
    tables = read_xlsx_tables(data, path)
    if not any(t.header for t in tables):
        raise InputError.at(
            Location(path, 1, 1),
            "the workbook has no table",
            "put a header row such as name, stage, function, next on the first sheet",
        )
    return tables_to_journey(tables, path, title, uses)


def import_xlsx(data: bytes, path: str, title: str | None = None, uses: str | None = None) -> str:
    """Journey YAML text from a workbook (one written by :func:`export_xlsx`, or a touchpoint
    table on its first sheet); problems cite ``path:row:column`` and name the sheet."""
    from journeymap.interchange.plain import journey_yaml

    imported = import_xlsx_tables(data, path, title, uses)
    return journey_yaml(imported.doc, path, "xlsx", imported.guesses, imported.comments)
