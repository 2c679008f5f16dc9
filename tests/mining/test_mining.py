"""The mining figures on DuckDB: a hand-built log whose every figure is worked out below, seeded
logs whose handovers must equal PM4Py's handover-of-work network (beta = 0, computed here by
PM4Py itself), XES files as PM4Py writes them, and bad logs (one located line, exit 2).

(Spark against DuckDB, field for field, is tests/mining/test_spark_engine.py.)
"""

from __future__ import annotations

import dataclasses
import gzip
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.errors import InputError
from journeymap.mining import LogColumns, MinedLog, mine
from tests.mining import pm4py_oracle as oracle
from tests.mining.logs import HEADER, random_rows, write_csv, write_large_log

# -- a hand-built log ----------------------------------------------------------------------------
# Case A, in time order (UTC): a1 Register 09:00 r00 Sales, a2 Check 09:00 r01 Risk (a tie: a1
# comes first in the file; written +02:00), a3 Check 09:30 no resource, Risk (written -05:00),
# a4 Call 10:00 r00 Sales (no offset), a5 Fix 10:00 r02 Ops (a tie: a4 first in the file),
# a6 Call 11:00 r00 Sales, a7 Check 12:00 r01 Risk, a8 Close 13:00 r00 Sales.
# Case B: one event (a date alone: midnight UTC). Case C: two events at one instant, neither
# with a resource. Case D: Check three times by r01 in Risk (two at one instant).
# The rows are written out of order, ties kept in their order.
A = {
    "a1": ["A", "Register", "2024-05-01T09:00:00Z", "r00", "Sales", "web"],
    "a2": ["A", "Check", "2024-05-01T11:00:00+02:00", "r01", "Risk", "web"],
    "a3": ["A", "Check", "2024-05-01T04:30:00-05:00", "", "Risk", "phone"],
    "a4": ["A", "Call", "2024-05-01 10:00:00", "r00", "Sales", "phone"],
    "a5": ["A", "Fix", "2024-05-01T10:00:00Z", "r02", "Ops", ""],
    "a6": ["A", "Call", "2024-05-01T11:00:00Z", "r00", "Sales", "phone"],
    "a7": ["A", "Check", "2024-05-01T12:00:00Z", "r01", "Risk", "mail"],
    "a8": ["A", "Close", "2024-05-01T13:00:00Z", "r00", "Sales", "mail"],
    "b1": ["B", "Register", "2024-05-02", "r03", "Sales", "web"],
    "c1": ["C", "Register", "2024-05-02T10:00:00Z", "", "Care", "shop"],
    "c2": ["C", "Close", "2024-05-02T10:00:00Z", "", "Care", "shop"],
    "d0": ["D", "Check", "2024-05-03T08:00:00Z", "r01", "Risk", ""],
    "d1": ["D", "Check", "2024-05-03T08:00:00Z", "r01", "Risk", ""],
    "d2": ["D", "Check", "2024-05-03T08:05:00Z", "r01", "Risk", ""],
}
# The log's channel column (there is no standard name for one).
LOG_COLUMNS = LogColumns(channel="channel")
FILE_ORDER = ["a8", "d2", "a4", "c1", "a6", "a1", "a5", "b1", "a2", "d0", "a3", "c2", "a7", "d1"]


@pytest.fixture(scope="module")
def hand(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MinedLog]:
    path = tmp_path_factory.mktemp("hand") / "hand.csv"
    write_csv(path, [A[k] for k in FILE_ORDER])
    return path, mine(str(path), LOG_COLUMNS)


def test_hand_built_sizes_and_activities(hand: tuple[Path, MinedLog]) -> None:
    _, mined = hand
    assert (mined.events, mined.cases) == (14, 4)
    assert (mined.events_with_resource, mined.events_with_function) == (11, 14)
    assert mined.events_with_channel == 10
    assert mined.first == datetime(2024, 5, 1, 9, tzinfo=timezone.utc).timestamp()
    assert mined.last == datetime(2024, 5, 3, 8, 5, tzinfo=timezone.utc).timestamp()
    figures = {a.name: (a.events, a.cases, a.starts, a.ends) for a in mined.activities}
    assert figures == {
        "Register": (3, 3, 3, 1),
        "Check": (6, 2, 1, 1),
        "Call": (2, 1, 0, 0),
        "Fix": (1, 1, 0, 0),
        "Close": (2, 2, 0, 2),
    }
    # positions: Check a2 2, a3 3, a7 7, D 1 2 3
    assert mined.activity("Check").position_sum == 18
    assert mined.activity("Call").channels == (("phone", 2),)


