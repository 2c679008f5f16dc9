"""The Spark engine against the DuckDB engine: the same logs must give the same MinedLog (field
for field, engine name aside), and hand-built logs the figures worked out by hand below.

One Spark session serves the module: the ``spark`` fixture starts it through SparkEngine's own
start-up path and every ``mine(engine="spark")`` call reuses it.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import duckdb
import pytest

from journeymap.errors import InputError, UsageError
from journeymap.mining import LogColumns, MinedLog, mine
from journeymap.mining.log import diagnose_csv
from journeymap.mining.spark_engine import SparkEngine, _spark_memory

HEADER = ["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    engine = SparkEngine(str(tmp_path_factory.mktemp("spark")), master="local[2]")
    session = engine.spark
    yield session
    engine.close()


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER, sep: str = ",") -> str:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=sep, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def both(path: str, columns: LogColumns | None = None, **options: Any) -> tuple[MinedLog, MinedLog]:
    """The log mined by each engine; fails unless they agree on every figure."""
    duck = mine(path, columns, engine="duckdb", **options)
    spark = mine(path, columns, engine="spark", **options)
    assert (duck.engine, spark.engine) == ("duckdb", "spark")
    assert dataclasses.replace(spark, engine="duckdb") == duck
    return duck, spark


# -- a hand-built log ------------------------------------------------------------------------
# c1: seven events written out of order, with offsets +01:00, none and -01:00; e5 and e6 at the
#     same time (file order decides: Check before Ship); e3 has no resource.
#     In time order (UTC): Open 08:00 Sales ann, Check 08:30 Risk bob, Check 08:45 Risk -,
#     Quote 09:00 Sales ann, Check 10:00 Risk bob, Ship 10:00 Ops cy, Close 12:00 Sales ann.
# c2: one event, date only (00:00 UTC). c3: three events at the same instant, file order
#     Open, Check, Close. c4: one event, no resource.
HAND = [
    ["c1", "Quote", "2024-03-04T09:00:00Z", "ann", "Sales"],
    ["c3", "Open", "2024-03-05T10:00:00Z", "ann", "Sales"],
    ["c1", "Open", "2024-03-04T09:00:00+01:00", "ann", "Sales"],
    ["c1", "Check", "2024-03-04T07:45:00-01:00", "", "Risk"],
    ["c2", "Open", "2024-03-04", "dan", "Sales"],
    ["c1", "Check", "2024-03-04T10:00:00Z", "bob", "Risk"],
    ["c3", "Check", "2024-03-05T10:00:00Z", "bob", "Risk"],
    ["c1", "Ship", "2024-03-04T10:00:00Z", "cy", "Ops"],
    ["c4", "Check", "2024-03-06T00:00:00Z", "", "Risk"],
    ["c1", "Close", "2024-03-04T12:00:00Z", "ann", "Sales"],
    ["c3", "Close", "2024-03-05T10:00:00+00:00", "ann", "Sales"],
    ["c1", "Check", "2024-03-04 08:30:00", "bob", "Risk"],
]


def test_hand_built_log(spark: Any, tmp_path: Path) -> None:
    duck, _ = both(write_csv(tmp_path / "hand.csv", HAND))
    assert (duck.events, duck.cases) == (12, 4)
    assert (duck.events_with_resource, duck.events_with_function) == (10, 12)
    day = datetime(2024, 3, 4, tzinfo=timezone.utc).timestamp()
    assert (duck.first, duck.last) == (day, day + 2 * 86400)
    dfg = {(s.source, s.target): (s.count, s.median_wait) for s in duck.dfg}
    assert dfg == {
        ("Open", "Check"): (2, 900.0),  # c1 1800 s, c3 0 s
        ("Check", "Check"): (1, 900.0),
        ("Check", "Quote"): (1, 900.0),
        ("Quote", "Check"): (1, 3600.0),
        ("Check", "Ship"): (1, 0.0),
        ("Ship", "Close"): (1, 7200.0),
        ("Check", "Close"): (1, 0.0),
    }
    figures = {a.name: (a.events, a.cases, a.starts, a.ends) for a in duck.activities}
    assert figures == {
        "Open": (3, 3, 3, 1),
        "Check": (5, 3, 1, 1),
        "Quote": (1, 1, 0, 0),
        "Ship": (1, 1, 0, 0),
        "Close": (2, 2, 0, 2),
    }
    assert duck.activity("Check").functions == (("Risk", 5),)
    resources = {(h.source, h.target): (h.count, h.fraction) for h in duck.resource_handovers}
    assert resources == {
        ("ann", "bob"): (3, 3 / 7),
        ("bob", "ann"): (2, 2 / 7),
        ("bob", "cy"): (1, 1 / 7),
        ("cy", "ann"): (1, 1 / 7),
    }
    functions = {(h.source, h.target): h.count for h in duck.function_handovers}
    assert functions == {
        ("Sales", "Risk"): 3,
        ("Risk", "Risk"): 1,
        ("Risk", "Sales"): 2,
        ("Risk", "Ops"): 1,
        ("Ops", "Sales"): 1,
    }
    waits = {(w.source, w.target): (w.count, w.median, w.p90) for w in duck.waits}
    assert waits == {
        ("Sales", "Risk"): (3, 1800.0, 3240.0),  # [0, 1800, 3600]: p90 = 1800 + 0.8 * 1800
        ("Risk", "Sales"): (2, 450.0, 810.0),  # [0, 900]
        ("Risk", "Ops"): (1, 0.0, 0.0),
        ("Ops", "Sales"): (1, 7200.0, 7200.0),
    }
    # Runs of c1: Sales Risk Sales Risk Ops Sales; c3: Sales Risk Sales.
    pings = {(p.a, p.b, p.kind): (p.occurrences, p.cases, p.share) for p in duck.ping_pong}
    assert pings == {
        ("Sales", "Risk", "direct"): (2, 2, 0.5),
        ("Sales", "Risk", "indirect"): (1, 1, 0.25),
        ("Sales", "Ops", "indirect"): (1, 1, 0.25),
        ("Risk", "Sales", "direct"): (1, 1, 0.25),
    }


def test_semicolons_quotes_lifecycle_and_channels(spark: Any, tmp_path: Path) -> None:
    header = ["case", "activity", "when", "who", "team", "channel", "lifecycle"]
    rows = [
        ["k1", "Call; first", "2024-01-01T10:00:00Z", "ann", "Care", "phone", "start"],
        ["k1", "Call; first", "2024-01-01T10:05:00Z", "ann", "Care", "phone", "complete"],
        ["k1", 'Write "letter"', "2024-01-01T11:00:00Z", "bob", "Back office", "mail", "COMPLETE"],
        ["k2", "Call; first", "2024-01-02T10:00:00Z", "ann", "Care", "web", ""],
    ]
    path = write_csv(tmp_path / "semi.csv", rows, header, sep=";")
    columns = LogColumns(
        case="case", activity="activity", timestamp="when", resource="who",
        function="team", channel="channel", lifecycle="lifecycle",
    )  # fmt: skip
    duck, _ = both(path, columns)
    assert (duck.events, duck.cases, duck.events_with_channel) == (3, 2, 3)
    assert [(s.source, s.target, s.count, s.median_wait) for s in duck.dfg] == [
        ("Call; first", 'Write "letter"', 1, 3300.0)
    ]
    assert duck.activity("Call; first").channels == (("phone", 1), ("web", 1))
    assert [(w.source, w.target) for w in duck.waits] == [("Care", "Back office")]


def test_unreadable_timestamp_is_the_same_line_on_both(spark: Any, tmp_path: Path) -> None:
    # Spark alone would read a bare year as 1 January; DuckDB does not, and neither may.
    rows = [["c1", "A", "2024-03-01T09:00:00Z", "", ""], ["c1", "B", "2024", "", ""]]
    path = write_csv(tmp_path / "bad.csv", rows)
    errors = []
    for engine in ("duckdb", "spark"):
        with pytest.raises(InputError) as caught:
            mine(path, engine=engine)
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert errors[1].startswith(f"{path}:3:1: error: cannot read the timestamp '2024'")


def test_unterminated_quote_is_diagnosed(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "quote.csv"
    path.write_text(
        ",".join(HEADER) + '\nc1,A,2024-03-01,ann,Sales\nc1,"B,2024-03-02,bob,Risk\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        mine(str(path), engine="spark")
    assert str(caught.value) == str(diagnose_csv(str(path)))
    assert str(caught.value).startswith(f"{path}:3:1: error: ")
    assert "\n" not in str(caught.value)


def test_missing_table_is_one_line(spark: Any) -> None:
    with pytest.raises(InputError) as caught:
        mine("no_such_log_table", engine="spark", log_format="table")
    assert str(caught.value).startswith("no_such_log_table:1:1: error: no such Spark table")


# -- a generated log -------------------------------------------------------------------------

ACTIVITIES = ["Register", "Check", "Quote", "Call", "Fix", "Ship", "Bill", "Close"]
RESOURCES = [f"r{i:02d}" for i in range(12)]
ORGS = ["Sales", "Risk", "Ops", "Care"]


def generate(path: Path, events: int, seed: int = 7) -> list[tuple[str, str, datetime, str]]:
    """A random log written in shuffled order, timestamps to the second (many ties) in several
    spellings. Returns (case, activity, UTC time, resource) in file order."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    rows = []
    case = 0
    while len(rows) < events:
        case += 1
        at = start + timedelta(seconds=rng.randrange(0, 86400 * 30))
        for _ in range(rng.randint(1, 12)):
            at += timedelta(seconds=rng.choice([0, 0, 1, 60, 3600, rng.randrange(1, 86400)]))
            resource = rng.choice(RESOURCES) if rng.random() > 0.1 else ""
            org = rng.choice(ORGS) if rng.random() > 0.05 else ""
            style = rng.randrange(4)
            if style == 0:
                text = at.strftime("%Y-%m-%dT%H:%M:%SZ")
            elif style == 1:
                text = at.strftime("%Y-%m-%d %H:%M:%S")
            else:
                hours = rng.choice([-5, 1, 2, 9]) if style == 2 else 0
                text = at.astimezone(timezone(timedelta(hours=hours))).isoformat()
            rows.append(([f"case{case:05d}", rng.choice(ACTIVITIES), text, resource, org], at))
    rng.shuffle(rows)
    write_csv(path, [r for r, _ in rows])
    return [(r[0], r[1], at, r[3]) for r, at in rows]


