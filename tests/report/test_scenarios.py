"""Scenarios on journey pages: where they come from, what the page shows, errors, the cache.

The figures a page shows for a scenario are checked against an independent path: the journey's
YAML edited by hand the way the scenario says, loaded and analysed like any journey file.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner
from markupsafe import Markup

from journeymap import project
from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.cli import main
from journeymap.config import read_config
from journeymap.errors import InputError
from journeymap.load import load_journey
from journeymap.report import build_site
from journeymap.report.scenarios import prefix_ids
from journeymap.scenario import render_scenario_schema
from journeymap.serve.site import LiveSite

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "report"

SCENARIOS = """\
scenarios:
  Care owns the fault:
    hand-over: {care: [survey]}
    owner: {visit:care-call: care}
  Hand the address to care:
    integrate: [survey, crm]
    carry: {visit:care-call: [address]}
"""

# What docs/methodology.md calls a risky handoff: one hit by a warning-level factor.
RISKY = {"JM101", "JM102", "JM103", "JM105", "JM106", "JM107", "JM108"}


def _edit_care_owns_the_fault(data: dict[str, Any]) -> None:
    tps = data["touchpoints"]
    (fault,) = [t for t in tps["visit"]["next"] if t["to"] == "care-call"]
    fault["owner"] = "care"
    tps["survey"]["function"] = "care"


def _edit_hand_the_address_to_care(data: dict[str, Any]) -> None:
    data["integrations"].append({"between": ["survey", "crm"]})
    (fault,) = [t for t in data["touchpoints"]["visit"]["next"] if t["to"] == "care-call"]
    fault["carries"] = ["address"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()  # the config lookup stops here
    journeys = tmp_path / "journeys"
    journeys.mkdir()
    shutil.copy(DATA / "broadband.yaml", journeys / "broadband.yaml")
    return journeys


def _analysed_as_edited(edit: Any, tmp: Path) -> JourneyAnalysis:
    data = yaml.safe_load((DATA / "broadband.yaml").read_text(encoding="utf-8"))
    if edit is not None:
        edit(data)
    path = tmp / "edited" / "broadband.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return analyze(load_journey(path))


def _expected(a: JourneyAnalysis) -> dict[str, str]:
    """The page's figures, computed from an analysis and formatted here."""
    rows = {
        "Total risk": f"{sum(h.risk for h in a.handoffs):.2f}",
        "Handoffs": str(len(a.handoffs)),
        "Expected handoffs per customer": f"{a.metrics.expected_handoffs_per_customer:.2f}",
        "Risky handoffs": str(sum(1 for h in a.handoffs if RISKY & set(h.rules))),
        "Repeat asks": str(sum(1 for f in a.findings if f.rule == "JM103")),
    }
    for outcome, p in a.metrics.outcomes.items():
        rows[f"Outcome: {outcome}"] = f"{p * 100:.1f}%"
    rows["Drop-off"] = f"{a.metrics.drop_off * 100:.1f}%"
    return rows


_ROW = re.compile(
    r'<tr><th scope="row">(.*?)</th><td class="num">(.*?)</td><td class="num">(.*?)</td>'
    r'<td class="num delta (\w+)">(.*?)</td></tr>'
)


def _block(page: str, n: int) -> str:
    start = page.index(f'<details class="scenario" id="scenario-{n}">')
    return page[start : page.index("</details>", start)]


def _table(block: str) -> dict[str, tuple[str, str, str, str]]:
    return {
        html.unescape(m[0]): tuple(html.unescape(x) for x in m[1:]) for m in _ROW.findall(block)
    }


