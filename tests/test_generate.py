"""The benchmark generator writes valid, realistic, deterministic journeys.

The structural rules are checked here by independent code on the plain YAML data (yaml.safe_load),
not by journeymap's loader; a separate test also loads the output with journeymap's loader.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from collections import deque
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.load import load_journey

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "generate.py"

_spec = importlib.util.spec_from_file_location("bench_generate", SCRIPT)
assert _spec and _spec.loader
gen = importlib.util.module_from_spec(_spec)
sys.modules["bench_generate"] = gen
_spec.loader.exec_module(gen)

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")
WAIT = re.compile(r"\d+(\.\d+)?[mhdw]\Z")
TRANSITION_KEYS = {"to", "share", "carries", "owner", "wait", "note"}


def _edges(tp: dict[str, Any]) -> list[dict[str, Any]]:
    return [e if isinstance(e, dict) else {"to": e} for e in tp.get("next", [])]


def check_journey(data: dict[str, Any], org: dict[str, Any] | None = None) -> dict[str, int]:
    """Assert the design's structural rules; return a few counts for further checks."""
    assert data["journeymap"] == 1
    shared = org or {}
    functions = {**shared.get("functions", {}), **data.get("functions", {})}
    systems = {**shared.get("systems", {}), **data.get("systems", {})}
    integrations = shared.get("integrations", []) + data.get("integrations", [])
    assert 5 <= len(functions) <= 12
    for fid, f in functions.items():
        assert SLUG.match(fid) and isinstance(f["name"], str) and isinstance(f["lead"], str)
    for sid, s in systems.items():
        assert SLUG.match(sid) and s["owner"] in functions, sid
        assert s.get("shadow", False) in (True, False)
    for integ in integrations:
        a, b = integ["between"]
        assert a in systems and b in systems and a != b
    stages = data["stages"]
    assert all(SLUG.match(s) for s in stages) and len(set(stages)) == len(stages)
    tps: dict[str, dict[str, Any]] = data["touchpoints"]
    counts = {"loops_to_earlier_stage": 0, "below_one": 0, "branch4": 0, "with_shares": 0,
              "waits": 0, "carries": 0, "asks": 0, "owners": 0}
    order = {s: i for i, s in enumerate(stages)}
    incoming: dict[str, set[str]] = {t: set() for t in tps}
    for tid, tp in tps.items():
        assert SLUG.match(tid), tid
        assert isinstance(tp["name"], str) and tp["name"]
        assert tp["stage"] in order and tp["function"] in functions
        assert SLUG.match(tp["channel"])
        assert all(s in systems for s in tp.get("systems", []))
        assert tp.get("emotion", 3) in (1, 2, 3, 4, 5)
        assert all(SLUG.match(a) for a in tp.get("asks", []))
        counts["asks"] += bool(tp.get("asks"))
        edges = _edges(tp)
        if not edges:
            assert isinstance(tp.get("outcome"), str) and SLUG.match(tp["outcome"]), tid
        else:
            assert "outcome" not in tp, f"outcome on non-terminal {tid}"
            assert 1 <= len(edges) <= 4, tid
            counts["branch4"] += len(edges) == 4
            targets = [e["to"] for e in edges]
            assert len(set(targets)) == len(targets), tid
            given_shares = [e for e in edges if "share" in e]
            assert len(given_shares) in (0, len(edges)), f"shares all-or-none at {tid}"
            if given_shares:
                counts["with_shares"] += 1
                shares = [e["share"] for e in edges]
                assert all(type(s) in (int, float) and 0 < s <= 1 for s in shares), tid
                total = sum(shares)
                assert total <= 1 + 1e-9, tid
                counts["below_one"] += total < 1 - 1e-9
            for e in edges:
                assert set(e) <= TRANSITION_KEYS, e
                assert e["to"] in tps, e
                incoming[e["to"]].add(tid)
                if order[tps[e["to"]]["stage"]] < order[tp["stage"]]:
                    counts["loops_to_earlier_stage"] += 1
                if "wait" in e:
                    assert WAIT.match(e["wait"]), e
                    counts["waits"] += 1
                if "owner" in e:
                    assert e["owner"] in functions
                    counts["owners"] += 1
                if "carries" in e:
                    assert all(SLUG.match(c) for c in e["carries"])
                    counts["carries"] += 1
    marked = [t for t, tp in tps.items() if tp.get("entry") is True]
    entries = marked or [t for t in tps if not incoming[t]]
    assert entries
    for tid, tp in tps.items():
        if "volume" in tp:
            assert tid in entries, f"volume on non-entry {tid}"
    with_volume = [t for t in entries if "volume" in tps[t]]
    assert len(with_volume) in (0, len(entries)), "volume all-or-none over entries"
    # every touchpoint is reachable from an entry
    seen = set(entries)
    queue = deque(entries)
    while queue:
        for e in _edges(tps[queue.popleft()]):
            if e["to"] not in seen:
                seen.add(e["to"])
                queue.append(e["to"])
    assert seen == set(tps), f"unreachable: {sorted(set(tps) - seen)[:5]}"
    # and every touchpoint can reach a terminal (no cycle without an exit)
    terminals = [t for t, tp in tps.items() if not tp.get("next")]
    back = set(terminals)
    queue = deque(terminals)
    while queue:
        for src in incoming[queue.popleft()]:
            if src not in back:
                back.add(src)
                queue.append(src)
    assert back == set(tps), f"cannot reach a terminal: {sorted(set(tps) - back)[:5]}"
    counts["functions"] = len(functions)
    counts["touchpoints"] = len(tps)
    counts["shadow"] = sum(bool(s.get("shadow")) for s in systems.values())
    counts["one_way"] = sum(bool(i.get("one-way")) for i in integrations)
    return counts


