"""journeymap.diff and ``journeymap diff``: hand-made pairs with expected sets worked out by hand.

tests/data/diff/basic-old.yaml -> basic-new.yaml, read by hand:
- ``call`` moves from sales to mkt (and is renamed "Sales call"): ad -> call stops being a handoff
  (mkt -> mkt), call -> ship stays one (now mkt -> ops) and gains a 2-day wait (JM106);
- ``ship`` gets a transition to the new touchpoint ``survey`` (mkt, email): a new handoff
  ops -> mkt with a channel switch web -> email (JM104); mkt -> ops then ops -> mkt on the path
  ad -> call -> ship -> survey is a ping-pong (JM108); ``outcome`` moves from ship to survey;
- ad -> call gets ``share: 0.5``: half the customers drop off. Expected handoffs per customer:
  old 1 + 1 = 2 (both handoffs carry every customer), new 0.5 + 0.5 = 1; outcome ``won``
  1 -> 0.5; drop-off 0 -> 0.5; expected wait 0 -> 0.5 x 48 h = 24 h.
- fixed: JM100 and JM101 on ad -> call (the only ownerless handoff of the old version).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.analysis.engine import analyze
from journeymap.cli import main
from journeymap.diff import diff_journeys, finding_key
from journeymap.load import load_journey
from journeymap.output.diff import format_markdown, render_diff, source_label
from journeymap.project import analyse_pair

DATA = Path(__file__).parent / "data" / "diff"
ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "journeys"


def diff_of(old: str, new: str, fmt: str) -> str:
    """What `journeymap diff OLD NEW --format FMT` prints: both sides through the pipeline."""
    before, after = analyse_pair(old, new)
    return render_diff(before.analysis, after.analysis, source_label(old), source_label(new), fmt)


def _diff(old: str, new: str):  # type: ignore[no-untyped-def]
    return diff_journeys(analyze(load_journey(DATA / old)), analyze(load_journey(DATA / new)))


def test_basic_pair_structure() -> None:
    d = _diff("basic-old.yaml", "basic-new.yaml")
    assert d.touchpoints_added == ("survey",)
    assert d.touchpoints_removed == ()
    changed = {
        c.key[0]: {f.field: (f.old, f.new) for f in c.changes} for c in d.touchpoints_changed
    }
    assert changed == {
        "call": {"name": ("Call", "Sales call"), "function": ("sales", "mkt")},
        "ship": {"outcome": ("won", None)},
    }
    assert d.transitions_added == (("ship", "survey"),)
    assert d.transitions_removed == ()
    tr = {c.key: {f.field: (f.old, f.new) for f in c.changes} for c in d.transitions_changed}
    assert tr == {
        ("ad", "call"): {"share": (None, 0.5)},
        ("call", "ship"): {"wait_hours": (None, 48.0)},
    }
    assert d.journey_changed == ()


def test_basic_pair_handoffs_and_scores() -> None:
    d = _diff("basic-old.yaml", "basic-new.yaml")
    assert [(h.source, h.target) for h in d.handoffs_removed] == [("ad", "call")]
    assert [(h.source, h.target) for h in d.handoffs_created] == [("ship", "survey")]
    assert [(c.old.source, c.old.target) for c in d.handoffs_changed] == [("call", "ship")]
    change = d.handoffs_changed[0]
    assert (change.old.from_function, change.new.from_function) == ("sales", "mkt")
    assert "JM106" in change.new.rules and "JM106" not in change.old.rules
    m = {x.name: (x.old, x.new) for x in d.metrics}
    assert m["handoffs"] == (2, 2)
    assert m["expected_handoffs_per_customer"] == pytest.approx((2.0, 1.0))
    assert m["drop_off"] == pytest.approx((0.0, 0.5))
    assert m["expected_wait_hours_per_customer"] == pytest.approx((0.0, 24.0))
    assert m["touchpoints"] == (3, 4)
    assert {o.name: (o.old, o.new) for o in d.outcomes} == {"won": pytest.approx((1.0, 0.5))}


def test_basic_pair_findings_match_by_rule_and_element() -> None:
    d = _diff("basic-old.yaml", "basic-new.yaml")
    fixed = {(f.rule, f.transition) for f in d.findings_fixed}
    assert fixed == {("JM100", ("ad", "call")), ("JM101", ("ad", "call"))}
    introduced = {f.rule for f in d.findings_introduced}
    assert introduced == {"JM100", "JM104", "JM106", "JM108"}
    by_rule = {f.rule: f.transition for f in d.findings_introduced if f.rule != "JM108"}
    assert by_rule == {
        "JM100": ("ship", "survey"),
        "JM104": ("ship", "survey"),
        "JM106": ("call", "ship"),
    }
    # JM100 on call -> ship survives although its message (risk, rules) changed.
    assert ("JM100", ("call", "ship")) not in {(f.rule, f.transition) for f in d.findings_fixed}


def test_reformatted_file_is_no_change() -> None:
    d = _diff("basic-old.yaml", "basic-old-reformatted.yaml")
    assert d.is_empty
    assert all(not m.changed for m in d.metrics)


def test_renamed_id_is_removed_plus_added() -> None:
    d = _diff("basic-old.yaml", "basic-renamed.yaml")
    assert d.touchpoints_removed == ("call",)
    assert d.touchpoints_added == ("phone",)
    assert set(d.transitions_removed) == {("ad", "call"), ("call", "ship")}
    assert set(d.transitions_added) == {("ad", "phone"), ("phone", "ship")}
    assert {(h.source, h.target) for h in d.handoffs_removed} == {("ad", "call"), ("call", "ship")}
    assert {(h.source, h.target) for h in d.handoffs_created} == {
        ("ad", "phone"),
        ("phone", "ship"),
    }
    assert not d.metric("expected_handoffs_per_customer").changed


def test_same_analysis_is_empty_and_findings_key_ignores_message() -> None:
    a = analyze(load_journey(DATA / "basic-new.yaml"))
    assert diff_journeys(a, a).is_empty
    f = a.findings[0]
    from dataclasses import replace

    assert finding_key(replace(f, message="something else")) == finding_key(f)


# -- the claims example: a redesign that removes handoffs -------------------------------------


def test_claims_before_after_reports_handoffs_removed() -> None:
    """Read from the two files by hand: before routes first notice of loss from the web team
    (marketing) and the call centre (service) to the claims handlers, the chase call goes to a
    handler call-back, and repair snags go via the call centre; after, claims handlers own the
    web form and the claims line, handler-callback is gone and snags stay with repairs."""
    before = analyze(load_journey(JOURNEYS / "claims-before.yaml"))
    after = analyze(load_journey(JOURNEYS / "claims-after.yaml"))
    d = diff_journeys(before, after)
    removed = {(h.source, h.target) for h in d.handoffs_removed}
    assert removed == {
        ("fnol-web", "claim-setup"),
        ("fnol-phone", "claim-setup"),
        ("chase-call", "handler-callback"),
        ("repair-work", "repair-snag"),
        ("repair-snag", "repair-work"),
    }
    assert d.handoffs_created == ()
    assert d.touchpoints_removed == ("handler-callback",)
    assert d.metric("handoffs").delta == -5
    assert d.metric("expected_handoffs_per_customer").delta < 0
    assert d.metric("total_risk").delta < 0
    assert "JM202" in {f.rule for f in d.findings_fixed}  # after names an end-to-end owner


# -- formats and the command ------------------------------------------------------------------


def test_cli_text_puts_handoffs_and_scores_first() -> None:
    result = CliRunner().invoke(
        main, ["diff", str(DATA / "basic-old.yaml"), str(DATA / "basic-new.yaml")]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.index("Handoffs: 2 -> 2") < out.index("Scores:") < out.index("Findings:")
    assert out.index("Findings:") < out.index("Touchpoints:") < out.index("Transitions:")
    assert "  - removed  ad -> call  (mkt -> sales)" in out
    assert "  + created  ship -> survey  (ops -> mkt)" in out
    assert "expected handoffs per customer    2 -> 1  -1" in out
    assert "  ~ call: name 'Call' -> 'Sales call'; function 'sales' -> 'mkt'" in out


def test_cli_no_changes() -> None:
    result = CliRunner().invoke(
        main, ["diff", str(DATA / "basic-old.yaml"), str(DATA / "basic-old-reformatted.yaml")]
    )
    assert result.exit_code == 0
    assert result.output.endswith("no changes\n")


def test_json_shape() -> None:
    result = CliRunner().invoke(
        main,
        ["diff", str(DATA / "basic-old.yaml"), str(DATA / "basic-new.yaml"), "--format", "json"],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["diff_format"] == 1
    assert data["changed"] is True
    assert [(h["from"], h["to"]) for h in data["handoffs"]["removed"]] == [("ad", "call")]
    assert data["metrics"]["expected_handoffs_per_customer"] == {"old": 2, "new": 1, "delta": -1}
    assert data["outcomes"]["won"]["new"] == 0.5
    assert data["touchpoints"]["added"] == ["survey"]
    assert data["transitions"]["changed"][1] == {
        "from": "call",
        "to": "ship",
        "changes": [{"field": "wait_hours", "old": None, "new": 48.0}],
    }


def test_output_is_deterministic() -> None:
    a = diff_of(str(DATA / "basic-old.yaml"), str(DATA / "basic-new.yaml"), "json")
    b = diff_of(str(DATA / "basic-old.yaml"), str(DATA / "basic-new.yaml"), "json")
    assert a == b


def test_markdown_escapes_cells() -> None:
    d = _diff("basic-old.yaml", "basic-new.yaml")
    md = format_markdown(d, "a|b", "<x>")
    assert "a\\|b" in md and "\\<x\\>" in md
    assert "| removed | ad → call | mkt → sales |" in md


def test_bad_file_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("journeymap: 1\ntitle: [unclosed\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(bad), str(DATA / "basic-new.yaml")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines and all(":" in line and "error:" in line for line in lines)
    assert "Traceback" not in result.output


# -- git:REV:path ------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    """A repository whose journey uses an organisation file; the second commit makes the
    crm system shadow IT in the organisation file only."""
    (tmp_path / "journeys").mkdir()
    org = tmp_path / "journeys" / "org.yaml"
    org.write_text(
        "journeymap: 1\nfunctions:\n  mkt: {name: Marketing, lead: CMO}\n"
        "  sales: {name: Sales, lead: VP Sales}\n"
        "systems:\n  crm: {name: CRM, owner: sales}\n  web: {name: Web, owner: mkt}\n",
        encoding="utf-8",
    )
    journey = tmp_path / "journeys" / "j.yaml"
    journey.write_text(
        "journeymap: 1\nid: j\ntitle: J\nowner: sales\nuses: org.yaml\nstages: [a]\n"
        "touchpoints:\n"
        "  ad: {name: Ad, stage: a, function: mkt, channel: web, systems: [web], next: [call]}\n"
        "  call: {name: Call, stage: a, function: sales, channel: web, systems: [crm],"
        " outcome: won}\n",
        encoding="utf-8",
    )
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "one")
    org.write_text(org.read_text().replace("owner: sales}", "owner: sales, shadow: true}"))
    _git(tmp_path, "commit", "-qam", "two")
    return tmp_path


@needs_git
def test_git_source_reads_uses_from_the_same_revision(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """HEAD~1 has a governed crm, HEAD a shadow one: ad -> call (web, crm not integrated)
    gains JM107 only if the organisation file is read from each side's own revision."""
    monkeypatch.chdir(repo)
    out = diff_of("git:HEAD~1:journeys/j.yaml", "git:HEAD:journeys/j.yaml", "json")
    data = json.loads(out)
    assert data["old"]["source"] == "git:HEAD~1:journeys/j.yaml"
    assert [f["rule"] for f in data["findings"]["introduced"]] == ["JM107"]
    assert data["findings"]["introduced"][0]["file"].startswith("git:HEAD:")
    assert data["touchpoints"] == {"added": [], "removed": [], "changed": []}


