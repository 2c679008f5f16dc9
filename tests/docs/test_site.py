"""The documentation site builds strictly, links nowhere broken, needs nothing from outside, and
has a reference entry for every command, option, rule, format field and config key the code
declares (docs/hooks.py generates them; these tests enumerate the code independently)."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree

import click
import pytest

from journeymap import config as config_module
from journeymap.catalog import RULES, SOURCES
from journeymap.cli import main
from journeymap.fields import FIELDS
from journeymap.render import THEMES, VIEWS
from tests.docs.conftest import ROOT, Built
from tests.docs.htmlcheck import broken_links, is_external, read_page

pytestmark = pytest.mark.slow


def test_mkdocs_build_strict_passes_without_warnings(built_site: Built) -> None:
    assert built_site.returncode == 0, built_site.log
    warnings = [
        line for line in built_site.log.splitlines() if re.match(r"\s*(WARNING|ERROR)", line)
    ]
    assert warnings == []
    assert (built_site.site / "index.html").is_file()


def test_no_link_or_anchor_is_broken(site: Path) -> None:
    assert broken_links(site) == []


def test_the_link_checker_finds_a_broken_link_and_anchor(tmp_path: Path) -> None:
    """The checker itself: a page with a missing file and a missing anchor gives two problems."""
    (tmp_path / "a.html").write_text(
        '<p id="here"><a href="b.html">b</a> <a href="a.html#here">ok</a> '
        '<a href="#nowhere">x</a> <a href="https://example.org/">out</a></p>',
        encoding="utf-8",
    )
    assert broken_links(tmp_path) == [
        'a.html: a href="b.html": no such file',
        'a.html: a href="#nowhere": no such anchor',
    ]


def test_the_site_loads_no_script_style_or_font_from_outside(site: Path) -> None:
    outside = []
    for path in site.rglob("*.html"):
        for tag, _attr, value in read_page(path).links:
            if tag in ("script", "link", "img", "iframe", "source") and is_external(value):
                outside.append(f"{path.relative_to(site)}: {tag} {value}")
    assert outside == []
    css = "".join(p.read_text(encoding="utf-8") for p in site.rglob("*.css"))
    assert "fonts.googleapis" not in css and "@import url(http" not in css


def _text(site: Path, page: str) -> str:
    """The page's text, whitespace collapsed."""
    return " ".join("".join(read_page(site / page).text).split())


def _ids(site: Path, page: str) -> set[str]:
    return read_page(site / page).ids


def test_every_command_and_option_has_a_reference_entry(site: Path) -> None:
    ids = _ids(site, "reference/cli.html")
    missing = []
    for name, command in main.commands.items():
        if f"cmd-{name}" not in ids:
            missing.append(f"command {name}")
        for param in command.params:
            if isinstance(param, click.Option) and param.hidden:
                continue
            anchor = f"{name}-{(param.name or '').replace('_', '-')}"
            if anchor not in ids:
                missing.append(f"{name} {param.name}")
    assert missing == []
    assert len(main.commands) >= 14  # the commands docs/cli.md lists today


def test_every_command_lists_its_exit_codes(site: Path) -> None:
    text = _text(site, "reference/cli.html")
    # check is the gate: it alone exits 1 on a failed check; every command exits 2 on bad input
    assert text.count("the check failed") >= 1
    assert text.count("bad input or usage (one line per problem on stderr)") == len(main.commands)
    # and each shows its whole --help, folded
    html = (site / "reference/cli.html").read_text(encoding="utf-8")
    assert html.count('<details class="note">') == len(main.commands)
    assert "???" not in html


def test_every_rule_has_a_reference_entry_with_its_evidence(site: Path) -> None:
    page = read_page(site / "reference/rules.html")
    assert [c for c in RULES if RULES[c].anchor not in page.ids] == []
    text = _text(site, "reference/rules.html")
    for rule in RULES.values():
        assert rule.fix, rule.code
        assert rule.evidence, rule.code
        assert " ".join(rule.fix.replace("`", "").split()) in text, rule.code
        for key in rule.evidence:
            assert key in SOURCES and f"source-{key}" in page.ids
    assert "Risk weight: 3 for each handoff it hits" in text  # JM102, JM103, JM108


def test_every_format_field_has_a_reference_entry(site: Path) -> None:
    ids = _ids(site, "reference/fields.html")
    missing = [
        f"{section}-{f.name}"
        for f in FIELDS
        for section in f.sections
        if f"{section}-{f.name}" not in ids
    ]
    assert missing == []


def test_every_config_key_has_a_reference_entry(site: Path) -> None:
    ids = _ids(site, "reference/config.html")
    missing = [
        f"{section}-{key}"
        for section, keys in config_module._SCHEMA.items()
        for key in keys
        if f"{section}-{key}" not in ids
    ]
    assert missing == []


def test_the_schemas_page_shows_both_schemas(site: Path) -> None:
    text = _text(site, "reference/schemas.html")
    assert '"$schema"' in text and "touchpoints" in text and "scenarios" in text


def test_the_generated_pages_are_regenerated_in_the_site(site: Path) -> None:
    """docs/cli.md and docs/format.md are rebuilt from the code by the hook: every command's
    heading is on cli.html and every rule code in its table."""
    text = _text(site, "cli.html")
    for name in main.commands:
        assert f"journeymap {name}" in text
    for code in RULES:
        assert code in text


def _journey_files() -> list[Path]:
    return [
        p
        for p in sorted((ROOT / "journeys").glob("*.yaml"))
        if p.name != "organisation.yaml" and not p.name.endswith(".scenarios.yaml")
    ]


def test_the_gallery_shows_every_view_and_theme_of_every_example(site: Path) -> None:
    page = read_page(site / "gallery.html")
    images = [v for tag, attr, v in page.links if tag == "img" and v.startswith("gallery/")]
    journeys = len(_journey_files())
    per_journey_views = len([v for v in VIEWS if v != "silos"])
    assert len(set(images)) == journeys * per_journey_views * len(THEMES) + len(THEMES)
    for theme in THEMES:
        assert f"gallery/silos-{theme}.svg" in images
    for src in set(images):
        root = ElementTree.parse(site / src).getroot()
        assert root.tag.endswith("svg"), src
