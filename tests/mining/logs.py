"""Seeded event logs for the mining tests and benchmarks.

Two generators of the same kind of log (several org units, about ten events a case, resources
that belong to org units, channels, some events without a resource or an org unit):

- :func:`random_rows`: small logs in plain Python (``random.Random(seed)``), written in shuffled
  order, with timestamp ties and timestamps in several time zones -- for the tests;
- :func:`write_large_log`: logs of any size (10^5 to 10^8 events) written by DuckDB from
  ``range(n)`` with a seeded hash, so no Python loop runs per event -- for the benchmarks. Its
  rows come position by position (every case's first event, then every case's second, ...), so
  a case's events are spread over the whole file.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

HEADER = (
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "org:resource",
    "org:group",
    "channel",
)

ACTIVITIES = (
    "Register", "Check", "Quote", "Call", "Fix", "Ship", "Bill", "Close",
    "Escalate", "Review", "Approve", "Refund",
)  # fmt: skip
ORG_UNITS = ("Sales", "Risk", "Ops", "Care", "Billing", "Legal")
CHANNELS = ("web", "phone", "mail", "shop")
# Each resource belongs to one org unit: r00 Sales, r01 Risk, ... (index modulo six).
RESOURCES = tuple(f"r{i:02d}" for i in range(30))

START = datetime(2024, 1, 1, tzinfo=timezone.utc)


def random_rows(seed: int, cases: int, per_case: tuple[int, int] = (1, 19)) -> list[list[str]]:
    """Rows of HEADER, in shuffled order: ``cases`` cases of ``per_case`` (inclusive range,
    mean ~10) events. Timestamps to the second, often equal to the previous event's (ties),
    written in UTC with ``Z``, without an offset, or with an offset of another zone. One event
    in ten has no resource, one in twenty no org unit, one in eight no channel."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    for case in range(cases):
        at = START + timedelta(seconds=rng.randrange(0, 86400 * 60))
        for _ in range(rng.randint(*per_case)):
            at += timedelta(seconds=rng.choice([0, 0, 1, 60, 3600, rng.randrange(1, 86400)]))
            who = rng.randrange(len(RESOURCES))
            resource = RESOURCES[who] if rng.random() > 0.1 else ""
            org = ORG_UNITS[who % len(ORG_UNITS)] if rng.random() > 0.05 else ""
            channel = rng.choice(CHANNELS) if rng.random() > 0.125 else ""
            style = rng.randrange(4)
            if style == 0:
                text = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif style == 1:
                text = at.strftime("%Y-%m-%d %H:%M:%S")
            else:
                hours = rng.choice([-5, 1, 2, 9]) if style == 2 else 0
                text = at.astimezone(timezone(timedelta(hours=hours))).isoformat()
            rows.append([f"case{case:05d}", rng.choice(ACTIVITIES), text, resource, org, channel])
    rng.shuffle(rows)
    return rows


def write_csv(path: Path | str, rows: Sequence[Sequence[str]], header: Sequence[str] = HEADER) -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _pick(names: Sequence[str], index: str) -> str:
    """SQL: ``names[index]`` for an integer expression ``index`` in [0, len(names))."""
    listed = ", ".join("'" + n + "'" for n in names)
    return f"[{listed}][({index}) + 1]"


def large_log_sql(events: int, seed: int = 1, per_case: int = 10) -> str:
    """The SELECT of :func:`write_large_log`: ``events`` events, ``per_case`` a case. Event
    ``i`` is event ``k = i // cases`` of case ``c = i % cases``, at the case's start plus
    ``k`` hours less ``d`` seconds, ``d`` in [0, 3600]: never earlier than the event before, and
    at the same second as it when this one's ``d`` is 3600 and that one's 0 (a tie, about one
    step in sixteen; the file puts them in case order). 3 % of events have no resource, 2 % no
    org unit. No window or sort: rows stream out in ``i`` order."""
    cases = max(1, events // per_case)

    def h(tag: int, expr: str = "i") -> str:
        return f"CAST(hash({expr}, {seed}, {tag}) % 1000000 AS BIGINT)"

    back = f"CASE {h(1)} % 4 WHEN 0 THEN 0 WHEN 1 THEN 3600 ELSE {h(2)} % 3600 END"
    who = f"{h(3)} % {len(RESOURCES)}"
    return f"""SELECT 'c' || lpad(CAST(c AS VARCHAR), 9, '0') AS "case:concept:name",
       {_pick(ACTIVITIES, f"{h(4)} % {len(ACTIVITIES)}")} AS "concept:name",
       strftime(TIMESTAMP '2024-01-01' + to_seconds({h(5, 'c')} * 5 + 3600 * k - ({back})),
                '%Y-%m-%dT%H:%M:%SZ') AS "time:timestamp",
       CASE WHEN {h(6)} % 100 < 3 THEN NULL ELSE {_pick(RESOURCES, who)} END AS "org:resource",
       CASE WHEN {h(7)} % 100 < 2 THEN NULL
            ELSE {_pick(ORG_UNITS, f"({who}) % {len(ORG_UNITS)}")} END AS "org:group",
       {_pick(CHANNELS, f"{h(8)} % {len(CHANNELS)}")} AS channel
FROM (SELECT i, i % {cases} AS c, i // {cases} AS k FROM range({events}) t(i)) t"""


def write_large_log(
    path: Path | str, events: int, seed: int = 1, fmt: str = "csv", memory_limit: str = "2GB"
) -> str:
    """Write :func:`large_log_sql` to ``path`` as CSV (header, ``,``, empty = missing) or
    Parquet (text columns, row groups of 1M rows)."""
    import duckdb

    db = duckdb.connect()
    db.execute(f"SET memory_limit = '{memory_limit}'")
    db.execute(f"SET temp_directory = '{Path(path).parent / (Path(path).name + '.spill')}'")
    db.execute("SET preserve_insertion_order = true")
    db.execute("SET enable_progress_bar = false")
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, ROW_GROUP_SIZE 1000000"
    db.execute(f"COPY ({large_log_sql(events, seed)}) TO '{path}' ({options})")
    db.close()
    return str(path)
