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
        # ad has one transition: no share means all of its customers (1), now half
        ("ad", "call"): {"share": (1.0, 0.5)},
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


@needs_git
@pytest.mark.parametrize("kind", ["relative", "absolute"])
def test_uses_outside_the_repository_is_refused_and_never_read(
    repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """The audit's escape: a committed ``uses:`` climbing out of the repository was followed on
    the real filesystem and the outside file's keys appeared in the output."""
    outside = tmp_path_factory.mktemp("elsewhere") / "secret-org.yaml"
    outside.write_text(
        "journeymap: 1\nfunctions:\n  mkt: {name: TOP-SECRET-NAME, lead: CMO}\n"
        "  sales: {name: Sales, lead: VP Sales}\n"
        "systems:\n  crm: {name: CRM, owner: sales}\n  web: {name: Web, owner: mkt}\n"
    )
    journey = repo / "journeys" / "j.yaml"
    target = str(outside) if kind == "absolute" else "../" * 12 + str(outside).lstrip("/")
    journey.write_text(journey.read_text().replace("uses: org.yaml", f"uses: {target}"))
    _git(repo, "commit", "-qam", "escape")
    monkeypatch.chdir(repo)
    for fmt in ("text", "json"):
        result = CliRunner().invoke(
            main,
            ["diff", "git:HEAD~1:journeys/j.yaml", "git:HEAD:journeys/j.yaml", "--format", fmt],
        )
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            "git:HEAD:journeys/j.yaml:5:7: error: 'uses' names a file outside"
        )
        assert len(result.stderr.strip().splitlines()) == 1
        assert "TOP-SECRET" not in result.output


# -- html: the report-style page ---------------------------------------------------------------


