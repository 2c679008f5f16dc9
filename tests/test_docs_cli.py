"""docs/cli.md is generated from the commands' --help and the rule catalogue, and up to date."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

from journeymap.catalog import RULES
from journeymap.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _gen_cli() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_cli", DOCS / "gen_cli.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_cli"] = module
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date() -> None:
    expected = _gen_cli().render()
    actual = (DOCS / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "docs/cli.md is out of date: run `python docs/gen_cli.py`"


def test_every_command_and_option_is_documented() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## journeymap (\S+)\n\n```text\n(.*?)```", text, re.M | re.S))
    assert set(main.commands) <= set(sections), set(main.commands) - set(sections)
    assert {"analyze", "check"} <= set(sections)
    for name, command in main.commands.items():
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("-"):
                    assert opt in sections[name], f"{name}: option {opt} not documented"


def test_every_rule_code_is_in_the_rules_table() -> None:
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        assert f"| {code} | {rule.title} | {rule.default_severity} |" in text


def test_check_mode_reports_staleness(tmp_path: Path, monkeypatch: object) -> None:
    gen = _gen_cli()
    stale = tmp_path / "cli.md"
    stale.write_text("old\n", encoding="utf-8")
    gen.TARGET = stale
    assert gen.main_(["--check"]) == 1
    assert gen.main_([]) == 0
    assert gen.main_(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == gen.render()
