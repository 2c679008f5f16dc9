"""The Spark engine: the same mining queries on Apache Spark, for logs that live on a cluster or
outgrow one machine. Reads CSV and Parquet files and existing Spark tables.

A local session (``local[*]``) is started on first use, with its scratch folders, warehouse and
JVM log under the work folder and its console output kept off the CLI's stderr; a session that
is already running (a cluster's, a notebook's, a test's) is used as it is and left running.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
import subprocess
import warnings
from functools import reduce
from pathlib import Path
from typing import Any

from journeymap.errors import InputError, UsageError
from journeymap.mining.log import LogSource, csv_delimiter, diagnose_csv
from journeymap.model import Location

__all__ = ["SparkEngine"]

_INSTALL = "pip install 'journeymap[spark]'"

# Text Spark reads as a timestamp only when it is ISO 8601 as DuckDB also reads it: a date,
# optionally 'T' or a space and a time, optionally Z or a +hh[:mm] offset. Spark alone would
# also take '2024', '2024-03', padding and named zones.
_ISO = r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$"

_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _spark_memory(limit: str) -> str:
    """``limit`` as DuckDB takes it (``2GB``, ``512MiB``, ``1.5g``) in the JVM's spelling
    (``2048m``)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*", limit, re.IGNORECASE)
    if not match or (not match.group(2) and not match.group(3)):
        raise UsageError(f"cannot read the memory limit {limit!r}; write it like 2GB or 512MB")
    scale = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}[match.group(2).lower()]
    megabytes = max(1, int(float(match.group(1)) * scale / 2**20))
    return f"{megabytes}m"


def _java() -> str:
    """The java a new Spark session would run, or a one-line UsageError naming the fix."""
    home = os.environ.get("JAVA_HOME")
    found = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not found or not os.access(found, os.X_OK):
        raise UsageError(
            "the Spark engine needs a Java runtime and none was found (java on PATH or "
            "JAVA_HOME); install a Java runtime 17+ (Debian: apt-get install default-jre-headless)"
        )
    return found


