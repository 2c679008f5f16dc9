"""The published JSON Schema: it is current, it is a valid 2020-12 schema, it lists the loader's
keys, and schema and loader agree on the examples and on representative invalid fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema  # a test extra (setup.cfg), always installed by `make test`: missing = failing
import pytest
import yaml

from journeymap.durations import DURATION_PATTERN
from journeymap.errors import InputError
from journeymap.fields import FIELDS, keys_of, required_of
from journeymap.load import SECTION_KEYS, load_journey, load_journey_text
from journeymap.scaffold import starter_journey
from journeymap.schema import SCHEMA_FILE, build_schema, load_schema, render_schema

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "load"
PACKAGED = ROOT / "journeymap" / "schema" / SCHEMA_FILE
# Plain scalars the loader keeps as text (id: no, title: 1.10) read as booleans and numbers in
# YAML 1.2 editors and in PyYAML, so the schema cannot accept them; docs/format.md says so.
LOADER_ONLY = {"literal-text.yaml"}
VALID_FILES = sorted(
    [p for p in (ROOT / "journeys").rglob("*.yaml") if not p.name.endswith(".scenarios.yaml")]
    + [p for p in (DATA / "valid").rglob("*.yaml") if p.name not in LOADER_ONLY]
)
REJECTED_BY_BOTH = [
    "unknown-keys.yaml",
    "missing-keys.yaml",
    "wrong-types.yaml",
    "version.yaml",
    "version-quoted.yaml",
    "ranges.yaml",
    "booleans.yaml",
    "durations.yaml",
    "bad-ids.yaml",
    "integrations.yaml",
    "empty-touchpoints.yaml",
    "empty-values.yaml",
]


def _validator() -> Any:
    return jsonschema.Draft202012Validator(load_schema())


def _data(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8-sig"))


def test_packaged_schema_is_current() -> None:
    assert PACKAGED.read_text(encoding="utf-8") == render_schema()
    assert json.loads(render_schema()) == build_schema()


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(load_schema())


def test_schema_lists_the_loader_keys() -> None:
    defs = load_schema()["$defs"]
    objects = {
        "journey": defs["journey"],
        "organisation": defs["organisation"],
        "function": defs["function"],
        "system": defs["system"],
        "integration": defs["integration"],
        "channel": defs["channel"],
        "stage": defs["stage"]["oneOf"][1],
        "touchpoint": defs["touchpoint"],
        "transition": defs["transition"]["oneOf"][1],
    }
    assert set(objects) == set(SECTION_KEYS)
    for section, schema in objects.items():
        assert tuple(schema["properties"]) == SECTION_KEYS[section], section
        assert schema["additionalProperties"] is False, section


def test_every_property_has_a_description_for_completion() -> None:
    defs = load_schema()["$defs"]
    for section in ("journey", "organisation", "touchpoint"):
        for key, prop in defs[section]["properties"].items():
            assert prop.get("description"), f"{section}.{key}"
    for key, prop in defs["transition"]["oneOf"][1]["properties"].items():
        assert prop.get("description"), f"transition.{key}"


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_valid_files_pass_the_schema(path: Path) -> None:
    errors = [e.message for e in _validator().iter_errors(_data(path))]
    assert errors == []


@pytest.mark.parametrize("name", REJECTED_BY_BOTH)
def test_invalid_fixture_rejected_by_schema_and_loader(name: str) -> None:
    path = DATA / "invalid" / name
    assert not _validator().is_valid(_data(path))
    with pytest.raises(InputError):
        load_journey(path)


def test_starter_journey_passes_the_schema() -> None:
    assert _validator().is_valid(yaml.safe_load(starter_journey("journey.yaml")))


def test_examples_carry_the_modeline() -> None:
    for path in sorted((ROOT / "journeys").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path.name


def test_every_object_is_the_field_table() -> None:
    # Keys, their order, required keys and descriptions all come from journeymap/fields.py.
    defs = load_schema()["$defs"]
    objects = {
        "journey": defs["journey"],
        "organisation": defs["organisation"],
        "stage": defs["stage"]["oneOf"][1],
        "touchpoint": defs["touchpoint"],
        "transition": defs["transition"]["oneOf"][1],
        "system": defs["system"],
    }
    for section, schema in objects.items():
        assert tuple(schema["properties"]) == keys_of(section), section
        assert tuple(schema.get("required", ())) == required_of(section), section
    docs = {(s, f.name): f.doc for f in FIELDS for s in f.sections}
    assert (
        defs["touchpoint"]["properties"]["emotion"]["description"]
        == docs[("touchpoint", "emotion")]
    )
    assert defs["system"]["properties"]["shadow"]["default"] is False


def test_duration_pattern_is_the_one_grammar() -> None:
    assert load_schema()["$defs"]["duration"]["pattern"] == DURATION_PATTERN


WAITS = [
    *("30m", ".5h", "1 d", "90m", "2w", "1.5d", "0m"),
    *("2", "1.d", "2 days", "-2h", "1y", "5x", "2w\n", "2w\n\n"),
]


@pytest.mark.parametrize("wait", WAITS)
def test_schema_and_loader_agree_on_durations(wait: str) -> None:
    text = (
        "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n"
        f"  a: {{stage: s, function: f, next: [{{to: b, wait: {json.dumps(wait)}}}]}}\n"
        "  b: {stage: s, function: f}\n"
    )
    in_schema = _validator().is_valid(yaml.safe_load(text))
    try:
        load_journey_text(text, "w.yaml")
        in_loader = True
    except InputError:
        in_loader = False
    assert in_schema == in_loader
    assert in_loader == (wait in WAITS[:7])
