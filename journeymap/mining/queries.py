"""The mining queries, written once, run by every engine (DuckDB, Spark).

Each query is portable SQL over the canonical tables (the subset DuckDB and Spark SQL share:
window functions, grouping, a join on the case), so the engines
cannot drift apart. The few things the two dialects spell differently (quoting a column name,
turning a timestamp into microseconds) are fragments an engine supplies to
:func:`events_select`; nothing else is engine-specific.

Tables, each built from the one before:

- ``raw``: the log as read, plus ``__seq`` (the event's position in the log);
- ``events``: the canonical events (:data:`journeymap.mining.log.EVENTS_COLUMNS`), materialised
  once (the log is read once);
- ``steps``: events in case order, each with its position and the next event's activity and
  time (directly-follows), materialised once because every figure reads it;
- ``function_steps``, ``function_runs``, ``bounces``: the events that name a function, their
  runs, and the ping-pongs, each materialised once for the waits and the ping-pong figures.

No query holds a whole column in memory (no ``COUNT(DISTINCT)``, no ``percentile_cont``): they
are sorts (windows), streaming aggregates and one join of a case's runs, all of which DuckDB
spills to disk beyond its memory limit.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

__all__ = [
    "COUNTS",
    "DFG",
    "FIRST_BAD_ROW",
    "ACTIVITY_FUNCTIONS",
    "ACTIVITY_CHANNELS",
    "ACTIVITIES",
    "BOUNCES",
    "FUNCTION_HANDOVERS",
    "FUNCTION_RUNS",
    "FUNCTION_STEPS",
    "HANDOVERS",
    "PING_PONG",
    "PING_PONG_CASES",
    "STEPS",
    "VARIANTS",
    "VARIANT_SEPARATOR",
    "FUNCTION_WAITS",
    "events_select",
]


def events_select(
    columns: Mapping[str, str | None],
    quote: Callable[[str], str],
    micros: Callable[[str], str],
) -> str:
    """The SELECT that turns ``raw`` into canonical events. ``columns`` maps each role (case,
    activity, timestamp, resource, function, channel, lifecycle) to its column in the log or
    ``None``; ``quote`` quotes a column name, ``micros`` turns a text or timestamp expression
    into microseconds since the epoch (NULL when it cannot be read). Blank text is NULL.
    With a lifecycle column, only ``complete`` events (or events without one) are kept."""

    def text(role: str) -> str:
        name = columns.get(role)
        if name is None:
            return "CAST(NULL AS STRING)"
        return f"NULLIF(TRIM(CAST({quote(name)} AS STRING)), '')"

    where = ""
    if columns.get("lifecycle"):
        life = text("lifecycle")
        where = f"\nWHERE {life} IS NULL OR LOWER({life}) = 'complete'"
    return f"""SELECT {text("case")} AS case_id,
       REPLACE({text("activity")}, chr(31), ' ') AS activity,
       {micros(quote(columns["timestamp"] or ""))} AS ts,
       __seq AS seq,
       {text("resource")} AS resource,
       {text("function")} AS org,
       {text("channel")} AS channel
FROM raw{where}"""


# The first event (by position) with a case, activity or timestamp missing or unreadable.
FIRST_BAD_ROW = """SELECT seq, case_id IS NULL, activity IS NULL, ts IS NULL
FROM events
WHERE case_id IS NULL OR activity IS NULL OR ts IS NULL
ORDER BY seq
LIMIT 1"""


STEPS = """SELECT case_id, activity, ts, resource, org, channel,
       ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY ts, seq) AS pos,
       LEAD(activity) OVER (PARTITION BY case_id ORDER BY ts, seq) AS next_activity,
       LEAD(ts) OVER (PARTITION BY case_id ORDER BY ts, seq) AS next_ts
FROM events"""

# Every case has one event at position 1, so counting those counts the cases (no COUNT
# DISTINCT over the case ids, which would hold every id in memory at once).
COUNTS = """SELECT COUNT(*) AS events, SUM(CASE WHEN pos = 1 THEN 1 ELSE 0 END) AS cases,
       MIN(ts) AS first_ts, MAX(ts) AS last_ts,
       COUNT(resource) AS with_resource, COUNT(org) AS with_function,
       COUNT(channel) AS with_channel
