"""Plain data in and out: the journey model as JSON (ids, names, structure; no analysis), and
imported journey data as commented YAML (:func:`journey_yaml`, shared by every importer)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from journeymap.model import Journey, Location

__all__ = ["export_json", "journey_to_data", "journey_yaml"]

FORMAT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, Location):
        return None
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "location"
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def journey_to_data(journey: Journey) -> dict[str, Any]:
    """The journey as JSON-ready data, with ``journeymap`` set to the format version."""
    data: dict[str, Any] = {"journeymap": FORMAT_VERSION}
    data.update(_plain(journey))
    data.pop("path", None)
    return data


def export_json(journey: Journey) -> str:
    """Indented, key-order-stable JSON of the journey model."""
    return json.dumps(journey_to_data(journey), indent=2, ensure_ascii=False) + "\n"


def _comment(text: str) -> str:
    """Text safe inside a YAML comment: one line, non-printing characters escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in " ".join(text.split()))


def journey_yaml(
    doc: Mapping[str, Any],
    source: str,
    fmt: str,
    guesses: Sequence[str] = (),
    comments: Mapping[tuple[str, str], str] | None = None,
) -> str:
    """Journey YAML text for imported data ``doc``, headed by comments naming the ``source``
    and every guess the importer made, so a reviewer knows what to check.

    ``comments`` maps (top-level key, entry id), e.g. ``("touchpoints", "call")``, to a note
    written at the end of that entry's line.
    """
    body = yaml.safe_dump(dict(doc), sort_keys=False, allow_unicode=True, width=100)
    if comments:
        lines, section = [], ""
        for line in body.split("\n"):
            if line and not line.startswith((" ", "-")):
                section = line.split(":", 1)[0]
            elif line.startswith("  ") and not line.startswith("   ") and line.endswith(":"):
                note = comments.get((section, line.strip()[:-1]))
                if note:
                    line = f"{line}  # {_comment(note)}"
            elif section == "stages" and line.startswith("- "):
                key = line[2:].strip()
                key = key[4:] if key.startswith("id: ") else key
                note = comments.get((section, key))
                if note:
                    line = f"{line}  # {_comment(note)}"
            lines.append(line)
        body = "\n".join(lines)
    head = [f"# Imported by `journeymap import {fmt}` from {_comment(source)}."]
    if guesses:
        head.append("# Guessed, so check these:")
        head += [f"# - {_comment(g)}" for g in guesses]
    else:
        head.append("# Nothing was guessed: every value comes from the source.")
    return "\n".join(head) + "\n" + body