@needs_git
def test_git_source_against_working_copy_and_dot_path(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo / "journeys")
    result = CliRunner().invoke(main, ["diff", "git:HEAD:./j.yaml", "j.yaml"])
    assert result.exit_code == 0, result.output
    assert result.output.endswith("no changes\n")


@needs_git
@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("git:no-such-rev:journeys/j.yaml", "unknown revision 'no-such-rev'"),
        ("git:HEAD:journeys/missing.yaml", "no file 'journeys/missing.yaml'"),
        ("git:HEAD", "expected git:REV:path"),
        ("git:HEAD:../outside.yaml", "leaves the repository"),
    ],
)
def test_bad_git_source_is_one_line_exit_2(
    repo: Path, monkeypatch: pytest.MonkeyPatch, spec: str, expected: str
) -> None:
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", spec, "journeys/j.yaml"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert expected in result.output
    assert "Traceback" not in result.output


@needs_git
def test_git_load_errors_point_at_the_revision(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journey = repo / "journeys" / "j.yaml"
    journey.write_text(
        journey.read_text().replace("stage: a, function: mkt", "stage: zz, function: mkt")
    )
    _git(repo, "commit", "-qam", "broken")
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(main, ["diff", "git:HEAD:journeys/j.yaml", "journeys/j.yaml"])
    assert result.exit_code == 2
    assert result.output.startswith("git:HEAD:journeys/j.yaml:")
    assert "journeymap-git-" not in result.output  # no temporary path leaks


# -- html --------------------------------------------------------------------------------------


def test_html_marks_added_and_removed_and_escapes(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"><svg onload=alert(2)>'
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text((DATA / "basic-old.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = (DATA / "basic-renamed.yaml").read_text(encoding="utf-8")
    new.write_text(text.replace("name: Call", f"name: '{hostile}'"), encoding="utf-8")
    page = diff_of(str(old), str(new), "html")
    import html
    import re

    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp and html.unescape(csp.group(1)).startswith("default-src 'none'; style-src 'sha256-")
    assert "<script" not in page.lower()
    from html.parser import HTMLParser

    class Attributes(HTMLParser):
        names: set[str] = set()

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.names.update(name for name, _ in attrs)

    parser = Attributes()
    parser.feed(page)
    # no event-handler attribute on any tag (a tooltip may quote "onload=" as text)
    assert parser.names and not [n for n in parser.names if n.lower().startswith("on")]
    assert "&lt;script&gt;" in page  # the hostile name is shown, as text
    # the renamed id: `call` removed (ghosted, "−" before the name) and `phone` added ("+")
    assert 'id="tp-call" class="node touchpoint diff-removed"' in page
    assert 'id="tp-phone" class="node touchpoint diff-added"' in page
    assert "\u2212 Call" in page
    assert 'class="edge transition handoff diff-removed"' in page
    assert "diff-handoff-created" in page
    assert page == diff_of(str(old), str(new), "html")  # deterministic
