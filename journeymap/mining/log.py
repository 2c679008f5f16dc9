"""Event logs as journeymap reads them: which columns mean what, which file format a log is in,
and the checks that turn a bad log into one located line.

Every engine loads a log into the same *canonical events* table (see :data:`EVENTS_COLUMNS`), so
the queries in :mod:`journeymap.mining.queries` are written once. XES files are converted to a
CSV of the mapped columns first (parsed with defusedxml: no entity expansion, no external
entities), so the engines only ever read CSV, Parquet or a table.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from dataclasses import dataclass, fields, replace
from pathlib import Path

from journeymap.errors import InputError, UsageError
from journeymap.model import Location

__all__ = [
    "EVENTS_COLUMNS",
    "LOG_FORMATS",
    "LogColumns",
    "LogSource",
    "csv_delimiter",
    "diagnose_csv",
    "log_source",
    "xes_to_csv",
]

# The canonical events table every engine builds; the queries read only these columns.
# ts is microseconds since 1970-01-01 UTC (an integer, so both engines compute the same waits);
# seq is the event's position in the log, which breaks ties between equal timestamps.
EVENTS_COLUMNS = ("case_id", "activity", "ts", "seq", "resource", "org", "channel")

LOG_FORMATS = ("csv", "parquet", "xes")


@dataclass(frozen=True)
class LogColumns:
    """Which column of the log holds what. The defaults are the XES standard names, as PM4Py
    writes them in a flat table; ``resource``, ``function``, ``channel`` and ``lifecycle`` are
    used when the log has them, and must exist when given explicitly (``explicit``)."""

    case: str = "case:concept:name"
    activity: str = "concept:name"
    timestamp: str = "time:timestamp"
    resource: str | None = "org:resource"
    function: str | None = "org:group"
    channel: str | None = None
    lifecycle: str | None = "lifecycle:transition"
    explicit: frozenset[str] = frozenset()

    def with_options(self, **given: str | None) -> LogColumns:
        """These columns with the ones given on the command line (``None`` = not given)."""
        chosen = {k: v for k, v in given.items() if v is not None}
        unknown = set(chosen) - {f.name for f in fields(self)}
        if unknown:
            raise ValueError(f"unknown log columns: {sorted(unknown)}")
        return replace(self, **chosen, explicit=self.explicit | frozenset(chosen))

    def required(self) -> dict[str, str]:
        """Role -> column name of the columns the log must have."""
        out = {"case": self.case, "activity": self.activity, "timestamp": self.timestamp}
        for role in ("resource", "function", "channel", "lifecycle"):
            name = getattr(self, role)
            if name is not None and role in self.explicit:
                out[role] = name
        return out

    def optional(self) -> dict[str, str]:
        """Role -> column name of the optional columns, used when present."""
        return {
            role: name
            for role in ("resource", "function", "channel", "lifecycle")
            if (name := getattr(self, role)) is not None and role not in self.explicit
        }


@dataclass(frozen=True)
class LogSource:
    """A log to read: a file (``csv``, ``parquet``, ``xes``) or, for Spark, a table name."""

    path: str
    format: str  # one of LOG_FORMATS, or "table"

    @property
    def display(self) -> str:
        return self.path


def log_source(path: str, fmt: str | None = None) -> LogSource:
    """The log at ``path`` with its format: given, or from the suffix (``.csv``, ``.parquet``,
    ``.xes``; ``.csv.gz`` and ``.xes.gz`` too). A missing file is a one-line error."""
    if fmt == "table":
        return LogSource(path, "table")
    if not os.path.exists(path):
        raise InputError.at(
            Location(path, 1, 1), "no such log file", "give a CSV, Parquet or XES file"
        )
    if os.path.isdir(path):
        parquet = sorted(Path(path).glob("*.parquet"))
        if fmt in (None, "parquet") and parquet:
            return LogSource(path, "parquet")
        raise InputError.at(
            Location(path, 1, 1),
            "a folder is a log only when it holds .parquet files",
            "give the log file itself",
        )
    if fmt is None:
        name = path.lower().removesuffix(".gz")
        fmt = next((f for f in LOG_FORMATS if name.endswith("." + f)), None)
        if fmt is None:
            raise InputError.at(
                Location(path, 1, 1),
                "cannot tell the log's format from its name",
                "name it .csv, .parquet or .xes, or give --log-format",
            )
    if fmt not in LOG_FORMATS:
        raise UsageError(f"unknown log format {fmt!r}; use one of {', '.join(LOG_FORMATS)}")
    return LogSource(path, fmt)


def csv_delimiter(path: str) -> str:
    """The CSV's delimiter (``,``, ``;``, tab or ``|``), sniffed by Python's csv module from the
    file's first 64 KB, so every engine reads the file with the same explicit dialect (and an
    unterminated quote is an error, not a guess); ``,`` when the sample does not tell."""
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            sample = handle.read(65536)
    except OSError:
        return ","
    first = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample, ",;\t|").delimiter
    except csv.Error:
        counts = {d: first.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def diagnose_csv(path: str) -> InputError:
    """Why a CSV cannot be read, found with Python's own csv module (so the row we name does
    not depend on an engine's message): an unterminated quote, or a row with more fields than
    the header. Falls back to a generic one-line error."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter=csv_delimiter(path), strict=True)
            width = None
            start = 1
            try:
                for row in reader:
                    if width is None:
                        width = len(row)
                    elif len(row) > width:
                        return InputError.at(
                            Location(path, reader.line_num, 1),
                            f"this row has {len(row)} fields, the header {width}",
                            "quote fields that contain the delimiter",
                        )
                    start = reader.line_num + 1
            except csv.Error:
                return InputError.at(
                    Location(path, start, 1),
                    "a quoted field starting on this line is never closed",
                    'close the quote, or double a quote inside a field ("")',
                )
    except UnicodeDecodeError as err:
        return InputError.at(
            Location(path, 1, 1), f"not UTF-8 text ({err.reason})", "save the log as UTF-8"
        )
    except OSError as err:
        return InputError.at(Location(path, 1, 1), f"cannot read the log: {err.strerror}")
    return InputError.at(
        Location(path, 1, 1), "cannot read this CSV", "check the delimiter and quoting"
    )