def test_hand_built_directly_follows(hand: tuple[Path, MinedLog]) -> None:
    _, mined = hand
    assert {(s.source, s.target): (s.count, s.median_wait) for s in mined.dfg} == {
        ("Register", "Check"): (1, 0.0),  # the tie a1, a2 in file order
        ("Check", "Check"): (3, 300.0),  # a2 -> a3 1800 s, D 0 s and 300 s
        ("Check", "Call"): (1, 1800.0),
        ("Call", "Fix"): (1, 0.0),  # the tie a4, a5 in file order
        ("Fix", "Call"): (1, 3600.0),
        ("Call", "Check"): (1, 3600.0),
        ("Check", "Close"): (1, 3600.0),
        ("Register", "Close"): (1, 0.0),
    }


def test_hand_built_handovers_pass_over_missing_resources(hand: tuple[Path, MinedLog]) -> None:
    _, mined = hand
    # A without a3: r00 r01 r00 r02 r00 r01 r00; D: r01 r01 r01; B one event; C none.
    resources = {(h.source, h.target): (h.count, h.fraction) for h in mined.resource_handovers}
    assert resources == {
        ("r00", "r01"): (2, 2 / 8),
        ("r01", "r00"): (2, 2 / 8),
        ("r00", "r02"): (1, 1 / 8),
        ("r02", "r00"): (1, 1 / 8),
        ("r01", "r01"): (2, 2 / 8),
    }
    functions = {(h.source, h.target): h.count for h in mined.function_handovers}
    assert functions == {
        ("Sales", "Risk"): 2,
        ("Risk", "Risk"): 3,  # a2 -> a3 and D twice
        ("Risk", "Sales"): 2,
        ("Sales", "Ops"): 1,
        ("Ops", "Sales"): 1,
        ("Care", "Care"): 1,
    }


def test_hand_built_waits_and_ping_pong(hand: tuple[Path, MinedLog]) -> None:
    _, mined = hand
    waits = {(w.source, w.target): (w.count, w.median, w.p90) for w in mined.waits}
    assert waits == {
        ("Sales", "Risk"): (2, 1800.0, 3240.0),  # [0, 3600]: p90 = 0.9 * 3600
        ("Risk", "Sales"): (2, 2700.0, 3420.0),  # [1800, 3600]
        ("Sales", "Ops"): (1, 0.0, 0.0),
        ("Ops", "Sales"): (1, 3600.0, 3600.0),
    }
    # A's runs: Sales Risk Sales Ops Sales Risk Sales. Sales comes back after one run three
    # times (direct: Risk, Ops, Risk); Risk after three runs (indirect: Sales once though it
    # comes twice, and Ops).
    pings = {(p.a, p.b, p.kind): (p.occurrences, p.cases, p.share) for p in mined.ping_pong}
    assert pings == {
        ("Sales", "Risk", "direct"): (2, 1, 0.25),
        ("Sales", "Ops", "direct"): (1, 1, 0.25),
        ("Risk", "Sales", "indirect"): (1, 1, 0.25),
        ("Risk", "Ops", "indirect"): (1, 1, 0.25),
    }
    assert mined.ping_pong_cases == 1


def test_hand_built_handovers_equal_pm4py(hand: tuple[Path, MinedLog]) -> None:
    path, mined = hand
    frame = oracle.read_csv(str(path))
    for column, ours in (
        ("org:resource", mined.resource_handovers),
        ("org:group", mined.function_handovers),
    ):
        counts, fractions = oracle.handovers(frame, column)
        assert {(h.source, h.target): h.count for h in ours} == counts
        assert {(h.source, h.target): h.fraction for h in ours} == pytest.approx(fractions)


def test_percentiles_interpolate_like_percentile_cont(tmp_path: Path) -> None:
    # Sales -> Risk waits 0, 10, 20, 40, 80, 160 s (six cases): median between 20 and 40 = 30;
    # p90 at position 4.5 (0-based) = 80 + 0.5 * 80 = 120.
    rows = []
    for k, wait in enumerate([40, 0, 160, 10, 80, 20]):
        rows.append([f"k{k}", "Ask", "2024-01-01T00:00:00Z", "", "Sales", ""])
        rows.append([f"k{k}", "Answer", f"2024-01-01T00:{wait // 60:02d}:{wait % 60:02d}Z", "", "Risk", ""])
    mined = mine(write_csv(tmp_path / "p.csv", rows))
    assert [(w.source, w.target, w.count, w.median, w.p90) for w in mined.waits] == [
        ("Sales", "Risk", 6, 30.0, 120.0)
    ]
    assert [(s.count, s.median_wait) for s in mined.dfg] == [(6, 30.0)]


