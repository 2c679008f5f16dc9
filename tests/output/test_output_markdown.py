"""Markdown tables for wikis and pull requests, with user text escaped."""

from __future__ import annotations

from dataclasses import replace

from output_fixtures import tiny_analysis

from journeymap.analysis.types import Finding
from journeymap.output.markdown import escape, message, render_markdown


def _cells(line: str) -> int:
    """Cells of a table line, ignoring escaped pipes."""
    return line.replace("\\|", "").count("|") - 1


def test_tiny_tables() -> None:
    text = render_markdown([tiny_analysis()])
    assert text.startswith(
        "# Journey analysis\n\n## Tiny purchase (`tiny`)\n\nFile: `journeys/tiny.yaml`\n"
    )
    assert "| Expected handoffs per customer | 0.400 |\n" in text
    assert "| Outcome won | 10.0% |\n" in text
    assert "| Drop-off | 90.0% |\n" in text
    assert (
        "| 1 | `ad` → `call` | marketing → sales | 40.00 | 0.400 | 1.20 | JM101 JM104 |\n" in text
    )
    assert "| marketing | sales | 40.00 |\n" in text
    assert "| marketing | 66.7% |\n| sales | 33.3% |\n" in text
    assert "| JM202 | warning | the journey has no end-to-end owner; add `owner:` | " in text
    assert "| JM101 | warning | handoff ad -&gt; call has no owner;" in text
    assert text.endswith("| `journeys/tiny.yaml:12` |\n")


def test_every_table_row_has_its_header_width() -> None:
    hostile = Finding("JM103", "warning", "asks | twice <script>x</script>\nagain", "tiny")
    journey = replace(tiny_analysis().journey, title="A | B <img src=x>")
    text = render_markdown([tiny_analysis(journey=journey, findings=(hostile,))])
    table: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            assert len({_cells(row) for row in table}) == 1, table
            table = []
    assert "<script>" not in text and "<img" not in text
    assert "## A \\| B &lt;img src=x&gt; (`tiny`)" in text


def test_escape_and_message() -> None:
    assert escape("a|b\n*c* _d_ [e](f) `g` <h> &") == (
        "a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` &lt;h&gt; &amp;"
    )
    assert message("add `owner:` here") == "add `owner:` here"
    assert message("odd ` backtick") == "odd \\` backtick"


def test_deterministic() -> None:
    analyses = [tiny_analysis(), tiny_analysis("journeys/b.yaml")]
    assert render_markdown(analyses).encode() == render_markdown(analyses).encode()