# -- XES -----------------------------------------------------------------------------------

_XES_VALUE_TAGS = {"string", "date", "int", "float", "boolean", "id"}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def xes_to_csv(path: str, columns: LogColumns, out: str) -> None:
    """Write the events of the XES log at ``path`` as a CSV at ``out`` with one column per
    mapped role (header = the mapped names). Trace attributes are read as ``case:<key>``, as
    PM4Py names them; event attributes override trace ones; a ``float`` of value ``nan`` is a
    missing value (PM4Py writes a pandas NaN so). Parsed incrementally with
    defusedxml, which refuses entity declarations and external references."""
    import gzip
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    wanted = list(columns.required().values()) + list(columns.optional().values())
    opener = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as raw, open(out, "w", newline="", encoding="utf-8") as sink:
            writer = csv.writer(sink, lineterminator="\n", quoting=csv.QUOTE_ALL)
            writer.writerow(wanted)
            for row in _xes_rows(iterparse(raw, events=("start", "end"), forbid_dtd=True)):
                writer.writerow([row.get(name, "") for name in wanted])
    except (DefusedXmlException, ValueError) as err:
        raise InputError.at(
            Location(path, 1, 1),
            f"refused: {type(err).__name__} (entity declarations and external entities are not read)",
            "export the log again without a DOCTYPE",
        ) from None
    except ParseError as err:
        line, col = err.position
        raise InputError.at(Location(path, line, col + 1), "not well-formed XML") from None
    except LookupError:  # the XML declaration names an encoding Python has no codec for
        raise InputError.at(
            Location(path, 1, 1),
            "the XML declaration names an encoding that cannot be read",
            'save the log as UTF-8 (encoding="UTF-8")',
        ) from None
    except (OSError, EOFError) as err:
        raise InputError.at(Location(path, 1, 1), f"cannot read the XES file: {err}") from None


def _xes_rows(events: Iterator[tuple[str, object]]) -> Iterator[dict[str, str]]:
    trace: dict[str, str] = {}
    event: dict[str, str] | None = None
    depth_in_value = 0
    in_trace = False
    for kind, element in events:
        tag = _local(element.tag)  # type: ignore[attr-defined]
        if kind == "start":
            if tag in _XES_VALUE_TAGS:
                depth_in_value += 1
                if depth_in_value == 1 and (event is not None or in_trace):
                    key = element.get("key")  # type: ignore[attr-defined]
                    value = element.get("value")  # type: ignore[attr-defined]
                    if tag == "float" and value is not None and value.strip().lower() == "nan":
                        value = None  # a missing value, as PM4Py (pandas) writes one
                    if key is not None and value is not None:
                        if event is not None:
                            event[key] = value
                        else:
                            trace["case:" + key] = value
            elif tag == "trace":
                in_trace, trace = True, {}
            elif tag == "event" and in_trace:
                event = {}
            continue
        if tag in _XES_VALUE_TAGS:
            depth_in_value -= 1
        elif tag == "event" and event is not None:
            yield {**trace, **event}
            event = None
        elif tag == "trace":
            in_trace = False
        if depth_in_value == 0 and tag in ("event", "trace"):
            element.clear()  # type: ignore[attr-defined]
