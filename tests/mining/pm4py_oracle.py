"""PM4Py as an independent oracle for the mining figures (tests and benchmarks only: PM4Py is
AGPL and a test extra; journeymap itself never imports it).

PM4Py's handover-of-work network (``pm4py.discover_handover_of_work_network``, beta = 0) gives
each ordered pair (a, b) the fraction ``count(a -> b) / all direct successions``; it refuses a
log with a missing value in the column (it sorts the values, and a NaN does not compare), so
the events without one are left out first -- which is what journeymap's "passed over" means.
The counts come from PM4Py's directly-follows graph over the same column
(``pm4py.discover_dfg`` with ``activity_key`` = the column) on the same events, checked against
the network's fractions, so both numbers are PM4Py's own.
"""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any

CASE, ACTIVITY, TIME = "case:concept:name", "concept:name", "time:timestamp"


def read_csv(path: str) -> Any:
    """The CSV at ``path`` as PM4Py takes it: every column text, empty = missing, formatted by
    ``pm4py.format_dataframe`` (timestamps parsed, events sorted by case and time, ties in file
    order)."""
    import pandas as pd

    pm4py = _pm4py()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    # ISO 8601 in any of its spellings (offsets, none = UTC, a space for the T, a date alone)
    frame[TIME] = pd.to_datetime(frame[TIME], utc=True, format="ISO8601")
    return pm4py.format_dataframe(frame, case_id=CASE, activity_key=ACTIVITY, timestamp_key=TIME)


def read_xes(path: str) -> Any:
    """The XES file at ``path`` read by PM4Py, as a data frame."""
    return _pm4py().read_xes(path)


def handovers(frame: Any, column: str = "org:resource") -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], float]]:
    """PM4Py's handover-of-work network on ``column`` (beta = 0): (counts, fractions) by
    ordered pair. Raises AssertionError if PM4Py's counts and fractions disagree."""
    pm4py = _pm4py()
    named = frame.dropna(subset=[column])
    if named.empty:
        return {}, {}
    network = pm4py.discover_handover_of_work_network(
        named, beta=0, resource_key=column, timestamp_key=TIME, case_id_key=CASE
    )
    fractions = {(str(a), str(b)): float(f) for (a, b), f in network.connections.items()}
    dfg, _, _ = pm4py.discover_dfg(
        named, activity_key=column, timestamp_key=TIME, case_id_key=CASE
    )
    counts = {(str(a), str(b)): int(n) for (a, b), n in dfg.items()}
    total = sum(counts.values())
    assert set(counts) == {k for k, f in fractions.items() if f > 0}
    assert all(math.isclose(counts[k] / total, fractions[k], rel_tol=1e-9) for k in counts)
    return counts, fractions


def write_xes(frame: Any, path: str) -> None:
    """Write ``frame`` as PM4Py writes an XES file."""
    _pm4py().write_xes(frame, path, case_id_key=CASE)


def _pm4py() -> Any:
    logging.getLogger("pm4py").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py
    return pm4py
