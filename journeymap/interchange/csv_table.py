"""A journey as a touchpoint table (CSV): export for spreadsheets, import into a journey file.

Columns: id, name, stage, function, channel, systems, emotion, entry, volume, asks, next, outcome.
Lists are separated by ``;``; ``next`` items are ``target`` or ``target:share``. The table holds
touchpoints only: a transition's carries, owner, wait and note do not travel through it.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from typing import Any

import yaml

from journeymap.errors import InputError, Problem
from journeymap.model import Journey, Location
from journeymap.suggest import did_you_mean

__all__ = ["COLUMNS", "export_csv", "import_csv"]

COLUMNS = (
    "id",
    "name",
    "stage",
    "function",
    "channel",
    "systems",
    "emotion",
    "entry",
    "volume",
    "asks",
    "next",
    "outcome",
)
REQUIRED = ("id", "name", "stage", "function")
MAX_FIELD = 128 * 1024
# Spreadsheets run cells starting with these as formulas (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def export_csv(journey: Journey) -> str:
    """The touchpoint table; cells that a spreadsheet would run as formulas are quoted with '."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for tp in journey.touchpoints.values():
        nexts = "; ".join(
            t.target if t.share is None else f"{t.target}:{_number(t.share)}" for t in tp.next
        )
        writer.writerow(
            _cell(v)
            for v in (
                tp.id,
                tp.name,
                tp.stage,
                tp.function,
                tp.channel,
                "; ".join(tp.systems),
                tp.emotion,
                "true" if tp.entry else "",
                None if tp.volume is None else _number(tp.volume),
                "; ".join(tp.asks),
                nexts,
                tp.outcome,
            )
        )
    return out.getvalue()


def _uncell(text: str) -> str:
    text = text.strip()
    if text.startswith("'") and text[1:].startswith(_FORMULA_START):
        return text[1:]
    return text


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


class _Rows:
    """Collects row-level problems while turning table rows into touchpoint mappings."""

    def __init__(self, path: str, header: list[str]) -> None:
        self.path = path
        self.header = header
        self.problems: list[Problem] = []

    def problem(self, row: int, col: int, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(Location(self.path, row, col), message, hint))

    def touchpoint(self, row: int, cells: dict[str, tuple[int, str]]) -> dict[str, Any]:
        tp: dict[str, Any] = {}
        for key in ("name", "stage", "function", "channel", "outcome"):
            if key in cells and cells[key][1]:
                tp[key] = cells[key][1]
        for key in ("systems", "asks"):
            if key in cells and cells[key][1]:
                tp[key] = _split(cells[key][1])
        if "emotion" in cells and cells["emotion"][1]:
            col, text = cells["emotion"]
            if text.isdigit() and 1 <= int(text) <= 5:
                tp["emotion"] = int(text)
            else:
                self.problem(row, col, f"emotion must be a whole number 1..5, found {text!r}")
        if "entry" in cells and cells["entry"][1]:
            col, text = cells["entry"]
            if text.lower() in ("true", "yes", "1"):
                tp["entry"] = True
            elif text.lower() not in ("false", "no", "0"):
                self.problem(row, col, f"entry must be true or false, found {text!r}")
        if "volume" in cells and cells["volume"][1]:
            col, text = cells["volume"]
            try:
                volume = float(text)
            except ValueError:
                volume = math.nan
            if math.isfinite(volume) and volume >= 0:
                tp["volume"] = int(volume) if volume.is_integer() else volume
            else:
                self.problem(row, col, f"volume must be a number 0 or more, found {text!r}")
        if "next" in cells and cells["next"][1]:
            tp["next"] = self.transitions(row, *cells["next"])
        return tp

    def transitions(self, row: int, col: int, text: str) -> list[Any]:
        items: list[Any] = []
        for part in _split(text):
            target, _, share_text = part.partition(":")
            if not share_text:
                items.append(target.strip())
                continue
            try:
                share = float(share_text)
            except ValueError:
                share = math.nan
            if not (math.isfinite(share) and 0 <= share <= 1):
                self.problem(row, col, f"share in {part!r} must be a number from 0 to 1")
                continue
            items.append({"to": target.strip(), "share": share})
        return items


def _read_rows(text: str, path: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] = []
    try:
        for cells in reader:
            if not header:
                header = [c.strip().lower() for c in cells]
                continue
            for index, cell in enumerate(cells, start=1):
                if len(cell) > MAX_FIELD:
                    raise InputError.at(
                        Location(path, reader.line_num, index),
                        f"cell is {len(cell)} characters long, more than {MAX_FIELD}",
                        "keep long text in the journey file's notes",
                    )
            if any(c.strip() for c in cells):
                rows.append((reader.line_num, cells))
    except csv.Error as err:
        raise InputError.at(
            Location(path, reader.line_num, 1),
            f"malformed CSV: {err}",
            "check for an unclosed quote on this line or the ones before",
        ) from None
    return header, rows


def import_csv(text: str, path: str, title: str, uses: str | None = None) -> str:
    """Journey YAML text from a touchpoint table; problems cite ``path:row:column``.

    Without ``uses``, functions and systems named in the table are declared with their ids as
    names; with ``uses`` (an organisation file) they are left to it.
    """
    previous_limit = csv.field_size_limit(len(text) + 1)  # our own limit is checked per cell
    try:
        header, rows = _read_rows(text.lstrip("\ufeff"), path)
    finally:
        csv.field_size_limit(previous_limit)
    if not header:
        raise InputError.at(
            Location(path, 1, 1), "empty table", f"start with a header row: {','.join(COLUMNS)}"
        )
    table = _Rows(path, header)
    for col, name in enumerate(header, start=1):
        if name not in COLUMNS:
            hint = did_you_mean(name, COLUMNS) or f"columns are: {', '.join(COLUMNS)}"
            table.problem(1, col, f"unknown column {name!r}", hint)
    for name in REQUIRED:
        if name not in header:
            table.problem(
                1, 1, f"missing column {name!r}", f"required columns: {', '.join(REQUIRED)}"
            )
    touchpoints: dict[str, dict[str, Any]] = {}
    for row, cells in rows:
        named = {
            name: (col, _uncell(cells[col - 1]) if col <= len(cells) else "")
            for col, name in enumerate(header, start=1)
            if name in COLUMNS
        }
        for name in REQUIRED:
            if name in named and not named[name][1]:
                table.problem(row, named[name][0], f"{name} is empty", "every touchpoint needs one")
        tp_id = named.get("id", (1, ""))[1]
        if tp_id in touchpoints:
            table.problem(row, named["id"][0], f"duplicate touchpoint id {tp_id!r}")
            continue
        touchpoints[tp_id] = table.touchpoint(row, named)
    if table.problems:
        raise InputError(table.problems)
    return _journey_yaml(title, uses, touchpoints.items())


def _journey_yaml(
    title: str, uses: str | None, touchpoints: Iterable[tuple[str, dict[str, Any]]]
) -> str:
    tps = dict(touchpoints)
    doc: dict[str, Any] = {"journeymap": 1, "title": title}
    if uses:
        doc["uses"] = uses
    else:
        functions = dict.fromkeys(tp["function"] for tp in tps.values())
        systems = dict.fromkeys(s for tp in tps.values() for s in tp.get("systems", ()))
        doc["functions"] = {f: {"name": f} for f in functions}
        if systems:
            doc["systems"] = {s: {"name": s} for s in systems}
    doc["stages"] = list(dict.fromkeys(tp["stage"] for tp in tps.values()))
    doc["touchpoints"] = tps
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)
    return "# Imported by `journeymap import`; review names, owners and waits.\n" + body
