"""The loader: every error kind with its exact message, valid files into the exact model, folder
walks, hostile inputs, and a model -> YAML -> model round trip.

Each ``tests/data/load/invalid/<kind>.yaml`` sits beside ``<kind>.expected``, its exact problem
lines, with lines and columns counted by hand from the fixture text. Paths in messages are
relative to that folder, so the tests run from inside it.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import journeymap
from journeymap.errors import InputError
from journeymap.load import (
    SECTION_KEYS,
    find_journey_files,
    load_journey,
    load_journey_text,
    load_journeys,
)
from journeymap.model import (
    Channel,
    Function,
    Integration,
    Journey,
    Location,
    Stage,
    System,
    Touchpoint,
    Transition,
    frozen_map,
)

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "load"
INVALID = DATA / "invalid"
VALID = DATA / "valid"
INDENTATION = DATA / "indentation"
INVALID_CASES = sorted(p.name for p in INVALID.glob("*.yaml"))
VALID_CASES = sorted(p.name for p in VALID.glob("*.yaml"))
INDENTATION_CASES = sorted(p.name for p in INDENTATION.glob("*.yaml"))


def _problems(call: object) -> str:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    return "\n".join(str(p) for p in info.value.problems) + "\n"


# --------------------------------------------------------------------------------------------
# Every error kind, exact lines


@pytest.mark.parametrize("name", INVALID_CASES)
def test_invalid_fixture_gives_exact_problems(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    expected = (INVALID / name).with_suffix(".expected").read_text(encoding="utf-8")
    assert _problems(lambda: load_journey(name)) == expected


def test_every_invalid_fixture_has_expected_lines() -> None:
    expected = {p.with_suffix(".yaml").name for p in INVALID.glob("*.expected")}
    assert expected == set(INVALID_CASES)


def test_str_of_input_error_is_one_line_per_problem(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(INVALID)
    with pytest.raises(InputError) as info:
        load_journey("ranges.yaml")
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]
    assert len(info.value.problems) == 9


# --------------------------------------------------------------------------------------------
# Indentation mistakes that YAML accepts: the key lands in another mapping


@pytest.mark.parametrize("name", INDENTATION_CASES)
def test_indentation_fixture_gives_exact_problems(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lines, columns and "N more spaces" counted by hand from each fixture's text.
    monkeypatch.chdir(INDENTATION)
    expected = (INDENTATION / name).with_suffix(".expected").read_text(encoding="utf-8")
    assert _problems(lambda: load_journey(name)) == expected


def test_every_indentation_fixture_has_expected_lines() -> None:
    expected = {p.with_suffix(".yaml").name for p in INDENTATION.glob("*.expected")}
    assert expected == set(INDENTATION_CASES)


def test_indentation_messages_point_at_the_misplaced_key(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every message but one (a transition key with no transition above it) says "indentation"
    # and points at the first character of a key that the fixture's text has on that line.
    monkeypatch.chdir(INDENTATION)
    for name in INDENTATION_CASES:
        lines = (INDENTATION / name).read_text(encoding="utf-8").splitlines()
        for problem in _error(lambda n=name: load_journey(n)).problems:
            text = lines[problem.location.line - 1]
            key = problem.message.split("'")[1]
            assert text[problem.location.col - 1 :].startswith(key + ":"), str(problem)
            if "is a transition key: put it" not in str(problem):
                assert "indentation: " in str(problem), str(problem)


def test_dedented_next_is_not_a_touchpoint() -> None:
    text = (
        "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n"
        "  demo:\n    stage: s\n    function: f\n  next: [b]\n  b: {stage: s, function: f}\n"
    )
    assert str(_error(lambda: load_journey_text(text, "journeys/x.yaml"))) == (
        "journeys/x.yaml:8:3: error: 'next' is indented like a touchpoint id, so it is read as a "
        "new touchpoint; indentation: indent it under touchpoint 'demo' (line 5) by 2 more spaces"
    )


def test_touchpoints_named_like_keys_are_still_touchpoints() -> None:
    # A touchpoint may be called 'next' or 'notes': its value is a touchpoint mapping.
    text = (
        "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n"
        "  a: {stage: s, function: f, next: [next]}\n"
        "  next: {stage: s, function: f, next: [notes]}\n"
        "  notes:\n    stage: s\n    function: f\n"
    )
    j = load_journey_text(text, "named.yaml")
    assert list(j.touchpoints) == ["a", "next", "notes"]


def test_a_first_touchpoint_key_keeps_the_plain_message() -> None:
    # With no touchpoint above it there is nothing to indent it under.
    text = "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n  next: [b]\n"
    assert str(_error(lambda: load_journey_text(text, "first.yaml"))) == (
        "first.yaml:5:9: error: 'next' must be a mapping, found a list"
    )


def test_a_stage_key_above_touchpoints_is_a_typo_not_indentation() -> None:
    text = "journeymap: 1\nstage: [s]\nfunctions: {f: {}}\ntouchpoints:\n  a: {stage: s, function: f}\n"
    assert str(_error(lambda: load_journey_text(text, "typo.yaml"))).splitlines()[0] == (
        "typo.yaml:2:1: error: unknown key 'stage' in journey; did you mean 'stages'?"
    )


# --------------------------------------------------------------------------------------------
# "Did you mean" for references: by id, and by display name for ids written as names

ORG_USER = """journeymap: 1
uses: organisation.yaml
stages: [s]
systems:
  tool: {owner: salse}
  kit: {owner: Sales}
