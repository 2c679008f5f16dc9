"""The one pipeline (journeymap/project.py): find, load with config, analyse; and the commands
that go through it agreeing with each other.

The worked example (tests/data/output/broadband.yaml) has expected handoffs per customer
(180 + 2C) / 200 with C = 0.25 x 80 / 0.85 (the hand computation in tests/test_cli_analyze.py).
Raising the JM100 weight from 1 to 10 adds 9 x per_customer to every handoff's risk, so the
total risk grows by exactly 9 x expected handoffs per customer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap import project
from journeymap.cli import main
from journeymap.config import Config
from journeymap.errors import InputError, UsageError

DATA = Path(__file__).resolve().parent / "data" / "output"
C = 0.25 * 80 / 0.85
EXPECTED_HANDOFFS = (180 + 2 * C) / 200


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with broadband.yaml and a .journeymap.yaml weighting JM100 at 10."""
    shutil.copy(DATA / "broadband.yaml", tmp_path / "broadband.yaml")
    (tmp_path / ".journeymap.yaml").write_text("risk:\n  weights: {JM100: 10}\n")
    (tmp_path / ".git").mkdir()  # the config lookup stops here, not in the test runner's tree
    monkeypatch.chdir(tmp_path)
    return tmp_path


def total_risk(analysis_json: dict[str, object]) -> float:
    handoffs = analysis_json["handoffs"]
    assert isinstance(handoffs, list)
    return sum(h["risk"] for h in handoffs)


def test_diff_and_analyze_agree_on_risk_under_custom_weights(here: Path) -> None:
    code, out, err = run("analyze", "broadband.yaml", "--format", "json")
    assert (code, err) == (0, "")
    analyzed = total_risk(json.loads(out))
    code, out, err = run("diff", "broadband.yaml", "broadband.yaml", "--format", "json")
    assert (code, err) == (0, "")
    diffed = json.loads(out)["metrics"]["total_risk"]
    assert diffed["old"] == diffed["new"] == pytest.approx(analyzed, abs=1e-5)
    # and the config really counted: default weights give 9 x E[handoffs] less
    (here / ".journeymap.yaml").unlink()
    code, out, _ = run("diff", "broadband.yaml", "broadband.yaml", "--format", "json")
    default = json.loads(out)["metrics"]["total_risk"]["new"]
    assert analyzed - default == pytest.approx(9 * EXPECTED_HANDOFFS, abs=1e-5)


def test_diff_takes_a_config_file(here: Path) -> None:
    (here / "heavy.yaml").write_text("risk:\n  weights: {JM100: 100}\n")
    (here / ".journeymap.yaml").unlink()
    code, out, _ = run("diff", "broadband.yaml", "broadband.yaml", "--format", "json")
    default = json.loads(out)["metrics"]["total_risk"]["new"]
    code, out, err = run(
        "diff", "broadband.yaml", "broadband.yaml", "--format", "json", "--config", "heavy.yaml"
    )
    assert (code, err) == (0, "")
    heavy = json.loads(out)["metrics"]["total_risk"]["new"]
    assert heavy - default == pytest.approx(99 * EXPECTED_HANDOFFS, abs=1e-4)


@pytest.mark.parametrize("command", ["analyze", "check", "validate", "render", "report", "diff"])
def test_every_analysing_command_takes_config(command: str) -> None:
    options = {opt for param in main.commands[command].params for opt in getattr(param, "opts", [])}
    assert "--config" in options


def test_analyse_finds_config_beside_the_journeys(here: Path) -> None:
    [item] = project.analyse([here])
    assert item.config.weight("JM100") == 10
    assert item.config.source == str(here / ".journeymap.yaml")
    assert str(here / ".journeymap.yaml") in item.files
    assert str(here / "broadband.yaml") in item.files
    weights_1 = project.analyse([here], config_file=None)[0].analysis
    assert weights_1.handoffs[0].risk == item.analysis.handoffs[0].risk


def test_a_given_config_file_wins(here: Path) -> None:
    (here / "other.yaml").write_text("risk:\n  weights: {JM100: 2}\n")
    [item] = project.analyse(["broadband.yaml"], config_file=here / "other.yaml")
    assert item.config.weight("JM100") == 2
    assert str(here / "other.yaml") in item.files


def test_config_is_read_once_per_folder(here: Path) -> None:
    lookup = project.ConfigLookup()
    first, second = lookup(here / "broadband.yaml"), lookup(here / "another.yaml")
    assert first is second
    assert project.ConfigLookup()(here / "broadband.yaml") is not first


def test_no_journey_files_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no journey files found"):
        project.analyse([tmp_path / "empty"])
    with pytest.raises(InputError) as err:
        project.find_journeys([tmp_path / "missing"])
    assert str(err.value).endswith("missing:1:1: error: no such file or folder")
    assert project.find_journeys([tmp_path / "missing"], required=False) == []


def test_files_of_a_journey_include_its_organisation_file() -> None:
    root = Path(__file__).resolve().parents[1] / "journeys"
    item = project.load_file(root / "claims-after.yaml", config_file=None)
    assert str(root / "organisation.yaml") in item.files
    assert item.files[0] == str(root / "claims-after.yaml")
    assert isinstance(item.config, Config)


# -- validate: is this file good? ----------------------------------------------------------------

