"""The spreadsheet layout that ``csv`` and ``xlsx`` share: a journey as tables of text cells.

One table per kind of thing: touchpoints (one row each), transitions, the journey's own fields,
stages, functions, systems, integrations and channels. :data:`SHEETS` declares every table and
column with the header names accepted for it (matched case-insensitively, ``_`` and ``-`` read
as spaces); docs/interchange.md shows the same tables (:func:`layout_markdown`).

:func:`journey_tables` turns a journey into tables; :func:`tables_to_journey` turns tables read
from a file back into journey data, guessing what a hand-made table leaves out (ids from names,
stages and functions from the touchpoint rows, transitions from row order) and saying so. The
cell syntax (lists one item per line, ``name: value`` KPIs, the ``next`` shorthand) is here too,
so export and import cannot drift apart. The file formats only read and write cells.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from journeymap.durations import DURATION_EXAMPLES, UNIT_HOURS, parse_duration
from journeymap.errors import SUMMARY_KEEP, SUMMARY_LIMIT, InputError, Problem
from journeymap.fields import ID_PATTERN, MAX_ID_LENGTH
from journeymap.model import Journey, Location
from journeymap.suggest import did_you_mean

__all__ = [
    "Cell",
    "Column",
    "Sheet",
    "SHEETS",
    "RawTable",
    "ImportedJourney",
    "journey_tables",
    "tables_to_journey",
    "make_id",
    "format_hours",
    "layout_markdown",
]

# Spreadsheets run cells starting with these as formulas (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    """A column: its canonical header, the other headers read as it, and what it holds."""

    key: str
    synonyms: tuple[str, ...] = ()
    meaning: str = ""


@dataclass(frozen=True)
class Sheet:
    """A table: the sheet (xlsx) or ``# section`` (csv) name, other names read as it, columns."""

    key: str
    title: str
    columns: tuple[Column, ...]
    synonyms: tuple[str, ...] = ()
    meaning: str = ""

    def column_names(self) -> dict[str, str]:
        """Every accepted (normalised) header -> the column key."""
        names: dict[str, str] = {}
        for column in self.columns:
            for name in (column.key, *column.synonyms):
                names[normalise(name)] = column.key
        return names


def _c(key: str, synonyms: str, meaning: str) -> Column:
    return Column(key, tuple(s.strip() for s in synonyms.split(",") if s.strip()), meaning)


# One line per column: key, the other headers read as it, what it holds.
# fmt: off
SHEETS: tuple[Sheet, ...] = (
    Sheet(
        "touchpoints",
        "Touchpoints",
        (
            _c("id", "touchpoint id, step id, key", "Touchpoint id; made from the name when missing."),
            _c("name", "step, touchpoint, step name, touchpoint name, activity, task, action", "What happens, as the customer would say it."),
            _c("stage", "phase, journey stage, section", "Stage id or name."),
            _c("function", "owner, department, team, silo, function id, owned by, lane, actor", "The function that runs the step: id or name."),
            _c("channel", "medium, via", "Channel id (web, phone, ...) or name."),
            _c("systems", "system, tools, tool, applications, apps", "Systems used: ids or names, separated by `;`, `,` or line breaks."),
            _c("emotion", "feeling, score, mood, sentiment", "Whole number 1 (frustrated) .. 5 (delighted)."),
            _c("entry", "start, entry point, starts here", "`true` where customers start (also yes/no, 1/0, x)."),
            _c("volume", "customers, count", "Customers entering here per period (entries only)."),
            _c("asks", "asks for, information asked, customer gives, inputs", "Information the customer gives here: ids, separated by `;`, `,` or line breaks."),
            _c("pains", "pain, pain points, pain point, frustrations, problems", "One pain per line."),
            _c("gains", "gain, delights, highlights, positives", "One gain per line."),
            _c("kpis", "kpi, metrics, measures", "One `name: value` per line."),
            _c("evidence", "physical evidence, props, artefacts, artifacts", "What the customer sees or keeps, one per line."),
            _c("notes", "note, comments, comment", "One note per line."),
            _c("ideas", "idea, improvements, opportunities", "One idea per line."),
            _c("outcome", "result, end state", "Outcome of a terminal step: won, lost, ..."),
            _c("description", "details, what happens", "Longer free text."),
            _c("next", "next step, next steps, goes to, leads to, then", "Where customers go next, in the `next` cell syntax."),
        ),
        ("touchpoint", "steps", "journey map", "map"),
        "One row per touchpoint, in journey order. Required: `stage` and `function`, and `id` or `name`.",
    ),
    Sheet(
        "transitions",
        "Transitions",
        (
            _c("from", "source, from step, from touchpoint", "Touchpoint id or name."),
            _c("to", "target, to step, to touchpoint", "Touchpoint id or name."),
            _c("share", "probability, split, percent, %", "Fraction 0..1 (or a percentage, `60%`) of customers leaving `from` who go here."),
            _c("wait", "delay, wait time, lead time", "Wait before `to`: 30m, 4h, 2d or 1w."),
            _c("owner", "accountable, handoff owner", "Function accountable for the handoff: id or name."),
            _c("carries", "context, handed over, passes on", "Context handed over: ids, separated by `;`, `,` or line breaks."),
            _c("note", "notes, comment", "Free text."),
        ),
        ("transition", "flows", "next", "handoffs"),
        "One row per transition, grouped by `from` in the order given.",
    ),
    Sheet(
        "journey",
        "Journey",
        (
            _c("field", "key, property", "id, title, persona, owner (a function) or description."),
            _c("value", "", "Its value."),
        ),
        ("about",),
        "The journey's own fields, one per row.",
    ),
    Sheet(
        "stages",
        "Stages",
        (
            _c("id", "stage id", "Stage id."),
            _c("name", "stage, stage name", "Display name."),
        ),
        ("stage", "phases"),
        "The stages in order (also those without touchpoints).",
    ),
    Sheet(
        "functions",
        "Functions",
        (
            _c("id", "function id", "Function id."),
            _c("name", "function, department, team", "Display name."),
            _c("lead", "executive, head, led by, leader", "The executive who leads it."),
        ),
        ("function", "departments", "teams", "silos"),
        "The functional silos.",
    ),
    Sheet(
        "systems",
        "Systems",
        (
            _c("id", "system id", "System id."),
            _c("name", "system", "Display name."),
            _c("owner", "owned by, owning function", "Owning function: id or name."),
            _c("shadow", "shadow it, unofficial", "`true` when bought outside IT governance."),
        ),
        ("system", "tools", "applications"),
        "Systems and who owns each.",
    ),
    Sheet(
        "integrations",
        "Integrations",
        (
            _c("from", "a, system a, source", "System id or name."),
            _c("to", "b, system b, target", "System id or name."),
            _c("one way", "oneway, one way only", "`true`: data flows from `from` to `to` only."),
        ),
        ("integration", "data flows", "interfaces"),
        "Data flows between systems, both ways unless one-way.",
    ),
    Sheet(
        "channels",
        "Channels",
        (
            _c("id", "channel id", "Channel id."),
            _c("name", "channel", "Display name."),
        ),
        ("channel",),
        "Display names of channels.",
    ),
)
# fmt: on
SHEET = {sheet.key: sheet for sheet in SHEETS}
JOURNEY_FIELDS = ("id", "title", "persona", "owner", "description")
_TEXT_LISTS = ("pains", "gains", "notes", "ideas", "evidence")
_ID = re.compile(ID_PATTERN + r"\Z")