def successions(truth: list[tuple[str, str, datetime, str]]) -> tuple[Counter, Counter]:
    """Directly-follows and resource handover counts worked out in plain Python."""
    by_case: dict[str, list[tuple[datetime, int, str, str]]] = {}
    for i, (case, activity, at, resource) in enumerate(truth):
        by_case.setdefault(case, []).append((at, i, activity, resource))
    dfg: Counter = Counter()
    handovers: Counter = Counter()
    for steps in by_case.values():
        steps.sort()
        dfg.update((a[2], b[2]) for a, b in zip(steps, steps[1:], strict=False))
        named = [s[3] for s in steps if s[3]]
        handovers.update(zip(named, named[1:], strict=False))
    return dfg, handovers


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list, MinedLog]:
    folder = tmp_path_factory.mktemp("generated")
    truth = generate(folder / "log.csv", 3000)
    return folder, truth, mine(str(folder / "log.csv"), engine="duckdb")


@pytest.mark.slow
def test_generated_log(spark: Any, generated: tuple[Path, list, MinedLog]) -> None:
    folder, truth, duck = generated
    both(str(folder / "log.csv"))
    dfg, handovers = successions(truth)
    assert {(s.source, s.target): s.count for s in duck.dfg} == dict(dfg)
    assert {(h.source, h.target): h.count for h in duck.resource_handovers} == dict(handovers)
    assert duck.events == len(truth)