# -- seeded logs against PM4Py -------------------------------------------------------------------


def _against_pm4py(path: str, mined: MinedLog) -> None:
    frame = oracle.read_csv(path)
    for column, ours in (
        ("org:resource", mined.resource_handovers),
        ("org:group", mined.function_handovers),
    ):
        counts, fractions = oracle.handovers(frame, column)
        assert len(counts) > 10
        assert {(h.source, h.target): h.count for h in ours} == counts, column
        assert {(h.source, h.target): h.fraction for h in ours} == pytest.approx(fractions)
    assert mined.events == len(frame)
    assert mined.cases == frame[oracle.CASE].nunique()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_logs_have_pm4py_handovers(seed: int, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "log.csv", random_rows(seed, cases=300))
    _against_pm4py(path, mine(path))


def test_large_generator_log_has_pm4py_handovers_and_dfg(tmp_path: Path) -> None:
    path = write_large_log(tmp_path / "large.csv", 20000, seed=5)
    mined = mine(path)
    assert (mined.events, mined.cases) == (20000, 2000)
    _against_pm4py(path, mined)
    dfg, _, _ = oracle._pm4py().discover_dfg(
        oracle.read_csv(path), activity_key=oracle.ACTIVITY, timestamp_key=oracle.TIME,
        case_id_key=oracle.CASE,
    )  # fmt: skip
    assert {(s.source, s.target): s.count for s in mined.dfg} == dict(dfg)


def test_parquet_copy_gives_the_same_figures(tmp_path: Path) -> None:
    csv_path = write_large_log(tmp_path / "large.csv", 5000, seed=9)
    parquet = write_large_log(tmp_path / "large.parquet", 5000, seed=9, fmt="parquet")
    assert dataclasses.replace(mine(parquet), source=csv_path) == mine(csv_path)


# -- XES as PM4Py writes it ----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xes", ".xes.gz"])
def test_xes_written_by_pm4py_reads_back_the_same(suffix: str, tmp_path: Path) -> None:
    csv_path = write_csv(tmp_path / "log.csv", random_rows(4, cases=120))
    frame = oracle.read_csv(csv_path)
    xes = str(tmp_path / ("log" + suffix))
    oracle.write_xes(frame, xes)
    from_csv = mine(csv_path, LOG_COLUMNS)
    from_xes = mine(xes, LOG_COLUMNS)
    assert dataclasses.replace(from_xes, source=csv_path) == from_csv
    # and PM4Py reads its own file back to the same handovers
    counts, _ = oracle.handovers(oracle.read_xes(xes), "org:resource")
    assert {(h.source, h.target): h.count for h in from_xes.resource_handovers} == counts


# -- bad logs: one located line, exit 2 ----------------------------------------------------------


def _mine_cli(path: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["mine", str(path), "-f", "json", *options])
    return result.exit_code, result.stderr


def _one_line(stderr: str) -> str:
    assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    return stderr.rstrip("\n")


def test_cli_unreadable_timestamp_names_its_line(tmp_path: Path) -> None:
    rows = [A[k] for k in FILE_ORDER]
    rows[5] = [*rows[5][:2], "1 May 2024", *rows[5][3:]]
    code, err = _mine_cli(Path(write_csv(tmp_path / "t.csv", rows)))
    assert code == 2
    assert _one_line(err).startswith(f"{tmp_path / 't.csv'}:7:1: error: cannot read the timestamp '1 May 2024'")


def test_cli_empty_activity_names_its_line(tmp_path: Path) -> None:
    rows = [A[k] for k in FILE_ORDER]
    rows[2] = [rows[2][0], "  ", *rows[2][2:]]
    code, err = _mine_cli(Path(write_csv(tmp_path / "a.csv", rows)))
    assert code == 2
    assert _one_line(err).startswith(f"{tmp_path / 'a.csv'}:4:1: error: no activity")


