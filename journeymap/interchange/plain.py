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


class _Flow(dict[str, Any]):
    """A mapping written on one line: ``{name: Sales, lead: CRO}``."""


class _FlowList(list[Any]):
    """A list written on one line: ``[cms, crm]``."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Flow, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=True)
)
_Dumper.add_representer(
    _FlowList, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True)
)
_ID_LISTS = ("systems", "asks", "carries", "between")


def _styled(doc: Mapping[str, Any]) -> dict[str, Any]:
    """``doc`` with the small parts in flow style, as the example journeys are written:
    organisation entries, integrations, id lists, KPIs and transitions without a note."""
    out = dict(doc)
    for key in ("functions", "systems", "channels"):
        if isinstance(out.get(key), Mapping):
            out[key] = {k: _Flow(v) for k, v in out[key].items()}
    if isinstance(out.get("integrations"), list):
        out["integrations"] = [_Flow(_flow_lists(i)) for i in out["integrations"]]
    if isinstance(out.get("stages"), list):
        out["stages"] = [_Flow(s) if isinstance(s, Mapping) else s for s in out["stages"]]
    if isinstance(out.get("touchpoints"), Mapping):
        tps = {}
        for tp_id, tp in out["touchpoints"].items():
            tp = _flow_lists(tp)
            if isinstance(tp.get("kpis"), Mapping):
                tp["kpis"] = _Flow(tp["kpis"])
            if isinstance(tp.get("next"), list):
                tp["next"] = [
                    _Flow(_flow_lists(n)) if isinstance(n, Mapping) and "note" not in n else n
                    for n in tp["next"]
                ]
                if all(isinstance(n, str) for n in tp["next"]):
                    tp["next"] = _FlowList(tp["next"])
            tps[tp_id] = tp
        out["touchpoints"] = tps
    return out


def _flow_lists(item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        k: _FlowList(v) if k in _ID_LISTS and isinstance(v, list) else v for k, v in item.items()
    }


def journey_yaml(
    doc: Mapping[str, Any],
    source: str,
    fmt: str,
    guesses: Sequence[str] = (),
    comments: Mapping[tuple[str, str], str] | None = None,
    command: str | None = None,
) -> str:
    """Journey YAML text for imported data ``doc``, headed by comments naming the ``source``
    and every guess the importer made, so a reviewer knows what to check.

    ``command`` names the command that made the file when it is not ``journeymap import fmt``.
    ``comments`` maps (top-level key, entry id), e.g. ``("touchpoints", "call")``, to a note
    written at the end of that entry's line.
    """
    body = yaml.dump(_styled(doc), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    if comments:
        lines, section = [], ""
        for line in body.split("\n"):
            if line and not line.startswith((" ", "-")):
                section = line.split(":", 1)[0]
            elif line.startswith("  ") and not line.startswith("   ") and line.endswith((":", "}")):
                note = comments.get((section, line.strip().split(":", 1)[0]))
                if note:
                    line = f"{line}  # {_comment(note)}"
            elif section == "stages" and line.startswith("- "):
                key = line[2:].strip()
                if key.startswith("{id: "):
                    key = key[5:].split(",")[0].rstrip("}")
                note = comments.get((section, key))
                if note:
                    line = f"{line}  # {_comment(note)}"
            lines.append(line)
        body = "\n".join(lines)
    made_by = command or f"journeymap import {fmt}"
    head = [
        f"# Made by `{made_by}` from {_comment(source)}."
        if command
        else f"# Imported by `{made_by}` from {_comment(source)}."
    ]
    if guesses:
        head.append("# Guessed, so check these:")
        head += [f"# - {_comment(g)}" for g in guesses]
    else:
        head.append("# Nothing was guessed: every value comes from the source.")
    return "\n".join(head) + "\n" + body
