"""The config file: lookup, defaults, overrides, and located errors for bad keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeymap.analysis.engine import analyze
from journeymap.config import DEFAULT_WEIGHTS, Config, find_config, load_config, read_config
from journeymap.errors import InputError
from tests.analysis.builders import broadband


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults() -> None:
    c = Config.default()
    assert (c.wait_hours, c.stage_functions) == (24.0, 3)
    assert (c.max_expected_handoffs, c.max_handoffs_on_path, c.max_wait_hours) == (None,) * 3
    assert dict(c.weights) == dict(DEFAULT_WEIGHTS)


def test_lookup_walks_up_and_stops_at_git(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    journeys = repo / "cx" / "journeys"
    journeys.mkdir(parents=True)
    journey_file = _write(journeys / "a.yaml", "journeymap: 1\n")
    assert load_config(journeys) == Config.default()
    _write(tmp_path / ".journeymap.yaml", "thresholds: {wait_hours: 1}\n")  # above .git: unseen
    assert find_config(journey_file) is None
    cfg = _write(repo / "cx" / ".journeymap.yaml", "thresholds: {wait_hours: 2d}\n")
    assert find_config(journey_file) == cfg.resolve()
    assert load_config(journey_file).wait_hours == 48.0
    assert load_config(journeys).source == str(cfg.resolve())


def test_every_key(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "ci.yaml",
        "thresholds:\n  wait_hours: 36h\n  stage_functions: 4\n"
        "check:\n  max_expected_handoffs: 2.5\n  max_handoffs_on_path: 6\n  max_wait_hours: 1w\n"
        "risk:\n  weights: {JM102: 5, jm104: 0}\n"
        "search:\n  path_budget: 1000\n  state_budget: 5000\n",
    )
    c = read_config(path)
    assert (c.wait_hours, c.stage_functions) == (36.0, 4)
    assert (c.max_expected_handoffs, c.max_handoffs_on_path, c.max_wait_hours) == (2.5, 6, 168.0)
    assert (c.weight("JM102"), c.weight("JM104"), c.weight("JM101")) == (5.0, 0.0, 2.0)
    assert (c.path_budget, c.state_budget) == (1000, 5000)


def test_load_config_reads_a_config_file_named_so(tmp_path: Path) -> None:
    path = _write(tmp_path / ".journeymap.yaml", "thresholds: {stage_functions: 5}\n")
    assert load_config(path).stage_functions == 5
    assert load_config(tmp_path / "journey.yaml").stage_functions == 5  # its folder's config


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    c = read_config(_write(tmp_path / ".journeymap.yaml", "# nothing yet\n"))
    assert c.wait_hours == 24.0 and c.source is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "thresholds:\n  wait_hour: 3\n",
            ":2:3: error: unknown key in `thresholds` `wait_hour`; did you mean 'wait_hours'?",
        ),
        ("treshold: {}\n", ":1:1: error: unknown section `treshold`; did you mean 'thresholds'?"),
        (
            "thresholds: {stage_functions: 2.5}\n",
            ":1:31: error: `stage_functions` must be a whole number >= 1",
        ),
        ("risk:\n  weights: {JM999: 1}\n", ":2:13: error: unknown risk factor `JM999`"),
        (
            "check: {max_wait_hours: soon}\n",
            ":1:25: error: `max_wait_hours` must be a number of "
            "hours or a duration such as 30m, 4h, 2d or 1w, found 'soon'",
        ),
        (
            "thresholds: {wait_hours: 1}\nthresholds: {}\n",
            ":2:1: error: duplicate key `thresholds` (first at line 1); keep one of them",
        ),
        ("- a\n", ":1:1: error: the config file must be a mapping of sections"),
        ("thresholds: [\n", ":2:1: error: YAML syntax error: "),
    ],
)
def test_errors_are_located(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path / ".journeymap.yaml", text)
    with pytest.raises(InputError) as err:
        read_config(path)
    assert str(err.value).startswith(str(path) + expected)


def test_all_problems_reported_together(tmp_path: Path) -> None:
    path = _write(tmp_path / ".journeymap.yaml", "thresholds: {a: 1, b: 2}\n")
    with pytest.raises(InputError) as err:
        read_config(path)
    assert len(err.value.problems) == 2


def test_weights_change_risk_not_findings() -> None:
    base = analyze(broadband())
    heavier = analyze(broadband(), Config(weights={**DEFAULT_WEIGHTS, "JM104": 0.0}))

    def rules(a: object) -> list[tuple[str, object]]:
        return [(f.rule, f.location) for f in a.findings]  # type: ignore[attr-defined]

    assert rules(base) == rules(heavier)
    # offer -> call: (1 + 2 + 0) x 0.5 = 1.5 instead of 2.0
    assert heavier.handoffs[0].risk == pytest.approx(1.5)


# -- the hardened reader: the same YAML rules as journeys ---------------------------------------


def _problems(tmp_path: Path, text: str) -> list[str]:
    path = _write(tmp_path / ".journeymap.yaml", text)
    with pytest.raises(InputError) as err:
        read_config(path)
    prefix = str(path)
    lines = str(err.value).split("\n")
    assert all(line.startswith(prefix + ":") for line in lines)
    return [line[len(prefix) :] for line in lines]


DEEP = (
    ":1:67: error: nesting too deep (more than 64 levels); "
    "a config file needs only two or three levels"
)


@pytest.mark.parametrize("depth", [5000, 200_000])
def test_deep_nesting_is_one_located_line(tmp_path: Path, depth: int) -> None:
    # yaml.compose raised RecursionError here; libyaml alone stops with its own words
    assert _problems(tmp_path, "risk: " + "[" * depth + "]" * depth + "\n") == [
        DEEP.replace(":1:67:", ":1:70:")
    ]
    assert _problems(tmp_path, "thresholds: " + "{" * depth + "\n") == [
        DEEP.replace(":1:67:", ":1:76:")
    ]


def test_an_alias_is_refused(tmp_path: Path) -> None:
    text = "thresholds: {wait_hours: &w 24}\ncheck: {max_wait_hours: *w}\n"
    assert _problems(tmp_path, text) == [
        ":1:26: error: anchor &w is not supported; "
        "write the value out; anchors and aliases are not allowed",
        ":2:25: error: alias *w is not supported; "
        "write the value out; anchors and aliases are not allowed",
    ]


def test_a_tag_is_refused(tmp_path: Path) -> None:
    text = "thresholds:\n  wait_hours: !!python/object/apply:os.system [echo]\n"
    assert _problems(tmp_path, text) == [
        ":2:15: error: tag !!python/object/apply:os.system is not allowed; "
        "config files hold plain text, numbers, true/false, lists and mappings"
    ]


def test_duplicate_keys_name_both_lines(tmp_path: Path) -> None:
    text = "thresholds:\n  wait_hours: 2\n  wait_hours: 3\nrisk:\n  weights: {JM102: 1, JM102: 2}\n"
    assert _problems(tmp_path, text) == [
        ":3:3: error: duplicate key `wait_hours` (first at line 2); keep one of them",
        ":5:23: error: duplicate key `JM102` (first at line 5); keep one of them",
    ]


def test_indentation_mistake_in_config(tmp_path: Path) -> None:
    text = "thresholds:\n  wait_hours: 2\n    stage_functions: 3\n"
    assert _problems(tmp_path, text) == [
        ":3:5: error: indentation: 'stage_functions:' is indented more than the key above it "
        "(line 2); line it up with 'wait_hours:'"
    ]


def test_encoding_problems_are_located(tmp_path: Path) -> None:
    path = tmp_path / ".journeymap.yaml"
    path.write_bytes(b"thresholds:\n  wait_hours: 2\xe9\n")
    with pytest.raises(InputError) as err:
        read_config(path)
    assert (
        str(err.value)
        == f"{path}:2:16: error: not valid UTF-8 (byte 0xe9); save the file as UTF-8 text"
    )
    missing = tmp_path / "nowhere.yaml"
    with pytest.raises(InputError) as err:
        read_config(missing)
    assert (
        str(err.value)
        == f"{missing}:1:1: error: cannot read config file: No such file or directory"
    )


def test_null_values_and_sections_keep_the_defaults(tmp_path: Path) -> None:
    c = read_config(
        _write(tmp_path / ".journeymap.yaml", "thresholds:\ncheck: {max_wait_hours: ~}\n")
    )
    assert (c.wait_hours, c.max_wait_hours) == (24.0, None)


def test_quoted_numbers_are_not_numbers(tmp_path: Path) -> None:
    assert _problems(tmp_path, "thresholds: {stage_functions: '4'}\n") == [
        ":1:31: error: `stage_functions` must be a whole number >= 1"
    ]


def _run_cli(*args: str) -> tuple[int, str, str]:
    from click.testing import CliRunner

    from journeymap.cli import main

    try:  # click 8.1 mixes stderr into stdout unless told not to; 8.2 dropped the option
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    result = runner.invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


JOURNEY = """\
journeymap: 1
functions:
  sales: {name: Sales}
  service: {name: Service}
