"""The journey format's fields, declared once.

Every key of every mapping in a journey or organisation file is one :class:`Field` row of
:data:`FIELDS`: its name, its value :class:`Type`, the section(s) it may appear in, whether it is
required there, its default and a one-line description. The table drives

- the loader (:mod:`journeymap.load`): which keys each mapping accepts, which are required, and
  which reader converts each value (references are then checked as a second stage);
- the JSON Schema (:mod:`journeymap.schema`, shipped as ``journeymap/schema/journey.schema.json``);
- the key tables of ``docs/format.md``, written between ``<!-- fields:SECTION:start -->`` and
  ``<!-- fields:SECTION:end -->`` markers.

``python docs/gen_format.py`` (also run by ``make docs``) rewrites the docs tables and the
packaged schema from this table; tests fail when either is stale.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FIELDS",
    "FORMAT_VERSION",
    "ID_PATTERN",
    "MAX_ID_LENGTH",
    "MAX_TEXT_LENGTH",
    "SECTIONS",
    "Field",
    "Section",
    "Type",
    "fields_of",
    "keys_of",
    "marked_sections",
    "render_reference",
    "required_of",
    "update_format_doc",
]

FORMAT_VERSION = 1
ID_PATTERN = r"[a-z0-9][a-z0-9_-]*"
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 10_000


@dataclass(frozen=True)
class Type:
    """A kind of value.

    ``kind`` names the loader's reader for it; ``doc`` is how docs/format.md spells it;
    ``schema`` is its JSON Schema fragment. ``ref`` is the section an id refers to (references
    are checked after every field is read); ``low``/``high`` bound numbers. Kinds without a
    reader of their own (sections, lists of sections, ``next``, ``uses``) are walked by the
    loader's structure code, which reads their items with this same table.
    """

    kind: str
    doc: str
    schema: Mapping[str, Any]
    ref: str | None = None
    low: float | None = None
    high: float | None = None
    normal: bool = False  # refuse subnormal numbers (a volume: 1 / volume must not overflow)


def _def(name: str) -> dict[str, Any]:
    return {"$ref": f"#/$defs/{name}"}


def _ref(section: str) -> Type:
    return Type("ref", f"{section} id", _def("id"), ref=section)


def _refs(section: str) -> Type:
    return Type("refs", f"list of {section} ids", _def("ids"), ref=section)


def _by_id(section: str) -> Type:
    schema = {"type": "object", "propertyNames": _def("id"), "additionalProperties": _def(section)}
    return Type("sections", f"mapping id → {section}", schema, ref=section)


VERSION = Type("version", f"`{FORMAT_VERSION}`", {"const": FORMAT_VERSION})
TEXT = Type("text", "text", _def("text"))
TEXTS = Type("texts", "list of text", _def("texts"))
TEXT_OR_TEXTS = Type(
    "text-or-texts", "text or list of text", {"oneOf": [_def("text"), _def("texts")]}
)
ID = Type("id", "id", _def("id"))
IDS = Type("ids", "list of ids", _def("ids"))
BOOLEAN = Type("boolean", "`true` / `false`", {"type": "boolean"})
EMOTION = Type(
    "integer", "whole number 1..5", {"type": "integer", "minimum": 1, "maximum": 5}, low=1, high=5
)
#: The most customers a journey's entry can take per period: far beyond any real journey, and
#: low enough that flows times waits times loops stay finite in floating point.
MAX_VOLUME = 1e12
VOLUME = Type(
    "number",
    "number 0..10¹²",
    {"type": "number", "minimum": 0, "maximum": MAX_VOLUME},
    low=0,
    high=MAX_VOLUME,
    normal=True,
)
SHARE = Type("number", "number 0..1", {"type": "number", "minimum": 0, "maximum": 1}, low=0, high=1)
DURATION = Type("duration", "duration", _def("duration"))
KPIS = Type(
    "kpis",
    "mapping name → value",
    {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}},
)
USES = Type(
    "uses",
    "path or list of paths",
    {"oneOf": [_def("yaml-path"), {"type": "array", "items": _def("yaml-path"), "minItems": 1}]},
)
INTEGRATIONS = Type(
    "integrations", "list of integrations", {"type": "array", "items": _def("integration")}
)
STAGES = Type(
    "stages", "list of stage ids or {id, name}", {"type": "array", "items": _def("stage")}
)
TOUCHPOINTS = Type(
    "touchpoints",
    "mapping id → touchpoint",
    {
        "type": "object",
        "minProperties": 1,
        "propertyNames": _def("id"),
        "additionalProperties": _def("touchpoint"),
    },
)
NEXT = Type(
    "next",
    "list of touchpoint ids or transitions",
    {"type": "array", "items": _def("transition")},
    ref="touchpoint",
)
BETWEEN = Type(
    "between",
    "two system ids",
    {"type": "array", "items": _def("id"), "minItems": 2, "maxItems": 2, "uniqueItems": True},
    ref="system",
)


@dataclass(frozen=True)
class Field:
    """One key of the format.

    ``sections`` are the mappings it may appear in; ``required`` those of them where it must.
    ``default`` is the model's value when the key is absent (``None``, ``False`` or ``()``);
    ``default_doc`` says it in words when it is computed (``the id``). ``doc`` is one line for
    editors and docs; ``notes`` (Markdown) only goes into docs/format.md. ``attr`` is the model
    attribute the value lands in (default: the key).
    """

    name: str
    type: Type
    sections: tuple[str, ...]
    doc: str
    required: tuple[str, ...] = ()
    default: Any = None
    default_doc: str | None = None
    notes: str = ""
    attr: str = ""

    @property
    def model_attr(self) -> str:
        return self.attr or self.name.replace("-", "_")

    def default_text(self) -> str | None:
        """The default in words, for docs and schema descriptions (None when there is none)."""
        if self.default_doc is not None:
            return self.default_doc
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return None


@dataclass(frozen=True)
class Section:
    """A kind of mapping in the format: a whole file, or an item of one of its sections."""

    name: str
    doc: str
    what: str  # how the loader names one in messages ("touchpoint 'a'", "integration", ...)


SECTIONS: tuple[Section, ...] = (
    Section("journey", "A customer journey.", "journey"),
    Section(
        "organisation",
        "A shared organisation file (used by journeys through 'uses').",
        "organisation file",
    ),
    Section("function", "A functional silo and its leading executive.", "function"),
    Section("system", "A system and the function that owns it.", "system"),
    Section("integration", "A data flow between two systems.", "integration"),
    Section("channel", "A channel's display name.", "channel"),
    Section("stage", "A stage with a display name.", "stage"),
    Section("touchpoint", "A moment where the customer meets the company.", "touchpoint"),
    Section("transition", "A transition with details.", "transition"),
)

_FILES = ("journey", "organisation")

FIELDS: tuple[Field, ...] = (
    # -- journey and organisation files ----------------------------------------------------
    Field(
        "journeymap",
        VERSION,
        ("journey",),
        f"Format version; this journeymap reads version {FORMAT_VERSION}.",
        required=("journey",),
        notes='`"1"` (quoted) and `2` are errors.',
    ),
    Field(
        "journeymap",
        VERSION,
        ("organisation",),
        f"Format version; this journeymap reads version {FORMAT_VERSION}.",
        notes="Optional here; when given, the same rules as in a journey.",
    ),
    Field(
        "id",
        ID,
        ("journey",),
        "Journey id.",
        default_doc="the file name without extensions",
        notes="`b2b.journey.yaml` gives `b2b` (an error if that is not a valid id); two journeys "
        "loaded together must have different ids.",
    ),
    Field(
        "title", TEXT, ("journey",), "Title shown in diagrams and reports.", default_doc="the id"
    ),
    Field("title", TEXT, ("organisation",), "Title of the organisation file."),
    Field("persona", TEXT, ("journey",), "Who takes this journey."),
    Field(
        "owner",
        _ref("function"),
        ("journey",),
        "End-to-end owner of the journey: a function id.",
        notes="without one the engine reports JM202.",
    ),
    Field("description", TEXT, _FILES, "Longer free text about the journey or organisation."),
    Field(
        "uses",
        USES,
        _FILES,
        "Shared organisation file(s), relative to this file; their functions, systems, "
        "integrations and channels merge in (local entries win).",
        default=(),
        notes="see [Shared organisation files](#shared-organisation-files-uses).",
    ),
    Field(
        "functions",
        _by_id("function"),
        _FILES,
        "The functional silos (Marketing, Sales, ...); key = id.",
        notes="see [functions](#functions).",
    ),
    Field(
        "systems",
        _by_id("system"),
        _FILES,
        "Systems supporting touchpoints, and who owns each; key = id.",
        notes="see [systems](#systems).",
    ),
    Field(
        "integrations",
        INTEGRATIONS,
        _FILES,
        "Data flows between systems, both ways unless one-way.",
        default=(),
        notes="see [integrations](#integrations).",
    ),
    Field(
        "channels",
        _by_id("channel"),
        _FILES,
        "Display names of channels (touchpoint channels are free ids).",
        notes="see [channels](#channels).",
    ),
    Field(
        "stages",
        STAGES,
        ("journey",),
        "Ordered stages: ids, or {id, name} mappings.",
        default=(),
        notes="see [stages](#stages).",
    ),
    Field(
        "touchpoints",
        TOUCHPOINTS,
        ("journey",),
        "The touchpoints; key = id; file order is the display order.",
        required=("journey",),
        notes="see [touchpoints](#touchpoints).",
    ),
    # -- items of the organisation sections -------------------------------------------------
    Field("id", ID, ("stage",), "The stage id.", required=("stage",)),
    Field(
        "name",
        TEXT,
        ("function", "system", "channel", "stage"),
        "Display name.",
        default_doc="the id",
    ),
    Field("lead", TEXT, ("function",), "The executive who leads it."),
    Field("owner", _ref("function"), ("system",), "The owning function (a function id)."),
    Field("shadow", BOOLEAN, ("system",), "Bought outside IT governance.", default=False),
    Field(
        "between",
        BETWEEN,
        ("integration",),
        "The two system ids.",
        required=("integration",),
        notes="exactly two different systems.",
    ),
    Field(
        "one-way",
        BOOLEAN,
        ("integration",),
        "Data flows from the first system to the second only.",
        default=False,
    ),
    # -- touchpoints -------------------------------------------------------------------------
    Field("name", TEXT, ("touchpoint",), "Name shown in diagrams.", default_doc="the id"),
    Field("description", TEXT, ("touchpoint",), "Longer free text."),
    Field(
        "stage",
        _ref("stage"),
        ("touchpoint",),
        "The stage this touchpoint belongs to (a stage id).",
        required=("touchpoint",),
    ),
    Field(
        "function",
        _ref("function"),
        ("touchpoint",),
        "The function that owns this touchpoint (a function id).",
        required=("touchpoint",),
    ),
    Field(
        "channel",
        ID,
        ("touchpoint",),
        "Channel: a free id such as web, email, phone, store, app.",
        notes="see [channels](#channels).",
    ),
    Field(
        "systems",
        _refs("system"),
        ("touchpoint",),
        "Systems supporting this touchpoint (system ids).",
        default=(),
        notes="no repeats.",
    ),
    Field(
        "emotion",
        EMOTION,
        ("touchpoint",),
        "How the customer feels: 1 (frustrated) .. 5 (delighted).",
        notes="`2.5`, `0`, `7` are errors.",
    ),
    Field(
        "entry",
        BOOLEAN,
        ("touchpoint",),
        "Customers start here.",
        default_doc="touchpoints with no incoming transition",
        notes="see [Rules that need the whole journey](#rules-that-need-the-whole-journey).",
    ),
    Field(
        "volume",
        VOLUME,
        ("touchpoint",),
        "Customers entering here per period (entry touchpoints only).",
        default_doc="1 per entry",
        notes="all entries give one, or none does.",
    ),
    Field(
        "asks",
        IDS,
        ("touchpoint",),
        "Information the customer must give here (item ids).",
        default=(),
        notes="context items, e.g. `contact`, `address`, `bank-details`.",
    ),
    Field("pains", TEXTS, ("touchpoint",), "What hurts here.", default=()),
    Field("gains", TEXTS, ("touchpoint",), "What delights here.", default=()),
    Field("notes", TEXTS, ("touchpoint",), "Free notes.", default=()),
    Field("ideas", TEXTS, ("touchpoint",), "Improvement ideas.", default=()),
    Field(
        "kpis",
        KPIS,
        ("touchpoint",),
        "Free key -> value pairs shown in reports.",
        default=(),
        notes="any plain value, kept as the text written (`0.8%`, `42`).",
    ),
    Field(
        "next",
        NEXT,
        ("touchpoint",),
        "Where customers go next: touchpoint ids or transition mappings.",
        default=(),
        notes="see [next (transitions)](#next-transitions).",
    ),
    Field(
        "outcome",
        ID,
        ("touchpoint",),
        "Outcome of a terminal touchpoint: won, lost, churned, ...",
        notes="terminal touchpoints only.",
    ),
    Field(
        "evidence",
        TEXT_OR_TEXTS,
        ("touchpoint",),
        "Physical evidence the customer sees or keeps here: claim form, email confirmation, ...",
        default=(),
        notes="a short text or a list of them; the blueprint view draws them as its top row.",
    ),
    # -- transitions -------------------------------------------------------------------------
    Field(
        "to",
        _ref("touchpoint"),
        ("transition",),
        "The target touchpoint id.",
        required=("transition",),
        attr="target",
    ),
    Field(
        "share",
        SHARE,
        ("transition",),
        "Fraction of customers leaving the touchpoint that go here; give it on every "
        "transition of the touchpoint or on none.",
        default_doc="an even split",
        notes="a sum below 1 means the rest drop off.",
    ),
    Field(
        "carries",
        IDS,
        ("transition",),
        "Context handed over with the customer (item ids).",
        default=(),
    ),
    Field("owner", _ref("function"), ("transition",), "The function accountable for this handoff."),
    Field(
        "wait",
        DURATION,
        ("transition",),
        "Wait before the target: 30m, 4h, 2d, 1w, 1.5d.",
        notes="see [durations](#values-ids-text-numbers-durations); at most `520w`.",
        attr="wait_hours",
    ),
    Field("note", TEXT, ("transition",), "Free note about this transition."),
)


def fields_of(section: str) -> dict[str, Field]:
    """The fields of one section by key, in table order."""
    return dict(_BY_SECTION[section])


def keys_of(section: str) -> tuple[str, ...]:
    """The keys one section accepts, in table order."""
    return tuple(_BY_SECTION[section])


def required_of(section: str) -> tuple[str, ...]:
    """The keys one section requires, in table order."""
    return tuple(name for name, f in _BY_SECTION[section].items() if section in f.required)


def _index() -> dict[str, dict[str, Field]]:
    out: dict[str, dict[str, Field]] = {s.name: {} for s in SECTIONS}
    for f in FIELDS:
        for section in f.sections:
            if f.name in out[section]:
                raise ValueError(f"field '{f.name}' is declared twice in section '{section}'")
            out[section][f.name] = f
        for section in f.required:
            if section not in f.sections:
                raise ValueError(f"field '{f.name}' is required in '{section}', not allowed there")
    return out


_BY_SECTION = _index()


# --------------------------------------------------------------------------------------------
# The key tables of docs/format.md

_MARKER = re.compile(
    r"(<!-- fields:(?P<section>[a-z]+):start -->\n)(?P<body>.*?)(<!-- fields:(?P=section):end -->)",
    re.S,
)


def render_reference(section: str) -> str:
    """The Markdown table of one section's keys: key, value, required or default, meaning."""
    lines = ["| key | value | default | meaning |", "| --- | --- | --- | --- |"]
    for f in _BY_SECTION[section].values():
        if section in f.required:
            default = "required"
        else:
            text = f.default_text()
            default = "—" if text is None else text
            if text in ("true", "false"):
                default = f"`{text}`"
        meaning = f.doc if not f.notes else f"{f.doc} {f.notes[0].upper()}{f.notes[1:]}"
        lines.append(f"| `{f.name}` | {f.type.doc} | {default} | {meaning} |")
    return "\n".join(lines) + "\n"


def update_format_doc(text: str) -> str:
    """``text`` (docs/format.md) with every marked key table regenerated from :data:`FIELDS`."""

    def replace(match: re.Match[str]) -> str:
        section = match.group("section")
        if section not in _BY_SECTION:
            raise ValueError(f"docs/format.md marks an unknown section '{section}'")
        return match.group(1) + render_reference(section) + match.group(4)

    return _MARKER.sub(replace, text)


def marked_sections(text: str) -> list[str]:
    """The sections whose key tables ``text`` marks, in order."""
    return [m.group("section") for m in _MARKER.finditer(text)]
