"""The journey as lived: figures mined from event logs, and the observed journey they imply.

``mine(path)`` reads a CSV, Parquet or XES log and returns a :class:`MinedLog` (directly-follows
counts, handovers of work between resources and between functions, ping-pong, waits between
functions). The work runs as SQL on DuckDB (embedded, the default) or on Spark (``engine="spark"``)
from one definition of each query (:mod:`journeymap.mining.queries`).
"""

from __future__ import annotations

import tempfile

from journeymap.mining.engine import ENGINES, compute, open_engine
from journeymap.mining.figures import (
    ActivityFigures,
    Handover,
    MinedLog,
    PingPong,
    Succession,
    Wait,
)
from journeymap.mining.log import LOG_FORMATS, LogColumns, log_source

__all__ = [
    "ENGINES",
    "LOG_FORMATS",
    "ActivityFigures",
    "Handover",
    "LogColumns",
    "MinedLog",
    "PingPong",
    "Succession",
    "Wait",
    "mine",
]


def mine(
    path: str,
    columns: LogColumns | None = None,
    *,
    engine: str = "duckdb",
    log_format: str | None = None,
    master: str | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> MinedLog:
    """The figures of the event log at ``path`` (``log_format`` from the suffix when not given;
    ``"table"`` names a Spark table). ``columns`` maps the log's columns (XES names by default).
    Scratch files live in a temporary folder removed on return; ``memory_limit`` (e.g.
    ``"2GB"``) caps the engine's memory, beyond which DuckDB spills to that folder."""
    source = log_source(path, log_format)
    with tempfile.TemporaryDirectory(prefix="journeymap-mine-") as work:
        runner = open_engine(
            engine, workdir=work, master=master, memory_limit=memory_limit, threads=threads
        )
        try:
            return compute(runner, source, columns or LogColumns())
        finally:
            runner.close()