SHARES_ABOVE_ONE = """\
journeymap: 1
functions: {a: {name: A}}
stages: [s]
touchpoints:
  start:
    stage: s
    function: a
    next:
      - {to: left, share: 0.7}
      - {to: right, share: 0.5}
  left: {stage: s, function: a, outcome: won}
  right: {stage: s, function: a, outcome: lost}
"""


def test_validate_exits_2_on_shares_summing_above_one(tmp_path: Path) -> None:
    path = tmp_path / "shares.yaml"
    path.write_text(SHARES_ABOVE_ONE)
    code, out, err = run("validate", str(path))
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert len(lines) == 1
    # the touchpoint `start` is defined on line 5, column 3; 0.7 + 0.5 = 1.2
    assert lines[0].startswith(f"{path}:5:3: error: ")
    assert "1.2" in lines[0] and lines[0].endswith("(JM303)")


def test_validate_reports_unreachable_touchpoints(tmp_path: Path) -> None:
    path = tmp_path / "island.yaml"
    text = SHARES_ABOVE_ONE.replace("share: 0.5", "share: 0.3").replace(
        "  right:",
        "  island: {stage: s, function: a, entry: false, next: [island2]}\n"
        "  island2: {stage: s, function: a, next: [island]}\n  right:",
    )
    text = text.replace("  start:\n", "  start:\n    entry: true\n")
    path.write_text(text)
    code, _, err = run("validate", str(path))
    assert code == 2
    codes = [line.rsplit("(", 1)[-1] for line in err.splitlines()]
    assert codes.count("JM301)") == 2  # island and island2: no path from the entry
    assert "JM302)" in codes  # and the loop between them cannot be left


def test_validate_passes_the_examples_and_says_ok() -> None:
    root = Path(__file__).resolve().parents[1] / "journeys"
    code, out, err = run("validate", str(root))
    assert (code, err) == (0, "")
    assert out.startswith("ok: 5 journeys, ")


def test_files_follow_uses_through_organisation_files(tmp_path: Path) -> None:
    """journey -> teams.yaml -> base.yaml: a change to either must reach caches and previews."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "base.yaml").write_text("journeymap: 1\nfunctions: {b: {name: B}}\n")
    (tmp_path / "teams.yaml").write_text(
        "journeymap: 1\nuses: base.yaml\nfunctions: {a: {name: A}}\n"
    )
    journey = tmp_path / "j.yaml"
    journey.write_text(
        "journeymap: 1\nuses: teams.yaml\nstages: [s]\ntouchpoints:\n"
        "  one: {stage: s, function: a, next: [two]}\n"
        "  two: {stage: s, function: b, outcome: done}\n"
    )
    expected = (str(journey), str(tmp_path / "teams.yaml"), str(tmp_path / "base.yaml"))
    assert project.load_file(journey).files == expected
    [item] = project.load([tmp_path])
    assert item.files == expected
    assert project.load_source(str(journey)).files == expected


def test_a_broken_unused_organisation_file_fails_every_command_alike(tmp_path: Path) -> None:
    """analyze, validate and report find the same problem in an organisation file that no
    journey uses (report walked the folder without checking it)."""
    (tmp_path / ".git").mkdir()
    shutil.copy(DATA / "broadband.yaml", tmp_path / "broadband.yaml")
    (tmp_path / "org.yaml").write_text("journeymap: 1\nfunctions: {x: {name: X, bogus: 1}}\n")
    lines = set()
    site = tmp_path.parent / f"{tmp_path.name}-site"  # not inside the folder it reads
    for args in (["analyze"], ["validate"], ["report", "-o", str(site), "-j", "1"]):
        code, out, err = run(*args[:1], str(tmp_path), *args[1:])
        assert (code, out) == (2, ""), args
        lines.add(err)
    [line] = lines  # the same one line from each
    assert line.startswith(f"{tmp_path / 'org.yaml'}:2:26: error: unknown key 'bogus'")
    assert not site.exists()


def test_export_reads_no_config(tmp_path: Path) -> None:
    """export converts a journey and analyses nothing: a broken config beside it is not its
    business (it has no --config to get past one)."""
    shutil.copy(DATA / "broadband.yaml", tmp_path / "broadband.yaml")
    (tmp_path / ".journeymap.yaml").write_text("bogus: 1\n")
    code, out, err = run("export", str(tmp_path / "broadband.yaml"), "-f", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["id"] == "broadband"
    code, _, err = run("analyze", str(tmp_path / "broadband.yaml"))
    assert code == 2 and err.startswith(f"{tmp_path / '.journeymap.yaml'}:1:1: error: ")


def test_render_help_lists_every_format() -> None:
    """The formats are declared once (project.RENDER_FORMATS); --help must name each."""
    option = next(p for p in main.commands["render"].params if "--output" in p.opts)
    help_text = getattr(option, "help", "") or ""
    assert all(fmt in help_text for fmt in project.RENDER_FORMATS)


def test_check_is_the_gate_over_the_pipeline(here: Path) -> None:
    result = project.check([here], fail_on="warning")
    [analysis] = [item.analysis for item in project.analyse([here])]
    warnings = [f for f in analysis.findings if f.severity == "warning"]
    assert warnings and not result.passed  # the worked example has warnings
    assert project.check([here], fail_on="error").passed