FROM steps"""


def _percentiles(table: str, keys: str, value: str, tenths: tuple[int, ...]) -> str:
    """Per group of ``keys`` in ``table``: ``n`` rows, and for each ``t`` of ``tenths`` the
    exact ``percentile_cont(t / 10)`` of ``value`` as column ``p<t>``. Computed from the
    group's distinct values with their counts (a streaming aggregate, then a sort of the far
    fewer distinct values; both spill to disk, where ``percentile_cont`` holds every value of
    a group in memory). The value at 0-based position ``h = (n - 1) t / 10`` is interpolated
    linearly between positions ``floor(h)`` and ``ceil(h)``, as ``percentile_cont`` does;
    ``h`` is kept as the integer ``(n - 1) t`` so its floor is exact on every engine."""
    columns = []
    for t in tenths:
        h = f"((n - 1) * {t})"
        lo = f"CAST(({h} - {h} % 10) / 10 AS BIGINT)"
        hi = f"({lo} + CASE WHEN {h} % 10 = 0 THEN 0 ELSE 1 END)"
        at_lo = f"MIN(CASE WHEN upto - c <= {lo} AND {lo} < upto THEN v END)"
        at_hi = f"MIN(CASE WHEN upto - c <= {hi} AND {hi} < upto THEN v END)"
        columns.append(
            f"CAST({at_lo} AS DOUBLE) + CAST({h} % 10 AS DOUBLE) / 10.0 * "
            f"CAST({at_hi} - {at_lo} AS DOUBLE) AS p{t}"
        )
    return f"""SELECT {keys}, n, {", ".join(columns)}
FROM (SELECT {keys}, v, c,
             SUM(c) OVER (PARTITION BY {keys} ORDER BY v
                          ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS upto,
             SUM(c) OVER (PARTITION BY {keys}) AS n
      FROM (SELECT {keys}, {value} AS v, COUNT(*) AS c FROM {table}
            GROUP BY {keys}, {value}) d) t
GROUP BY {keys}, n"""


# Directly-follows: how often one activity is followed by another in a case, and the median
# time between them (microseconds).
DFG = _percentiles(
    "steps WHERE next_activity IS NOT NULL", "activity, next_activity", "next_ts - ts", (5,)
) + "\nORDER BY activity, next_activity"

# Per activity: events, cases that contain it, cases that start and that end with it, and the
# sum of its positions in its cases (an integer, so the mean is the same on every engine).
# Grouped by (activity, case) first, so the cases are counted without a COUNT DISTINCT.
ACTIVITIES = """SELECT activity, SUM(n) AS n, COUNT(*) AS cases, SUM(starts) AS starts,
       SUM(ends) AS ends, SUM(position_sum) AS position_sum
FROM (SELECT activity, case_id, COUNT(*) AS n,
             SUM(CASE WHEN pos = 1 THEN 1 ELSE 0 END) AS starts,
             SUM(CASE WHEN next_activity IS NULL THEN 1 ELSE 0 END) AS ends,
             SUM(pos) AS position_sum
      FROM steps
      GROUP BY activity, case_id) t
GROUP BY activity
ORDER BY activity"""

ACTIVITY_FUNCTIONS = """SELECT activity, org, COUNT(*) AS n
FROM steps WHERE org IS NOT NULL
GROUP BY activity, org
ORDER BY activity, org"""

ACTIVITY_CHANNELS = """SELECT activity, channel, COUNT(*) AS n
FROM steps WHERE channel IS NOT NULL
GROUP BY activity, channel
ORDER BY activity, channel"""


def HANDOVERS(column: str) -> str:  # noqa: N802
    """Handover of work as PM4Py defines it with beta = 0: in each case, every direct
    succession of two events that both name a ``column`` (resource or org), counted by the
    ordered pair, the same one twice included. Events without a value are passed over."""
    return f"""SELECT src, dst, COUNT(*) AS n
FROM (SELECT {column} AS src,
             LEAD({column}) OVER (PARTITION BY case_id ORDER BY pos) AS dst
      FROM steps WHERE {column} IS NOT NULL) t
WHERE dst IS NOT NULL
GROUP BY src, dst
ORDER BY src, dst"""


# The events that name a function, in case order, each with the next one's function and time;
# materialised once, read by the waits and the ping-pong below. ``fpos`` numbers them in case.
FUNCTION_STEPS = """SELECT case_id, org, ts,
       ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY pos) AS fpos,
       LAG(org) OVER (PARTITION BY case_id ORDER BY pos) AS prev_org,
       LEAD(org) OVER (PARTITION BY case_id ORDER BY pos) AS next_org,
       LEAD(ts) OVER (PARTITION BY case_id ORDER BY pos) AS next_ts