def _changes(block: str) -> list[str]:
    body = block.split("<h3>What changes</h3>", 1)[1].split("</ul>", 1)[0]
    return [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", body)]


def _build(folder: Path, out: Path, **kw: Any) -> tuple[str, Any]:
    result = build_site([folder], out, jobs=1, **kw)
    return (out / "broadband.html").read_text(encoding="utf-8"), result


def test_a_scenario_file_beside_the_journey_shows_figures_equal_to_reanalysis(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    page, _ = _build(folder, tmp_path / "site", cache=False)
    before = _expected(_analysed_as_edited(None, tmp_path))
    for n, (name, edit) in enumerate(
        [
            ("Care owns the fault", _edit_care_owns_the_fault),
            ("Hand the address to care", _edit_hand_the_address_to_care),
        ],
        start=1,
    ):
        block = _block(page, n)
        assert f'<span class="scenario-name">{name}</span>' in block
        after = _expected(_analysed_as_edited(edit, tmp_path))
        table = _table(block)
        assert list(table) == list(after)
        for label, (was, now, _reads, _delta) in table.items():
            assert (was, now) == (before[label], after[label]), label
        edited, plain = _analysed_as_edited(edit, tmp_path), _analysed_as_edited(None, tmp_path)
        risk = sum(h.risk for h in edited.handoffs) - sum(h.risk for h in plain.handoffs)
        shown = f"{risk:+.2f}".replace("-", "\u2212")
        assert table["Total risk"][3] == ("no change" if abs(risk) < 0.005 else shown)
        for label in ("Handoffs", "Risky handoffs", "Repeat asks"):
            diff = int(after[label]) - int(before[label])
            assert table[label][3] == (f"{diff:+d}".replace("-", "\u2212") if diff else "no change")
        assert "broadband.scenarios.yaml" in block
        # both pictures, the journey's and the changed journey's
        assert block.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2
    # By hand: five transitions cross functions (offer -> call, call -> visit, visit ->
    # care-call, care-call -> visit, care-call -> survey). When Customer care runs the survey,
    # care-call -> survey stays inside care: four.
    table = _table(_block(page, 1))
    assert table["Handoffs"][:2] == ("5", "4") and table["Handoffs"][3] == "\u22121"
    assert table["Handoffs"][2] == "better"


def test_changes_are_worded_with_names(folder: Path, tmp_path: Path) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    page, _ = _build(folder, tmp_path / "site", cache=False)
    # owner changes come before hand-overs (the order whatif applies them)
    assert _changes(_block(page, 1)) == [
        "Customer care owns the handoff 'Engineer visit' \u2192 'Call care about a fault'",
        "Customer care runs 'Satisfaction survey'",
    ]
    assert _changes(_block(page, 2)) == [
        "Survey tool and CRM are connected, data flowing both ways",
        "'Engineer visit' passes on the customer's address to 'Call care about a fault'",
    ]
    section = page.split('<section id="scenarios"', 1)[1].split("</section>", 1)[0]
    text = re.sub(r"<svg.*?</svg>", "", section, flags=re.S)
    assert "`" not in text
    assert "care-call" not in text and "visit:care-call" not in text


def test_the_section_follows_fix_these_first(folder: Path, tmp_path: Path) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    page, _ = _build(folder, tmp_path / "site", cache=False)
    assert page.index('id="fixes"') < page.index('id="scenarios"') < page.index('id="figures"')


def test_no_scenario_file_no_section(folder: Path, tmp_path: Path) -> None:
    page, _ = _build(folder, tmp_path / "site", cache=False)
    assert 'id="scenarios"' not in page


def test_every_id_on_the_page_is_unique_and_every_reference_resolves(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    page, _ = _build(folder, tmp_path / "site", cache=False)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    # the same lane appears three times (journey diagram, as is, to be) under three ids, and
    # each keeps the "lane-" / "lane-label-" pairing report.js relies on
    assert {"lane-care", "lane-scenario-1-as-is-care", "lane-scenario-1-to-be-care"} <= set(ids)
    assert "lane-label-scenario-1-to-be-care" in ids
    refs = re.findall(r'href="#([^"]+)"', page) + re.findall(r"url\(#([^)]+)\)", page)
    assert refs and set(refs) <= set(ids)


def test_prefix_ids_renames_ids_and_what_points_at_them() -> None:
    svg = Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' aria-labelledby="t other">'
        '<title id="t">T</title><defs><linearGradient id="g"/></defs>'
        '<g id="lane-x" fill="url(#g)"><text id="lane-label-x">x &amp; y</text></g>'
        '<a xlink:href="#lane-x"/><a xlink:href="#elsewhere"/><a href="https://e.org/#g"/></svg>'
    )
    out = str(prefix_ids(svg, "p-"))
    for expected in (
        'id="p-t"',
        'id="p-g"',
        'id="lane-p-x"',
        'id="lane-label-p-x"',
        'fill="url(#p-g)"',
        'xlink:href="#lane-p-x"',
        'xlink:href="#elsewhere"',  # not an id of this picture: left as it was
        'href="https://e.org/#g"',
        'aria-labelledby="p-t other"',
        "x &amp; y",
    ):
        assert expected in out, expected


# -- where scenarios come from --------------------------------------------------------------------


def test_the_finder_takes_no_scenario_file_for_a_journey(folder: Path) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    (folder / "broadband.scenarios.yml").write_text(SCENARIOS, encoding="utf-8")
    assert [p.name for p in project.find_journeys([folder])] == ["broadband.yaml"]
    assert [i.journey.id for i in project.load([folder])] == ["broadband"]
    assert [p.name for p in project.yaml_files_under([folder])] == ["broadband.yaml"]
    result = CliRunner().invoke(main, ["validate", str(folder)])
    assert result.exit_code == 0, result.output


def test_config_names_scenario_files_and_both_sources_combine(folder: Path, tmp_path: Path) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    (tmp_path / "what-if").mkdir()
    more = tmp_path / "what-if" / "more.yaml"
    more.write_text("scenarios:\n  Shorter install wait:\n    wait: call:visit=1d\n", "utf-8")
    # the beside file named again is shown once, where it comes first
    (tmp_path / ".journeymap.yaml").write_text(
        "report:\n  scenarios:\n"
        "    broadband: [what-if/more.yaml, journeys/broadband.scenarios.yaml]\n"
        "    elsewhere: what-if/more.yaml\n",
        encoding="utf-8",
    )
    config = read_config(tmp_path / ".journeymap.yaml")
    assert dict(config.scenarios) == {
        "broadband": (str(more), str(folder / "broadband.scenarios.yaml")),
        "elsewhere": (str(more),),
    }
    item = project.analyse_file(folder / "broadband.yaml")
    assert project.scenario_files(item.journey, item.config) == (
        str(folder / "broadband.scenarios.yaml"),
        str(more),
    )
    page, _ = _build(folder, tmp_path / "site", cache=False)
    names = re.findall(r'<span class="scenario-name">(.*?)</span>', page)
    assert names == ["Care owns the fault", "Hand the address to care", "Shorter install wait"]
    assert "../what-if/more.yaml" in _block(page, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "report:\n  scenarios:\n    broadband: [missing.yaml]\n",
            ":3:17: error: no scenario file 'missing.yaml'; paths are relative to the folder "
            "of this config file",
        ),
        (
            "report:\n  scenaros: {}\n",
            ":2:3: error: unknown key in `report` `scenaros`; did you mean 'scenarios'?",
        ),
        (
            "report:\n  scenarios: [a.yaml]\n",
            ":2:14: error: `scenarios` must map journey ids to scenario files; for example "
            "{claims-before: [claims.scenarios.yaml]}",
        ),
        (
            "report:\n  scenarios:\n    broadband: {a: b}\n",
            ":3:16: error: scenario files of `broadband` must be paths, found a mapping; for "
            "example {claims-before: [claims.scenarios.yaml]}",
        ),
        (
            "report: [scenarios]\n",
            ":1:9: error: `report` must be a mapping",
        ),
    ],
)
def test_a_bad_config_entry_is_a_located_error_and_the_build_exit_2(
    folder: Path, tmp_path: Path, text: str, expected: str
) -> None:
    config = tmp_path / ".journeymap.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_config(config)
    assert [str(p) for p in err.value.problems] == [f"{config}{expected}"]
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"{config}{expected}"]
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "scenarios:\n  X:\n    ownr: visit:care-call=care\n",
            ":3:5: error: unknown change `ownr`; did you mean 'owner'?",
        ),
        (
            "scenarios:\n  X:\n    owner: visit:care-call=cares\n",
            ":3:12: error: owner visit:care-call=cares: no function 'cares' in journey "
            "'broadband'; did you mean 'care'?",
        ),
        (
            "scenarios:\n  X:\n    remove: vist\n",
            ":3:13: error: remove vist: no touchpoint 'vist' in journey 'broadband'; did "
            "you mean 'visit'?",
        ),
    ],
)
def test_a_broken_scenario_file_fails_the_build_with_a_located_line(
    folder: Path, tmp_path: Path, text: str, expected: str
) -> None:
    scenarios = folder / "broadband.scenarios.yaml"
    scenarios.write_text(SCENARIOS, encoding="utf-8")
    out = tmp_path / "site"
    good = build_site([folder], out, jobs=1)  # a site to keep: a failed build must not touch it
    kept = {p.name: p.read_bytes() for p in good.out_dir.iterdir()}
    scenarios.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].endswith(expected), lines
    assert lines[0].startswith(str(scenarios))
    assert {p.name: p.read_bytes() for p in out.iterdir()} == kept


