"""Engines that run the mining queries, and the one procedure that drives them.

An engine knows how to read a file into the ``raw`` table, how its SQL dialect quotes a column
and reads a timestamp, and how to keep a table; :func:`compute` does the rest with the shared
queries of :mod:`journeymap.mining.queries`, so both engines give the same figures.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from typing import Any, Protocol

from journeymap.errors import InputError
from journeymap.mining import queries
from journeymap.mining.figures import (
    ActivityFigures,
    Handover,
    MinedLog,
    PingPong,
    Succession,
    Wait,
)
from journeymap.mining.log import LogColumns, LogSource, xes_to_csv
from journeymap.model import Location

__all__ = ["ENGINES", "Engine", "compute", "open_engine"]

ENGINES = ("duckdb", "spark")


class Engine(Protocol):
    """What :func:`compute` needs of an engine."""

    name: str

    def read_raw(self, source: LogSource) -> list[str]:
        """Make table ``raw`` of the log (every column, plus ``__seq``, the event's 0-based
        position in the log); return the log's column names."""

    def quote(self, column: str) -> str:
        """``column`` as an identifier of this dialect."""

    def micros(self, expression: str) -> str:
        """SQL turning a text or timestamp ``expression`` into BIGINT microseconds since the
        epoch (text without an offset is UTC), NULL when it cannot be read."""

    def sequence(self, value: str, order: str) -> str:
        """SQL aggregate: the ``value`` texts of a group ordered by ``order``, joined by
        ``chr(31)`` (:data:`journeymap.mining.queries.VARIANT_SEPARATOR`)."""

    def view(self, name: str, select: str) -> None:
        """Name ``select`` (computed when read)."""

    def materialize(self, name: str, select: str) -> None:
        """Compute ``select`` once and keep it as ``name``."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run a query, return its rows."""

    def close(self) -> None: ...