def _same_figures(mined: MinedLog, expected: MinedLog) -> None:
    assert dataclasses.replace(mined, source=expected.source, engine=expected.engine) == expected


@pytest.mark.slow
def test_parquet_file_with_timestamps(spark: Any, generated: tuple[Path, list, MinedLog]) -> None:
    folder, _, duck = generated
    target = folder / "typed.parquet"
    ts = '"time:timestamp"'
    duckdb.execute(
        f"COPY (SELECT * REPLACE (CAST({ts} AS TIMESTAMPTZ) AS {ts}) FROM read_csv("
        f"'{folder / 'log.csv'}', header = true, all_varchar = true)) "
        f"TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE 500)"
    )
    # Small splits, so the file is read as several partitions and __seq spans them.
    spark.conf.set("spark.sql.files.maxPartitionBytes", "16k")
    try:
        assert spark.read.parquet(str(target)).rdd.getNumPartitions() > 1
        for engine in ("duckdb", "spark"):
            _same_figures(mine(str(target), engine=engine), duck)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")


@pytest.mark.slow
def test_parquet_folder_in_name_order(spark: Any, generated: tuple[Path, list, MinedLog]) -> None:
    folder, truth, duck = generated
    parts = folder / "parts"
    parts.mkdir()
    # Name order is file order; the smallest file comes first by name, so size order differs.
    cuts = [(0, 200, "a.parquet"), (200, 1900, "b.parquet"), (1900, len(truth), "c.parquet")]
    for low, high, name in cuts:
        duckdb.execute(
            f"COPY (SELECT * FROM (SELECT *, row_number() OVER () - 1 AS i FROM read_csv("
            f"'{folder / 'log.csv'}', header = true, all_varchar = true)) "
            f"WHERE i >= {low} AND i < {high} ORDER BY i) TO '{parts / name}' (FORMAT parquet)"
        )
    for engine in ("duckdb", "spark"):
        _same_figures(mine(str(parts), engine=engine), duck)