def test_cli_missing_explicit_column(tmp_path: Path) -> None:
    path = Path(write_csv(tmp_path / "c.csv", [A["a1"]]))
    code, err = _mine_cli(path, "--channel-column", "medium")
    assert code == 2
    assert _one_line(err).startswith(f"{path}:1:1: error: the log has no channel column 'medium'")


def test_cli_unterminated_quote(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(
        ",".join(HEADER) + '\nA,Open,2024-01-01,r00,Sales,web\nA,"Check,2024-01-02,r01,Risk,web\n'
        "A,Close,2024-01-03,r00,Sales,web\n",
        encoding="utf-8",
    )
    code, err = _mine_cli(path)
    assert code == 2
    assert _one_line(err).startswith(f"{path}:3:1: error: a quoted field starting on this line is never closed")


BOMB = """<?xml version="1.0"?>
<!DOCTYPE log [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<log><trace><string key="concept:name" value="&d;"/>
<event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>
</trace></log>
"""


@pytest.mark.parametrize("name", ["bomb.xes", "bomb.xes.gz"])
def test_cli_xml_bomb_is_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    data = BOMB.encode()
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    code, err = _mine_cli(path)
    assert code == 2
    assert _one_line(err).startswith(f"{path}:1:1: error: refused: ")


def test_cli_broken_xes_names_the_element(tmp_path: Path) -> None:
    path = tmp_path / "broken.xes"
    path.write_text(
        '<?xml version="1.0"?>\n<log>\n<trace><string key="concept:name" value="c1"/>\n'
        '<event><string key="concept:name" value="A"/>\n</trace>\n</log>\n',
        encoding="utf-8",
    )
    code, err = _mine_cli(path)
    assert code == 2
    # the </trace> on line 5 closes an <event> that is still open
    assert _one_line(err).startswith(f"{path}:5:3: error: not well-formed XML")


def test_xes_event_without_timestamp_is_numbered(tmp_path: Path) -> None:
    path = tmp_path / "no-time.xes"
    path.write_text(
        '<?xml version="1.0"?>\n<log><trace><string key="concept:name" value="c1"/>'
        '<event><string key="concept:name" value="A"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>'
        '<event><string key="concept:name" value="B"/></event></trace></log>\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        mine(str(path))
    assert str(caught.value).startswith(f"{path}:1:1: error: event 2: no timestamp")


def _ping_pong_by_hand(path: Path) -> dict[tuple[str, str, str], tuple[int, int]]:
    """Ping-pong counted in plain Python from the CSV: each case's events in time order (ties
    in file order), those without an org unit passed over, consecutive repeats merged into runs;
    between a run of A and A's next run, one run of B is a direct A -> B -> A, more runs an
    indirect one for every B among them (once per B)."""
    import csv as csv_module

    events: dict[str, list[tuple[datetime, int, str]]] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for n, row in enumerate(csv_module.DictReader(handle)):
            if row["org:group"]:
                when = datetime.fromisoformat(row["time:timestamp"])
                events.setdefault(row["case:concept:name"], []).append((when, n, row["org:group"]))
    occurrences: dict[tuple[str, str, str], int] = {}
    cases: dict[tuple[str, str, str], set[str]] = {}
    for case, seq in events.items():
        runs: list[str] = []
        for _, _, org in sorted(seq):
            if not runs or runs[-1] != org:
                runs.append(org)
        for i, a in enumerate(runs):
            j = next((j for j in range(i + 1, len(runs)) if runs[j] == a), None)
            if j is None:
                continue
            between = runs[i + 1 : j]
            kind = "direct" if len(between) == 1 else "indirect"
            for b in dict.fromkeys(between):
                key = (a, b, kind)
                occurrences[key] = occurrences.get(key, 0) + 1
                cases.setdefault(key, set()).add(case)
    return {k: (occurrences[k], len(cases[k])) for k in occurrences}


def test_ping_pong_on_a_large_generated_log_equals_a_count_by_hand(tmp_path: Path) -> None:
    """2 * 10^5 events: large enough for DuckDB 1.1's LEAD-with-offset bug (it lost a third of
    the direct ping-pongs), which the queries now avoid."""
    log = Path(write_large_log(tmp_path / "large.csv", 200_000, seed=3))
    mined = mine(str(log))
    got = {(p.a, p.b, p.kind): (p.occurrences, p.cases) for p in mined.ping_pong}
    expected = _ping_pong_by_hand(log)
    assert sum(1 for k in expected if k[2] == "direct") > 20  # both kinds are exercised
    assert got == expected