def open_engine(
    name: str = "duckdb",
    *,
    workdir: str,
    master: str | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Engine:
    """A new engine of kind ``name`` keeping its files under ``workdir``."""
    if name == "duckdb":
        from journeymap.mining.duckdb_engine import DuckDBEngine

        return DuckDBEngine(workdir, memory_limit=memory_limit, threads=threads)
    if name == "spark":
        from journeymap.mining.spark_engine import SparkEngine

        return SparkEngine(workdir, master=master or "local[*]", memory_limit=memory_limit)
    raise ValueError(f"unknown engine {name!r}")


def _roles(source: LogSource, present: Sequence[str], columns: LogColumns) -> dict[str, str | None]:
    """Role -> log column, checking that every required column is there."""
    by_lower = {c.lower(): c for c in present}
    roles: dict[str, str | None] = {}
    for role, name in columns.required().items():
        found = name if name in present else by_lower.get(name.lower())
        if found is None:
            shown = ", ".join(present[:12]) + (", ..." if len(present) > 12 else "")
            option = "--" + ("function" if role == "function" else role) + "-column"
            raise InputError.at(
                Location(source.display, 1, 1),
                f"the log has no {role} column {name!r} (its columns: {shown})",
                f"name the column with {option}",
            )
        roles[role] = found
    for role, name in columns.optional().items():
        roles[role] = name if name in present else by_lower.get(name.lower())
    return roles


def _row_location(source: LogSource, seq: int) -> Location:
    """Where event ``seq`` (0-based) is: its line in a CSV (header first, one line a row), its
    row in a Parquet file; XES events are numbered in the message instead."""
    if source.format == "csv":
        return Location(source.display, seq + 2, 1)
    if source.format == "parquet":
        return Location(source.display, seq + 1, 1)
    return Location(source.display, 1, 1)


def _check_events(engine: Engine, source: LogSource, roles: dict[str, str | None]) -> None:
    bad = engine.rows(queries.FIRST_BAD_ROW)
    if not bad:
        return
    seq, no_case, no_activity, no_time = bad[0]
    where = _row_location(source, int(seq))
    prefix = f"event {int(seq) + 1}: " if source.format not in ("csv", "parquet") else ""
    if no_case or no_activity:
        role = "case" if no_case else "activity"
        raise InputError.at(
            where,
            f"{prefix}no {role} (column {roles[role]!r} is empty)",
            "every event needs a case, an activity and a timestamp",
        )
    column = engine.quote(roles["timestamp"] or "")
    raw = engine.rows(f"SELECT CAST({column} AS STRING) FROM raw WHERE __seq = {int(seq)}")
    value = raw[0][0] if raw else None
    if value is None or not str(value).strip():
        raise InputError.at(
            where,
            f"{prefix}no timestamp (column {roles['timestamp']!r} is empty)",
            "every event needs a case, an activity and a timestamp",
        )
    raise InputError.at(
        where,
        f"{prefix}cannot read the timestamp {str(value)[:60]!r}",
        "write timestamps as ISO 8601, e.g. 2024-03-01T09:30:00+01:00 (no offset = UTC)",
    )


def _seconds(micros: Any) -> float:
    return round(float(micros) / 1e6, 6)


def _handovers(rows: list[tuple[Any, ...]]) -> tuple[Handover, ...]:
    total = sum(int(n) for _, _, n in rows)
    return tuple(
        Handover(str(a), str(b), int(n), int(n) / total)
        for a, b, n in sorted(rows, key=lambda r: (str(r[0]), str(r[1])))
    )


def compute(engine: Engine, source: LogSource, columns: LogColumns) -> MinedLog:
    """Read the log into ``engine`` and compute every figure of :class:`MinedLog`."""
    if source.format == "xes":
        converted = os.path.join(tempfile.mkdtemp(prefix="xes-", dir=_workdir(engine)), "log.csv")
        xes_to_csv(source.path, columns, converted)
        present = engine.read_raw(LogSource(converted, "csv"))
    else:
        present = engine.read_raw(source)
    roles = _roles(source, present, columns)
    engine.materialize("events", queries.events_select(roles, engine.quote, engine.micros))
    _check_events(engine, source, roles)
    engine.materialize("steps", queries.STEPS)
    engine.materialize("function_steps", queries.FUNCTION_STEPS)
    engine.materialize("function_runs", queries.FUNCTION_RUNS)
    engine.materialize("bounces", queries.BOUNCES)

    ((events, cases, first, last, with_resource, with_function, with_channel),) = engine.rows(
        queries.COUNTS
    )
    if not events:
        raise InputError.at(
            Location(source.display, 1, 1),
            "the log has no events",
            "check the file and the lifecycle column",
        )
    functions: dict[str, list[tuple[str, int]]] = {}
    for activity, org, n in engine.rows(queries.ACTIVITY_FUNCTIONS):
        functions.setdefault(str(activity), []).append((str(org), int(n)))
    channels: dict[str, list[tuple[str, int]]] = {}
    for activity, channel, n in engine.rows(queries.ACTIVITY_CHANNELS):
        channels.setdefault(str(activity), []).append((str(channel), int(n)))

    def spread(items: list[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
        return tuple(sorted(items, key=lambda kv: (-kv[1], kv[0])))

    activities = tuple(
        ActivityFigures(
            str(name),
            int(n),
            int(in_cases),
            int(starts),
            int(ends),
            spread(functions.get(str(name), [])),
            spread(channels.get(str(name), [])),
            int(position_sum),
        )
        for name, n, in_cases, starts, ends, position_sum in sorted(
            engine.rows(queries.ACTIVITIES), key=lambda r: str(r[0])
        )
    )
    dfg = tuple(
        Succession(str(a), str(b), int(n), _seconds(wait))
        for a, b, n, wait in sorted(engine.rows(queries.DFG), key=lambda r: (str(r[0]), str(r[1])))
    )
    ping_pong = tuple(
        PingPong(str(a), str(b), str(kind), int(occ), int(in_cases), int(in_cases) / int(cases))
        for a, b, kind, occ, in_cases in sorted(
            engine.rows(queries.PING_PONG), key=lambda r: (str(r[0]), str(r[1]), str(r[2]))
        )
    )
    waits = tuple(
        Wait(str(a), str(b), int(n), _seconds(median), _seconds(p90))
        for a, b, n, median, p90 in sorted(
            engine.rows(queries.FUNCTION_WAITS), key=lambda r: (str(r[0]), str(r[1]))
        )
    )
    return MinedLog(
        source=source.display,
        engine=engine.name,
        cases=int(cases),
        events=int(events),
        first=_seconds(first) if first is not None else None,
        last=_seconds(last) if last is not None else None,
        events_with_resource=int(with_resource),
        events_with_function=int(with_function),
        events_with_channel=int(with_channel),
        activities=activities,
        dfg=dfg,
        resource_handovers=_handovers(engine.rows(queries.HANDOVERS("resource"))),
        function_handovers=_handovers(engine.rows(queries.FUNCTION_HANDOVERS)),
        ping_pong=ping_pong,
        ping_pong_cases=int(engine.rows(queries.PING_PONG_CASES)[0][0]),
        waits=waits,
    )


def _workdir(engine: Engine) -> str:
    return str(getattr(engine, "workdir", tempfile.gettempdir()))
