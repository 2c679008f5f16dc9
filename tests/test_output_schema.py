"""The JSON Schemas of the commands' JSON outputs (journeymap/schema/*.output.schema.json).

Every example journey, through the real command, gives JSON its schema accepts; deliberately
broken outputs (an unknown key, a null figure, a count as text) are refused, so the schemas are
not vacuous; and docs/json.md documents every top-level key each schema declares.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema  # a test extra (setup.cfg), always installed by `make test`: missing = failing
import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.load import yaml_files

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "journeymap" / "schema"
JOURNEYS = sorted(p for p in yaml_files(ROOT / "journeys") if p.name != "organisation.yaml")
SCENARIOS = ROOT / "journeys" / "claims-before.scenarios.yaml"
COMMANDS = ("analyze", "check", "whatif")


def _schema(command: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (SCHEMAS / f"{command}.output.schema.json").read_text(encoding="utf-8")
    )
    return data


def _validator(command: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(_schema(command))


def _run(*args: str) -> Any:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output  # check exits 1 when the gate fails
    return json.loads(result.output)


def _errors(command: str, data: Any) -> list[str]:
    return [e.message for e in _validator(command).iter_errors(data)]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # paths in the output relative to the repository, as documented


def test_there_are_example_journeys() -> None:
    assert len(JOURNEYS) >= 4, JOURNEYS
    assert SCENARIOS.is_file()


@pytest.mark.parametrize("command", COMMANDS)
def test_schema_is_a_valid_draft_2020_12_schema(command: str) -> None:
    schema = _schema(command)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def _objects(schema: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        if schema.get("type") == "object" or "properties" in schema:
            found.append(schema)
        for value in schema.values():
            found.extend(_objects(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_objects(value))
    return found


@pytest.mark.parametrize("command", COMMANDS)
def test_every_object_is_closed(command: str) -> None:
    objects = _objects(_schema(command))
    assert objects
    for obj in objects:
        assert "additionalProperties" in obj, obj
        if "properties" in obj:  # a record: its keys are all declared, all required
            assert obj["additionalProperties"] is False, obj
            assert sorted(obj["required"]) == sorted(obj["properties"]), obj


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: p.name)
def test_analyze_output_validates(path: Path) -> None:
    data = _run("analyze", str(path.relative_to(ROOT)))
    assert isinstance(data, dict) and data["journey"]
    assert _errors("analyze", data) == []


def test_analyze_output_of_several_journeys_validates() -> None:
    data = _run("analyze", *(str(p.relative_to(ROOT)) for p in JOURNEYS))
    assert isinstance(data, list) and len(data) == len(JOURNEYS)
    assert _errors("analyze", data) == []


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: p.name)
def test_check_output_validates(path: Path) -> None:
    data = _run("check", str(path.relative_to(ROOT)))
    assert _errors("check", data) == []
    data = _run("check", "--select", "JM", str(path.relative_to(ROOT)))  # info findings too
    assert _errors("check", data) == []


def test_check_output_of_several_journeys_validates() -> None:
    data = _run("check", *(str(p.relative_to(ROOT)) for p in JOURNEYS))
    assert len(data["journeys"]) == len(JOURNEYS)
    assert _errors("check", data) == []


@pytest.mark.parametrize("path", JOURNEYS, ids=lambda p: p.name)
def test_whatif_output_validates(path: Path) -> None:
    file = str(path.relative_to(ROOT))
    assert _errors("whatif", _run("whatif", file)) == []  # no change: one empty scenario
    # A real change: make the riskiest handoff's target function accountable for it.
    handoffs = _run("analyze", file)["handoffs"]
    assert handoffs, f"{file} has no handoff"
    h = handoffs[0]
    data = _run("whatif", "--owner", f"{h['from']}:{h['to']}={h['to_function']}", file)
    assert data["scenarios"][0]["changes"] == [
        {"option": "owner", "value": f"{h['from']}:{h['to']}={h['to_function']}"}
    ]
    assert _errors("whatif", data) == []


def test_whatif_output_of_a_scenario_file_validates() -> None:
    data = _run(
        "whatif", "--scenario", str(SCENARIOS.relative_to(ROOT)), "journeys/claims-before.yaml"
    )
    assert len(data["scenarios"]) >= 2
    assert _errors("whatif", data) == []


# Deliberately broken outputs: each mutation must be refused by the schema.


def _analyze_sample() -> dict[str, Any]:
    data: dict[str, Any] = _run("analyze", "journeys/claims-before.yaml")
    assert data["handoffs"] and data["findings"]
    return data


def _set(data: Any, keys: tuple[Any, ...], value: Any) -> Any:
    broken = copy.deepcopy(data)
    target = broken
    for key in keys[:-1]:
        target = target[key]
    target[keys[-1]] = value
    return broken


ANALYZE_BREAKS = [
    ("extra top-level key", ("surprise",), 1),
    ("extra metrics key", ("metrics", "surprise"), 1.0),
    ("extra handoff key", ("handoffs", 0, "surprise"), "x"),
    ("extra finding key", ("findings", 0, "surprise"), None),
    ("null figure", ("metrics", "drop_off"), None),
    ("null flow", ("handoffs", 0, "risk"), None),
    ("null outcome", ("metrics", "outcomes", "x"), None),
    ("string figure", ("metrics", "total_volume"), "100"),
    ("string count", ("metrics", "touchpoints"), "12"),
    ("fractional count", ("metrics", "handoffs"), 2.5),
    ("string line", ("findings", 0, "line"), "3"),
    ("share above 1", ("metrics", "function_flow_share", "x"), 1.5),
    ("other schema version", ("schema_version",), 2),
    ("unknown severity", ("findings", 0, "severity"), "fatal"),
]


@pytest.mark.parametrize("label, keys, value", ANALYZE_BREAKS, ids=[b[0] for b in ANALYZE_BREAKS])
def test_broken_analyze_output_fails(label: str, keys: tuple[Any, ...], value: Any) -> None:
    sample = _analyze_sample()
    assert _errors("analyze", sample) == []
    assert _errors("analyze", _set(sample, keys, value)), label
    assert _errors("analyze", [sample, _set(sample, keys, value)]), label


def test_analyze_output_missing_a_key_fails() -> None:
    sample = _analyze_sample()
    del sample["metrics"]["trapped"]
    assert _errors("analyze", sample)


CHECK_BREAKS = [
    ("extra top-level key", ("surprise",), True),
    ("extra counts key", ("counts", "fatal"), 0),
    ("string count", ("failing",), "1"),
    ("null count", ("counts", "error"), None),
    ("string verdict", ("passed",), "true"),
    ("extra journey key", ("journeys", 0, "title"), "x"),
]


@pytest.mark.parametrize("label, keys, value", CHECK_BREAKS, ids=[b[0] for b in CHECK_BREAKS])
def test_broken_check_output_fails(label: str, keys: tuple[Any, ...], value: Any) -> None:
    sample = _run("check", "journeys/claims-before.yaml")
    assert _errors("check", sample) == []
    assert _errors("check", _set(sample, keys, value)), label


WHATIF_BREAKS = [
    ("extra top-level key", ("surprise",), 1),
    ("extra scenario key", ("scenarios", 0, "surprise"), 1),
    ("extra figure", ("scenarios", 0, "deltas", "surprise"), 1.0),
    ("null figure", ("scenarios", 0, "deltas", "total_risk"), None),
    ("null outcome", ("scenarios", 0, "before", "figures", "outcome:x"), None),
    ("string count", ("scenarios", 0, "after", "findings_by_rule", "JM101"), "2"),
    ("string handoff count", ("scenarios", 0, "deltas", "handoffs"), "0"),
    ("bad rule code", ("scenarios", 0, "after", "findings_by_rule", "jm1"), 1),
]


@pytest.mark.parametrize("label, keys, value", WHATIF_BREAKS, ids=[b[0] for b in WHATIF_BREAKS])
def test_broken_whatif_output_fails(label: str, keys: tuple[Any, ...], value: Any) -> None:
    sample = _run(
        "whatif", "--scenario", str(SCENARIOS.relative_to(ROOT)), "journeys/claims-before.yaml"
    )
    assert _errors("whatif", sample) == []
    assert _errors("whatif", _set(sample, keys, value)), label


# docs/json.md documents every top-level key of each schema.

SECTIONS = {
    "analyze": "## `journeymap analyze --format json`",
    "check": "## `journeymap check --format json`",
    "whatif": "## `journeymap whatif --format json`",
}


def _top_level_keys(command: str) -> set[str]:
    schema = _schema(command)
    top = schema["$defs"]["analysis"] if command == "analyze" else schema
    return set(top["properties"])


def _documented_keys(command: str) -> set[str]:
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    start = text.index(SECTIONS[command])
    following = text.find("\n## ", start + 1)
    section = text[start : following if following >= 0 else len(text)]
    keys: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            keys.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return keys


@pytest.mark.parametrize("command", COMMANDS)
def test_docs_document_every_top_level_key(command: str) -> None:
    keys = _top_level_keys(command)
    assert len(keys) >= 4
    assert keys <= _documented_keys(command), keys - _documented_keys(command)


def test_docs_name_the_schema_files() -> None:
    text = (ROOT / "docs" / "json.md").read_text(encoding="utf-8")
    for command in COMMANDS:
        assert f"journeymap/schema/{command}.output.schema.json" in text
