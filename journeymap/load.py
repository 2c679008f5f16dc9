"""Load and validate journey files (format version 1) into the immutable model.

Every problem in a file is collected, each with the ``path:line:col`` of the key or value at
fault, and raised together as one :class:`~journeymap.errors.InputError`. Validation runs in two
stages: fields first (keys, types, ranges, ids), then references (functions, systems, stages,
touchpoints) and the rules that need the whole journey (entries, shares, volumes, outcomes).
The YAML side lives in :mod:`journeymap.yamlnodes`; the format is described in docs/format.md.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap._gc import gc_paused
from journeymap.errors import InputError, Problem
from journeymap.model import (
    Channel,
    Function,
    Integration,
    Journey,
    Location,
    Stage,
    System,
    Touchpoint,
    Transition,
    frozen_map,
)
from journeymap.yamlnodes import (
    BadNode,
    MapNode,
    Parsed,
    Scalar,
    SeqNode,
    describe,
    is_null,
    location,
    parse,
    parse_file,
)

__all__ = [
    "FORMAT_VERSION",
    "JOURNEY_KEYS",
    "ORGANISATION_KEYS",
    "SECTION_KEYS",
    "find_journey_files",
    "is_organisation",
    "load_journey",
    "load_journey_text",
    "load_journeys",
]

FORMAT_VERSION = 1
ID_PATTERN = r"[a-z0-9][a-z0-9_-]*"
MAX_ID_LENGTH = 64
MAX_TEXT_LENGTH = 10_000
MAX_WAIT = "520w"
_MAX_WAIT_HOURS = 520 * 168.0
_UNIT_HOURS = {"m": 1 / 60, "h": 1.0, "d": 24.0, "w": 168.0}

JOURNEY_KEYS = (
    "journeymap", "id", "title", "persona", "owner", "description", "uses",
    "functions", "systems", "integrations", "channels", "stages", "touchpoints",
)  # fmt: skip
ORGANISATION_KEYS = (
    "journeymap", "title", "description", "uses", "functions", "systems", "integrations",
    "channels",
)  # fmt: skip
FUNCTION_KEYS = ("name", "lead")
SYSTEM_KEYS = ("name", "owner", "shadow")
INTEGRATION_KEYS = ("between", "one-way")
CHANNEL_KEYS = ("name",)
STAGE_KEYS = ("id", "name")
TOUCHPOINT_KEYS = (
    "name", "description", "stage", "function", "channel", "systems", "emotion", "entry",
    "volume", "asks", "pains", "gains", "notes", "ideas", "kpis", "next", "outcome",
)  # fmt: skip
TRANSITION_KEYS = ("to", "share", "carries", "owner", "wait", "note")
#: The keys of every mapping in the format, by section (the JSON Schema must agree).
SECTION_KEYS: Mapping[str, tuple[str, ...]] = {
    "journey": JOURNEY_KEYS,
    "organisation": ORGANISATION_KEYS,
    "function": FUNCTION_KEYS,
    "system": SYSTEM_KEYS,
    "integration": INTEGRATION_KEYS,
    "channel": CHANNEL_KEYS,
    "stage": STAGE_KEYS,
    "touchpoint": TOUCHPOINT_KEYS,
    "transition": TRANSITION_KEYS,
}

_ID = re.compile(ID_PATTERN + r"\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]*)?|\.[0-9]+)([mhdw])\Z")
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_CORE = "tag:yaml.org,2002:"
_NUMBER_TAGS = frozenset((None, _CORE + "int", _CORE + "float"))
_BOOL_TAGS = frozenset((None, _CORE + "bool"))
_SCALAR = Scalar
_SUGGEST_LIMIT = 10_000  # no "did you mean" search over more candidates than this
_YAML_SUFFIXES = (".yaml", ".yml")

Node = Any  # a yamlnodes node: MapNode, SeqNode, BadNode or Scalar


# --------------------------------------------------------------------------------------------
# Public API


def load_journey(path: str | Path) -> Journey:
    """Load and validate one journey file; raise :class:`InputError` listing every problem."""
    with gc_paused():
        return _Session().journey(parse_file(str(path)))


def load_journey_text(text: str, path: str) -> Journey:
    """Load a journey from YAML text; ``path`` names it and anchors relative ``uses:`` paths."""
    with gc_paused():
        return _Session().journey(parse(text, str(path)))


def load_journeys(paths: Iterable[str | Path]) -> list[Journey]:
    """Load every journey in the given files and folders (recursively), in a stable order.

    Folders are walked with :func:`find_journey_files`; organisation files found there are
    validated too. Problems over all files are raised together as one :class:`InputError`.
    """
    with gc_paused():
        return _load_journeys(paths)


def _load_journeys(paths: Iterable[str | Path]) -> list[Journey]:
    session = _Session()
    files, problems = _scan(paths, session)
    journeys: list[Journey] = []
    seen_ids: dict[str, Journey] = {}
    for parsed, is_org in files:
        try:
            if is_org:
                session.organisation(parsed)
                continue
            journey = session.journey(parsed)
        except InputError as err:
            problems.extend(err.problems)
            continue
        first = seen_ids.get(journey.id)
        if first is not None:
            problems.append(
                Problem(
                    journey.location,
                    f"journey id '{journey.id}' is also used by {first.path}",
                    "give one of them another 'id:'",
                )
            )
        else:
            seen_ids[journey.id] = journey
        journeys.append(journey)
    problems.extend(session.shared_problems())
    if problems:
        raise InputError(_unique(problems))
    return journeys


def find_journey_files(paths: Iterable[str | Path]) -> list[Path]:
    """The journey files among ``paths``: files as given, folders walked recursively.

    A folder walk takes ``*.yaml`` and ``*.yml`` files, skips names starting with a dot (such as
    the ``.journeymap.yaml`` configuration) and organisation files (see :func:`is_organisation`),
    sorted by path. A file named explicitly is always taken as a journey.
    """
    found: list[Path] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        candidates = _walk(path) if path.is_dir() else [path] if path.exists() else []
        for candidate in candidates:
            key = os.path.realpath(candidate)
            if key in seen:
                continue
            seen.add(key)
            if candidate is path or _looks_like_journey(candidate):
                found.append(candidate)
                continue
            parsed = parse_file(str(candidate))
            if parsed.root is None or not is_organisation(parsed.root):
                found.append(candidate)
    return found


# A top-level ``touchpoints:`` key at the start of a line makes a file a journey; block scalars
# and nested keys are indented, so this never matches an organisation file. Files it does not
# match (flow style, unusual layouts) are parsed and classified by is_organisation.
_TOP_LEVEL_TOUCHPOINTS = re.compile(rb"^(?:touchpoints|\"touchpoints\"|'touchpoints')[ \t]*:", re.M)


def _looks_like_journey(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return _TOP_LEVEL_TOUCHPOINTS.search(handle.read()) is not None
    except OSError:
        return True  # let the loader report the problem with its location


def is_organisation(root: Node) -> bool:
    """Whether a parsed file is an organisation file rather than a journey.

    It is one when its top level is a mapping without ``touchpoints`` whose keys are all
    organisation keys (``functions``, ``systems``, ``integrations``, ``channels``, ...).
    """
    if not isinstance(root, MapNode):
        return False
    for key, _ in root.pairs:
        if key.__class__ is not _SCALAR or key.value not in ORGANISATION_KEYS:
            return False
    return True


# --------------------------------------------------------------------------------------------
# Finding files


def _scan(
    paths: Iterable[str | Path], session: _Session | None
) -> tuple[list[tuple[Parsed, bool]], list[Problem]]:
    """Parse every candidate file once: (parsed file, is organisation) in order, and problems."""
    out: list[tuple[Parsed, bool]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for found in _walk(path):
                key = os.path.realpath(found)
                if key in seen:
                    continue
                seen.add(key)
                parsed = session.parsed(str(found)) if session else parse_file(str(found))
                out.append((parsed, parsed.root is not None and is_organisation(parsed.root)))
        elif path.exists():
            key = os.path.realpath(path)
            if key in seen:
                continue
            seen.add(key)
            parsed = session.parsed(str(path)) if session else parse_file(str(path))
            out.append((parsed, False))
        else:
            problems.append(Problem(Location(str(path), 1, 1), "no such file or folder"))
    return out, problems


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.endswith(_YAML_SUFFIXES):
                found.append(Path(root) / name)
    return found


def _kind(node: Node) -> str:
    """What a whole file turned out to be, without quoting it (it may not be ours to show)."""
    if node.__class__ is SeqNode:
        return "a list"
    return "a single value" if node.__class__ is _SCALAR else describe(node)


# --------------------------------------------------------------------------------------------
# One load: caches shared organisation files so each is read and reported once


@dataclass
class _Org:
    """What an organisation section contributes: functions, systems, integrations, channels."""

    functions: dict[str, Function] = field(default_factory=dict)
    systems: dict[str, System] = field(default_factory=dict)
    integrations: list[Integration] = field(default_factory=list)
    channels: dict[str, Channel] = field(default_factory=dict)

    def merged_over(self, shared: _Org) -> _Org:
        """This section's entries over ``shared``'s: local entries win."""
        local_pairs = {frozenset((i.a, i.b)) for i in self.integrations}
        return _Org(
            {**shared.functions, **self.functions},
            {**shared.systems, **self.systems},
            [i for i in shared.integrations if frozenset((i.a, i.b)) not in local_pairs]
            + self.integrations,
            {**shared.channels, **self.channels},
        )


class _Session:
    def __init__(self) -> None:
        self._parsed: dict[str, Parsed] = {}
        self._orgs: dict[str, _Org] = {}
        self._org_problems: dict[str, list[Problem]] = {}
        self._org_uses: dict[str, list[str]] = {}

    def parsed(self, path: str) -> Parsed:
        key = os.path.realpath(path)
        cached = self._parsed.get(key)
        if cached is None:
            cached = self._parsed[key] = parse_file(path)
        return cached

    def shared_problems(self) -> list[Problem]:
        return [p for problems in self._org_problems.values() for p in problems]

    def journey(self, parsed: Parsed) -> Journey:
        reader = _Reader(parsed.path, parsed.problems[:])
        journey = reader.journey(parsed.root, self, (os.path.realpath(parsed.path),))
        problems = reader.sorted_problems() + [
            p for key in self._closure(reader.used) for p in self._org_problems.get(key, ())
        ]
        if problems or journey is None:
            raise InputError(_unique(problems))
        return journey

    def _closure(self, used: list[str]) -> list[str]:
        """The organisation files pulled in, directly or through their own ``uses:``."""
        out: list[str] = []
        todo = list(used)
        while todo:
            key = todo.pop(0)
            if key not in out:
                out.append(key)
                todo.extend(self._org_uses.get(key, ()))
        return out

    def organisation(self, parsed: Parsed) -> None:
        key = os.path.realpath(parsed.path)
        if key not in self._orgs:
            self._load_org(parsed, (key,))
        problems = [p for used in self._closure([key]) for p in self._org_problems.get(used, ())]
        if problems:
            raise InputError(_unique(problems))

    def shared(self, path: str, chain: tuple[str, ...]) -> _Org:
        """The organisation in a ``uses:`` file (loaded once; its problems kept aside)."""
        key = os.path.realpath(path)
        if key not in self._orgs:
            self._load_org(self.parsed(path), (*chain, key))
        return self._orgs[key]

    def _load_org(self, parsed: Parsed, chain: tuple[str, ...]) -> None:
        key = chain[-1]
        self._orgs[key] = _Org()  # placeholder while loading (loops are reported, not followed)
        reader = _Reader(parsed.path, parsed.problems[:])
        org = reader.organisation_file(parsed.root, self, chain)
        self._orgs[key] = org
        self._org_problems[key] = reader.sorted_problems()
        self._org_uses[key] = reader.used


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


# --------------------------------------------------------------------------------------------
# Reading one file


def _suggest(value: str, candidates: Iterable[str]) -> str | None:
    pool = list(candidates)
    if not pool or len(pool) > _SUGGEST_LIMIT:
        return None
    close = difflib.get_close_matches(value, pool, n=1, cutoff=0.6)
    if not close and value.lower() != value:
        close = [c for c in pool if c == value.lower()]
    return f"did you mean '{close[0]}'?" if close else None


def _slug_hint(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-_")[:MAX_ID_LENGTH]
    base = "ids are lower-case slugs: a-z, 0-9, '-' and '_', starting with a letter or digit"
    return f"{base}; try '{slug}'" if slug and _ID.match(slug) else base


@dataclass
class _Ref:
    kind: str  # function | system | stage | touchpoint
    value: str
    node: Node
    context: str = ""


class _Reader:
    """Reads one file's node tree, collecting problems; builds model objects."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.refs: list[_Ref] = []
        self.used: list[str] = []  # realpaths of organisation files this file pulls in
        self.broken: set[str] = set()  # kinds whose section is unreadable: skip their references
        self.volume_keys: dict[str, Node] = {}  # touchpoint id -> its 'volume' key
        self.unsure: set[str] = set()  # touchpoints with an invalid share or volume

    # -- problems ------------------------------------------------------------------------

    def error(self, node: Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(location(self.path, node), message, hint))

    def loc(self, node: Node) -> Location:
        return Location(self.path, node.line + 1, node.column + 1)

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.location.line, p.location.col))

    def wrong(self, node: Node, name: str, expected: str, hint: str | None = None) -> None:
        """Report a value of the wrong kind (quietly skipping nodes already reported)."""
        if node.__class__ is BadNode:
            return
        if (
            hint is None
            and node.__class__ is _SCALAR
            and node.style in ('"', "'")
            and expected not in ("text", "an id")
            and _NUMBER.match(node.value.strip())
        ):
            hint = "remove the quotes"
        self.error(node, f"'{name}' must be {expected}, found {describe(node)}", hint)

    # -- mappings ------------------------------------------------------------------------

    def mapping(
        self,
        node: Node,
        name: str,
        what: str,
        keys: tuple[str, ...] | None,
        required: tuple[str, ...] = (),
    ) -> dict[str, tuple[Node, Node]] | None:
        """A mapping's entries by key text, reporting duplicate, unknown and missing keys.

        ``keys`` None accepts any key (ids, kpi names). ``what`` names the mapping in messages.
        """
        if node.__class__ is not MapNode:
            self.wrong(node, name, "a mapping")
            return None
        out: dict[str, tuple[Node, Node]] = {}
        for key, value in node.pairs:
            if key.__class__ is not _SCALAR:
                if key.__class__ is not BadNode:
                    self.error(key, f"a key in {what} must be plain text, found {describe(key)}")
                continue
            text = key.value
            first = out.get(text)
            if first is not None:
                self.error(
                    key,
                    f"duplicate key '{text}' in {what} (first at line {first[0].line + 1})",
                    "keep one of them",
                )
                continue
            if keys is not None and text not in keys:
                hint = _suggest(text, keys) or "expected one of: " + ", ".join(keys)
                self.error(key, f"unknown key '{text}' in {what}", hint)
                continue
            out[text] = (key, value)
        for key_name in required:
            if key_name not in out:
                self.error(node, f"missing '{key_name}' in {what}")
        return out

    # -- scalars -------------------------------------------------------------------------

    def text(self, node: Node, name: str) -> str | None:
        """A text value; plain scalars are taken as written (``1.10`` stays ``1.10``)."""
        if node.__class__ is not _SCALAR or is_null(node):
            self.wrong(node, name, "text")
            return None
        value: str = node.value
        if not value.strip():
            self.error(node, f"'{name}' is empty")
            return None
        if len(value) > MAX_TEXT_LENGTH:
            self.error(
                node, f"'{name}' is too long ({len(value)} characters; at most {MAX_TEXT_LENGTH})"
            )
            return None
        return value

    def ident(self, node: Node, name: str) -> str | None:
        """An id: a lower-case slug."""
        if node.__class__ is not _SCALAR or is_null(node):
            self.wrong(node, name, "an id")
            return None
        return self.check_id(node, node.value, name)

    def check_id(self, node: Node, value: str, name: str) -> str | None:
        if len(value) > MAX_ID_LENGTH:
            self.error(
                node,
                f"id in '{name}' is too long ({len(value)} characters; at most {MAX_ID_LENGTH})",
            )
            return None
        if not _ID.match(value):
            self.error(node, f"invalid id '{value}' in '{name}'", _slug_hint(value))
            return None
        return value

    def boolean(self, node: Node, name: str) -> bool | None:
        if node.__class__ is _SCALAR and not node.style and node.tag in _BOOL_TAGS:
            if node.value in _TRUE:
                return True
            if node.value in _FALSE:
                return False
        self.wrong(node, name, "true or false")
        return None

    def _number_text(self, node: Node) -> str | None:
        if node.__class__ is _SCALAR and not node.style and node.tag in _NUMBER_TAGS:
            return str(node.value)
        return None

    def integer(self, node: Node, name: str, low: int, high: int) -> int | None:
        text = self._number_text(node)
        if text is not None and _INT.match(text) and len(text) < 12:
            value = int(text)
            if low <= value <= high:
                return value
        self.wrong(node, name, f"a whole number from {low} to {high}")
        return None

    def number(self, node: Node, name: str, high: float | None) -> float | None:
        """A finite number from 0 to ``high`` (no upper bound when None)."""
        text = self._number_text(node)
        if text is not None and _NUMBER.match(text):
            value = float(text)
            if math.isfinite(value) and value >= 0 and (high is None or value <= high):
                return value
        expected = "a number from 0 to 1" if high == 1 else "a finite number of at least 0"
        self.wrong(node, name, expected)
        return None

    def duration(self, node: Node, name: str) -> float | None:
        """A duration such as ``30m``, ``4h``, ``1.5d`` or ``1w``, in hours."""
        if node.__class__ is _SCALAR and node.tag in (None, _CORE + "str"):
            match = _DURATION.match(node.value.strip())
            if match:
                hours = float(match.group(1)) * _UNIT_HOURS[match.group(2)]
                if hours <= _MAX_WAIT_HOURS:
                    return hours
                self.error(node, f"'{name}' is too long ({describe(node)}; at most {MAX_WAIT})")
                return None
        hint = None
        if node.__class__ is _SCALAR and _NUMBER.match(node.value.strip()):
            hint = "add a unit: m (minutes), h (hours), d (days) or w (weeks)"
        self.wrong(node, name, "a duration such as 30m, 4h, 2d or 1w", hint)
        return None

    def sequence(self, node: Node, name: str) -> list[Node]:
        if node.__class__ is SeqNode:
            items: list[Node] = node.items
            return items
        hint = None
        if node.__class__ is _SCALAR and not is_null(node):
            hint = f"write a list: [{node.value}]"
        self.wrong(node, name, "a list", hint)
        return []

    def texts(self, node: Node, name: str) -> tuple[str, ...]:
        out = []
        for item in self.sequence(node, name):
            value = self.text(item, name)
            if value is not None:
                out.append(value)
        return tuple(out)

    def idents(self, node: Node, name: str) -> tuple[str, ...]:
        out: list[str] = []
        seen: dict[str, Node] = {}
        for item in self.sequence(node, name):
            value = self.ident(item, name)
            if value is None:
                continue
            if value in seen:
                self.error(
                    item,
                    f"'{value}' is listed twice in '{name}' (first at line {seen[value].line + 1})",
                )
                continue
            seen[value] = item
            out.append(value)
        return tuple(out)

    def ref_list(self, node: Node, name: str, kind: str, context: str) -> tuple[str, ...]:
        values = self.idents(node, name)
        by_value: dict[str, Node] = {}
        if node.__class__ is SeqNode:
            for item in node.items:
                if item.__class__ is _SCALAR:
                    by_value.setdefault(item.value, item)
        for value in values:
            self.refs.append(_Ref(kind, value, by_value.get(value, node), context))
        return values

    def ref(self, node: Node, name: str, kind: str, context: str) -> str | None:
        value = self.ident(node, name)
        if value is not None:
            self.refs.append(_Ref(kind, value, node, context))
        return value

    # -- organisation sections -----------------------------------------------------------

    def version(self, entries: dict[str, tuple[Node, Node]]) -> None:
        entry = entries.get("journeymap")
        if entry is None:
            return
        node = entry[1]
        text = self._number_text(node)
        if text is not None and _INT.match(text) and len(text) < 12:
            if int(text) == FORMAT_VERSION:
                return
            self.error(
                node,
                f"unsupported format version {int(text)}",
                f"this journeymap reads 'journeymap: {FORMAT_VERSION}'",
            )
            return
        self.wrong(node, "journeymap", f"the format version {FORMAT_VERSION}")

    def org_sections(self, entries: dict[str, tuple[Node, Node]]) -> _Org:
        org = _Org()
        for section, kind in (("functions", "function"), ("systems", "system")):
            if section in entries and entries[section][1].__class__ is not MapNode:
                self.broken.add(kind)
        if "functions" in entries:
            for fid, (key, value) in self.ids_mapping(entries["functions"][1], "functions"):
                spec = self.mapping(value, fid, f"function '{fid}'", FUNCTION_KEYS)
                if spec is None:  # reported; keep the id known so references to it still resolve
                    org.functions[fid] = Function(fid, fid)
                    continue
                org.functions[fid] = Function(
                    fid,
                    self.opt_text(spec, "name") or fid,
                    self.opt_text(spec, "lead"),
                    self.loc(key),
                )
        if "systems" in entries:
            for sid, (key, value) in self.ids_mapping(entries["systems"][1], "systems"):
                spec = self.mapping(value, sid, f"system '{sid}'", SYSTEM_KEYS)
                if spec is None:
                    org.systems[sid] = System(sid, sid)
                    continue
                owner = None
                if "owner" in spec:
                    owner = self.ref(spec["owner"][1], "owner", "function", f"system '{sid}'")
                shadow = False
                if "shadow" in spec:
                    shadow = bool(self.boolean(spec["shadow"][1], "shadow"))
                org.systems[sid] = System(
                    sid, self.opt_text(spec, "name") or sid, owner, shadow, self.loc(key)
                )
        if "integrations" in entries:
            self.integrations(entries["integrations"][1], org)
        if "channels" in entries:
            for cid, (key, value) in self.ids_mapping(entries["channels"][1], "channels"):
                spec = self.mapping(value, cid, f"channel '{cid}'", CHANNEL_KEYS)
                if spec is None:
                    continue
                org.channels[cid] = Channel(cid, self.opt_text(spec, "name") or cid, self.loc(key))
        return org

    def integrations(self, node: Node, org: _Org) -> None:
        seen: dict[tuple[str, str, bool], Node] = {}
        for item in self.sequence(node, "integrations"):
            spec = self.mapping(item, "integrations", "integration", INTEGRATION_KEYS, ("between",))
            if spec is None or "between" not in spec:
                continue
            between = spec["between"][1]
            ends = self.ref_list(between, "between", "system", "integration")
            one_way = False
            if "one-way" in spec:
                one_way = bool(self.boolean(spec["one-way"][1], "one-way"))
            if between.__class__ is SeqNode and len(between.items) != 2:
                self.error(
                    between,
                    f"'between' must list exactly two systems, found {len(between.items)}",
                )
                continue
            if len(ends) != 2:
                continue  # already reported
            a, b = ends
            pair = (a, b, True) if one_way else (min(a, b), max(a, b), False)
            if pair in seen:
                self.error(
                    item,
                    f"duplicate integration between '{a}' and '{b}' "
                    f"(first at line {seen[pair].line + 1})",
                )
                continue
            seen[pair] = item
            org.integrations.append(Integration(a, b, one_way, self.loc(item)))

    def ids_mapping(self, node: Node, name: str) -> list[tuple[str, tuple[Node, Node]]]:
        """Entries of a mapping keyed by ids (functions, systems, touchpoints, ...)."""
        entries = self.mapping(node, name, f"'{name}'", None)
        if entries is None:
            return []
        out = []
        for text, (key, value) in entries.items():
            if self.check_id(key, text, name) is not None:
                out.append((text, (key, value)))
        return out

    def opt_text(self, spec: dict[str, tuple[Node, Node]], name: str) -> str | None:
        entry = spec.get(name)
        return None if entry is None else self.text(entry[1], name)

    def uses(
        self, entries: dict[str, tuple[Node, Node]], session: _Session, chain: tuple[str, ...]
    ) -> tuple[tuple[str, ...], _Org]:
        """Resolve ``uses:``: the paths as written and the merged shared organisation."""
        entry = entries.get("uses")
        if entry is None:
            return (), _Org()
        node = entry[1]
        items = [node] if node.__class__ is _SCALAR and not is_null(node) else None
        if items is None:
            items = self.sequence(node, "uses")
        written: list[str] = []
        merged = _Org()
        here = os.path.dirname(self.path)
        for item in items:
            value = self.text(item, "uses")
            if value is None:
                continue
            written.append(value)
            if os.path.isabs(value) or value.startswith("~"):
                self.error(item, f"'uses' must be a path relative to this file, found '{value}'")
                continue
            if not value.endswith(_YAML_SUFFIXES):
                self.error(item, f"'uses' must name a .yaml file, found '{value}'")
                continue
            target = os.path.normpath(os.path.join(here, value))
            real = os.path.realpath(target)
            if real == chain[-1]:
                self.error(item, "'uses' points at this file itself", "name the organisation file")
                continue
            if real in chain:
                names = [os.path.basename(p) for p in chain[chain.index(real) :]]
                loop = " -> ".join([*names, os.path.basename(real)])
                self.error(item, f"'uses' makes a loop: {loop}")
                continue
            if not os.path.isfile(target):
                self.error(item, f"'uses' file not found: {value}")
                continue
            shared = session.shared(target, chain)
            self.used.append(real)
            merged = shared.merged_over(merged)
        return tuple(written), merged

    # -- whole files ---------------------------------------------------------------------

    def root_mapping(
        self, root: Node | None, what: str, keys: tuple[str, ...], required: tuple[str, ...]
    ) -> dict[str, tuple[Node, Node]] | None:
        if root is None:
            if not self.problems:
                self.problems.append(
                    Problem(
                        Location(self.path, 1, 1),
                        "empty file",
                        f"a journey starts with 'journeymap: {FORMAT_VERSION}'",
                    )
                )
            return None
        if root.__class__ is not MapNode:
            if root.__class__ is not BadNode:
                self.error(
                    root,
                    f"{what} must be a mapping of keys ({', '.join(required or keys[:2])}, ...), "
                    f"found {_kind(root)}",
                )
            return None
        return self.mapping(root, what, what, keys, required)

    def organisation_file(
        self, root: Node | None, session: _Session, chain: tuple[str, ...]
    ) -> _Org:
        entries = self.root_mapping(root, "organisation file", ORGANISATION_KEYS, ())
        if entries is None:
            return _Org()
        self.version(entries)
        for name in ("title", "description"):
            self.opt_text(entries, name)
        local = self.org_sections(entries)
        _, shared = self.uses(entries, session, chain)
        org = local.merged_over(shared)
        self.check_refs(
            {
                "function": org.functions.keys(),
                "system": org.systems.keys(),
            }
        )
        return org

    def journey(
        self, root: Node | None, session: _Session, chain: tuple[str, ...]
    ) -> Journey | None:
        entries = self.root_mapping(root, "journey", JOURNEY_KEYS, ("journeymap",))
        if entries is None:
            return None
        if "touchpoints" not in entries:
            hint = None
            if is_organisation(root):
                hint = "this looks like an organisation file; validate the journeys that use it"
            self.error(root, "missing 'touchpoints' in journey", hint)
        self.version(entries)
        journey_id = self.journey_id(entries)
        title = self.opt_text(entries, "title")
        persona = self.opt_text(entries, "persona")
        description = self.opt_text(entries, "description")
        owner = None
        if "owner" in entries:
            owner = self.ref(entries["owner"][1], "owner", "function", "journey")
        local = self.org_sections(entries)
        stages = self.stages(entries["stages"][1]) if "stages" in entries else ()
        if "stages" in entries and entries["stages"][1].__class__ is not SeqNode:
            self.broken.add("stage")
        if "touchpoints" in entries and entries["touchpoints"][1].__class__ is not MapNode:
            self.broken.add("touchpoint")
        touchpoint_ids: list[str] = []
        touchpoints = (
            self.touchpoints(entries["touchpoints"][1], touchpoint_ids)
            if "touchpoints" in entries
            else {}
        )
        uses, shared = self.uses(entries, session, chain)
        org = local.merged_over(shared)
        self.check_refs(
            {
                "function": org.functions.keys(),
                "system": org.systems.keys(),
                "stage": [s.id for s in stages],
                "touchpoint": touchpoint_ids,
            }
        )
        if "touchpoints" in entries:
            self.check_journey(entries["touchpoints"], touchpoints)
        if self.problems or journey_id is None or root is None:
            return None
        return Journey(
            id=journey_id,
            title=title or journey_id,
            path=self.path,
            functions=frozen_map(org.functions),
            systems=frozen_map(org.systems),
            integrations=tuple(org.integrations),
            channels=frozen_map(org.channels),
            stages=stages,
            touchpoints=frozen_map(touchpoints),
            persona=persona,
            owner=owner,
            description=description,
            uses=uses,
            location=self.loc(root),
        )

    def journey_id(self, entries: dict[str, tuple[Node, Node]]) -> str | None:
        if "id" in entries:
            return self.ident(entries["id"][1], "id")
        name = os.path.basename(self.path).split(".")[0]
        if _ID.match(name) and len(name) <= MAX_ID_LENGTH:
            return name
        self.problems.append(
            Problem(
                Location(self.path, 1, 1),
                f"the file name gives the journey id '{name}', which is not a valid id",
                "add an 'id:' key or rename the file; " + _slug_hint(name),
            )
        )
        return None

    def stages(self, node: Node) -> tuple[Stage, ...]:
        out: list[Stage] = []
        seen: dict[str, Node] = {}
        for item in self.sequence(node, "stages"):
            if item.__class__ is MapNode:
                spec = self.mapping(item, "stages", "stage", STAGE_KEYS, ("id",))
                if spec is None or "id" not in spec:
                    continue
                id_node = spec["id"][1]
                sid = self.ident(id_node, "id")
                name = self.opt_text(spec, "name")
            else:
                id_node = item
                sid = self.ident(item, "stages")
                name = None
            if sid is None:
                continue
            if sid in seen:
                self.error(
                    id_node,
                    f"duplicate stage '{sid}' (first at line {seen[sid].line + 1})",
                )
                continue
            seen[sid] = item
            out.append(Stage(sid, name or sid, self.loc(item)))
        return tuple(out)

    def touchpoints(self, node: Node, ids: list[str]) -> dict[str, Touchpoint]:
        """The touchpoints that read cleanly; ``ids`` receives every well-formed id."""
        out: dict[str, Touchpoint] = {}
        entries = self.ids_mapping(node, "touchpoints")
        ids.extend(tid for tid, _ in entries)
        if node.__class__ is MapNode and not node.pairs:
            self.error(node, "'touchpoints' is empty", "a journey needs at least one touchpoint")
        for tid, (key, value) in entries:
            touchpoint = self.touchpoint(tid, key, value)
            if touchpoint is not None:
                out[tid] = touchpoint
        return out

    def touchpoint(self, tid: str, key: Node, node: Node) -> Touchpoint | None:
        what = f"touchpoint '{tid}'"
        spec = self.mapping(node, tid, what, TOUCHPOINT_KEYS, ("stage", "function"))
        if spec is None:
            return None
        values: dict[str, Any] = {}
        for name, (_, value) in spec.items():
            if name in ("name", "description"):
                values[name] = self.text(value, name)
            elif name == "stage":
                values[name] = self.ref(value, name, "stage", what)
            elif name == "function":
                values[name] = self.ref(value, name, "function", what)
            elif name in ("channel", "outcome"):
                values[name] = self.ident(value, name)
            elif name == "systems":
                values[name] = self.ref_list(value, name, "system", what)
            elif name == "emotion":
                values[name] = self.integer(value, name, 1, 5)
            elif name == "entry":
                values[name] = self.boolean(value, name)
            elif name == "volume":
                values[name] = self.number(value, name, None)
            elif name == "asks":
                values[name] = self.idents(value, name)
            elif name == "kpis":
                values[name] = self.kpis(value)
            elif name == "next":
                values[name] = self.transitions(tid, value)
            else:  # pains, gains, notes, ideas
                values[name] = self.texts(value, name)
        next_node = spec["next"][1] if "next" in spec else None
        if "outcome" in spec and next_node.__class__ is SeqNode and next_node.items:
            self.error(
                spec["outcome"][0],
                f"'outcome' on touchpoint '{tid}', which has 'next' transitions",
                "an outcome belongs to a terminal touchpoint",
            )
        if "volume" in spec:
            self.volume_keys[tid] = spec["volume"][0]
            if values["volume"] is None:
                self.unsure.add(tid)
        if values.get("stage") is None or values.get("function") is None:
            return None
        return Touchpoint(
            id=tid,
            name=values.get("name") or tid,
            stage=values["stage"],
            function=values["function"],
            channel=values.get("channel"),
            systems=values.get("systems", ()),
            emotion=values.get("emotion"),
            entry=values.get("entry"),
            volume=values.get("volume"),
            asks=values.get("asks", ()),
            pains=values.get("pains", ()),
            gains=values.get("gains", ()),
            notes=values.get("notes", ()),
            ideas=values.get("ideas", ()),
            kpis=values.get("kpis", ()),
            next=values.get("next", ()),
            outcome=values.get("outcome"),
            description=values.get("description"),
            location=self.loc(key),
        )

    def kpis(self, node: Node) -> tuple[tuple[str, str], ...]:
        entries = self.mapping(node, "kpis", "'kpis'", None)
        if entries is None:
            return ()
        out = []
        for name, (_, value) in entries.items():
            text = self.text(value, name)
            if text is not None:
                out.append((name, text))
        return tuple(out)

    def transitions(self, source: str, node: Node) -> tuple[Transition, ...]:
        out: list[Transition] = []
        seen: dict[str, Node] = {}
        what = f"a transition of '{source}'"
        for item in self.sequence(node, "next"):
            share = wait = owner = note = None
            carries: tuple[str, ...] = ()
            if item.__class__ is MapNode:
                spec = self.mapping(item, "next", what, TRANSITION_KEYS, ("to",))
                if spec is None or "to" not in spec:
                    continue
                target_node = spec["to"][1]
                if "share" in spec:
                    share = self.number(spec["share"][1], "share", 1)
                    if share is None:
                        self.unsure.add(source)
                if "carries" in spec:
                    carries = self.idents(spec["carries"][1], "carries")
                if "owner" in spec:
                    owner = self.ref(spec["owner"][1], "owner", "function", what)
                if "wait" in spec:
                    wait = self.duration(spec["wait"][1], "wait")
                if "note" in spec:
                    note = self.text(spec["note"][1], "note")
            else:
                target_node = item
            target = self.ref(
                target_node,
                "next" if target_node is item else "to",
                "touchpoint",
                f"'next' of touchpoint '{source}'",
            )
            if target is None:
                continue
            if target in seen:
                self.error(
                    target_node,
                    f"duplicate transition from '{source}' to '{target}' "
                    f"(first at line {seen[target].line + 1})",
                    "merge them into one",
                )
                continue
            seen[target] = item
            out.append(
                Transition(source, target, share, carries, owner, wait, note, self.loc(item))
            )
        return tuple(out)

    # -- references and whole-journey rules ------------------------------------------------

    def check_refs(self, known: Mapping[str, Iterable[str]]) -> None:
        sets = {kind: (set(ids), ids) for kind, ids in known.items()}
        for ref in self.refs:
            entry = sets.get(ref.kind)
            if entry is None or ref.value in entry[0] or ref.kind in self.broken:
                continue
            hint = _suggest(ref.value, entry[1])
            if hint is None and not entry[0]:
                hint = f"declare it under '{ref.kind}s'" if ref.kind != "touchpoint" else None
            self.error(ref.node, f"unknown {ref.kind} '{ref.value}' in {ref.context}", hint)
        self.refs.clear()

    def check_journey(self, entry: tuple[Node, Node], touchpoints: dict[str, Touchpoint]) -> None:
        key, node = entry
        if not touchpoints:
            return
        targets = {t.target for tp in touchpoints.values() for t in tp.next}
        marked = [tp for tp in touchpoints.values() if tp.entry]
        entries = marked or [tp for tp in touchpoints.values() if tp.id not in targets]
        if not entries and node.__class__ is MapNode and len(touchpoints) == len(node.pairs):
            self.error(
                key,
                "no entry touchpoint: every touchpoint has an incoming transition",
                "mark where customers start with 'entry: true'",
            )
        entry_ids = {tp.id for tp in entries}
        with_volume = [tp for tp in entries if tp.volume is not None]
        for tp in touchpoints.values():
            if tp.volume is not None and tp.id not in entry_ids:
                self.error(
                    self.volume_keys[tp.id],
                    f"'volume' on touchpoint '{tp.id}', which is not an entry",
                    "give volumes on entry touchpoints only",
                )
            shares = [t.share is not None for t in tp.next]
            if tp.id not in self.unsure and any(shares) and not all(shares):
                missing = next(t for t in tp.next if t.share is None)
                self.problems.append(
                    Problem(
                        missing.location,
                        f"transition '{tp.id}' -> '{missing.target}' has no 'share' "
                        "while others from the same touchpoint do",
                        "give every transition out of a touchpoint a share, or none",
                    )
                )
        if with_volume and len(with_volume) != len(entries) and not self.unsure & entry_ids:
            for tp in entries:
                if tp.volume is None:
                    self.problems.append(
                        Problem(
                            tp.location,
                            f"entry touchpoint '{tp.id}' has no 'volume' while other entries do",
                            "give every entry a volume, or none",
                        )
                    )