def normalise(name: str) -> str:
    """A header or sheet name as matched: case-folded, ``_``/``-`` as spaces, spaces collapsed."""
    return " ".join(re.sub(r"[_\-]+", " ", name).casefold().split())


def sheet_for(name: str) -> Sheet | None:
    """The table a sheet or section name means, if any."""
    wanted = normalise(name)
    for sheet in SHEETS:
        if wanted in {normalise(n) for n in (sheet.key, sheet.title, *sheet.synonyms)}:
            return sheet
    return None


_TRANSITION_COLUMNS = set(SHEET["transitions"].column_names()) - set(
    SHEET["touchpoints"].column_names()
)


def make_id(text: str, taken: Iterable[str] = (), fallback: str = "item") -> str:
    """A slug id from display text (accents dropped), unique among ``taken`` (``-2``, ``-3``...)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", plain).strip("-_")[: MAX_ID_LENGTH - 4] or fallback
    used = set(taken)
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def format_number(value: float) -> str:
    """A number as text that reads back as exactly the same number."""
    if float(value).is_integer() and abs(value) < 1e16:
        return str(int(value))
    return repr(float(value))


def format_hours(hours: float) -> str:
    """A wait in the journey format's duration grammar (``2d``, ``1.5w``, ``30m``) that reads
    back as exactly ``hours``: the largest unit giving a short number of at least 1, else any
    short one, else the exact hours."""
    for least in (1.0, 0.0):
        for unit in ("w", "d", "h", "m"):
            amount = hours / UNIT_HOURS[unit]
            text = f"{round(amount, 3):f}".rstrip("0").rstrip(".")
            if amount >= least and parse_duration(text + unit) == hours:
                return text + unit
    text = format_number(hours)
    if "e" not in text and parse_duration(text + "h") == hours:
        return text + "h"
    text = format(hours, ".17f").rstrip("0").rstrip(".")
    return text + "h"


# --------------------------------------------------------------------------------------------
# Cell syntax: lists of text, KPIs, id lists


def _needs_quotes(item: str) -> bool:
    return item != item.strip() or "\n" in item or "\r" in item or item.startswith('"')


def join_texts(items: Sequence[str]) -> str:
    """Text items one per line; an item with a line break, surrounding spaces or a leading
    double quote is written as a JSON string so it reads back unchanged."""
    return "\n".join(json.dumps(i, ensure_ascii=False) if _needs_quotes(i) else i for i in items)


def _unquote(text: str) -> str:
    if text.startswith('"'):
        try:
            value = json.loads(text)
        except ValueError:
            return text
        if isinstance(value, str):
            return value
    return text


def split_texts(cell: str) -> list[str]:
    """The items of a text-list cell (one per line; JSON strings unquoted)."""
    return [_unquote(line.strip()) for line in cell.split("\n") if line.strip()]


def join_kpis(kpis: Sequence[tuple[str, str]]) -> str:
    """KPIs one ``name: value`` per line (names or values that would not read back, quoted)."""
    lines = []
    for name, value in kpis:
        key = json.dumps(name, ensure_ascii=False) if _needs_quotes(name) or ":" in name else name
        val = json.dumps(value, ensure_ascii=False) if _needs_quotes(value) else value
        lines.append(f"{key}: {val}")
    return "\n".join(lines)


def split_kpis(cell: str) -> list[tuple[str, str]] | str:
    """The ``(name, value)`` pairs of a KPI cell, or the line that is not ``name: value``."""
    out = []
    for raw in cell.split("\n"):
        line = raw.strip()
        if not line:
            continue
        if line.startswith('"'):
            try:
                name, end = json.JSONDecoder().raw_decode(line)
            except ValueError:
                return line
            rest = line[end:].lstrip()
            if not isinstance(name, str) or not rest.startswith(":"):
                return line
            value = rest[1:]
        else:
            name, sep, value = line.partition(":")
            if not sep:
                return line
            name = name.strip()
        value = value.strip()
        if not name or not value:
            return line
        out.append((name, _unquote(value)))
    return out


def join_ids(ids: Sequence[str]) -> str:
    return "; ".join(ids)


def split_ids(cell: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;,\n]", cell) if part.strip()]


# --------------------------------------------------------------------------------------------
# Export

Value = str | int | float | None


@dataclass(frozen=True)
class Table:
    """A table to write: its sheet, header and rows (text, numbers, or None for empty)."""

    sheet: Sheet
    header: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]


def _bool(value: bool | None) -> str | None:
    return None if value is None else ("true" if value else "false")


def _num(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() and abs(value) < 1e16 else float(value)


def journey_tables(journey: Journey) -> list[Table]:
    """The journey as the tables of :data:`SHEETS`, lossless: importing them gives the same
    journey (the organisation files it uses merged in). Tables with nothing to say are left
    out, except touchpoints, transitions and stages."""

    def table(key: str, rows: Iterable[tuple[Value, ...]]) -> Table:
        sheet = SHEET[key]
        return Table(sheet, tuple(c.key for c in sheet.columns), tuple(rows))

    tps = journey.touchpoints.values()
    touchpoint_rows = [
        (
            tp.id,
            tp.name,
            tp.stage,
            tp.function,
            tp.channel,
            join_ids(tp.systems) or None,
            tp.emotion,
            _bool(tp.entry),
            _num(tp.volume),
            join_ids(tp.asks) or None,
            join_texts(tp.pains) or None,
            join_texts(tp.gains) or None,
            join_kpis(tp.kpis) or None,
            join_texts(tp.evidence) or None,
            join_texts(tp.notes) or None,
            join_texts(tp.ideas) or None,
            tp.outcome,
            tp.description,
            None,
        )
        for tp in tps
    ]
    transition_rows = [
        (
            t.source,
            t.target,
            _num(t.share),
            None if t.wait_hours is None else format_hours(t.wait_hours),
            t.owner,
            join_ids(t.carries) or None,
            t.note,
        )
        for t in journey.transitions()
    ]
    fields = (
        ("id", journey.id),
        ("title", journey.title),
        ("persona", journey.persona),
        ("owner", journey.owner),
        ("description", journey.description),
    )
    tables = [
        table("touchpoints", touchpoint_rows),
        table("transitions", transition_rows),
        table("journey", [(k, v) for k, v in fields if v is not None]),
        table("stages", [(s.id, s.name) for s in journey.stages]),
        table("functions", [(f.id, f.name, f.lead) for f in journey.functions.values()]),
        table(
            "systems",
            [
                (s.id, s.name, s.owner, "true" if s.shadow else None)
                for s in journey.systems.values()
            ],
        ),
        table(
            "integrations",
            [(i.a, i.b, "true" if i.one_way else None) for i in journey.integrations],
        ),
        table("channels", [(c.id, c.name) for c in journey.channels.values()]),
    ]
    keep = {"touchpoints", "transitions", "stages"}
    out = []
    for t in tables:
        header = t.header if t.sheet.key != "touchpoints" else t.header[:-1]  # no 'next' column
        rows = t.rows if t.sheet.key != "touchpoints" else tuple(r[:-1] for r in t.rows)
        if rows or t.sheet.key in keep:
            out.append(Table(t.sheet, header, rows))
    return out


# --------------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class Cell:
    """A cell read from a file: its text (surrounding spaces dropped unless ``literal``)."""

    text: str
    row: int
    col: int


@dataclass
class RawTable:
    """A table as read from a file: its name there (None: the first, unnamed CSV section),
    the header row and the data rows (each a list of cells, ``None`` where empty)."""

    name: str | None
    header_row: int
    header: list[Cell | None]
    rows: list[list[Cell | None]]
    where: str = ""  # prefix for messages, e.g. "sheet 'Transitions': "
    row: int = 1  # where the table starts, for table-wide problems
    col: int = 1


@dataclass(frozen=True)
class ImportedJourney:
    """Journey data ready to be written as YAML, and what the import guessed."""

    doc: dict[str, Any]
    guesses: tuple[str, ...]
    comments: Mapping[tuple[str, str], str] = field(default_factory=dict)


def _target(item: Any) -> str:
    return item if isinstance(item, str) else str(item["to"])


def _list_some(items: Sequence[str], n: int = 6) -> str:
    shown = ", ".join(items[:n])
    return shown + (f" and {len(items) - n} more" if len(items) > n else "")


class _Importer:
    """Reads :class:`RawTable` rows into journey data, collecting every located problem."""

    def __init__(self, path: str, uses: str | None) -> None:
        self.path = path
        self.uses = uses
        self.problems: list[Problem] = []
        self.guesses: list[str] = []
        self.comments: dict[tuple[str, str], str] = {}
        self.where_columns: dict[int, dict[str, int]] = {}
        self.known: Mapping[str, Mapping[str, str]] | None = None
        self.names: dict[str, list[str]] = {}  # touchpoint name (case-folded) -> ids
        self.rows_of: dict[str, dict[str, Cell]] = {}  # touchpoint id -> its row's cells

    # -- problems and cells ------------------------------------------------------------

    def problem(
        self, table: RawTable, cell: Cell | None, message: str, hint: str | None = None
    ) -> None:
        row, col = (cell.row, cell.col) if cell else (table.row, table.col)
        self.problems.append(Problem(Location(self.path, row, col), table.where + message, hint))

    def columns(self, table: RawTable, sheet: Sheet) -> dict[str, int]:
        """Column key -> position in the row, from the header. A header close to a known one
        (a typo) or repeating one is a problem; any other unknown column is skipped, and that
        is said."""
        names = sheet.column_names()
        found: dict[str, int] = {}
        skipped: list[str] = []
        for index, cell in enumerate(table.header):
            if cell is None:
                continue
            key = names.get(normalise(cell.text))
            if key is None:
                close = did_you_mean(normalise(cell.text), list(names))
                if sheet.key == "touchpoints" and normalise(cell.text) in _TRANSITION_COLUMNS:
                    hint = (
                        "that is a column of the transitions table; here, write it in the next "
                        "cell: 'target (share 0.6, wait 2d, owner sales, carries contact)'"
                    )
                    self.problem(table, cell, f"unknown column {cell.text!r}", hint)
                elif close:
                    self.problem(table, cell, f"unknown column {cell.text!r}", close)
                else:
                    skipped.append(cell.text)
            elif key in found:
                first = table.header[found[key]]
                self.problem(
                    table,
                    cell,
                    f"column {cell.text!r} says the same as {first.text if first else key!r}",
                    "keep one of them",
                )
            else:
                found[key] = index
        self.where_columns[id(table)] = found
        self.guesses += _skipped_columns(skipped, sheet.key)
        return found

    def missing(
        self, table: RawTable, cells: Mapping[str, Cell], key: str, message: str, hint: str
    ) -> None:
        """A problem at the empty ``key`` cell of a row (or its first cell, with no such column)."""
        first = next(iter(cells.values()))
        col = self.where_columns.get(id(table), {}).get(key)
        self.problem(
            table, Cell("", first.row, first.col if col is None else col + 1), message, hint
        )

    def cells(self, row: list[Cell | None], columns: Mapping[str, int]) -> dict[str, Cell]:
        out = {}
        for key, index in columns.items():
            cell = row[index] if index < len(row) else None
            if cell is not None and cell.text:
                out[key] = cell
        return out

    def number(
        self,
        table: RawTable,
        cell: Cell,
        what: str,
        low: float,
        high: float,
        label: str | None = None,
    ) -> float | None:
        """A number from ``low`` to ``high`` (a percentage, ``60%``, when ``high`` is 1)."""
        text = cell.text.strip()
        percent = text.endswith("%")
        try:
            value = float(text[:-1] if percent else text)
        except ValueError:
            value = math.nan
        if percent:
            value /= 100
        if not (math.isfinite(value) and low <= value <= high):
            span = (
                f"from {format_number(low)} to {format_number(high)}"
                if math.isfinite(high)
                else f"{format_number(low)} or more"
            )
            if label is not None:
                self.problem(table, cell, f"{label} must be a number {span}")
            else:
                self.problem(table, cell, f"{what} must be a number {span}, found {cell.text!r}")
            return None
        return value

    def boolean(self, table: RawTable, cell: Cell, what: str) -> bool | None:
        text = cell.text.strip().casefold()
        if text in ("true", "yes", "y", "1", "x", "✓", "✔"):
            return True
        if text in ("false", "no", "n", "0"):
            return False
        self.problem(table, cell, f"{what} must be true or false, found {cell.text!r}")
        return None

    def ident(self, table: RawTable, cell: Cell, what: str, text: str | None = None) -> str | None:
        value = cell.text if text is None else text
        if _ID.match(value) and len(value) <= MAX_ID_LENGTH:
            return value
        slug = make_id(value)
        self.problem(
            table,
            cell,
            f"{what} {value!r} is not an id",
            f"ids are lower-case slugs (a-z, 0-9, '-', '_'); try '{slug}'",
        )
        return None

    def id_list(self, table: RawTable, cell: Cell, what: str, kind: str) -> list[str]:
        """Ids from a list cell; items that are not ids become ids, and that is said."""
        out: list[str] = []
        for item in split_ids(cell.text):
            value = (
                item
                if _ID.match(item) and len(item) <= MAX_ID_LENGTH
                else make_id(item, fallback=kind)
            )
            if value != item:
                self.guesses.append(f"{what} {item!r} read as the id '{value}'")
            if value not in out:
                out.append(value)
        return out

    # -- the whole book ----------------------------------------------------------------

    def run(self, tables: Sequence[RawTable], title: str | None) -> ImportedJourney:
        by_key: dict[str, RawTable] = {}
        for table in tables:
            sheet = SHEET["touchpoints"] if table.name is None else sheet_for(table.name)
            if sheet is None:
                continue  # the format reader decides what to do with unknown names
            if sheet.key in by_key:
                self.problem(table, None, f"a second {sheet.key} table", "merge the two into one")
                continue
            by_key[sheet.key] = table
        if "touchpoints" not in by_key:
            raise InputError.at(
                Location(self.path, 1, 1),
                "no touchpoints table",
                "start with a header row such as: name,stage,function,next",
            )
        meta = self.journey_fields(by_key.get("journey"))
        stages = self.named_table(by_key.get("stages"), "stages", ("id", "name"))
        functions = self.named_table(by_key.get("functions"), "functions", ("id", "name", "lead"))
        systems = self.named_table(
            by_key.get("systems"), "systems", ("id", "name", "owner", "shadow")
        )
        channels = self.named_table(by_key.get("channels"), "channels", ("id", "name"))
        refs = {
            "stage": _Refs("stage", stages, by_key.get("stages") is not None),
            "function": _Refs(
                "function", functions, by_key.get("functions") is not None or bool(self.uses)
            ),
            "system": _Refs(
                "system", systems, by_key.get("systems") is not None or bool(self.uses)
            ),
            "channel": _Refs("channel", channels, False),
        }
        tps, order = self.touchpoints(by_key["touchpoints"], refs)
        if self.problems:
            raise InputError(self.problems)
        has_next = any("next" in tp for tp in tps.values())
        if "transitions" in by_key:
            self.transitions(by_key["transitions"], tps, order, refs)
        elif not has_next and len(order) > 1:
            for source, target in zip(order, order[1:], strict=False):
                tps[source]["next"] = [target]
            self.guesses.append(
                "transitions: no 'next' column and no transitions table, so each row leads to "
                "the row below it"
            )
        for source, tp in tps.items() if "transitions" not in by_key else ():
            nexts = tp.get("next", [])
            if len(nexts) > 1 and not any(isinstance(n, dict) and "share" in n for n in nexts):
                self.guesses.append(
                    f"'{source}' has {len(nexts)} ways on and no shares: split evenly"
                )
        for ident, tp in tps.items():
            cells = self.rows_of.get(ident, {})
            if tp.get("next") and "outcome" in cells:
                self.problem(
                    by_key["touchpoints"],
                    cells["outcome"],
                    f"outcome on '{ident}', which leads on (to '{_target(tp['next'][0])}')",
                    "an outcome belongs to a touchpoint with no next step",
                )
        if "integrations" in by_key:
            integrations = self.integrations(by_key["integrations"], refs["system"])
        else:
            integrations = []
        if self.problems:
            raise InputError(self.problems)

        owner = meta.get("owner")
        if owner is not None:
            cell, text = owner
            meta["owner"] = refs["function"].resolve(self, by_key["journey"], cell, text)
        for system in systems.values():
            if system.get("owner") is not None:
                cell, text = system["owner"]
                system["owner"] = refs["function"].resolve(self, by_key["systems"], cell, text)
        if self.problems:
            raise InputError(self.problems)
        return self.document(meta, title, refs, tps, integrations)

    def document(
        self,
        meta: dict[str, Any],
        title: str | None,
        refs: Mapping[str, _Refs],
        tps: dict[str, dict[str, Any]],
        integrations: list[dict[str, Any]],
    ) -> ImportedJourney:
        doc: dict[str, Any] = {"journeymap": 1}
        for key in JOURNEY_FIELDS:
            if key == "title":
                doc["title"] = title or meta.get("title") or _title_from(self.path)
            elif meta.get(key) is not None:
                doc[key] = meta[key]
        if self.uses:
            doc["uses"] = self.uses
        for kind, key, fields in (
            ("function", "functions", ("name", "lead")),
            ("system", "systems", ("name", "owner", "shadow")),
            ("channel", "channels", ("name",)),
        ):
            entries = refs[kind].declared(fields)
            if entries:
                doc[key] = entries
        if integrations:
            doc["integrations"] = integrations
        doc["stages"] = [
            stage_id
            if entry.get("name") in (None, stage_id)
            else {"id": stage_id, "name": entry["name"]}
            for stage_id, entry in refs["stage"].declared(("name",)).items()
        ]
        doc["touchpoints"] = tps
        for kind in ("stage", "function", "system", "channel"):
            guessed = refs[kind].guessed
            if guessed:
                made = [f"'{i}' ({t})" if i != t else f"'{i}'" for i, t in guessed.items()]
                what = f"{kind}s"
                order = ", in the order they first appear" if kind == "stage" else ""
                self.guesses.append(
                    f"{what} declared from the touchpoint rows{order}: {_list_some(made)}"
                )
                section = "stages" if kind == "stage" else f"{kind}s"
                for i, t in guessed.items():
                    self.comments[(section, i)] = f"guessed from {t!r}" if i != t else "guessed"
        return ImportedJourney(doc, tuple(dict.fromkeys(self.guesses)), dict(self.comments))

    # -- tables ------------------------------------------------------------------------

    def journey_fields(self, table: RawTable | None) -> dict[str, Any]:
        if table is None:
            return {}
        out: dict[str, Any] = {}
        rows = list(table.rows)
        header = [c for c in table.header if c is not None]
        first = [c.text for c in header]
        if not (first and normalise(first[0]) in {"field", "key", "property"}):
            rows.insert(0, table.header)
        for row in rows:
            cells = [c for c in row if c is not None]
            if not cells:
                continue
            key_cell = row[0] if row and row[0] is not None else None
            if key_cell is None:
                self.problem(
                    table, cells[0], "a value with no field name", "put the field in column 1"
                )
                continue
            key = normalise(key_cell.text)
            value = row[1] if len(row) > 1 else None
            if key not in JOURNEY_FIELDS:
                self.problem(
                    table,
                    key_cell,
                    f"unknown journey field {key_cell.text!r}",
                    did_you_mean(key, JOURNEY_FIELDS) or "fields are: " + ", ".join(JOURNEY_FIELDS),
                )
                continue
            if value is None or not value.text:
                continue
            if key == "id":
                out["id"] = self.ident(table, value, "journey id")
            elif key == "owner":
                out["owner"] = (value, value.text)
            else:
                out[key] = value.text
        return out

    def named_table(
        self, table: RawTable | None, key: str, fields: tuple[str, ...]
    ) -> dict[str, dict[str, Any]]:
        """Rows of a stages/functions/systems/channels table by id (made from the name when the
        id is missing). ``owner`` stays (cell, text) until functions are known."""
        out: dict[str, dict[str, Any]] = {}
        if table is None:
            return out
        sheet = SHEET[key]
        columns = self.columns(table, sheet)
        if "id" not in columns and "name" not in columns:
            self.problem(table, None, f"the {key} table needs an 'id' or a 'name' column")
            return out
        pending: list[tuple[Cell, dict[str, Any]]] = []
        for row in table.rows:
            cells = self.cells(row, columns)
            if not cells:
                continue
            entry: dict[str, Any] = {}
            if "name" in cells:
                entry["name"] = cells["name"].text
            if "lead" in fields and "lead" in cells:
                entry["lead"] = cells["lead"].text
            if "owner" in fields and "owner" in cells:
                entry["owner"] = (cells["owner"], cells["owner"].text)
            if (
                "shadow" in fields
                and "shadow" in cells
                and self.boolean(table, cells["shadow"], "shadow")
            ):
                entry["shadow"] = True
            if "id" in cells:
                ident = self.ident(table, cells["id"], f"{key[:-1]} id")
                if ident is None:
                    continue
                if ident in out:
                    self.problem(
                        table, cells["id"], f"{key[:-1]} '{ident}' is listed twice", "keep one row"
                    )
                    continue
                out[ident] = entry
            else:
                pending.append((next(iter(cells.values())), entry))
        for cell, entry in pending:
            if "name" not in entry:
                self.problem(table, cell, f"a {key[:-1]} with neither id nor name")
                continue
            ident = make_id(entry["name"], out, fallback=key[:-1])
            self.guesses.append(f"{key[:-1]} id '{ident}' made from the name {entry['name']!r}")
            out[ident] = entry
        return out

    def touchpoints(
        self, table: RawTable, refs: Mapping[str, _Refs]
    ) -> tuple[dict[str, dict[str, Any]], list[str]]:
        sheet = SHEET["touchpoints"]
        columns = self.columns(table, sheet)
        if "id" not in columns and "name" not in columns:
            self.problem(
                table,
                None,
                "missing column 'name' (or 'id')",
                "name each touchpoint in a 'name' column",
            )
        if "function" not in columns:
            self.problem(
                table,
                None,
                "missing column 'function'",
                "say who runs each step in a 'function' (or 'owner', 'department') column",
            )
        if "function" not in columns or ("id" not in columns and "name" not in columns):
            raise InputError(self.problems)
        rows = [(row, self.cells(row, columns)) for row in table.rows]
        rows = [(row, cells) for row, cells in rows if cells]
        taken: dict[str, Cell] = {}
        ids: list[str | None] = []
        for _, cells in rows:  # explicit ids first, so made-up ones avoid them
            ident = None
            if "id" in cells:
                ident = self.ident(table, cells["id"], "touchpoint id")
                if ident is not None and ident in taken:
                    first = taken[ident]
                    self.problem(
                        table,
                        cells["id"],
                        f"duplicate touchpoint id {ident!r}",
                        f"first in row {first.row}",
                    )
                    ident = None
                elif ident is not None:
                    taken[ident] = cells["id"]
            ids.append(ident)
        made: list[str] = []
        for index, (_, cells) in enumerate(rows):
            if ids[index] is not None or "id" in cells:
                continue
            if "name" not in cells:
                self.missing(
                    table, cells, "name", "name is empty", "every touchpoint needs a name or an id"
                )
                continue
            ident = make_id(cells["name"].text, taken, fallback="step")
            taken[ident] = cells["name"]
            ids[index] = ident
            made.append(ident)
            self.comments[("touchpoints", ident)] = f"id made from the name {cells['name'].text!r}"
        if made:
            self.guesses.append(f"touchpoint ids made from names: {_list_some(made)}")
        no_stage = "stage" not in columns
        if no_stage:
            self.guesses.append("no 'stage' column: every touchpoint is in one stage, 'journey'")
        self.names.clear()
        tps: dict[str, dict[str, Any]] = {}
        order: list[str] = []
        next_cells: dict[str, Cell] = {}
        for index, (_, cells) in enumerate(rows):
            ident = ids[index]
            if ident is None:
                continue
            tp = self.touchpoint(table, cells, refs, no_stage)
            tps[ident] = tp
            self.rows_of[ident] = dict(cells)
            order.append(ident)
            if "name" in cells:
                self.names.setdefault(cells["name"].text.casefold(), []).append(ident)
            if "next" in cells:
                next_cells[ident] = cells["next"]
        for ident, cell in next_cells.items():
            tps[ident]["next"] = self.next_cell(table, cell, ident, tps, refs)
        return tps, order

    def touchpoint(
        self, table: RawTable, cells: Mapping[str, Cell], refs: Mapping[str, _Refs], no_stage: bool
    ) -> dict[str, Any]:
        tp: dict[str, Any] = {}
        if "name" in cells:
            tp["name"] = cells["name"].text
        if "description" in cells:
            tp["description"] = cells["description"].text
        if no_stage:
            tp["stage"] = refs["stage"].resolve(self, table, None, "journey")
        elif "stage" in cells:
            tp["stage"] = refs["stage"].resolve(self, table, cells["stage"], cells["stage"].text)
        else:
            self.missing(table, cells, "stage", "stage is empty", "every touchpoint needs a stage")
        if "function" in cells:
            tp["function"] = refs["function"].resolve(
                self, table, cells["function"], cells["function"].text
            )
        else:
            self.missing(
                table, cells, "function", "function is empty", "every touchpoint needs a function"
            )
        if "channel" in cells:
            tp["channel"] = refs["channel"].resolve(
                self, table, cells["channel"], cells["channel"].text
            )
        if "systems" in cells:
            systems = []
            for item in split_ids(cells["systems"].text):
                ref = refs["system"].resolve(self, table, cells["systems"], item)
                if ref is not None and ref not in systems:
                    systems.append(ref)
            tp["systems"] = systems
        if "emotion" in cells:
            text = cells["emotion"].text
            try:
                value = float(text)
            except ValueError:
                value = math.nan
            if value in (1, 2, 3, 4, 5):
                tp["emotion"] = int(value)
            else:
                self.problem(
                    table, cells["emotion"], f"emotion must be a whole number 1..5, found {text!r}"
                )
        if "entry" in cells:
            entry = self.boolean(table, cells["entry"], "entry")
            if entry is not None:
                tp["entry"] = entry
        if "volume" in cells:
            volume = self.number(table, cells["volume"], "volume", 0, math.inf)
            if volume is not None:
                tp["volume"] = int(volume) if volume.is_integer() and volume < 1e16 else volume
        if "asks" in cells:
            tp["asks"] = self.id_list(table, cells["asks"], "asked item", "item")
        for key in ("pains", "gains", "notes", "ideas"):
            if key in cells:
                tp[key] = split_texts(cells[key].text)
        if "kpis" in cells:
            kpis = split_kpis(cells["kpis"].text)
            if isinstance(kpis, str):
                self.problem(
                    table,
                    cells["kpis"],
                    f"KPI line {kpis!r} is not 'name: value'",
                    "one 'name: value' per line",
                )
            else:
                tp["kpis"] = dict(kpis)
                if len(tp["kpis"]) < len(kpis):
                    self.problem(
                        table, cells["kpis"], "a KPI name is given twice", "keep one of them"
                    )
        if "evidence" in cells:
            tp["evidence"] = split_texts(cells["evidence"].text)
        if "outcome" in cells:
            text = cells["outcome"].text
            outcome = text if _ID.match(text) and len(text) <= MAX_ID_LENGTH else make_id(text)
            if outcome != text:
                self.guesses.append(f"outcome {text!r} read as the id '{outcome}'")
            tp["outcome"] = outcome
        return tp

    def target(self, table: RawTable, cell: Cell, text: str, tps: Mapping[str, Any]) -> str | None:
        """A touchpoint named by id or by its (unique) name."""
        if text in tps:
            return text
        named = self.names.get(text.casefold(), [])
        if len(named) == 1:
            return named[0]
        if len(named) > 1:
            self.problem(
                table, cell, f"{len(named)} touchpoints are named {text!r}", "refer to them by id"
            )
            return None
        self.problem(
            table,
            cell,
            f"no touchpoint {text!r}",
            did_you_mean(text, list(tps)) or "give a touchpoint id or name",
        )
        return None

    def next_cell(
        self,
        table: RawTable,
        cell: Cell,
        source: str,
        tps: Mapping[str, Any],
        refs: Mapping[str, _Refs],
    ) -> list[Any]:
        """The ``next`` shorthand: items separated by ``;`` or line breaks, each ``target``,
        ``target: share`` or ``target (share 0.6, wait 2d, owner sales, carries a b)``."""
        items: list[Any] = []
        seen: set[str] = set()
        for raw in re.split(r"[;\n]", cell.text):
            item = raw.strip()
            if not item:
                continue
            attrs: dict[str, Any] = {}
            target_text = item
            known = item in tps or item.casefold() in self.names
            if not known and item.endswith(")") and "(" in item:
                start = item.rfind("(")
                target_text = item[:start].strip()
                attrs = self.next_attrs(table, cell, item[start + 1 : -1], refs)
            elif not known and ":" in item:
                head, _, tail = item.rpartition(":")
                probe = Cell(tail.strip(), cell.row, cell.col)
                share = self.number(table, probe, "share", 0, 1, f"share in {item!r}")
                if share is None:
                    continue
                target_text, attrs = head.strip(), {"share": share}
            target = self.target(table, cell, target_text, tps)
            if target is None:
                continue
            if target in seen:
                self.problem(table, cell, f"'{source}' goes to '{target}' twice", "merge the two")
                continue
            seen.add(target)
            items.append({"to": target, **attrs} if attrs else target)
        return items

    def next_attrs(
        self, table: RawTable, cell: Cell, text: str, refs: Mapping[str, _Refs]
    ) -> dict[str, Any]:
        attrs: dict[str, Any] = {}
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            key, _, value = part.partition(" ")
            key, value = key.strip().rstrip(":").casefold(), value.strip()
            if not value:  # a bare share (0.6, 60%) or a bare wait (2d)
                key, value = ("wait" if parse_duration(part) is not None else "share"), part
            if key == "share":
                probe = Cell(value, cell.row, cell.col)
                share = self.number(table, probe, "share", 0, 1, f"share in {part!r}")
                if share is not None:
                    attrs["share"] = share
            elif key == "wait":
                if parse_duration(value) is None:
                    self.problem(
                        table,
                        cell,
                        f"wait {value!r} is not a duration",
                        f"write it as {DURATION_EXAMPLES}",
                    )
                else:
                    attrs["wait"] = value
            elif key == "owner":
                attrs["owner"] = refs["function"].resolve(self, table, cell, value)
            elif key == "carries":
                attrs["carries"] = self.id_list(
                    table, Cell(value.replace(" ", ";"), cell.row, cell.col), "carried item", "item"
                )
            else:
                self.problem(
                    table,
                    cell,
                    f"unknown transition detail {part!r}",
                    "write share 0.6, wait 2d, owner FUNCTION or carries ITEM ITEM",
                )
        return attrs

    def transitions(
        self,
        table: RawTable,
        tps: dict[str, dict[str, Any]],
        order: list[str],
        refs: Mapping[str, _Refs],
    ) -> None:
        columns = self.columns(table, SHEET["transitions"])
        for key in ("from", "to"):
            if key not in columns:
                self.problem(
                    table, None, f"missing column {key!r}", "transitions need 'from' and 'to'"
                )
        if self.problems:
            return
        seen = {
            (s, n if isinstance(n, str) else n["to"])
            for s, tp in tps.items()
            for n in tp.get("next", [])
        }
        for row in table.rows:
            cells = self.cells(row, columns)
            if not cells:
                continue
            ends: list[str | None] = []
            for key in ("from", "to"):
                if key not in cells:
                    self.missing(
                        table,
                        cells,
                        key,
                        f"{key} is empty",
                        "every transition needs 'from' and 'to'",
                    )
                    ends.append(None)
                else:
                    ends.append(self.target(table, cells[key], cells[key].text, tps))
            source, target = ends
            item: dict[str, Any] = {"to": target}
            if "share" in cells:
                share = self.number(table, cells["share"], "share", 0, 1)
                if share is not None:
                    item["share"] = share
            if "carries" in cells:
                item["carries"] = self.id_list(table, cells["carries"], "carried item", "item")
            if "owner" in cells:
                item["owner"] = refs["function"].resolve(
                    self, table, cells["owner"], cells["owner"].text
                )
            if "wait" in cells:
                if parse_duration(cells["wait"].text) is None:
                    self.problem(
                        table,
                        cells["wait"],
                        f"wait {cells['wait'].text!r} is not a duration",
                        f"write it as {DURATION_EXAMPLES}",
                    )
                else:
                    item["wait"] = cells["wait"].text
            if "note" in cells:
                item["note"] = cells["note"].text
            if source is None or target is None:
                continue
            if (source, target) in seen:
                self.problem(
                    table, cells["to"], f"'{source}' goes to '{target}' twice", "merge the two rows"
                )
                continue
            seen.add((source, target))
            tps[source].setdefault("next", []).append(target if len(item) == 1 else item)

    def integrations(self, table: RawTable, systems: _Refs) -> list[dict[str, Any]]:
        columns = self.columns(table, SHEET["integrations"])
        out: list[dict[str, Any]] = []
        for key in ("from", "to"):
            if key not in columns:
                self.problem(
                    table, None, f"missing column {key!r}", "integrations need 'from' and 'to'"
                )
        if self.problems:
            return out
        for row in table.rows:
            cells = self.cells(row, columns)
            if not cells:
                continue
            ends: list[str | None] = []
            for key in ("from", "to"):
                if key not in cells:
                    self.missing(table, cells, key, f"{key} is empty", "name two systems")
                    ends.append(None)
                else:
                    ends.append(systems.resolve(self, table, cells[key], cells[key].text))
            item: dict[str, Any] = {"between": ends}
            if "one way" in cells and self.boolean(table, cells["one way"], "one-way"):
                item["one-way"] = True
            if None not in ends:
                out.append(item)
        return out


class _Refs:
    """Stages, functions, systems or channels: those a table declares, and those guessed from
    touchpoint cells (ids made from names) when no table declares them."""

    def __init__(self, kind: str, declared: dict[str, dict[str, Any]], strict: bool) -> None:
        self.kind = kind
        self.entries = declared
        self.strict = strict  # a table was given: unknown names are errors
        self.by_name = {e.get("name", i).casefold(): i for i, e in declared.items()}
        self.guessed: dict[str, str] = {}
        self.by_text: dict[str, str] = {}

    def resolve(
        self, importer: _Importer, table: RawTable, cell: Cell | None, text: str
    ) -> str | None:
        if text in self.entries:
            return text
        folded = text.casefold()
        if folded in self.by_name:
            return self.by_name[folded]
        if folded in self.by_text:
            return self.by_text[folded]
        if self.strict:
            if importer.uses and self.kind in ("function", "system"):
                shared = (importer.known or {}).get(self.kind)
                if shared is None:  # the organisation file is not known here: ids only
                    if _ID.match(text):
                        return text
                    return importer.ident(table, cell, self.kind) if cell else None
                if text in shared:
                    return text
                for ident, name in shared.items():
                    if name.casefold() == folded:
                        return ident
                pool = [*self.entries, *shared]
                hint = did_you_mean(folded, pool) or f"{importer.uses} has no such {self.kind}"
                importer.problem(table, cell, f"unknown {self.kind} {text!r}", hint)
                return None
            hint = did_you_mean(folded, list(self.entries)) or (
                f"add it to the {self.kind}s table, or use one of: "
                + _list_some(list(self.entries))
            )
            importer.problem(table, cell, f"unknown {self.kind} {text!r}", hint)
            return None
        if self.kind == "channel" and _ID.match(text) and len(text) <= MAX_ID_LENGTH:
            return text  # channels are free ids
        ident = (
            text
            if _ID.match(text) and len(text) <= MAX_ID_LENGTH
            else make_id(text, self.entries, fallback=self.kind)
        )
        self.entries[ident] = {} if ident == text else {"name": text}
        self.by_text[folded] = ident
        self.guessed[ident] = text
        return ident

    def declared(self, fields: tuple[str, ...]) -> dict[str, dict[str, Any]]:
        """Every entry, declared or guessed, with the given fields that it has."""
        return {
            ident: {k: entry[k] for k in fields if entry.get(k) is not None}
            for ident, entry in self.entries.items()
        }


def _title_from(path: str) -> str:
    stem = PurePath(path).name.split(".")[0] or "Imported journey"
    return " ".join(stem.replace("-", " ").replace("_", " ").split()).capitalize()


def tables_to_journey(
    tables: Sequence[RawTable], path: str, title: str | None = None, uses: str | None = None
) -> ImportedJourney:
    """Journey data from tables read from ``path``; problems cite ``path:row:column``.

    The title is ``title`` when given, else the journey table's, else made from the file name.
    With ``uses`` (an organisation file), functions and systems the tables do not declare are
    left to it.
    """
    importer = _Importer(path, uses)
    importer.known = SHARED_NAMES.get()
    return importer.run(tables, title)


SHARED_NAMES: ContextVar[Mapping[str, Mapping[str, str]] | None] = ContextVar(
    "SHARED_NAMES", default=None
)
"""The ``uses`` organisation file's function and system names ({"function": {id: name}, ...}),
set by :func:`journeymap.interchange.import_journey` around an importer call, so touchpoint
rows may name a shared function ("Field service") instead of giving its id."""


def layout_markdown() -> str:
    """The tables and columns of :data:`SHEETS` as Markdown (docs/interchange.md shows it)."""
    parts = []
    for sheet in SHEETS:
        names = ", ".join(f"`{n}`" for n in sheet.synonyms)
        parts.append(f"### {sheet.title}\n\n{sheet.meaning} Also read under the names: {names}.\n")
        parts.append("| column | also read as | holds |\n| --- | --- | --- |")
        for column in sheet.columns:
            also = ", ".join(f"`{s}`" for s in column.synonyms) or "—"
            parts.append(f"| `{column.key}` | {also} | {column.meaning} |")
        parts.append("")
    return "\n".join(parts)


def _skipped_columns(names: Sequence[str], table: str) -> list[str]:
    """The guesses saying which columns of ``table`` were skipped, summarised as problems are
    (:func:`journeymap.errors.summarised`): one each, or past :data:`SUMMARY_LIMIT`, the first
    :data:`SUMMARY_KEEP` and one line with the count (20,000 stray columns: four lines)."""
    where = f" of the {table} table" if table != "touchpoints" else ""
    shown = names if len(names) <= SUMMARY_LIMIT else names[:SUMMARY_KEEP]
    said = [f"column {name!r}{where} skipped: it is not part of the layout" for name in shown]
    if len(shown) < len(names):
        more = f"... and {len(names) - len(shown):,} more columns{where} skipped"
        said.append(f"{more}, from {names[len(shown)]!r} to {names[-1]!r}")
    return said
