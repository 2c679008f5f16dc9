"""The JSON Schema of journey files (format version 1), for editors and other tools.

One schema covers both kinds of file: a journey (it has ``touchpoints``) and a shared
organisation file (``functions``, ``systems``, ``integrations``, ``channels`` only). The published
copy ships in the package as ``journeymap/schema/journey.schema.json``; :func:`build_schema` is
its source, and a test keeps the two identical (``python -m journeymap.schema`` rewrites it, as
does ``python docs/gen_format.py``). The properties of every object come from the field table
in journeymap/fields.py, which also drives the loader and the key tables of docs/format.md; the
duration pattern is journeymap/durations.py's.

The loader is the authority: the schema cannot express a few rules that need the whole file
(references, entries, all-or-none shares and volumes, outcomes on terminals only, the longest
wait). It also reads ``name: 1.10`` as the text ``1.10`` where the schema, like YAML 1.2 editors,
sees a number.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from journeymap.atomic import write_text_atomic
from journeymap.durations import DURATION_PATTERN
from journeymap.fields import (
    FORMAT_VERSION,
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    SECTIONS,
    Field,
    fields_of,
    required_of,
)

__all__ = [
    "SCHEMA_FILE",
    "build_schema",
    "render_schema",
    "schema_text",
    "load_schema",
    "write_schema",
]

#: The schema's file name inside the package folder ``journeymap/schema/``.
SCHEMA_FILE = "journey.schema.json"


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _property(f: Field) -> dict[str, Any]:
    """A field's schema: its type's fragment and its description (with the default in words)."""
    out: dict[str, Any] = dict(f.type.schema)
    description = f.doc
    default = f.default_text()
    if default is not None and f.default_doc is not None:
        description = f"{description} Default: {default}."
    out["description"] = description
    if isinstance(f.default, bool):
        out["default"] = f.default
    return out


def _object(section: str, description: str) -> dict[str, Any]:
    """The closed object of one section of the field table (journeymap/fields.py)."""
    out: dict[str, Any] = {
        "type": "object",
        "description": description,
        "properties": {name: _property(f) for name, f in fields_of(section).items()},
        "additionalProperties": False,
    }
    required = list(required_of(section))
    if required:
        out["required"] = required
    return out


def build_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of journey and organisation files.

    Every object's properties come from the field table in journeymap/fields.py; this function
    adds the value definitions (ids, text, durations) and the either-or shapes.
    """
    docs = {s.name: s.doc for s in SECTIONS}
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
        "duration": {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "description": "A number and a unit: m (minutes), h (hours), d (days) or w (weeks), "
            "such as 30m, 4h, 1.5d, .5h, 1 d or 2w.",
        },
        "function": _object("function", docs["function"]),
        "system": _object("system", docs["system"]),
        "integration": _object("integration", docs["integration"]),
        "channel": _object("channel", docs["channel"]),
        "stage": {"oneOf": [_ref("id"), _object("stage", docs["stage"])]},
        "touchpoint": _object("touchpoint", docs["touchpoint"]),
        "transition": {"oneOf": [_ref("id"), _object("transition", docs["transition"])]},
        "journey": _object("journey", docs["journey"]),
        "organisation": _object("organisation", docs["organisation"]),
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


def write_schema() -> Path:
    """Rewrite the packaged copy from :func:`build_schema`; return its path."""
    target = Path(__file__).with_name("schema") / SCHEMA_FILE
    write_text_atomic(target, render_schema())
    return target


if __name__ == "__main__":  # regenerate the packaged copy
    sys.stdout.write(f"wrote {write_schema()}\n")