# -- the cache -------------------------------------------------------------------------------------


def test_editing_adding_or_removing_a_scenario_file_renders_the_page_again(
    folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    scenarios = folder / "broadband.scenarios.yaml"
    page, first = _build(folder, out)
    assert first.rendered == 1 and 'id="scenarios"' not in page
    scenarios.write_text(SCENARIOS, encoding="utf-8")  # created
    page, again = _build(folder, out)
    assert (again.rendered, again.cached) == (1, 0)
    assert "Hand the address to care" in page
    page, same = _build(folder, out)
    assert (same.rendered, same.cached) == (0, 1)
    scenarios.write_text(SCENARIOS.replace("Hand the address to care", "Join the tools"), "utf-8")
    page, edited = _build(folder, out)  # edited
    assert (edited.rendered, edited.cached) == (1, 0)
    assert "Join the tools" in page and "Hand the address to care" not in page
    scenarios.unlink()  # removed
    page, removed = _build(folder, out)
    assert (removed.rendered, removed.cached) == (1, 0)
    assert 'id="scenarios"' not in page


def test_editing_a_scenario_file_the_config_names_renders_the_page_again(
    folder: Path, tmp_path: Path
) -> None:
    more = tmp_path / "more.yaml"
    more.write_text("scenarios:\n  Shorter wait:\n    wait: call:visit=1d\n", "utf-8")
    (tmp_path / ".journeymap.yaml").write_text(
        "report: {scenarios: {broadband: more.yaml}}\n", "utf-8"
    )
    out = tmp_path / "site"
    _build(folder, out)
    more.write_text("scenarios:\n  No wait:\n    wait: call:visit=none\n", "utf-8")
    page, again = _build(folder, out)
    assert (again.rendered, again.cached) == (1, 0)
    assert "No wait" in page and "Shorter wait" not in page


# -- the example and the live preview --------------------------------------------------------------


def test_the_example_scenarios_are_valid_and_each_lowers_the_risk(tmp_path: Path) -> None:
    from tests.analysis.test_whatif import reanalysed

    path = ROOT / "journeys" / "claims-before.scenarios.yaml"
    validator = jsonschema.Draft202012Validator(yaml.safe_load(render_scenario_schema()))
    assert validator.is_valid(yaml.safe_load(path.read_text(encoding="utf-8")))
    item = project.analyse_file(ROOT / "journeys" / "claims-before.yaml")
    found = project.predict_scenarios(item)
    assert len(found.results) >= 2
    before = sum(h.risk for h in item.analysis.handoffs)
    for scenario, prediction in found.results:
        edited = reanalysed("claims-before", list(scenario.changes), tmp_path)
        after = sum(h.risk for h in edited.handoffs)
        assert sum(h.risk for h in prediction.after.handoffs) == pytest.approx(after, abs=1e-9)
        assert after < before - 1, scenario.name


def test_the_live_preview_shows_scenarios_and_follows_their_file(folder: Path) -> None:
    site = LiveSite([str(folder)], renderer="embedded")
    try:
        site.build_all()
        (state,) = site.journeys.values()
        beside = str(folder / "broadband.scenarios.yaml")
        assert beside in site.watched_files()  # watched before it exists
        assert "Care owns the fault" not in (site.root / state.page).read_text("utf-8")
        Path(beside).write_text(SCENARIOS, encoding="utf-8")
        assert site.on_change([beside]) == [state]
        page = (site.root / state.page).read_text(encoding="utf-8")
        assert "Care owns the fault" in page and state.errors == ()
        Path(beside).write_text("scenarios:\n  X:\n    ownr: a\n", encoding="utf-8")
        site.on_change([beside])
        assert state.errors and state.errors[0].startswith(f"{beside}:3:5: error:")
    finally:
        site.close()


def test_every_kind_of_change_is_worded_with_names() -> None:
    from journeymap.analysis import whatif as W
    from journeymap.report.scenarios import change_words

    journey = load_journey(DATA / "broadband.yaml")
    cases = [
        (
            W.AssignOwner("offer", "call", "sales"),
            "Telesales owns the handoff 'Online offer' \u2192 'Sales call'",
        ),
        (W.Integrate("survey", "crm"), "Survey tool and CRM are connected, data flowing both ways"),
        (W.Integrate("survey", "crm", one_way=True), "Survey tool sends its data to CRM"),
        (
            W.Carry("call", "visit", ("address", "bank-details")),
            "'Sales call' passes on the customer's address and bank details to 'Engineer visit'",
        ),
        (W.MoveTouchpoint("survey", "care"), "Customer care runs 'Satisfaction survey'"),
        (
            W.HandOver("care", ("care-call",), "live"),
            "Customer care runs 'Call care about a fault' and every touchpoint of the live stage",
        ),
        (
            W.AlignChannel("offer", "call"),
            "The customer stays on web from 'Online offer' to 'Sales call'",
        ),
        (
            W.AlignChannel("offer", "call", "phone"),
            "The customer stays on phone from 'Online offer' to 'Sales call'",
        ),
        (
            W.ChangeWait("call", "visit", 48.0),
            "The wait at 'Sales call' \u2192 'Engineer visit' becomes 2d",
        ),
        (W.ChangeWait("call", "visit", None), "No wait at 'Sales call' \u2192 'Engineer visit'"),
        (
            W.ChangeShares("visit", (("care-call", 0.1), ("happy", 0.9))),
            "Customers leave 'Engineer visit': 10% to 'Call care about a fault', 90% to "
            "'Working broadband'",
        ),
        (
            W.RemoveTouchpoint("survey"),
            "'Satisfaction survey' is taken out; the customers who went there drop off",
        ),
        (
            W.RemoveTouchpoint("care-call", "visit"),
            "'Call care about a fault' is taken out; its customers go to 'Engineer visit' instead",
        ),
    ]
    for change, words in cases:
        assert change_words(journey, change) == words


def test_a_page_with_scenarios_is_byte_identical_across_builds(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "broadband.scenarios.yaml").write_text(SCENARIOS, encoding="utf-8")
    a = build_site([folder], tmp_path / "a" / "site", jobs=2, cache=False)
    b = build_site([folder], tmp_path / "b" / "site", jobs=1, cache=False)
    for name in ("broadband.html", "index.html"):
        assert (a.out_dir / name).read_bytes() == (b.out_dir / name).read_bytes()


def test_the_to_be_picture_keeps_the_as_is_lanes_in_their_places(tmp_path: Path) -> None:
    """A scenario that hands the first touchpoints to another function would put that function
    first in a fresh layout; the to-be picture keeps the as-is lane order instead, so the two
    pictures compare lane by lane. The as-is order is the file's (functions by their first
    touchpoint), read here from the YAML itself."""
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("claims-before.yaml", "claims-before.scenarios.yaml", "organisation.yaml"):
        shutil.copy(ROOT / "journeys" / name, folder / name)
    out = build_site([folder], tmp_path / "site", jobs=1, cache=False).out_dir
    page = (out / "claims-before.html").read_text(encoding="utf-8")
    data = yaml.safe_load((folder / "claims-before.yaml").read_text(encoding="utf-8"))
    by_file = list(dict.fromkeys(tp["function"] for tp in data["touchpoints"].values()))
    scenarios = yaml.safe_load((folder / "claims-before.scenarios.yaml").read_text("utf-8"))
    assert len(scenarios["scenarios"]) >= 2
    for n in range(1, len(scenarios["scenarios"]) + 1):
        as_is = re.findall(rf'id="lane-scenario-{n}-as-is-([^"]+)"', page)
        to_be = re.findall(rf'id="lane-scenario-{n}-to-be-([^"]+)"', page)
        assert as_is == by_file, n
        kept = [f for f in to_be if f in as_is]
        assert kept == [f for f in as_is if f in to_be], (n, to_be)
        assert to_be[: len(kept)] == kept  # new lanes, if any, come after