def test_journey_has_n_touchpoints_and_follows_the_rules() -> None:
    text = gen.generate_journey(2000, seed=7)
    counts = check_journey(yaml.safe_load(text))
    assert counts["touchpoints"] == 2000
    # realism: the features the generator promises actually occur at this size
    assert counts["loops_to_earlier_stage"] > 0
    assert counts["below_one"] > 0 and counts["with_shares"] > counts["below_one"]
    assert counts["branch4"] > 0 and counts["waits"] > 0 and counts["carries"] > 0
    assert counts["owners"] > 0 and counts["asks"] > 0
    assert counts["shadow"] >= 1


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=1, max_value=150), seed=st.integers(min_value=0, max_value=2**32))
def test_any_size_and_seed_is_valid(n: int, seed: int) -> None:
    counts = check_journey(yaml.safe_load(gen.generate_journey(n, seed=seed)))
    assert counts["touchpoints"] == n


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    assert gen.generate_journey(300, seed=5) == gen.generate_journey(300, seed=5)
    assert gen.generate_journey(300, seed=5) != gen.generate_journey(300, seed=6)


def test_cli_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    outs = []
    for name in ("a.yaml", "b.yaml"):
        out = tmp_path / name
        subprocess.run([sys.executable, str(SCRIPT), "--touchpoints", "50", "--seed", "3",
                        "-o", str(out)], check=True)
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0] == gen.generate_journey(50, seed=3).encode()


def test_portfolio_shares_one_organisation(tmp_path: Path) -> None:
    for name in ("a", "b"):
        subprocess.run([sys.executable, str(SCRIPT), "--journeys", "12", "--seed", "4",
                        "-o", str(tmp_path / name)], check=True)
    files_a = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files_a == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert len(files_a) == 13 and "organisation.yaml" in files_a
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    org = yaml.safe_load((tmp_path / "a" / "organisation.yaml").read_text())
    assert org["journeymap"] == 1 and set(org) == {
        "journeymap", "functions", "systems", "integrations", "channels"}
    ids = set()
    for name in files_a:
        if name == "organisation.yaml":
            continue
        assert name.endswith(".journey.yaml")
        data = yaml.safe_load((tmp_path / "a" / name).read_text())
        assert data["uses"] == "organisation.yaml"
        assert "functions" not in data and "systems" not in data
        ids.add(data["id"])
        # functions the journey touches come from the organisation: 5-12 of them
        touched = {tp["function"] for tp in data["touchpoints"].values()}
        assert touched <= set(org["functions"])
        check_journey(data, org)
    assert len(ids) == 12


def test_loads_with_journeymaps_loader(tmp_path: Path) -> None:
    path = tmp_path / "big.journey.yaml"
    path.write_text(gen.generate_journey(1500, seed=11))
    journey = load_journey(path)
    assert len(journey.touchpoints) == 1500
    data = yaml.safe_load(path.read_text())
    assert sum(len(_edges(tp)) for tp in data["touchpoints"].values()) == sum(
        1 for _ in journey.transitions())
    folder = tmp_path / "portfolio"
    gen.generate_portfolio(5, folder, seed=2, touchpoints=30)
    for file in sorted(folder.glob("*.journey.yaml")):
        loaded = load_journey(file)
        assert len(loaded.touchpoints) == len(yaml.safe_load(file.read_text())["touchpoints"])


@pytest.mark.parametrize("breakage", ["mixed-shares", "outcome-on-middle", "volume-on-middle",
                                      "unreachable", "bad-slug", "five-branches"])
def test_the_checker_catches_each_broken_rule(breakage: str) -> None:
    """The independent checker is not vacuous: each rule, broken on purpose, fails it."""
    data = yaml.safe_load(gen.generate_journey(200, seed=1))
    tps = data["touchpoints"]
    middle = next(t for t, tp in tps.items()
                  if len(_edges(tp)) >= 2 and "volume" not in tp and tp.get("entry") is not True)
    if breakage == "mixed-shares":
        edges = _edges(tps[middle])
        for e in edges:
            e.pop("share", None)
        edges[0]["share"] = 0.5
        tps[middle]["next"] = edges
    elif breakage == "outcome-on-middle":
        tps[middle]["outcome"] = "won"
    elif breakage == "volume-on-middle":
        tps[middle]["volume"] = 10
    elif breakage == "unreachable":
        tps["island"] = {"name": "Island", "stage": data["stages"][0],
                         "function": tps[middle]["function"], "channel": "web",
                         "outcome": "lost"}
    elif breakage == "bad-slug":
        tps["Bad Id"] = tps.pop(middle)
    elif breakage == "five-branches":
        others = [t for t in tps if t != middle][:5]
        tps[middle]["next"] = others
    with pytest.raises(AssertionError):
        check_journey(data)
