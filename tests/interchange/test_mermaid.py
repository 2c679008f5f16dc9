"""Mermaid export (journey and flowchart) as text: what is written, escaped and noted.

Mermaid itself reads these exports back in tests/browser/test_mermaid_client.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.analysis.engine import analyze
from journeymap.cli import main
from journeymap.interchange import export
from journeymap.interchange.mermaid import (
    NO_EMOTION_COMMENT,
    mermaid_flowchart,
    mermaid_journey,
)
from journeymap.load import load_journey, load_journey_text

DATA = Path(__file__).parent.parent / "data" / "interchange"
BROADBAND = DATA / "broadband.yaml"
HOSTILE = DATA / "mermaid-hostile.yaml"


def renamed(name: str, function: str | None = None):  # broadband with 'Online offer' renamed
    text = BROADBAND.read_text().replace("name: Online offer", f"name: {json.dumps(name)}")
    if function is not None:
        text = text.replace(
            "{name: Marketing, lead: CMO}", f"{{name: {json.dumps(function)}, lead: CMO}}"
        )
    return load_journey_text(text, str(BROADBAND))


def task_line(text: str) -> str:
    return next(
        line for line in text.splitlines() if line.endswith(": 4: Marketing") or ": 4: " in line
    )


def test_journey_lists_stages_as_sections_with_emotion_scores_and_functions() -> None:
    result = mermaid_journey(load_journey(BROADBAND))
    assert result.text == (
        "journey\n"
        "  title Broadband installation\n"
        "  accTitle: Broadband installation\n"
        "  section choose\n"
        "    Online offer: 4: Marketing\n"
        "    Sales call: 3: Telesales\n"
        "  section install\n"
        "    Engineer visit: 2: Field engineering\n"
        "    Call care about a fault: 1: Customer care\n"
        "  section live\n"
        "    Satisfaction survey: 2: Marketing\n"
        "    Working broadband: 5: Field engineering\n"
    )
    # 6 transitions, 5 of them between functions (tests/data/worked/broadband.md)
    assert result.notes == (
        f"{BROADBAND}:1:1: note: a Mermaid journey has no arrows: its 6 transitions "
        "(5 handoffs) are not in it; export mermaid-flowchart draws them",
    )


@pytest.mark.parametrize(
    ("name", "written"),
    [
        # the lexer's keywords at the start of a task (case-insensitive): first letter escaped
        ("section 5", "#115;ection 5"),
        ("Section Two", "#83;ection Two"),
        ("journey planning", "#106;ourney planning"),
        ("Journey", "#74;ourney"),
        ("Title of it", "#84;itle of it"),
        ("accDescr { x", "#97;ccDescr { x"),
        ("accTitle: x", "accTitle#58; x"),  # the ':' escaped already ends the keyword
        # not keywords: a word that only begins like one
        ("journeys", "journeys"),
        ("Sectional view", "Sectional view"),
        ("Titles", "Titles"),
        # characters that end a task or start a comment or directive
        ("Offer: 50% off; #1", "Offer#58; 50#37; off#59; #35;1"),
        ("5%% off", "5#37;#37; off"),
        ("#quot; literal", "#35;quot#59; literal"),
        ("two<br>lines", "two#lt;br>lines"),
        ("\ufb02\u00b0\u00b035\u00b6\u00df", "#64258;\u00b0\u00b035#182;\u00df"),
        # what a diagram cleans as our own diagrams do
        ("Offer\u202e evil\0", "Offer evil\ufffd"),
    ],
)
def test_journey_task_names_are_escaped_where_mermaid_would_misread_them(
    name: str, written: str
) -> None:
    result = mermaid_journey(renamed(name))
    assert f"    {written}: 4: Marketing\n" in result.text
    if written != name:
        assert any("note:" in note and str(BROADBAND) in note for note in result.notes[:-1])


def test_keyword_notes_say_what_was_changed() -> None:
    result = mermaid_journey(renamed("Title of it"))
    assert (
        f"{BROADBAND}:19:3: note: touchpoint 'offer' 'Title of it' starts with the Mermaid "
        "keyword 'title': wrote its first character as #84;"
    ) in result.notes


def test_actors_keep_commas_and_colons() -> None:
    result = mermaid_journey(renamed("Offer", function="Sales, EMEA: North"))
    assert "    Offer: 4: Sales#44; EMEA#58; North\n" in result.text
    assert "    Satisfaction survey: 2: Sales#44; EMEA#58; North\n" in result.text
    assert any("',' as #44;" in note and "':' as #58;" in note for note in result.notes)


def test_touchpoint_without_emotion_is_neutral_and_marked() -> None:
    text = BROADBAND.read_text().replace("    emotion: 4\n", "")
    result = mermaid_journey(load_journey_text(text, str(BROADBAND)))
    assert f"    {NO_EMOTION_COMMENT}\n    Online offer: 3: Marketing\n" in result.text
    assert (
        f"{BROADBAND}:19:3: note: touchpoint 'offer' has no emotion; Mermaid needs a score: "
        "wrote 3 (neutral), marked by a %% comment"
    ) in result.notes


def test_hostile_journey_lines_keep_the_grammar() -> None:
    """Every task line is 'name: score: actor' with exactly the two separating colons, and no
    '#', ';' or '%' outside an entity code (Mermaid reads those as comments or line ends)."""
    journey = load_journey(HOSTILE)
    text = mermaid_journey(journey).text
    tasks = [line for line in text.splitlines() if line.startswith("    ") and "%%" not in line]
    assert len(tasks) == len(journey.touchpoints)
    for line in tasks + text.splitlines()[1:3]:
        bare = re.sub(r"#\w+;", "", line)
        assert not set(bare) & set("#;%<\ufb02\u00b6"), line
        if line in tasks:
            assert bare.count(":") == 2, line


def test_flowchart_draws_functions_touchpoints_and_numbered_handoffs() -> None:
    journey = load_journey(BROADBAND)
    analysis = analyze(journey)
    rank = {(h.source, h.target): h.number for h in analysis.handoffs}
    assert sorted(rank.values()) == [1, 2, 3, 4, 5]
    # every handoff here hits a risk factor (tests/data/worked/broadband.md: JM104 on each):
    # vermillion (#C15400), as the default theme draws risky handoffs
    red = "stroke:#C15400,stroke-width:4px"
    assert mermaid_flowchart(journey).text == (
        "flowchart LR\n"
        "  accTitle: Broadband installation\n"
        "  accDescr: 6 touchpoints in 4 functions; 5 handoffs numbered by risk, 1 = riskiest\n"
        '  subgraph fn_marketing["Marketing"]\n'
        '    tp_offer["Online offer"]\n'
        '    tp_survey["Satisfaction survey"]\n'
        "  end\n"
        '  subgraph fn_sales["Telesales"]\n'
        '    tp_call["Sales call"]\n'
        "  end\n"
        '  subgraph fn_field["Field engineering"]\n'
        '    tp_visit["Engineer visit"]\n'
        '    tp_happy["Working broadband"]\n'
        "  end\n"
        '  subgraph fn_care["Customer care"]\n'
        '    tp_care_call["Call care about a fault"]\n'
        "  end\n"
        f'  tp_offer ==>|"handoff {rank["offer", "call"]}"| tp_call\n'
        f'  tp_call ==>|"handoff {rank["call", "visit"]}"| tp_visit\n'
        f'  tp_visit ==>|"handoff {rank["visit", "care-call"]} · 25%"| tp_care_call\n'
        '  tp_visit -->|"75%"| tp_happy\n'
        f'  tp_care_call ==>|"handoff {rank["care-call", "visit"]} · 60%"| tp_visit\n'
        f'  tp_care_call ==>|"handoff {rank["care-call", "survey"]} · 40%"| tp_survey\n'
        f"  linkStyle 0 {red}\n"
        f"  linkStyle 1 {red}\n"
        f"  linkStyle 2 {red}\n"
        f"  linkStyle 4 {red}\n"
        f"  linkStyle 5 {red}\n"
    )


def test_flowchart_labels_are_quoted_and_escaped() -> None:
    journey = renamed('Say "hi" & <b>go</b>: `x` $$y$$ |z|', function="Sales, EMEA")
    result = mermaid_flowchart(journey)
    assert (
        '    tp_offer["Say #quot;hi#quot; #amp; #lt;b#gt;go#lt;/b#gt;#58; #96;x#96; #36;#36;y#36;#36; '
        '#124;z#124;"]\n'
    ) in result.text
    assert '  subgraph fn_marketing["Sales, EMEA"]\n' in result.text


def test_flowchart_ids_are_unique_and_safe() -> None:
    text = BROADBAND.read_text().replace("care-call", "care_call")
    text = text.replace("  happy:\n", "  care-call:\n").replace("to: happy", "to: care-call")
    result = mermaid_flowchart(load_journey_text(text, str(BROADBAND)))
    assert '    tp_care_call["Call care about a fault"]\n' in result.text
    assert '    tp_care_call_2["Working broadband"]\n' in result.text


def test_cli_prints_notes_on_stderr_and_the_diagram_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "b.mmd"
    runner = CliRunner()
    result = runner.invoke(main, ["export", "-f", "mermaid", str(HOSTILE), "-o", str(out)])
    assert result.exit_code == 0, result.stderr
    assert out.read_text("utf-8") == mermaid_journey(load_journey(HOSTILE)).text
    assert "starts with the Mermaid keyword 'section'" in result.stderr
    assert result.stdout == ""
    flow = runner.invoke(main, ["export", "-f", "mermaid-flowchart", str(BROADBAND)])
    assert flow.exit_code == 0
    assert flow.stdout == export(load_journey(BROADBAND), "mermaid-flowchart")
    assert flow.stderr == ""


def test_flowchart_handoffs_without_risk_factor_are_blue() -> None:
    # same channel and system on both sides, an owner, no wait: only JM100 (informational)
    text = """\
journeymap: 1
title: Calm
functions: {a: {name: A}, b: {name: B}}
systems: {crm: {name: CRM}}
stages: [s]
touchpoints:
  one: {name: One, stage: s, function: a, channel: web, systems: [crm], emotion: 3, next: [{to: two, owner: b}]}
  two: {name: Two, stage: s, function: b, channel: web, systems: [crm], emotion: 3}
"""
    journey = load_journey_text(text, "calm.yaml")
    assert [h.rules for h in analyze(journey).handoffs] == [()]
    lines = mermaid_flowchart(journey).text.splitlines()
    assert '  tp_one ==>|"handoff 1"| tp_two' in lines
    assert "  linkStyle 0 stroke:#0072B2,stroke-width:3px" in lines