stages: [buy]
touchpoints:
  a:
    name: A
    stage: buy
    function: sales
    channel: web
    next:
      - to: b
        wait: {wait}
  b:
    name: B
    stage: buy
    function: service
    channel: phone
    outcome: won
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("risk: " + "[" * 5000 + "]" * 5000 + "\n", DEEP.replace(":1:67:", ":1:70:")),
        ("risk: " + "[" * 200_000 + "]" * 200_000 + "\n", DEEP.replace(":1:67:", ":1:70:")),
        (
            "thresholds: {wait_hours: &w 1}\n",
            ":1:26: error: anchor &w is not supported; "
            "write the value out; anchors and aliases are not allowed",
        ),
        (
            "thresholds: !!set {wait_hours: 1}\n",
            ":1:13: error: tag !!set is not allowed; "
            "config files hold plain text, numbers, true/false, lists and mappings",
        ),
        (
            "check: {}\ncheck: {}\n",
            ":2:1: error: duplicate key `check` (first at line 1); keep one of them",
        ),
    ],
    ids=["deep-5000", "deep-200000", "anchor", "tag", "duplicate"],
)
def test_cli_prints_one_line_and_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "journeys" / "x.yaml", JOURNEY.replace("{wait}", "1d"))
    _write(tmp_path / "deep.yaml", text)
    code, out, err = _run_cli("analyze", "journeys/x.yaml", "--config", "deep.yaml")
    assert (code, out) == (2, "")
    assert err == "deep.yaml" + expected + "\n"


