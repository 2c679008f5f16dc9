"""The JSON Schema of journey files (format version 1), for editors and other tools.

One schema covers both kinds of file: a journey (it has ``touchpoints``) and a shared
organisation file (``functions``, ``systems``, ``integrations``, ``channels`` only). The published
copy ships in the package as ``journeymap/schema/journey.schema.json``; :func:`build_schema` is
its source, and a test keeps the two identical (``python -m journeymap.schema`` rewrites it).

The loader is the authority: the schema cannot express a few rules that need the whole file
(references, entries, all-or-none shares and volumes, outcomes on terminals only, the longest
wait). It also reads ``name: 1.10`` as the text ``1.10`` where the schema, like YAML 1.2 editors,
sees a number.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from typing import Any

from journeymap.load import FORMAT_VERSION, ID_PATTERN, MAX_ID_LENGTH, MAX_TEXT_LENGTH

__all__ = ["SCHEMA_FILE", "build_schema", "render_schema", "schema_text", "load_schema"]

#: The schema's file name inside the package folder ``journeymap/schema/``.
SCHEMA_FILE = "journey.schema.json"

_DURATION_PATTERN = r"^([0-9]+(\.[0-9]*)?|\.[0-9]+)[mhdw]$"


def _ref(name: str, description: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
    if description:
        out["description"] = description
    return out


def _text(description: str) -> dict[str, Any]:
    return _ref("text", description)


def _object(
    description: str, properties: dict[str, Any], required: list[str] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def _by_id(description: str, item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "propertyNames": _ref("id"),
        "additionalProperties": _ref(item),
    }


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of journey and organisation files."""
    organisation_properties: dict[str, Any] = {
        "journeymap": {
            "const": FORMAT_VERSION,
            "description": f"Format version; this journeymap reads version {FORMAT_VERSION}.",
        },
        "title": _text("Title shown in diagrams and reports (default: the id)."),
        "description": _text("Longer free text about the journey or organisation."),
        "uses": {
            "description": "Shared organisation file(s), relative to this file; their functions, "
            "systems, integrations and channels merge in (local entries win).",
            "oneOf": [
                _ref("yaml-path"),
                {"type": "array", "items": _ref("yaml-path"), "minItems": 1},
            ],
        },
        "functions": _by_id("The functional silos (Marketing, Sales, ...); key = id.", "function"),
        "systems": _by_id("Systems supporting touchpoints, and who owns each; key = id.", "system"),
        "integrations": {
            "type": "array",
            "description": "Data flows between systems, both ways unless one-way.",
            "items": _ref("integration"),
        },
        "channels": _by_id(
            "Display names of channels (touchpoint channels are free ids).", "channel"
        ),
    }
    journey_properties: dict[str, Any] = {
        "journeymap": organisation_properties["journeymap"],
        "id": _ref("id", "Journey id (default: the file name without extensions)."),
        "title": organisation_properties["title"],
        "persona": _text("Who takes this journey."),
        "owner": _ref("id", "End-to-end owner of the journey: a function id."),
        "description": organisation_properties["description"],
        "uses": organisation_properties["uses"],
        "functions": organisation_properties["functions"],
        "systems": organisation_properties["systems"],
        "integrations": organisation_properties["integrations"],
        "channels": organisation_properties["channels"],
        "stages": {
            "type": "array",
            "description": "Ordered stages: ids, or {id, name} mappings.",
            "items": _ref("stage"),
        },
        "touchpoints": {
            "type": "object",
            "description": "The touchpoints; key = id; file order is the display order.",
            "minProperties": 1,
            "propertyNames": _ref("id"),
            "additionalProperties": _ref("touchpoint"),
        },
    }
    touchpoint_properties: dict[str, Any] = {
        "name": _text("Name shown in diagrams (default: the id)."),
        "description": _text("Longer free text."),
        "stage": _ref("id", "The stage this touchpoint belongs to (a stage id)."),
        "function": _ref("id", "The function that owns this touchpoint (a function id)."),
        "channel": _ref("id", "Channel: a free id such as web, email, phone, store, app."),
        "systems": _ref("ids", "Systems supporting this touchpoint (system ids)."),
        "emotion": {
            "type": "integer",
            "minimum": 1,
            "maximum": 5,
            "description": "How the customer feels: 1 (frustrated) .. 5 (delighted).",
        },
        "entry": {
            "type": "boolean",
            "description": "Customers start here (default: touchpoints with no incoming "
            "transition).",
        },
        "volume": {
            "type": "number",
            "minimum": 0,
            "description": "Customers entering here per period (entry touchpoints only).",
        },
        "asks": _ref("ids", "Information the customer must give here (item ids)."),
        "pains": _ref("texts", "What hurts here."),
        "gains": _ref("texts", "What delights here."),
        "notes": _ref("texts", "Free notes."),
        "ideas": _ref("texts", "Improvement ideas."),
        "kpis": {
            "type": "object",
            "description": "Free key -> value pairs shown in reports.",
            "additionalProperties": {"type": ["string", "number", "boolean"]},
        },
        "next": {
            "type": "array",
            "description": "Where customers go next: touchpoint ids or transition mappings.",
            "items": _ref("transition"),
        },
        "outcome": _ref("id", "Outcome of a terminal touchpoint: won, lost, churned, ..."),
    }
    transition_properties: dict[str, Any] = {
        "to": _ref("id", "The target touchpoint id."),
        "share": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "Fraction of customers leaving the touchpoint that go here; give "
            "it on every transition of the touchpoint or on none (even split).",
        },
        "carries": _ref("ids", "Context handed over with the customer (item ids)."),
        "owner": _ref("id", "The function accountable for this handoff."),
        "wait": _ref("duration", "Wait before the target: 30m, 4h, 2d, 1w, 1.5d."),
        "note": _text("Free note about this transition."),
    }
    defs: dict[str, Any] = {
        "id": {
            "type": "string",
            "pattern": f"^{ID_PATTERN}$",
            "maxLength": MAX_ID_LENGTH,
            "description": "A lower-case slug: a-z, 0-9, '-' and '_', starting with a letter "
            "or digit.",
        },
        "ids": {"type": "array", "items": _ref("id"), "uniqueItems": True},
        "text": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_TEXT_LENGTH,
            "pattern": r"\S",
        },
        "texts": {"type": "array", "items": _ref("text")},
        "yaml-path": {
            "type": "string",
            "pattern": r"^[^/~].*\.ya?ml$",
            "description": "A relative path to a .yaml file.",
        },
        "duration": {"type": "string", "pattern": _DURATION_PATTERN},
        "function": _object(
            "A functional silo and its leading executive.",
            {"name": _text("Display name."), "lead": _text("The executive who leads it.")},
        ),
        "system": _object(
            "A system and the function that owns it.",
            {
                "name": _text("Display name."),
                "owner": _ref("id", "The owning function (a function id)."),
                "shadow": {"type": "boolean", "description": "Bought outside IT governance."},
            },
        ),
        "integration": _object(
            "A data flow between two systems.",
            {
                "between": {
                    "type": "array",
                    "items": _ref("id"),
                    "minItems": 2,
                    "maxItems": 2,
                    "uniqueItems": True,
                    "description": "The two system ids.",
                },
                "one-way": {
                    "type": "boolean",
                    "description": "Data flows from the first system to the second only.",
                },
            },
            ["between"],
        ),
        "channel": _object("A channel's display name.", {"name": _text("Display name.")}),
        "stage": {
            "oneOf": [
                _ref("id"),
                _object(
                    "A stage with a display name.",
                    {"id": _ref("id"), "name": _text("Display name.")},
                    ["id"],
                ),
            ]
        },
        "touchpoint": _object(
            "A moment where the customer meets the company.",
            touchpoint_properties,
            ["stage", "function"],
        ),
        "transition": {
            "oneOf": [
                _ref("id"),
                _object("A transition with details.", transition_properties, ["to"]),
            ]
        },
        "journey": _object(
            "A customer journey.", journey_properties, ["journeymap", "touchpoints"]
        ),
        "organisation": _object(
            "A shared organisation file (used by journeys through 'uses').",
            organisation_properties,
        ),
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"journeymap journey or organisation file, format version {FORMAT_VERSION}",
        "description": "A customer journey as a graph of touchpoints owned by functions; see "
        "docs/format.md.",
        "oneOf": [_ref("journey"), _ref("organisation")],
        "$defs": defs,
    }


def render_schema() -> str:
    """The schema as published: indented JSON with a final newline."""
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def schema_text() -> str:
    """The packaged schema file's text."""
    return resources.files("journeymap").joinpath("schema", SCHEMA_FILE).read_text("utf-8")


def load_schema() -> dict[str, Any]:
    """The packaged schema, parsed."""
    data: dict[str, Any] = json.loads(schema_text())
    return data


if __name__ == "__main__":  # regenerate the packaged copy
    from pathlib import Path

    target = Path(__file__).with_name("schema") / SCHEMA_FILE
    target.parent.mkdir(exist_ok=True)
    target.write_text(render_schema(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
