"""Export the journey model as plain JSON data (ids, names, structure; no analysis)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

from journeymap.model import Journey, Location

__all__ = ["export_json", "journey_to_data"]

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