@pytest.mark.slow
def test_spark_table(spark: Any, generated: tuple[Path, list, MinedLog]) -> None:
    folder, _, duck = generated
    spark.read.options(header=True).csv(str(folder / "log.csv")).coalesce(1).write.saveAsTable(
        "generated_log"
    )
    _same_figures(mine("generated_log", engine="spark", log_format="table"), duck)


# -- start-up --------------------------------------------------------------------------------


def _python(code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env=env
    )


@pytest.mark.slow
def test_own_session_is_quiet(tmp_path: Path) -> None:
    """A process with no Spark session starts one, mines, stops it, and writes nothing to
    stderr (no JVM warnings, no log4j lines, no progress bars)."""
    path = write_csv(tmp_path / "hand.csv", HAND)
    done = _python(
        "from journeymap.mining import mine\n"
        f"print(mine({path!r}, engine='spark', memory_limit='1GB').events)\n"
        "from pyspark.sql import SparkSession\n"
        "print(SparkSession.getActiveSession())\n"
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "12\nNone\n", "")


def test_no_java_is_one_usage_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "hand.csv", HAND)
    env = {k: v for k, v in os.environ.items() if k != "JAVA_HOME"}
    env["PATH"] = str(Path(sys.executable).parent)  # python, but no java
    done = _python(
        "from journeymap.errors import UsageError\n"
        "from journeymap.mining import mine\n"
        "try:\n"
        f"    mine({path!r}, engine='spark')\n"
        "except UsageError as err:\n"
        "    print(err)\n",
        env,
    )
    assert done.returncode == 0, done.stderr
    assert "install a Java runtime 17+" in done.stdout
    assert done.stdout.count("\n") == 1


def test_no_pyspark_is_one_usage_line(tmp_path: Path) -> None:
    done = _python(
        "import sys\n"
        "sys.modules['pyspark'] = None  # as if it were not installed\n"
        "from journeymap.errors import UsageError\n"
        "from journeymap.mining.spark_engine import SparkEngine\n"
        "try:\n"
        f"    SparkEngine({str(tmp_path)!r})\n"
        "except UsageError as err:\n"
        "    print(err)\n"
    )
    assert done.stdout == "the Spark engine needs pyspark; pip install 'journeymap[spark]'\n"


def test_memory_limits_in_the_jvm_spelling() -> None:
    assert _spark_memory("2GB") == "2048m"
    assert _spark_memory("512MiB") == "512m"
    assert _spark_memory("1.5g") == "1536m"
    with pytest.raises(UsageError):
        _spark_memory("lots")


@pytest.mark.slow
def test_variants_for_conformance_are_the_same_on_both(
    spark: Any, generated: tuple[Path, list, MinedLog]
) -> None:
    from journeymap.mining.lived import mine_lived

    folder, truth, _ = generated
    duck = mine_lived(str(folder / "log.csv"), engine="duckdb")
    lit = mine_lived(str(folder / "log.csv"), engine="spark")
    assert lit[1] == duck[1]
    # and they are the cases' activity sequences, counted in plain Python from the truth
    by_case: dict[str, list[tuple[datetime, int, str]]] = {}
    for n, (case, activity, when, _resource) in enumerate(truth):
        by_case.setdefault(case, []).append((when, n, activity))
    expected = Counter(tuple(a for _, _, a in sorted(steps)) for steps in by_case.values())
    assert {v.activities: v.cases for v in duck[1]} == dict(expected)


@pytest.mark.slow
def test_spark_handovers_equal_pm4py_on_a_mid_size_log(spark: Any, tmp_path: Path) -> None:
    """One mid-size seeded log (2 * 10^4 events, 2000 cases) on Spark: its resource and org
    handover counts are PM4Py's, and every figure is DuckDB's."""
    from tests.mining import pm4py_oracle as oracle
    from tests.mining.logs import write_large_log

    path = write_large_log(tmp_path / "mid.csv", 20000, seed=11)
    _, lit = both(path)
    frame = oracle.read_csv(path)
    for column, ours in (("org:resource", lit.resource_handovers), ("org:group", lit.function_handovers)):
        counts, _ = oracle.handovers(frame, column)
        assert {(h.source, h.target): h.count for h in ours} == counts, column