FROM steps WHERE org IS NOT NULL"""

# Handover of work between functions: the same as HANDOVERS("org"), read from function_steps,
# whose next_org is already the next event's that names a function (no second sort).
FUNCTION_HANDOVERS = """SELECT org AS src, next_org AS dst, COUNT(*) AS n
FROM function_steps WHERE next_org IS NOT NULL
GROUP BY org, next_org
ORDER BY org, next_org"""

# The time a customer waits when one function hands over to another: from the last event of
# one function to the first event of the next (events without a function passed over).
FUNCTION_WAITS = _percentiles(
    "function_steps WHERE next_org IS NOT NULL AND next_org <> org",
    "org, next_org",
    "next_ts - ts",
    (5, 9),
) + "\nORDER BY org, next_org"

# Ping-pong between functions. The functions a case passes through, consecutive repeats merged
# into runs (a run is named by the ``fpos`` of its first event): a customer with function A who
# comes back to A after other functions was bounced. Between a run of A and the next run of A
# (``back``): exactly one run (of B) is a direct ping-pong A -> B -> A (the run after next is
# A again); more runs make an indirect one, A -> ... B ... -> A, for every function B between
# (counted once however often B comes between).
#
# The run after next is the next run's next_org (LEAD of a LEAD), not LEAD(org, 2): DuckDB 1.1
# (our lowest version) loses rows of LEAD with an offset over large partitions.
FUNCTION_RUNS = """SELECT case_id, org, fpos, back, before, next_org,
       LEAD(next_org) OVER (PARTITION BY case_id ORDER BY fpos) AS after_next_org
FROM (SELECT case_id, org, fpos,
             LEAD(fpos) OVER (PARTITION BY case_id, org ORDER BY fpos) AS back,
             LAG(fpos) OVER (PARTITION BY case_id, org ORDER BY fpos) AS before,
             LEAD(org) OVER (PARTITION BY case_id ORDER BY fpos) AS next_org
      FROM function_steps WHERE prev_org IS NULL OR prev_org <> org) runs"""

# One row per ping-pong: (case, a, b, kind). Direct ones from the runs alone; indirect ones by
# joining a return of A with the runs between it and the next A, keeping a run of B only when
# it is B's first since that A (its ``before`` is earlier), so each (A-run, B) is one row
# without a DISTINCT.
BOUNCES = """SELECT case_id, org AS a, next_org AS b, 'direct' AS kind
FROM function_runs WHERE back IS NOT NULL AND after_next_org = org
UNION ALL
SELECT x.case_id, x.org AS a, y.org AS b, 'indirect' AS kind
FROM function_runs x JOIN function_runs y
  ON y.case_id = x.case_id AND y.fpos > x.fpos AND y.fpos < x.back
WHERE x.back IS NOT NULL AND x.after_next_org <> x.org
  AND (y.before IS NULL OR y.before < x.fpos)"""

# Per (A, B, kind): occurrences, and the cases with at least one (grouped by case first).
PING_PONG = """SELECT a, b, kind, SUM(n) AS occurrences, COUNT(*) AS cases
FROM (SELECT case_id, a, b, kind, COUNT(*) AS n FROM bounces GROUP BY case_id, a, b, kind) t
GROUP BY a, b, kind
ORDER BY a, b, kind"""

# Cases with at least one ping-pong of any kind between any functions.
PING_PONG_CASES = "SELECT COUNT(*) FROM (SELECT case_id FROM bounces GROUP BY case_id) t"


#: Joins a case's activities into one variant text (the unit separator, which the canonical
#: events never hold: it is replaced by a space when the log is read).
VARIANT_SEPARATOR = "\x1f"


def VARIANTS(sequence: str) -> str:  # noqa: N802
    """The distinct activity sequences of the cases and how many cases follow each;
    ``sequence`` is the engine's ordered aggregate of ``activity`` by ``pos``, joined by
    :data:`VARIANT_SEPARATOR` (``chr(31)``)."""
    return f"""SELECT variant, COUNT(*) AS n
FROM (SELECT case_id, {sequence} AS variant FROM steps GROUP BY case_id) t
GROUP BY variant"""