touchpoints:
  a: {stage: s, function: salse, systems: [CRM], next: [b, c]}
  b: {stage: s, function: Sales, next: [{to: C, owner: Field service}]}
  c: {stage: s, function: Customer Service}
"""


def test_unknown_functions_suggest_the_shared_ids() -> None:
    # journeys/organisation.yaml declares sales, crm, field (Field service), service (Customer
    # Service); each of these misspellings names one of them.
    path = str(ROOT / "journeys" / "x.yaml")
    lines = str(_error(lambda: load_journey_text(ORG_USER, path))).splitlines()
    assert [line.replace(path, "x.yaml") for line in lines] == [
        "x.yaml:5:17: error: unknown function 'salse' in system 'tool'; did you mean 'sales'?",
        "x.yaml:6:16: error: invalid id 'Sales' in 'owner'; did you mean 'sales'?",
        "x.yaml:8:27: error: unknown function 'salse' in touchpoint 'a'; did you mean 'sales'?",
        "x.yaml:8:44: error: invalid id 'CRM' in 'systems'; did you mean 'crm'?",
        "x.yaml:9:27: error: invalid id 'Sales' in 'function'; did you mean 'sales'?",
        "x.yaml:9:46: error: invalid id 'C' in 'to'; did you mean 'c'?",
        "x.yaml:9:56: error: invalid id 'Field service' in 'owner'; "
        "did you mean 'field' (Field service)?",
        "x.yaml:10:27: error: invalid id 'Customer Service' in 'function'; "
        "did you mean 'service' (Customer Service)?",
    ]


def test_invalid_ids_that_match_nothing_keep_the_slug_hint() -> None:
    text = "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n  a: {stage: s, function: Big Boss}\n"
    assert str(_error(lambda: load_journey_text(text, "slug.yaml"))) == (
        "slug.yaml:5:27: error: invalid id 'Big Boss' in 'function'; ids are lower-case slugs: "
        "a-z, 0-9, '-' and '_', starting with a letter or digit; try 'big-boss'"
    )


# --------------------------------------------------------------------------------------------
# Valid files


@pytest.mark.parametrize("name", VALID_CASES)
def test_valid_fixture_loads(name: str) -> None:
    assert isinstance(load_journey(VALID / name), Journey)


def test_worked_example_broadband() -> None:
    # Facts read off tests/data/worked/broadband.yaml (copied to tests/data/load/valid).
    j = load_journey(VALID / "broadband.yaml")
    assert j.id == "broadband"
    assert j.title == "Broadband installation"
    assert list(j.touchpoints) == ["offer", "call", "visit", "care-call", "survey", "happy"]
    assert [s.id for s in j.stages] == ["choose", "install", "live"]
    assert [tp.id for tp in j.entries()] == ["offer"]
    assert j.touchpoints["offer"].volume == 200.0
    assert j.integrations == (Integration("web", "crm"), Integration("crm", "wfm", one_way=True))
    assert j.systems["survey"].shadow is True
    call_visit = j.touchpoints["call"].next[0]
    assert call_visit == Transition("call", "visit", 0.8, (), "field", 120.0)
    assert j.touchpoints["care-call"].next[0].carries == ("address",)
    assert j.touchpoints["care-call"].systems == ()
    assert j.touchpoints["happy"].outcome == "live"
    assert sum(1 for _ in j.transitions()) == 6


def _all_features_expected() -> Journey:
    """The model of valid/all-features.journey.yaml, written out by hand."""
    ad = Touchpoint(
        id="ad",
        name="Campaign",
        description="Paid social campaign",
        stage="discover",
        function="marketing",
        channel="social",
        systems=("cms",),
        emotion=3,
        entry=True,
        volume=1000.0,
        asks=("email",),
        pains=("Generic message",),
        gains=("Short",),
        notes=("Runs monthly",),
        ideas=("Personalise",),
        kpis=(("ctr", "0.8%"), ("reach", "12000")),
        next=(
            Transition("ad", "call", 0.25, ("email",), "sales", 36.0, "Lead routed by round robin"),
            Transition("ad", "ad", 0.5, (), None, 0.5),
        ),
    )
    call = Touchpoint(
        id="call",
        name="call",
        stage="buy",
        function="sales",
        channel="phone",
        systems=("crm", "desk"),
        emotion=2,
        asks=("email", "needs"),
        next=(Transition("call", "help"),),
    )
    help_ = Touchpoint(id="help", name="Help", stage="buy", function="service", outcome="resolved")
    return Journey(
        id="all-features",
        title="Every key once",
        path="",
        functions=frozen_map(
            {
                "marketing": Function("marketing", "Brand marketing", "CMO"),
                "sales": Function("sales", "Sales", "VP Sales"),
                "service": Function("service", "Customer Service", "Head of Service"),
            }
        ),
        systems=frozen_map(
            {
                "cms": System("cms", "Web CMS", "marketing"),
                "crm": System("crm", "CRM", "sales"),
                "desk": System("desk", "Help desk", "service", True),
            }
        ),
        integrations=(Integration("cms", "crm", True), Integration("crm", "desk")),
        channels=frozen_map(
            {"web": Channel("web", "Web site"), "phone": Channel("phone", "Telephone")}
        ),
        stages=(Stage("discover", "Discovery"), Stage("buy", "buy")),
        touchpoints=frozen_map({"ad": ad, "call": call, "help": help_}),
        persona="Tester",
        owner="sales",
        description="A journey that uses every key of format version 1.",
        uses=("shared/org.yaml", "shared/extra.yaml"),
    )


def test_all_features_model_is_exact(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VALID)
    j = load_journey("all-features.journey.yaml")
    expected = _all_features_expected()
    assert j == Journey(**{**expected.__dict__, "path": "all-features.journey.yaml"})
    # mapping order is file order: shared entries first, a local override keeps its place
    assert list(j.functions) == ["marketing", "sales", "service"]
    assert list(j.systems) == ["cms", "crm", "desk"]


def test_locations_point_at_keys_and_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(VALID)
    j = load_journey("all-features.journey.yaml")
    path = "all-features.journey.yaml"
    assert j.location == Location(path, 2, 1)
    assert j.touchpoints["ad"].location == Location(path, 19, 3)
    assert j.touchpoints["call"].location == Location(path, 43, 3)
    assert j.touchpoints["ad"].next[0].location == Location(path, 36, 9)
    assert j.touchpoints["ad"].next[1].location == Location(path, 42, 9)
    assert j.touchpoints["call"].next[0].location == Location(path, 50, 12)
    assert j.functions["marketing"].location == Location(path, 9, 3)  # the local override
    assert j.functions["sales"].location == Location("shared/org.yaml", 6, 3)
    assert j.functions["service"].location == Location("shared/extra.yaml", 2, 3)
    assert j.stages[0].location == Location(path, 17, 10)
    assert j.stages[1].location == Location(path, 17, 43)
    assert j.integrations[1].location == Location(path, 14, 5)
    assert j.systems["desk"].location == Location(path, 11, 3)
    assert j.channels["web"].location == Location("shared/org.yaml", 13, 3)


def test_plain_scalars_are_kept_as_written() -> None:
    j = load_journey(VALID / "literal-text.yaml")
    assert j.id == "no"  # YAML 1.1 would read False
    assert j.title == "1.10"  # not 1.1
    assert j.persona == "2024-01-01"  # not a date
    assert [s.id for s in j.stages] == ["on", "0"]
    assert j.functions["yes"] == Function("yes", "true", "null-lead")
    tp = j.touchpoints["off"]
    assert (tp.name, tp.stage, tp.function) == ("0x1F", "on", "yes")
    assert tp.kpis == (("nps", "42"), ("ok", "true"))


def test_byte_order_mark_is_accepted() -> None:
    j = load_journey(VALID / "bom.yaml")
    assert j.touchpoints["a"].location.col == 3


def test_journey_id_defaults_to_file_name_without_extensions() -> None:
    text = "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n  a: {stage: s, function: f}\n"
    assert load_journey_text(text, "some/dir/b2b.journey.yaml").id == "b2b"
    assert load_journey_text(text, "x.yml").title == "x"


def test_text_uses_resolve_relative_to_the_given_path() -> None:
    text = (
        "journeymap: 1\nuses: shared/org.yaml\nstages: [s]\n"
        "touchpoints:\n  a: {stage: s, function: sales, systems: [crm]}\n"
    )
    j = load_journey_text(text, str(VALID / "live.yaml"))
    assert set(j.functions) == {"marketing", "sales"}
    assert j.integrations == (Integration("cms", "crm"),)


def test_durations_in_hours() -> None:
    base = "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n  a: {stage: s, function: f, next: [{to: b, wait: %s}]}\n  b: {stage: s, function: f}\n"
    cases = {
        "30m": 0.5,
        "4h": 4.0,
        "2d": 48.0,
        "1w": 168.0,
        "1.5d": 36.0,
        "0m": 0.0,
        "520w": 87360.0,
        ".5h": 0.5,
        "1 d": 24.0,
        "90m": 1.5,
        "2w": 336.0,
        '"3h"': 3.0,
    }
    for text, hours in cases.items():
        j = load_journey_text(base % text, "d.yaml")
        assert j.touchpoints["a"].next[0].wait_hours == pytest.approx(hours), text


@pytest.mark.parametrize(
    ("wait", "message"),
    [
        ("2", "'wait' must be a duration such as 30m, 4h, 2d or 1w, found '2'; add a unit: "
         "m (minutes), h (hours), d (days) or w (weeks)"),
        ("1.5", "'wait' must be a duration such as 30m, 4h, 2d or 1w, found '1.5'; add a unit: "
         "m (minutes), h (hours), d (days) or w (weeks)"),
        ("1.d", "'wait' must be a duration such as 30m, 4h, 2d or 1w, found '1.d'"),
        ("2 days", "'wait' must be a duration such as 30m, 4h, 2d or 1w, found '2 days'"),
        ("-2h", "'wait' must be a duration such as 30m, 4h, 2d or 1w, found '-2h'"),
        ("521w", "'wait' is too long ('521w'; at most 520w)"),
    ],
)  # fmt: skip
def test_durations_refused(wait: str, message: str) -> None:
    base = "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n  a: {stage: s, function: f, next: [{to: b, wait: %s}]}\n  b: {stage: s, function: f}\n"
    assert (
        str(_error(lambda: load_journey_text(base % wait, "d.yaml")))
        == f"d.yaml:5:51: error: {message}"
    )


def test_library_exports() -> None:
    assert journeymap.load_journey is load_journey
    assert journeymap.load_journeys is load_journeys
    assert {"load_journey", "load_journeys"} <= set(journeymap.__all__)


def test_section_keys_cover_the_design_example() -> None:
    # Keys listed in the format example of docs/format.md, by section (read by hand).
    assert set(SECTION_KEYS["touchpoint"]) >= {
        "name", "stage", "function", "channel", "systems", "emotion", "entry", "volume",
        "asks", "pains", "kpis", "next", "outcome",
    }  # fmt: skip
    assert set(SECTION_KEYS["transition"]) == {"to", "share", "carries", "owner", "wait", "note"}


# --------------------------------------------------------------------------------------------
# Folders and several files

JOURNEY = "journeymap: 1\nuses: org.yaml\nstages: [s]\ntouchpoints:\n  a: {stage: s, function: f}\n"


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "org.yaml").write_text("journeymap: 1\nfunctions: {f: {name: F}}\n")
    (root / "b.yaml").write_text(JOURNEY)
    (root / "a.journey.yml").write_text(JOURNEY)
    (root / "sub" / "org.yaml").write_text("functions: {f: {name: F}}\n")
    (root / "sub" / "c.yaml").write_text(JOURNEY)
    (root / "sub" / "deeper" / "d.yaml").write_text(JOURNEY.replace("org.yaml", "../org.yaml"))
    (root / ".journeymap.yaml").write_text("not: a journey\n")
    (root / ".hidden" / "e.yaml").write_text("broken: [\n")
    (root / "notes.txt").write_text("not yaml")


def test_find_journey_files_walks_sorted_and_skips(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = find_journey_files([tmp_path])
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == ["a.journey.yml", "b.yaml", "sub/c.yaml", "sub/deeper/d.yaml"]


def test_find_journey_files_classifies_flow_style_files_by_parsing(tmp_path: Path) -> None:
    # No line starts with "touchpoints:", so the text check cannot decide; parsing does.
    (tmp_path / "org.yaml").write_text("{journeymap: 1, functions: {f: {name: F}}}\n")
    (tmp_path / "flow.yaml").write_text(
        "{journeymap: 1, uses: org.yaml, stages: [s], touchpoints: {a: {stage: s, function: f}}}\n"
    )
    (tmp_path / "org-with-notes.yaml").write_text(
        "functions:\n  f:\n    name: F\n    # touchpoints: is only a comment here\n"
    )
    found = find_journey_files([tmp_path])
    assert [p.name for p in found] == ["flow.yaml"]


def test_explicit_file_is_always_a_journey(tmp_path: Path) -> None:
    _tree(tmp_path)
    assert find_journey_files([tmp_path / "org.yaml"]) == [tmp_path / "org.yaml"]
    with pytest.raises(InputError) as info:
        load_journeys([tmp_path / "org.yaml"])
    assert "looks like an organisation file" in str(info.value)


def test_load_journeys_order_and_dedup(tmp_path: Path) -> None:
    _tree(tmp_path)
    journeys = load_journeys([tmp_path / "sub", tmp_path, tmp_path / "b.yaml"])
    assert [j.id for j in journeys] == ["c", "d", "a", "b"]


def test_load_journeys_collects_problems_over_files(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").write_text("functions: {f: {name: F, led: X}}\n")
    (tmp_path / "one.yaml").write_text(JOURNEY.replace("function: f", "function: g"))
    (tmp_path / "two.yaml").write_text(JOURNEY)
    (tmp_path / "unused.yaml").write_text("systems: {s: {owner: nobody}}\n")
    lines = str(_error(lambda: load_journeys([tmp_path]))).splitlines()
    o, u = tmp_path / "org.yaml", tmp_path / "unused.yaml"
    one = tmp_path / "one.yaml"
    assert lines == [
        f"{one}:5:27: error: unknown function 'g' in touchpoint 'a'",
        f"{o}:1:26: error: unknown key 'led' in function 'f'; did you mean 'lead'?",
        f"{u}:1:22: error: unknown function 'nobody' in system 's'; declare it under 'functions'",
    ]


def test_duplicate_journey_ids(tmp_path: Path) -> None:
    plain = JOURNEY.replace("uses: org.yaml\n", "functions: {f: {}}\n")
    (tmp_path / "a.yaml").write_text(plain.replace("journeymap: 1\n", "journeymap: 1\nid: same\n"))
    (tmp_path / "b.yaml").write_text(plain.replace("journeymap: 1\n", "journeymap: 1\nid: same\n"))
    lines = str(_error(lambda: load_journeys([tmp_path]))).splitlines()
    assert lines == [
        f"{tmp_path / 'b.yaml'}:1:1: error: journey id 'same' is also used by "
        f"{tmp_path / 'a.yaml'}; give one of them another 'id:'"
    ]


def test_missing_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert str(_error(lambda: load_journeys([missing]))) == (
        f"{missing}:1:1: error: no such file or folder"
    )
    assert str(_error(lambda: load_journey(missing))) == (
        f"{missing}:1:1: error: cannot read file: No such file or directory"
    )


def _error(call: object) -> InputError:
    with pytest.raises(InputError) as info:
        call()  # type: ignore[operator]
    return info.value


# --------------------------------------------------------------------------------------------
# Hostile inputs generated at full size (bounded time and memory, no crash, one clean error)


def test_two_hundred_thousand_nested_brackets() -> None:
    # yaml.compose with libyaml crashes the interpreter (segfault) on this; we stop at 64.
    text = "journeymap: 1\nx: " + "[" * 200_000 + "]" * 200_000 + "\n"
    assert str(_error(lambda: load_journey_text(text, "deep.yaml"))) == (
        "deep.yaml:2:67: error: nesting too deep (more than 64 levels); "
        "a journey needs only a few levels"
    )


def test_deep_block_sequences() -> None:
    text = "journeymap: 1\nx:\n" + "".join("  " * i + "-\n" for i in range(1100))
    problems = _error(lambda: load_journey_text(text, "deep.yaml")).problems
    assert [p.message for p in problems] == ["nesting too deep (more than 64 levels)"]
    assert problems[0].location.line == 2 + 64


def test_billion_laughs_is_refused_cheaply() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    text = "journeymap: 1\n" + "\n".join(lines) + "\n"
    problems = _error(lambda: load_journey_text(text, "lol.yaml")).problems
    messages = [p.message for p in problems]
    assert messages.count("alias *a is not supported") == 9
    assert sum(m.startswith("alias *") for m in messages) == 72
    assert sum(m.startswith("anchor &") for m in messages) == 9
    assert len(problems) == 72 + 9 + 9 + 1  # + nine unknown keys + missing touchpoints


def test_huge_integer_and_float_values() -> None:
    base = "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n  a: {stage: s, function: f, volume: %s}\n"
    for value in ("9" * 5000, "1e999", "-.inf", ".NaN", "0x10", "1_000"):
        problems = _error(lambda v=value: load_journey_text(base % v, "v.yaml")).problems
        assert len(problems) == 1 and problems[0].message.startswith("'volume' must be"), value
    assert load_journey_text(base % "1e3", "v.yaml").touchpoints["a"].volume == 1000.0


# --------------------------------------------------------------------------------------------
# Round trip: model -> YAML (written independently with yaml.safe_dump) -> load -> same model

_ids = st.from_regex(r"[a-z][a-z0-9-]{0,6}", fullmatch=True)
_texts = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "Zs", "S")),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() != "")


@st.composite
def journeys(draw: st.DrawFn) -> Journey:
    functions = draw(st.lists(_ids, min_size=1, max_size=4, unique=True))
    systems = draw(st.lists(_ids, max_size=4, unique=True))
    stages = draw(st.lists(_ids, min_size=1, max_size=3, unique=True))
    tp_ids = draw(st.lists(_ids, min_size=1, max_size=6, unique=True))
    with_volume = draw(st.booleans())
    with_shares = draw(st.booleans())
    tps = {}
    for i, tid in enumerate(tp_ids):
        targets = draw(st.lists(st.sampled_from(tp_ids), max_size=3, unique=True))
        nxt = tuple(
            Transition(
                tid,
                target,
                draw(st.floats(0, 1 / len(targets))) if with_shares else None,
                tuple(draw(st.lists(_ids, max_size=2, unique=True))),
                draw(st.none() | st.sampled_from(functions)),
                draw(st.none() | st.sampled_from([0.5, 2.0, 24.0, 36.0, 168.0])),
                draw(st.none() | _texts),
            )
            for target in targets
        )
        tps[tid] = Touchpoint(
            id=tid,
            name=draw(_texts),
            stage=draw(st.sampled_from(stages)),
            function=draw(st.sampled_from(functions)),
            channel=draw(st.none() | _ids),
            systems=tuple(draw(st.lists(st.sampled_from(systems), unique=True))) if systems else (),
            emotion=draw(st.none() | st.integers(1, 5)),
            entry=True if i == 0 else draw(st.none() | st.just(False)),
            volume=draw(st.floats(0, 1e9, allow_subnormal=False))
            if i == 0 and with_volume
            else None,  # a subnormal is refused (test_finite)
            asks=tuple(draw(st.lists(_ids, max_size=2, unique=True))),
            pains=tuple(draw(st.lists(_texts, max_size=2))),
            kpis=tuple((k, draw(_texts)) for k in draw(st.lists(_ids, max_size=2, unique=True))),
            next=nxt,
            outcome=None if nxt else draw(st.none() | _ids),
            description=draw(st.none() | _texts),
        )
    return Journey(
        id="rt",
        title=draw(_texts),
        path="rt.yaml",
        functions=frozen_map(
            {f: Function(f, draw(_texts), draw(st.none() | _texts)) for f in functions}
        ),
        systems=frozen_map(
            {
                s: System(s, draw(_texts), draw(st.sampled_from(functions)), draw(st.booleans()))
                for s in systems
            }
        ),
        integrations=(),
        channels=frozen_map({}),
        stages=tuple(Stage(s, draw(_texts)) for s in stages),
        touchpoints=frozen_map(tps),
        persona=draw(st.none() | _texts),
    )


def _hours_text(hours: float) -> str:
    return f"{hours:g}h"


def _dump(j: Journey) -> str:
    def drop_none(d: dict) -> dict:  # type: ignore[type-arg]
        return {k: v for k, v in d.items() if v not in (None, (), [], {})}

    doc = {
        "journeymap": 1,
        "title": j.title,
        "persona": j.persona,
        "functions": {
            f.id: drop_none({"name": f.name, "lead": f.lead}) for f in j.functions.values()
        },
        "systems": {
            s.id: drop_none({"name": s.name, "owner": s.owner, "shadow": s.shadow})
            for s in j.systems.values()
        },
        "stages": [{"id": s.id, "name": s.name} for s in j.stages],
        "touchpoints": {
            t.id: drop_none(
                {
                    "name": t.name,
                    "description": t.description,
                    "stage": t.stage,
                    "function": t.function,
                    "channel": t.channel,
                    "systems": list(t.systems),
                    "emotion": t.emotion,
                    "entry": t.entry,
                    "volume": t.volume,
                    "asks": list(t.asks),
                    "pains": list(t.pains),
                    "kpis": dict(t.kpis),
                    "outcome": t.outcome,
                    "next": [
                        drop_none(
                            {
                                "to": n.target,
                                "share": n.share,
                                "carries": list(n.carries),
                                "owner": n.owner,
                                "wait": None if n.wait_hours is None else _hours_text(n.wait_hours),
                                "note": n.note,
                            }
                        )
                        for n in t.next
                    ],
                }
            )
            for t in j.touchpoints.values()
        },
    }
    return yaml.safe_dump(drop_none(doc), sort_keys=False, allow_unicode=True)


@settings(max_examples=60, deadline=None)
@given(journeys())
def test_round_trip(j: Journey) -> None:
    loaded = load_journey_text(_dump(j), "rt.yaml")
    assert loaded == j


def test_round_trip_keeps_float_shares_exact() -> None:
    # safe_dump writes repr(float); the loader parses it back to the same float
    assert float(repr(0.1 + 0.2)) == 0.1 + 0.2
    assert not math.isnan(float("1e-300"))


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from journeymap import yamlnodes

    monkeypatch.setattr(yamlnodes, "MAX_FILE_BYTES", 100)
    big = tmp_path / "big.yaml"
    big.write_text("journeymap: 1\n" + "# padding\n" * 20)
    assert str(_error(lambda: load_journey(big))) == (
        f"{big}:1:1: error: file too large (more than 100 bytes); split it into several journeys"
    )


def test_every_error_fixture_is_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "errors.md").read_text("utf-8")
    for name in INVALID_CASES:
        assert f"`{name[: -len('.yaml')]}`" in doc, name
