"""The mining queries, written once, run by every engine (DuckDB, Spark).

Each query is portable SQL over the canonical tables (the subset DuckDB and Spark SQL share:
window functions, ``percentile_cont ... WITHIN GROUP``, ``COUNT(DISTINCT)``), so the engines
cannot drift apart. The few things the two dialects spell differently (quoting a column name,
turning a timestamp into microseconds) are fragments an engine supplies to
:func:`events_select`; nothing else is engine-specific.

Tables, each built from the one before:

- ``raw``: the log as read, plus ``__seq`` (the event's position in the log);
- ``events``: the canonical events (:data:`journeymap.mining.log.EVENTS_COLUMNS`);
- ``steps``: events in case order, each with its position and the next event's activity and
  time (directly-follows), materialised once because every figure reads it.
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

COUNTS = """SELECT COUNT(*) AS events, COUNT(DISTINCT case_id) AS cases,
       MIN(ts) AS first_ts, MAX(ts) AS last_ts,
       COUNT(resource) AS with_resource, COUNT(org) AS with_function,
       COUNT(channel) AS with_channel
FROM steps"""

# Directly-follows: how often one activity is followed by another in a case, and the median
# time between them (microseconds).
DFG = """SELECT activity, next_activity, COUNT(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY next_ts - ts) AS median_wait
FROM steps
WHERE next_activity IS NOT NULL
GROUP BY activity, next_activity
ORDER BY activity, next_activity"""

# Per activity: events, cases that contain it, cases that start and that end with it, and the
# sum of its positions in its cases (an integer, so the mean is the same on every engine).
ACTIVITIES = """SELECT activity, COUNT(*) AS n, COUNT(DISTINCT case_id) AS cases,
       SUM(CASE WHEN pos = 1 THEN 1 ELSE 0 END) AS starts,
       SUM(CASE WHEN next_activity IS NULL THEN 1 ELSE 0 END) AS ends,
       SUM(pos) AS position_sum
FROM steps
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


# The time a customer waits when one function hands over to another: from the last event of
# one function to the first event of the next (events without a function passed over).
FUNCTION_WAITS = """SELECT org, next_org, COUNT(*) AS n,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY next_ts - ts) AS median_wait,
       percentile_cont(0.9) WITHIN GROUP (ORDER BY next_ts - ts) AS p90_wait
FROM (SELECT org, ts,
             LEAD(org) OVER (PARTITION BY case_id ORDER BY pos) AS next_org,
             LEAD(ts) OVER (PARTITION BY case_id ORDER BY pos) AS next_ts
      FROM steps WHERE org IS NOT NULL) t
WHERE next_org IS NOT NULL AND next_org <> org
GROUP BY org, next_org
ORDER BY org, next_org"""

# Ping-pong between functions. The functions a case passes through, consecutive repeats merged
# into runs: a customer with function A who comes back to A after other functions was bounced.
# Between a run of A and the next run of A: exactly one run (of B) is a direct ping-pong
# A -> B -> A; more runs make an indirect one, A -> ... B ... -> A, for every function B between.
# Counted per (A, B, kind): occurrences, and the cases with at least one.
_BOUNCED = """WITH fn AS (
  SELECT case_id, pos, org,
         LAG(org) OVER (PARTITION BY case_id ORDER BY pos) AS prev_org
  FROM steps WHERE org IS NOT NULL
), runs AS (
  SELECT case_id, org, ROW_NUMBER() OVER (PARTITION BY case_id ORDER BY pos) AS r
  FROM fn WHERE prev_org IS NULL OR prev_org <> org
), returns AS (
  SELECT case_id, org, r, LEAD(r) OVER (PARTITION BY case_id, org ORDER BY r) AS back
  FROM runs
), bounced AS (
  SELECT DISTINCT x.case_id, x.org AS a, y.org AS b, x.r,
         CASE WHEN x.back - x.r = 2 THEN 'direct' ELSE 'indirect' END AS kind
  FROM returns x JOIN runs y
    ON y.case_id = x.case_id AND y.r > x.r AND y.r < x.back
  WHERE x.back IS NOT NULL
)
"""

PING_PONG = _BOUNCED + """SELECT a, b, kind, COUNT(*) AS occurrences, COUNT(DISTINCT case_id) AS cases
FROM bounced
GROUP BY a, b, kind
ORDER BY a, b, kind"""

# Cases with at least one ping-pong of any kind between any functions.
PING_PONG_CASES = _BOUNCED + "SELECT COUNT(DISTINCT case_id) FROM bounced"


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