class SparkEngine:
    """Mining queries on Spark SQL; temporary views and cached tables stand for the tables."""

    name = "spark"

    def __init__(
        self, workdir: str, master: str = "local[*]", memory_limit: str | None = None
    ) -> None:
        self.workdir = workdir
        self.master = master
        self._memory = _spark_memory(memory_limit) if memory_limit else None
        self._session: Any = None
        self._started = False
        self._cached: list[Any] = []
        self._views: list[str] = []
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import pyspark.sql  # noqa: F401
        except ImportError:
            raise UsageError(f"the Spark engine needs pyspark; {_INSTALL}") from None
        # pyspark 4 imports its testing helpers lazily while collecting rows, and they warn
        # about the pandas version on import: imported here, silently, once (3.5's need
        # packages we do not install, and it does not import them while collecting).
        with warnings.catch_warnings(), contextlib.suppress(ImportError):
            warnings.simplefilter("ignore")
            importlib.import_module("pyspark.testing.utils")

    # -- the session ---------------------------------------------------------------------

    @property
    def spark(self) -> Any:
        """The SparkSession, started on first use (or the one already running)."""
        if self._session is None:
            self._session = self._start()
            self._session.conf.set("spark.sql.session.timeZone", "UTC")
        return self._session

    def _start(self) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from pyspark import SparkConf, SparkContext
            from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:
            return active
        conf = SparkConf().setMaster(self.master).setAppName("journeymap-mine")
        log4j = os.path.join(self.workdir, "log4j2.properties")
        Path(log4j).write_text(_LOG4J, encoding="utf-8")
        local = self.master.startswith("local")
        settings = {
            "spark.ui.enabled": "false",
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.warehouse.dir": os.path.join(self.workdir, "warehouse"),
            "spark.local.dir": os.path.join(self.workdir, "spark-local"),
            "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=file:{log4j}",
        }
        if local:
            settings["spark.driver.host"] = "127.0.0.1"
            settings["spark.driver.bindAddress"] = "127.0.0.1"
            settings["spark.sql.shuffle.partitions"] = str(max(8, 4 * (os.cpu_count() or 1)))
        if self._memory:
            settings["spark.driver.memory" if local else "spark.executor.memory"] = self._memory
        for key, value in settings.items():
            conf.set(key, value)

        gateway = None
        if SparkContext._gateway is None:  # no JVM yet in this process: start it quietly
            _java()
            gateway = self._launch(conf)
        try:
            context = SparkContext(conf=conf, gateway=gateway)
        except Exception as err:  # noqa: BLE001 - any failure to start is one line
            raise UsageError(
                f"cannot start Spark ({str(err).splitlines()[0][:200]}); "
                "install a Java runtime 17+ or check the --master URL"
            ) from None
        self._started = True
        return SparkSession(context)

    def _launch(self, conf: Any) -> Any:
        """Start the JVM with its console output in ``workdir/spark.log`` (the JVM and
        log4j write to stderr before any log level can be set)."""
        from pyspark.java_gateway import launch_gateway

        log_path = os.path.join(self.workdir, "spark.log")
        with open(log_path, "wb") as log:
            try:
                return launch_gateway(
                    conf, popen_kwargs={"stdout": log, "stderr": subprocess.STDOUT}
                )
            except Exception:  # noqa: BLE001 - the JVM's own words say why
                lines = Path(log_path).read_text(encoding="utf-8", errors="replace").splitlines()
                why = next((ln for ln in lines if "rror" in ln or "xception" in ln), "")
                shown = f" ({why.strip()[:200]})" if why else ""
                raise UsageError(
                    f"cannot start Spark's Java process{shown}; install a Java runtime 17+"
                ) from None

    # -- the Engine protocol -------------------------------------------------------------

    def quote(self, column: str) -> str:
        return "`" + column.replace("`", "``") + "`"

    def micros(self, expression: str) -> str:
        text = f"CAST({expression} AS STRING)"
        return (
            f"CASE WHEN {text} RLIKE '{_ISO}' THEN unix_micros(try_cast({text} AS TIMESTAMP)) END"
        )

    def sequence(self, value: str, order: str) -> str:
        """The ordered aggregate main's Engine protocol asks for (string_agg ... ORDER BY has
        no Spark 3.5 spelling): the group's values sorted by ``order``, joined by chr(31)."""
        return (
            f"array_join(transform(array_sort(collect_list(struct({order} AS o, {value} AS v))),"
            " x -> x.v), chr(31))"
        )

    def read_raw(self, source: LogSource) -> list[str]:
        from py4j.protocol import Py4JError
        from pyspark.errors import PySparkException
        from pyspark.storagelevel import StorageLevel

        try:
            frame = self._read(source)
            base = frame.selectExpr("*", "monotonically_increasing_id() AS __mid").persist(
                StorageLevel.MEMORY_AND_DISK
            )
            self._cached.append(base)
            # monotonically_increasing_id is (partition << 33) + row in the partition: rows
            # counted per partition turn it into consecutive positions in file order.
            counts = {
                int(p): int(n)
                for p, n in base.selectExpr("shiftright(__mid, 33) AS p")
                .groupBy("p")
                .count()
                .collect()
            }
        except (Py4JError, PySparkException):
            raise self._read_error(source) from None
        names = [c for c in frame.columns if c != "__seq"]
        parts = max(counts, default=0) + 1
        if parts == 1:
            seq = "__mid"
        else:
            offsets, total = [], 0
            for p in range(parts):
                offsets.append(f"{total}L")
                total += counts.get(p, 0)
            seq = (
                f"__mid - shiftleft(shiftright(__mid, 33), 33) + "
                f"element_at(array({', '.join(offsets)}), CAST(shiftright(__mid, 33) AS INT) + 1)"
            )
        raw = base.selectExpr(*[self.quote(c) for c in names], f"{seq} AS __seq")
        raw.createOrReplaceTempView("raw")
        self._views.append("raw")
        return names

    def _read(self, source: LogSource) -> Any:
        reader = self.spark.read
        if source.format == "csv":
            return reader.options(
                header=True,
                inferSchema=False,
                multiLine=True,
                escape='"',
                mode="FAILFAST",
                encoding="UTF-8",
                sep=csv_delimiter(source.path),
            ).csv(source.path)
        if source.format == "parquet":
            if not os.path.isdir(source.path):
                return reader.parquet(source.path)
            # One read per file, in name order (as DuckDB's glob): a union keeps its inputs'
            # partitions in order, so positions run file by file.
            files = sorted(str(p) for p in Path(source.path).glob("*.parquet"))
            frames = [reader.parquet(f) for f in files]
            return reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
        if source.format == "table":
            return self.spark.table(source.path)
        raise ValueError(f"Spark reads csv, parquet and tables, not {source.format}")

    def _read_error(self, source: LogSource) -> InputError:
        if source.format == "csv":
            return diagnose_csv(source.path)
        where = Location(source.display, 1, 1)
        if source.format == "table":
            return InputError.at(
                where, "no such Spark table", "give a table the Spark session can read"
            )
        return InputError.at(
            where,
            "cannot read this Parquet file",
            "check that it is a Parquet file and not truncated",
        )

    def view(self, name: str, select: str) -> None:
        self.spark.sql(select).createOrReplaceTempView(name)
        self._views.append(name)

    def materialize(self, name: str, select: str) -> None:
        from pyspark.storagelevel import StorageLevel

        frame = self.spark.sql(select).persist(StorageLevel.MEMORY_AND_DISK)
        self._cached.append(frame)
        frame.createOrReplaceTempView(name)
        self._views.append(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(_plain(v) for v in row) for row in self.spark.sql(sql).collect()]

    def close(self) -> None:
        """Drop this engine's views and cached tables; stop the session if it started it."""
        if self._session is None:
            return
        for name in dict.fromkeys(self._views):
            self._session.catalog.dropTempView(name)
        for frame in self._cached:
            frame.unpersist()
        if self._started:
            self._session.stop()
        self._session, self._cached, self._views = None, [], []


def _plain(value: Any) -> Any:
    """A collected value as plain Python (Spark gives Decimal for exact numerics)."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value
