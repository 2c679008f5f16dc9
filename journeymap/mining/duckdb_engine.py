"""The default engine: DuckDB, embedded. Reads CSV and Parquet itself, multi-threaded, and works
out of core: its tables live in memory up to the memory limit (``memory_limit``, else
:data:`DEFAULT_MEMORY_LIMIT`) and spill to a folder under the work folder beyond it, so a log
larger than the memory is mined instead of failing."""

from __future__ import annotations

import os
from typing import Any

from journeymap.errors import InputError
from journeymap.mining.log import LogSource, csv_delimiter, diagnose_csv
from journeymap.model import Location

__all__ = ["DEFAULT_MEMORY_LIMIT", "DuckDBEngine"]

#: DuckDB's buffer pool when no limit is given (DuckDB's own default is 80 % of the RAM): a
#: 10^7-event log then fits in about 1.5 GB of process memory, spilling the rest to disk.
DEFAULT_MEMORY_LIMIT = "1GB"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class DuckDBEngine:
    """Mining queries on an embedded DuckDB database kept in ``workdir``."""

    name = "duckdb"

    def __init__(
        self, workdir: str, memory_limit: str | None = None, threads: int | None = None
    ) -> None:
        import duckdb

        self.workdir = workdir
        self._error = duckdb.Error
        self._db = duckdb.connect(":memory:")
        self._db.execute("SET TimeZone = 'UTC'")
        self._db.execute("SET enable_progress_bar = false")
        self._db.execute(f"SET temp_directory = {_literal(os.path.join(workdir, 'spill'))}")
        self._db.execute("SET preserve_insertion_order = true")
        self._db.execute(f"SET memory_limit = {_literal(memory_limit or DEFAULT_MEMORY_LIMIT)}")
        if threads:
            self._db.execute(f"SET threads = {int(threads)}")

    def quote(self, column: str) -> str:
        return '"' + column.replace('"', '""') + '"'

    def micros(self, expression: str) -> str:
        return f"epoch_us(TRY_CAST({expression} AS TIMESTAMPTZ))"

    def sequence(self, value: str, order: str) -> str:
        return f"string_agg({value}, chr(31) ORDER BY {order})"

    def read_raw(self, source: LogSource) -> list[str]:
        path = source.path
        try:
            if source.format == "csv":
                # Read when the events are made, once; numbered in file order (the scan keeps
                # it, preserve_insertion_order). Read once more only to quote a bad value.
                self._db.execute(
                    "CREATE VIEW raw AS SELECT *, ROW_NUMBER() OVER () - 1 AS __seq FROM read_csv("
                    f"{_literal(path)}, header = true, all_varchar = true, "
                    f"delim = {_literal(csv_delimiter(path))}, quote = '\"', escape = '\"')"
                )
                self._db.execute("SELECT * FROM raw LIMIT 1").fetchall()
            elif source.format == "parquet" and os.path.isdir(path):
                pattern = _literal(os.path.join(path, "*.parquet"))
                self._db.execute(
                    "CREATE TABLE raw_table AS SELECT * EXCLUDE (filename, file_row_number) "
                    f"FROM read_parquet({pattern}, filename = true, file_row_number = true) "
                    "ORDER BY filename, file_row_number"
                )
                self._db.execute("CREATE VIEW raw AS SELECT *, rowid AS __seq FROM raw_table")
            elif source.format == "parquet":
                self._db.execute(
                    "CREATE VIEW raw AS SELECT * EXCLUDE (file_row_number), "
                    f"file_row_number AS __seq FROM read_parquet({_literal(path)}, "
                    "file_row_number = true)"
                )
            else:
                raise ValueError(f"DuckDB reads csv and parquet, not {source.format}")
        except self._error:
            if source.format == "csv":
                raise diagnose_csv(path) from None
            raise InputError.at(
                Location(source.display, 1, 1),
                "cannot read this Parquet file",
                "check that it is a Parquet file and not truncated",
            ) from None
        names = [str(row[0]) for row in self._db.execute("DESCRIBE raw").fetchall()]
        return [n for n in names if n != "__seq"]

    def view(self, name: str, select: str) -> None:
        self._db.execute(f"CREATE OR REPLACE VIEW {name} AS {select}")

    def materialize(self, name: str, select: str) -> None:
        self._db.execute(f"CREATE OR REPLACE TABLE {name} AS {select}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return self._db.execute(sql).fetchall()

    def close(self) -> None:
        self._db.close()