# -- durations: one grammar (journeymap/durations.py) -------------------------------------------


@pytest.mark.parametrize(
    ("written", "hours"),
    [(".5h", 0.5), ("1 d", 24.0), ("90m", 1.5), ("2w", 336.0), ("1.5d", 36.0), ("36", 36.0)],
)
def test_durations_accepted(tmp_path: Path, written: str, hours: float) -> None:
    path = _write(tmp_path / ".journeymap.yaml", f"thresholds:\n  wait_hours: {written}\n")
    assert read_config(path).wait_hours == pytest.approx(hours)


@pytest.mark.parametrize(
    ("written", "found"),
    [
        *(("1.d", "'1.d'"), ("5x", "'5x'"), ("h", "'h'"), ("-2h", "'-2h'"), ("-2", "'-2'")),
        *(("'36'", "the text '36'"), ("1d2h", "'1d2h'"), ('"2w\\n"', 'the text "2w\\n"')),
    ],
)
def test_durations_refused(tmp_path: Path, written: str, found: str) -> None:
    assert _problems(tmp_path, f"check:\n  max_wait_hours: {written}\n") == [
        ":2:19: error: `max_wait_hours` must be a number of hours or a duration such as "
        f"30m, 4h, 2d or 1w, found {found}"
    ]


@pytest.mark.parametrize("written", ["999999w", "1e400", "1_000e400"])
def test_duration_too_long(tmp_path: Path, written: str) -> None:
    assert _problems(tmp_path, f"thresholds: {{wait_hours: {written}}}\n") == [
        f":1:26: error: `wait_hours` is too long ('{written}'; at most 520w)"
    ]


def test_numbers_too_large_for_a_float_are_too_large(tmp_path: Path) -> None:
    text = "check: {max_expected_handoffs: 1e400}\nrisk: {weights: {JM100: 2e999}}\n"
    assert _problems(tmp_path, text) == [
        ":1:32: error: `max_expected_handoffs` is too large ('1e400')",
        ":2:25: error: weight of JM100 is too large ('2e999')",
    ]


@pytest.mark.parametrize("written", [".5h", "1 d", "90m", "2w"])
def test_journey_and_config_agree_on_durations(tmp_path: Path, written: str) -> None:
    from journeymap.load import load_journey_text

    journey = load_journey_text(JOURNEY.replace("{wait}", written), "x.yaml")
    (transition,) = list(journey.transitions())
    path = _write(tmp_path / ".journeymap.yaml", f"thresholds:\n  wait_hours: {written}\n")
    assert read_config(path).wait_hours == pytest.approx(transition.wait_hours)


# -- suggestions: journeymap/suggest.py ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Thresholds: {}\n",
            ":1:1: error: unknown section `Thresholds`; did you mean 'thresholds'?",
        ),
        (
            "check: {max_wait: 3}\n",
            ":1:9: error: unknown key in `check` `max_wait`; did you mean 'max_wait_hours'?",
        ),
        (
            "risk: {weights: {JM1022: 1}}\n",
            ":1:18: error: unknown risk factor `JM1022`; did you mean 'JM102'?",
        ),
        (
            "zzz: {}\n",
            ":1:1: error: unknown section `zzz`; expected one of thresholds, check, risk, search, report",
        ),
    ],
)
def test_suggestions(tmp_path: Path, text: str, expected: str) -> None:
    assert _problems(tmp_path, text) == [expected]