def _page_parts(page: str) -> dict[str, object]:
    """What a reader sees (text outside <style>, <script> and SVG <title>s; SVG <text> kept),
    the ids on the page, and each picture's highlighted edges, parsed with html.parser."""
    from html.parser import HTMLParser

    class Reader(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.text: list[str] = []
            self.ids: list[str] = []
            self.highlighted: dict[str, list[str]] = {"before": [], "after": []}
            self.attributes: set[str] = set()
            self.scripts = 0
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            self.attributes.update(name for name, _ in attrs)
            if a.get("id"):
                self.ids.append(str(a["id"]))
            classes = str(a.get("class") or "").split()
            if tag == "g" and "edge" in classes and "diff-hl" in classes:
                side = str(a.get("id", "")).split("-", 1)[0]
                self.highlighted[side].append(str(a["id"]))
            if tag == "script":
                self.scripts += 1
            if tag in ("style", "script", "title"):
                self.skip += 1

        def handle_endtag(self, tag: str) -> None:
            if tag in ("style", "script", "title"):
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.text.append(data)

    reader = Reader()
    reader.feed(page)
    return {
        "text": " ".join(reader.text),
        "ids": reader.ids,
        "highlighted": reader.highlighted,
        "attributes": reader.attributes,
        "scripts": reader.scripts,
    }


@pytest.fixture(scope="module")
def claims_page() -> str:
    return diff_of(
        str(JOURNEYS / "claims-before.yaml"), str(JOURNEYS / "claims-after.yaml"), "html"
    )


def _yaml(path: Path) -> dict:  # type: ignore[type-arg]
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _ids_and_words(*paths: Path) -> tuple[set[str], list[str]]:
    """Every id the files declare or use (journey, touchpoints, functions, systems, stages,
    channels, items asked for or carried, KPI keys) and every name or piece of prose a person
    wrote in them (names, titles, descriptions, pains, gains, notes, ideas, evidence, KPI
    values, leads, outcomes), read with PyYAML, the organisation file included.

    Some ids are their own names, the file giving no other: a stage listed by id only, a
    channel used but not declared, an item asked for or carried, a KPI (written as words:
    ``policy-number`` is "policy number")."""
    ids: set[str] = set()
    words: list[str] = []
    for path in paths:
        data = _yaml(path)
        uses = data.get("uses") or []
        for extra in [uses] if isinstance(uses, str) else uses:
            more_ids, more_words = _ids_and_words(path.parent / extra)
            ids |= more_ids
            words += more_words
        ids.add(data.get("id") or path.stem)
        for key in ("title", "persona", "description"):
            if data.get(key):
                words.append(str(data[key]))
        for kind in ("functions", "systems", "channels"):
            for fid, f in (data.get(kind) or {}).items():
                ids.add(fid)
                words += [str(v) for k, v in f.items() if k in ("name", "lead")]
        for stage in data.get("stages") or []:
            if isinstance(stage, dict):
                ids.add(stage["id"])
                words.append(stage["name"])
            else:
                ids.add(stage)
                words.append(stage)
        declared = set(data.get("channels") or {})
        for tid, tp in (data.get("touchpoints") or {}).items():
            ids.add(tid)
            if tp.get("channel") and tp["channel"] not in declared:
                ids.add(tp["channel"])
                words.append(tp["channel"])
            slugs = set(tp.get("asks") or []) | set((tp.get("kpis") or {}).keys())
            for t in tp.get("next") or []:
                if isinstance(t, dict):
                    slugs |= set(t.get("carries") or [])
            ids |= slugs
            words += [x.replace("-", " ") for x in slugs]
            words += [str(v) for v in (tp.get("kpis") or {}).values()]
            for key in ("name", "description", "outcome"):
                if tp.get(key):
                    words.append(str(tp[key]))
            for key in ("pains", "gains", "notes", "ideas", "evidence"):
                value = tp.get(key) or []
                words += [value] if isinstance(value, str) else [str(x) for x in value]
            for t in tp.get("next") or []:
                if isinstance(t, dict) and t.get("note"):
                    words.append(str(t["note"]))
    return ids, words


def test_html_names_not_ids_and_no_backticks(claims_page: str) -> None:
    old, new = JOURNEYS / "claims-before.yaml", JOURNEYS / "claims-after.yaml"
    ids, words = _ids_and_words(old, new)
    text = str(_page_parts(claims_page)["text"])
    assert "`" not in text
    import re

    # strip, as whole words, what people wrote (longest first) and the source files' names
    rest = " ".join(text.split())
    prose = {" ".join(w.split()) for w in words} | {
        "journeys/claims-before.yaml",
        "journeys/claims-after.yaml",
        "claims-before.yaml",
        "claims-after.yaml",
    }
    for w in sorted(prose - {""}, key=len, reverse=True):
        rest = re.sub(rf"(?<![\w-]){re.escape(w)}(?![\w-])", " ", rest)
    assert len(rest) > 2000  # the page's own words are left to check
    names = {" ".join(w.split()).lower() for w in words}

    leaked = sorted(
        i
        for i in ids - {n for n in ids if n.lower() in names}
        if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", rest)
    )
    assert leaked == [], leaked
    # names are there: a resolved handoff, with its functions, in words
    assert "Online claim form \u2192 Claim set up by a handler" in text
    assert "Marketing \u2192 Claims handling" in text


def test_html_marks_the_touchpoints_an_independent_comparison_finds_changed(
    claims_page: str,
) -> None:
    import re

    old, new = JOURNEYS / "claims-before.yaml", JOURNEYS / "claims-after.yaml"
    expected = independent_touchpoints_changed(old, new)
    after = _yaml(new)["touchpoints"]
    fold = claims_page.split('id="touchpoints-changed"', 1)[1].split("</details>", 1)[0]
    shown = re.findall(r'<div class="element"><h3>([^<]*?) <span', fold)
    import html

    assert sorted(html.unescape(n) for n in shown) == sorted(after[t]["name"] for t in expected)
    assert "Touchpoints: 0 added, 1 removed, 23 changed" in claims_page


def _independent_handoff_changes(
    old: Path, new: Path
) -> tuple[set[tuple[str, str]], set[tuple[str, str]], set[tuple[str, str]]]:
    """Resolved, new and changed handoffs from the two analyses' handoff lists (not the diff):
    keys only on one side, and keys on both whose risk factors or functions differ."""
    a = {(h.source, h.target): h for h in analyze(load_journey(old)).handoffs}
    b = {(h.source, h.target): h for h in analyze(load_journey(new)).handoffs}
    changed = {
        k
        for k in a.keys() & b.keys()
        if set(a[k].rules) != set(b[k].rules)
        or (a[k].from_function, a[k].to_function) != (b[k].from_function, b[k].to_function)
    }
    return set(a) - set(b), set(b) - set(a), changed


def test_html_pictures_highlight_exactly_the_changed_handoffs(claims_page: str) -> None:
    old, new = JOURNEYS / "claims-before.yaml", JOURNEYS / "claims-after.yaml"
    resolved, created, changed = _independent_handoff_changes(old, new)
    assert len(resolved) == 5 and not created  # as read by hand above
    parts = _page_parts(claims_page)
    highlighted = parts["highlighted"]
    assert isinstance(highlighted, dict)

    def ids(side: str, keys: set[tuple[str, str]]) -> list[str]:
        return sorted(f"{side}-edge-{s}--{t}" for s, t in keys)

    assert sorted(highlighted["before"]) == ids("before", resolved | changed)
    assert sorted(highlighted["after"]) == ids("after", created | changed)
    assert len(highlighted["before"]) == 23 and len(highlighted["after"]) == 18
    # one halo under each highlighted edge's line, nowhere else
    assert claims_page.count('class="diff-halo') == 23 + 18
    page_ids = parts["ids"]
    assert isinstance(page_ids, list) and len(page_ids) == len(set(page_ids))


def test_html_is_the_report_style_page_and_deterministic(claims_page: str) -> None:
    from journeymap.report.pages import assets

    a = assets()
    assert f'content="{a.csp}"'.replace("'", "&#39;") in claims_page or a.csp in claims_page
    assert str(a.css) in claims_page and str(a.js) in claims_page
    assert 'class="diff-page"' in claims_page
    assert "Total risk 71.9 \u2192 16.4 (\u221255.5); 6.28 \u2192 4.89 handoffs per customer;" in (
        claims_page
    )
    again = diff_of(
        str(JOURNEYS / "claims-before.yaml"), str(JOURNEYS / "claims-after.yaml"), "html"
    )
    assert again == claims_page


def test_html_escapes_hostile_names(tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script>"><svg onload=alert(2)>'
    old = tmp_path / "old.yaml"
    new = tmp_path / "new.yaml"
    old.write_text((DATA / "basic-old.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    text = (DATA / "basic-renamed.yaml").read_text(encoding="utf-8")
    new.write_text(text.replace("name: Call", f"name: '{hostile}'"), encoding="utf-8")
    page = diff_of(str(old), str(new), "html")
    parts = _page_parts(page)
    assert parts["scripts"] == 1  # the report's own script, allowed by its hash
    attributes = parts["attributes"]
    assert isinstance(attributes, set)
    assert not [n for n in attributes if n.lower().startswith("on")]
    assert "&lt;script&gt;" in page  # the hostile name is shown, as text
    # the renamed id: call removed (dashed on the before picture), phone added (on the after)
    assert 'id="before-tp-call" class="node touchpoint diff-hl diff-gone"' in page
    assert 'id="after-tp-phone" class="node touchpoint diff-hl diff-added"' in page


# -- only real content changes count ------------------------------------------------------------

_SPELLED = """journeymap: 1
id: spelled
title: Spelling
functions:
  mkt: {{name: Marketing}}
  ops: {{name: Operations}}
systems:
  crm: {{name: CRM, owner: ops}}
  web: {{name: Web, owner: mkt}}
stages: [a]
touchpoints:
  ad:
    name: Ad
    stage: a
    function: mkt
    systems: {systems}
    asks: {asks}
    kpis: {kpis}
    description: {description}
    {entry}
    next:
      - {{to: ship, owner: ops{share}}}
  ship:
    name: Ship
    stage: a
    function: ops
    outcome: won
"""


def _spelled(tmp_path: Path, name: str, **values: str) -> Path:
    path = tmp_path / name
    path.write_text(_SPELLED.format(**values), encoding="utf-8")
    return path


def test_respelling_is_no_change(tmp_path: Path) -> None:
    """Written differently, meaning the same: systems and asks in another order, KPIs in another
    order, a description folded differently, ``entry: false`` for no entry, and an explicit share
    of 1 on the only transition (which gets every customer anyway)."""
    old = _spelled(
        tmp_path,
        "old.yaml",
        systems="[crm, web]",
        asks="[email, name]",
        kpis="{nps: '10', csat: '4'}",
        description="Sees the ad.",
        entry="",
        share="",
    )
    new = _spelled(
        tmp_path,
        "new.yaml",
        systems="[web, crm]",
        asks="[name, email]",
        kpis="{csat: '4', nps: '10'}",
        description="|\n      Sees   the\n      ad.",
        entry="entry: false",
        share=", share: 1",
    )
    d = diff_journeys(analyze(load_journey(old)), analyze(load_journey(new)))
    assert d.touchpoints_changed == () and d.transitions_changed == ()
    assert d.is_empty


def test_a_real_change_beside_respelling_still_counts(tmp_path: Path) -> None:
    old = _spelled(
        tmp_path,
        "old.yaml",
        systems="[crm]",
        asks="[]",
        kpis="{}",
        description="x",
        entry="",
        share="",
    )
    new = _spelled(
        tmp_path,
        "new.yaml",
        systems="[crm, web]",
        asks="[]",
        kpis="{}",
        description="x",
        entry="",
        share=", share: 0.5",
    )
    d = diff_journeys(analyze(load_journey(old)), analyze(load_journey(new)))
    assert {c.key: [f.field for f in c.changes] for c in d.touchpoints_changed} == {
        ("ad",): ["systems"]
    }
    # the unset share of the only transition is 1: the change reads 1 -> 0.5
    assert [(f.field, f.old, f.new) for c in d.transitions_changed for f in c.changes] == [
        ("share", 1.0, 0.5)
    ]


_FLOW = """journeymap: 1
id: flow
title: Flow
owner: mkt
functions:
  mkt: {{name: Marketing}}
  ops: {{name: Operations}}
stages: [a]
touchpoints:
  ad:
    name: Ad
    stage: a
    function: mkt
    channel: web
    next:
      - {{to: form, share: {share}}}
      - {{to: gone, share: {rest}}}
  gone: {{name: Gone, stage: a, function: mkt, channel: web, outcome: lost}}
  form:
    name: Form
    stage: a
    function: mkt
    channel: web
    next:
      - {{to: ship, owner: ops, carries: [x]}}
  ship: {{name: Ship, stage: a, function: ops, channel: web, outcome: won}}
"""


def test_a_handoff_busier_only_because_of_an_edit_upstream_is_not_changed(
    tmp_path: Path,
) -> None:
    """Only ad's split moves (0.5 -> 0.8 to form): form -> ship, the one handoff, now carries
    0.8 of the customers instead of 0.5, its risk factors and functions untouched. Expected
    handoffs per customer: 0.5 -> 0.8 (hand computed)."""
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(_FLOW.format(share=0.5, rest=0.5), encoding="utf-8")
    new.write_text(_FLOW.format(share=0.8, rest=0.2), encoding="utf-8")
    a, b = analyze(load_journey(old)), analyze(load_journey(new))
    assert [h.flow for h in a.handoffs] == pytest.approx([0.5])
    assert [h.flow for h in b.handoffs] == pytest.approx([0.8])
    d = diff_journeys(a, b)
    assert d.handoffs_changed == ()
    assert d.metric("expected_handoffs_per_customer").old == pytest.approx(0.5)
    assert d.metric("expected_handoffs_per_customer").new == pytest.approx(0.8)
    assert {c.key for c in d.transitions_changed} == {("ad", "form"), ("ad", "gone")}


def _yaml_touchpoints(path: Path) -> dict[str, dict[str, object]]:
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))["touchpoints"]


def _by_meaning(value: object) -> object:
    if isinstance(value, list):
        return sorted(map(str, value))
    return value


def independent_touchpoints_changed(old: Path, new: Path) -> set[str]:
    """Touchpoints present in both files whose YAML mappings differ in any field but ``next``
    (lists compared as sorted lists: every list field of the claims pair is a set or changes in
    content anyway), read with PyYAML, not journeymap."""
    a, b = _yaml_touchpoints(old), _yaml_touchpoints(new)
    out = set()
    for tid in b.keys() & a.keys():
        x, y = dict(a[tid]), dict(b[tid])
        x.pop("next", None)
        y.pop("next", None)
        if any(_by_meaning(x.get(k)) != _by_meaning(y.get(k)) for k in x.keys() | y.keys()):
            out.add(tid)
    return out


def test_claims_touchpoints_changed_match_an_independent_comparison() -> None:
    """23 of claims-after's 24 touchpoints really differ from claims-before (every one but
    repair-work changes its emotion score, channel, systems or text): the count is right."""
    old, new = JOURNEYS / "claims-before.yaml", JOURNEYS / "claims-after.yaml"
    d = diff_journeys(analyze(load_journey(old)), analyze(load_journey(new)))
    expected = independent_touchpoints_changed(old, new)
    assert {c.key[0] for c in d.touchpoints_changed} == expected
    assert len(expected) == 23 and "repair-work" not in expected


def test_html_of_no_change_says_so_without_pictures() -> None:
    claims = str(JOURNEYS / "claims-before.yaml")
    page = diff_of(claims, claims, "html")
    assert "No changes: the two versions describe the same journey." in page
    assert 'id="pictures"' not in page and "diff-hl" not in page
    assert "No handoff changed." in page
