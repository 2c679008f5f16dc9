"""Mermaid journey import: diagrams in Mermaid's documented syntax, read as Mermaid reads them.

tests/browser/test_mermaid_client.py checks against Mermaid itself that it accepts and refuses
the same diagrams and reads the same tasks, scores and actors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.errors import InputError
from journeymap.interchange import import_mermaid
from journeymap.interchange.mermaid import mermaid_journey
from journeymap.load import load_journey, load_journey_text, yaml_files
from journeymap.model import Journey
from journeymap.render.escape import clean_text

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "interchange"
EXAMPLES = sorted(p for p in yaml_files(ROOT / "journeys") if p.name != "organisation.yaml")

# Mermaid's documented user journey example (docs/syntax/userJourney.md) with the frontmatter,
# accessibility title and multi-line description of docs/config/accessibility.md.
DOCUMENTED = """\
---
title: My working day
---
journey
    accTitle: A day at work
    accDescr {
        How my day goes:
        work first, then home.
    }
    section Go to work
      Make tea: 5: Me
      Go upstairs: 3: Me
      Do work: 1: Me, Cat
    section Go home
      Go downstairs: 5: Me
      Sit down: 5: Me
"""


def imported(text: str, path: str = "day.mmd", title: str | None = None) -> Journey:
    return load_journey_text(import_mermaid(text, path, title), "day.yaml")


def view(journey: Journey) -> list[tuple[str, str, int | None, str]]:
    stage = {s.id: s.name for s in journey.stages}
    return [
        (t.name, stage[t.stage], t.emotion, journey.functions[t.function].name)
        for t in journey.touchpoints.values()
    ]


def test_documented_diagram() -> None:
    yaml_text = import_mermaid(DOCUMENTED, "day.mmd")
    journey = load_journey_text(yaml_text, "day.yaml")
    assert journey.title == "My working day"
    assert journey.description == "How my day goes:\nwork first, then home."
    assert view(journey) == [
        ("Make tea", "Go to work", 5, "Me"),
        ("Go upstairs", "Go to work", 3, "Me"),
        ("Do work", "Go to work", 1, "Me"),
        ("Go downstairs", "Go home", 5, "Me"),
        ("Sit down", "Go home", 5, "Me"),
    ]
    # the order of the tasks as transitions: a chain from the first to the last
    assert [(t.source, t.target) for t in journey.transitions()] == [
        ("make-tea", "go-upstairs"),
        ("go-upstairs", "do-work"),
        ("do-work", "go-downstairs"),
        ("go-downstairs", "sit-down"),
    ]
    # several actors: the first owns the touchpoint, the others are kept in its notes
    assert journey.touchpoints["do-work"].notes == ("Also involved (Mermaid actors): Cat",)
    assert "  # several actors in Mermaid: the first, 'Me', owns it" in yaml_text
    assert "# accTitle: A day at work" in yaml_text
    assert "#   - transitions: each task leads to the next one in the diagram's order" in yaml_text


def test_title_statement_wins_over_frontmatter_and_acc_title_is_the_fallback() -> None:
    body = "journey\n  section S\n    T: 3: Me\n"
    assert imported("---\ntitle: Front\n---\njourney\n  title Own\n" + body[8:]).title == "Own"
    assert imported("journey\n  accTitle: Accessible\n" + body[8:]).title == "Accessible"
    assert imported(body, "my-day.mmd").title == "My Day"
    assert imported(body, "my-day.mmd", title="Given").title == "Given"


def test_single_line_description_comments_and_directives() -> None:
    journey = imported(
        "%%{init: {'theme': 'forest'}}%%\n"
        "journey\n"
        "  %% a comment line\n"
        "  accDescr: One line: with a colon\n"
        "  section S\n"
        "    # a hash comment\n"
        "    Pay: 2: Billing # trailing comment\n"
    )
    assert journey.description == "One line: with a colon"
    assert view(journey) == [("Pay", "S", 2, "Billing")]


def test_names_are_read_as_mermaid_reads_them() -> None:
    journey = imported(
        "journey\n"
        "  section Buy#58; now\n"
        "    #115;ection 5: 3: Sales#44; EMEA\n"
        "    #quot;Quoted#quot; #amp; #35;1: 4: Sales#44; EMEA\n"
        '    Tag <b class="x">: 2: Ops\n'
        "    Title of it: 5: Ops\n"  # Mermaid reads this line as the diagram's title
    )
    assert journey.title == "of it: 5: Ops"
    assert view(journey) == [
        ("section 5", "Buy: now", 3, "Sales, EMEA"),
        ('"Quoted" & #1', "Buy: now", 4, "Sales, EMEA"),
        ("Tag <b class='x'>", "Buy: now", 2, "Ops"),  # Mermaid's cleanupText requotes
    ]


def test_tasks_without_section_or_actor() -> None:
    yaml_text = import_mermaid("journey\n  Wake up: 3\n  section Day\n    Work: 2: Me\n", "d.mmd")
    journey = load_journey_text(yaml_text, "d.yaml")
    assert view(journey) == [("Wake up", "(no section)", 3, "Unassigned"), ("Work", "Day", 2, "Me")]
    assert "  # no actor in Mermaid: owned by 'Unassigned'" in yaml_text


def test_export_marker_reads_back_as_no_emotion() -> None:
    text = (DATA / "broadband.yaml").read_text().replace("    emotion: 4\n", "")
    journey = load_journey_text(text, str(DATA / "broadband.yaml"))
    back = imported(mermaid_journey(journey).text)
    assert back.touchpoints["online-offer"].emotion is None
    assert back.touchpoints["sales-call"].emotion == 3


@pytest.mark.parametrize(
    "path",
    [*EXAMPLES, DATA / "broadband.yaml", DATA / "mermaid-hostile.yaml"],
    ids=lambda p: p.stem,
)
def test_round_trip_keeps_names_stages_scores_and_functions(path: Path) -> None:
    journey = load_journey(path)
    back = imported(mermaid_journey(journey).text, f"{path.stem}.mmd")
    stage = {s.id: s.name for s in journey.stages}
    in_export_order = [
        t for s in journey.stages for t in journey.touchpoints.values() if t.stage == s.id
    ]
    assert view(back) == [
        (
            clean_text(t.name),
            clean_text(stage[t.stage]),
            t.emotion,
            clean_text(journey.functions[t.function].name),
        )
        for t in in_export_order
    ]
    assert back.title == clean_text(journey.title)
    assert back.description == (clean_text(journey.description) if journey.description else None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "journey\n  section A\n    Task one: 9: Me\n",
            "d.mmd:3:15: error: score '9' of task 'Task one' is not a whole number 1..5; "
            "Mermaid's scores go from 1 (frustrated) to 5 (delighted)",
        ),
        (
            "journey\n  section A\n    Task\n",
            "d.mmd:3:9: error: task 'Task' has no score; write it as 'Task: 3: Actor' "
            "(score 1 to 5, then actors)",
        ),
        (
            "journey\n  section A\n    section 5: 3: Me\n",
            "d.mmd:3:14: error: Mermaid reads 'section 5' as a section, so ': 3: Me' has no task; "
            "write the task's first letter as an entity code, e.g. #115;ection",
        ),
        (
            "journey\n  section A\n    journey planning: 3: Me\n",
            "d.mmd:3:5: error: unexpected 'journey'; Mermaid reads 'journey' at the start of a line "
            "as the diagram keyword; write its first letter as an entity code, e.g. #106;ourney",
        ),
        (
            "journey\n  section A\n    T: 3: Me; x\n",
            "d.mmd:3:13: error: unexpected ';'; Mermaid ends a statement at ';' and starts a "
            "comment at '#'; write them as #59; and #35;",
        ),
        (
            "flowchart LR\n  a --> b\n",
            "d.mmd:1:1: error: not a Mermaid journey diagram (it starts with 'flowchart LR'); "
            "journeymap imports Mermaid 'journey' diagrams: the first line says 'journey'",
        ),
        (
            "---\ntitle: [x\n---\njourney\n  section A\n    T: 3: Me\n",
            "d.mmd:2:10: error: frontmatter is not valid YAML",
        ),
        ("journey\n  title Empty\n", "d.mmd:3:1: error: the diagram has no tasks"),
        (
            "journey\n  section S\n    T: 3: Me\n  accDescr {\n  to the end\n",
            "d.mmd:4:3: error: 'accDescr {' is not closed; end the description with a line '}'",
        ),
    ],
)
def test_errors_cite_line_and_column(text: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        import_mermaid(text, "d.mmd")
    assert str(err.value).startswith(expected)
    assert "\n" not in str(err.value)


def test_cli_imports_a_diagram_and_reports_errors_in_one_line(tmp_path: Path) -> None:
    source = tmp_path / "day.mmd"
    source.write_text(DOCUMENTED, encoding="utf-8")
    out = tmp_path / "day.yaml"
    runner = CliRunner()
    result = runner.invoke(main, ["import", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_journey(out).title == "My working day"
    bad = tmp_path / "bad.txt"
    bad.write_text("journey\n  section A\n    Task\n", encoding="utf-8")
    result = runner.invoke(
        main, ["import", "mermaid", str(bad), "-o", str(tmp_path / "b.yaml")]
    )
    assert result.exit_code == 2
    assert (
        result.stderr
        == f"{bad}:3:9: error: task 'Task' has no score; write it as 'Task: 3: Actor' (score 1 to 5, then actors)\n"
    )
    assert not (tmp_path / "b.yaml").exists()
