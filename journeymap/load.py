"""Load and validate journey files (format version 1) into the immutable model.

Every problem in a file is collected, each with the ``path:line:col`` of the key or value at
fault, and raised together as one :class:`~journeymap.errors.InputError`. Validation runs in two
stages: fields first (keys, types, ranges, ids), then references (functions, systems, stages,
touchpoints) and the rules that need the whole journey (entries, shares, volumes, outcomes).
Which keys each mapping takes and how each value is read come from the field table in
journeymap/fields.py (which also generates the JSON Schema and docs/format.md's key tables);
durations follow journeymap/durations.py and every "did you mean" journeymap/suggest.py. Keys
that YAML accepted but that an indentation mistake put in the wrong mapping are reported as such.
The YAML side lives in :mod:`journeymap.yamlnodes`; the format is described in docs/format.md.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from journeymap._gc import gc_paused
from journeymap.durations import (
    DURATION_EXAMPLES,
    MAX_DURATION,
    MAX_DURATION_HOURS,
    parse_duration,
)
from journeymap.errors import InputError, Problem
from journeymap.fields import (
    FORMAT_VERSION,
    ID_PATTERN,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    SECTIONS,
    Field,
    fields_of,
    keys_of,
    required_of,
)
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
from journeymap.suggest import close_matches, did_you_mean
from journeymap.yamlnodes import (
    BadNode,
    MapNode,
    Node,
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
    "SCENARIO_SUFFIXES",
    "SECTION_KEYS",
    "find_files",
    "find_journey_files",
    "load_organisation",
    "yaml_files",
    "is_organisation",
    "load_journey",
    "load_journey_text",
    "load_journeys",
    "load_journey_with_files",
    "load_journeys_with_files",
]

#: The keys of every mapping in the format, by section, in the order of journeymap/fields.py.
SECTION_KEYS: Mapping[str, tuple[str, ...]] = {s.name: keys_of(s.name) for s in SECTIONS}
JOURNEY_KEYS = SECTION_KEYS["journey"]
ORGANISATION_KEYS = SECTION_KEYS["organisation"]
_TOUCHPOINT_KEYS = frozenset(SECTION_KEYS["touchpoint"])
_TRANSITION_KEYS = frozenset(SECTION_KEYS["transition"])
_FIELDS: Mapping[str, Mapping[str, Field]] = {s.name: fields_of(s.name) for s in SECTIONS}
_REQUIRED: Mapping[str, tuple[str, ...]] = {s.name: required_of(s.name) for s in SECTIONS}
#: Per section, the model's value for each attribute whose key is absent (or unreadable).
_DEFAULTS: Mapping[str, Mapping[str, Any]] = {
    s.name: {f.model_attr: f.default for f in _FIELDS[s.name].values()} for s in SECTIONS
}

_ID = re.compile(ID_PATTERN + r"\Z")
_INT = re.compile(r"[-+]?[0-9]+\Z")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?\Z")
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_CORE = "tag:yaml.org,2002:"
_NUMBER_TAGS = frozenset((None, _CORE + "int", _CORE + "float"))
_BOOL_TAGS = frozenset((None, _CORE + "bool"))
_TEXT_TAGS = frozenset((None, _CORE + "str"))
_YAML_SUFFIXES = (".yaml", ".yml")
SCENARIO_SUFFIXES = (".scenarios.yaml", ".scenarios.yml")  # what-if scenarios, not journeys

#: An entry of a mapping read by :meth:`_Reader.mapping`: key text -> (key node, value node).
_Entries = dict[str, tuple[Scalar, Node]]
#: Explains an unknown key (key, value, entries read so far) as (message, hint), or None.
_Explain = Callable[[Scalar, Node, _Entries], "tuple[str, str | None] | None"]


# --------------------------------------------------------------------------------------------
# Public API


def load_journey(path: str | os.PathLike[str]) -> Journey:
    """Load and validate one journey file; raise :class:`InputError` listing every problem."""
    return load_journey_with_files(path)[0]


def load_journey_text(text: str, path: str) -> Journey:
    """Load a journey from YAML text; ``path`` names it and anchors relative ``uses:`` paths."""
    return load_journey_with_files(path, text)[0]


def load_journey_with_files(
    path: str | os.PathLike[str], text: str | None = None
) -> tuple[Journey, tuple[str, ...]]:
    """Load one journey (from ``text`` when given) and name the organisation files it pulled
    in, directly or through their own ``uses:`` (real paths, in the order they were read)."""
    with gc_paused():
        session = _Session()
        journey = session.journey(parse_file(str(path)) if text is None else parse(text, str(path)))
        return journey, session.last_used


def load_journeys(paths: Iterable[str | Path]) -> list[Journey]:
    """Load every journey in the given files and folders (recursively), in a stable order.

    Folders are walked with :func:`find_journey_files`; organisation files found there are
    validated too. Problems over all files are raised together as one :class:`InputError`.
    """
    return [journey for journey, _ in load_journeys_with_files(paths)]


def load_journeys_with_files(
    paths: Iterable[str | Path],
) -> list[tuple[Journey, tuple[str, ...]]]:
    """:func:`load_journeys`, each journey with the organisation files it pulled in (see
    :func:`load_journey_with_files`)."""
    with gc_paused():
        return _load_journeys(paths)


def _load_journeys(paths: Iterable[str | Path]) -> list[tuple[Journey, tuple[str, ...]]]:
    session = _Session()
    files, problems = _scan(paths, session)
    journeys: list[tuple[Journey, tuple[str, ...]]] = []
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
        journeys.append((journey, session.last_used))
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
    return find_files(paths)[0]


def find_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[Path]]:
    """The journey files and the organisation files among ``paths`` (see
    :func:`find_journey_files`; organisation files are only recognised in folders)."""
    found: list[Path] = []
    organisations: list[Path] = []
    seen: set[str] = set()
    for given in paths:
        path = Path(given)
        candidates = yaml_files(path) if path.is_dir() else [path] if path.exists() else []
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
            else:
                organisations.append(candidate)
    return found, organisations


def load_organisation(path: str | os.PathLike[str]) -> None:
    """Validate one organisation file (and the files it uses); raise :class:`InputError`."""
    with gc_paused():
        _Session().organisation(parse_file(str(path)))


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
        if type(key) is not Scalar or key.value not in ORGANISATION_KEYS:
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
            for found in yaml_files(path):
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


def yaml_files(folder: str | os.PathLike[str]) -> list[Path]:
    """The ``*.yaml``/``*.yml`` files under ``folder`` by path, skipping dot-files and dot-folders
    and scenario files (``*.scenarios.yaml``, see :func:`journeymap.project.scenario_files`)."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if (
                not name.startswith(".")
                and name.endswith(_YAML_SUFFIXES)
                and not name.endswith(SCENARIO_SUFFIXES)
            ):
                found.append(Path(root) / name)
    return found


def _kind(node: Node) -> str:
    """What a whole file turned out to be, without quoting it (it may not be ours to show)."""
    if type(node) is SeqNode:
        return "a list"
    return "a single value" if type(node) is Scalar else describe(node)


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
        self.last_used: tuple[str, ...] = ()  # organisation files of the last journey loaded

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
        used = self._closure(reader.used)
        problems = reader.sorted_problems() + [
            p for key in used for p in self._org_problems.get(key, ())
        ]
        if problems or journey is None:
            raise InputError(_unique(problems))
        self.last_used = tuple(used)
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


def _slug_hint(value: str) -> str:
    slug = re.sub(r"[^a-z0-9_-]+", "-", value.strip().lower()).strip("-_")[:MAX_ID_LENGTH]
    base = "ids are lower-case slugs: a-z, 0-9, '-' and '_', starting with a letter or digit"
    return f"{base}; try '{slug}'" if slug and _ID.match(slug) else base


def _spaces(n: int) -> str:
    return "1 more space" if n == 1 else f"{n} more spaces"


def _is_block(node: MapNode) -> bool:
    """Whether a non-empty mapping is written in block style (its first key starts it)."""
    first = node.pairs[0][0]
    return first.line == node.line and first.column == node.column


def _indent_under(key: Scalar, parent: Scalar, value: Node, what: str) -> str:
    """The hint that moves ``key`` into ``value`` (the mapping of ``parent``, named ``what``)."""
    where = f"{what} (line {parent.line + 1})"
    if type(value) is MapNode and value.pairs:
        if not _is_block(value):
            return f"indentation: move it into {where}, inside its braces"
        target = value.pairs[0][0].column
    elif is_null(value):  # ``demo:`` with its keys all dedented: indent them one level
        target = parent.column + 2
    else:
        return f"indentation: move it into {where}"
    if target <= key.column:
        return f"indentation: indent it under {where}"
    return f"indentation: indent it under {where} by {_spaces(target - key.column)}"


@dataclass
class _Ref:
    kind: str  # function | system | stage | touchpoint
    value: str
    node: Node
    context: str = ""
    name: str = ""  # the key it was read from; set when ``value`` is not a valid id
    invalid: bool = False


_Converter = Callable[["_Reader", Field, Node, str], Any]


class _Reader:
    """Reads one file's node tree, collecting problems; builds model objects.

    Which keys each mapping accepts and how each value is read come from the field table
    (journeymap/fields.py): :meth:`values` converts every key of a mapping with the reader of
    its field's type; sections, lists of sections and transitions are walked here.
    """

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        self.refs: list[_Ref] = []
        self.used: list[str] = []  # realpaths of organisation files this file pulls in
        self.broken: set[str] = set()  # kinds whose section is unreadable: skip their references
        self.volume_keys: dict[str, Node] = {}  # touchpoint id -> its 'volume' key
        self.unsure: set[str] = set()  # touchpoints with an invalid share or volume
        self.stray_touchpoints: list[str] = []  # touchpoints dedented to the top level

    # -- problems ------------------------------------------------------------------------

    def error(self, node: Node, message: str, hint: str | None = None) -> None:
        self.problems.append(Problem(location(self.path, node), message, hint))

    def loc(self, node: Node) -> Location:
        return Location(self.path, node.line + 1, node.column + 1)

    def sorted_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.location.line, p.location.col))

    def wrong(self, node: Node, name: str, expected: str, hint: str | None = None) -> None:
        """Report a value of the wrong kind (quietly skipping nodes already reported)."""
        if type(node) is BadNode:
            return
        if (
            hint is None
            and type(node) is Scalar
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
        section: str | None,
        *,
        hints: Mapping[str, str] | None = None,
        present: Collection[str] = (),
        explain: _Explain | None = None,
        skip: Collection[Scalar] = (),
    ) -> _Entries | None:
        """A mapping's entries by key text, reporting duplicate, unknown and missing keys.

        ``section`` names the field-table section whose keys the mapping takes (None: any key,
        as for ids and kpi names); ``what`` names the mapping in messages. ``hints`` add a hint
        to a missing key's message, ``present`` are required keys found misplaced elsewhere
        (already reported), ``explain`` may say why an unknown key is there, and keys in
        ``skip`` (reported as misplaced) are left out.
        """
        if type(node) is not MapNode:
            self.wrong(node, name, "a mapping")
            return None
        keys = SECTION_KEYS[section] if section is not None else None
        out: _Entries = {}
        for key, value in node.pairs:
            if type(key) is not Scalar:
                if type(key) is not BadNode:
                    self.error(key, f"a key in {what} must be plain text, found {describe(key)}")
                continue
            if skip and key in skip:
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
                explained = explain(key, value, out) if explain is not None else None
                if explained is not None:
                    self.error(key, *explained)
                    continue
                hint = did_you_mean(text, keys) or "expected one of: " + ", ".join(keys)
                self.error(key, f"unknown key '{text}' in {what}", hint)
                continue
            out[text] = (key, value)
        if section is not None:
            for key_name in _REQUIRED[section]:
                if key_name not in out and key_name not in present:
                    self.error(node, f"missing '{key_name}' in {what}", (hints or {}).get(key_name))
        return out

    def values(
        self, entries: _Entries, section: str, context: str, skip: Collection[str] = ()
    ) -> dict[str, Any]:
        """Every value of a section's mapping read by its field's type, by model attribute.

        Keys whose type has no reader here (sections, lists of sections, ``next``, ``uses``,
        ``between``) and keys in ``skip`` are left to the caller. ``context`` names the
        mapping in reference messages ("touchpoint 'a'").
        """
        plan = _PLANS[section]
        out: dict[str, Any] = {}
        for name, (_, node) in entries.items():
            f, attr, convert = plan[name]
            if convert is not None and name not in skip:
                out[attr] = convert(self, f, node, context)
        return out

    # -- scalars -------------------------------------------------------------------------

    def text(self, node: Node, name: str) -> str | None:
        """A text value; plain scalars are taken as written (``1.10`` stays ``1.10``)."""
        if type(node) is not Scalar or is_null(node):
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
        if type(node) is not Scalar or is_null(node):
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
        if type(node) is Scalar and not node.style and node.tag in _BOOL_TAGS:
            if node.value in _TRUE:
                return True
            if node.value in _FALSE:
                return False
        self.wrong(node, name, "true or false")
        return None

    def _number_text(self, node: Node) -> str | None:
        if type(node) is Scalar and not node.style and node.tag in _NUMBER_TAGS:
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

    def number(
        self, node: Node, name: str, high: float | None, normal: bool = False
    ) -> float | None:
        """A finite number from 0 to ``high`` (no upper bound when None); with ``normal``, a
        subnormal number (below 2.2e-308, where 1 / x overflows) is refused."""
        text = self._number_text(node)
        if text is not None and _NUMBER.match(text):
            value = float(text)
            if math.isfinite(value) and value >= 0 and (high is None or value <= high):
                if normal and 0 < value < sys.float_info.min:
                    # a subnormal: 1 / value overflows and products lose every digit
                    self.error(
                        node,
                        f"'{name}' is too small to compute with ({describe(node)})",
                        "write 0, or a number of at least 1e-300",
                    )
                    return None
                return value
        if high == 1:
            expected = "a number from 0 to 1"
        elif high is not None:
            expected = f"a number from 0 to {high:.0e}".replace("e+", "e")
        else:
            expected = "a finite number of at least 0"
        self.wrong(node, name, expected)
        return None

    def duration(self, node: Node, name: str) -> float | None:
        """A duration in hours, in the one grammar of journeymap/durations.py (``.5h``, ``1 d``)."""
        if type(node) is Scalar and node.tag in _TEXT_TAGS:
            hours = parse_duration(node.value)
            if hours is not None:
                if hours <= MAX_DURATION_HOURS:
                    return hours
                self.error(node, f"'{name}' is too long ({describe(node)}; at most {MAX_DURATION})")
                return None
        hint = None
        if type(node) is Scalar and _NUMBER.match(node.value.strip()):
            hint = "add a unit: m (minutes), h (hours), d (days) or w (weeks)"
        self.wrong(node, name, f"a duration such as {DURATION_EXAMPLES}", hint)
        return None

    def sequence(self, node: Node, name: str) -> list[Node]:
        if type(node) is SeqNode:
            return node.items
        hint = None
        if type(node) is Scalar and not is_null(node):
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

    def text_or_texts(self, node: Node, name: str) -> tuple[str, ...]:
        """One text or a list of them, as a tuple (``evidence: claim form``)."""
        if type(node) is SeqNode:
            return self.texts(node, name)
        if type(node) is not Scalar or is_null(node):
            self.wrong(node, name, "text or a list of text")
            return ()
        value = self.text(node, name)
        return () if value is None else (value,)

    def idents(
        self, node: Node, name: str, refer: tuple[str, str] | None = None
    ) -> tuple[str, ...]:
        """The ids of a list, each once; with ``refer`` (kind, context) each is a reference."""
        out: list[str] = []
        seen: dict[str, Node] = {}
        for item in self.sequence(node, name):
            if refer is not None and self.invalid_ref(item, name, *refer):
                continue
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
            if refer is not None:
                self.refs.append(_Ref(refer[0], value, item, refer[1]))
        return tuple(out)

    def ref_list(self, node: Node, name: str, kind: str, context: str) -> tuple[str, ...]:
        return self.idents(node, name, (kind, context))

    def ref(self, node: Node, name: str, kind: str, context: str) -> str | None:
        """A reference to an id, kept for :meth:`check_refs`. A text that is not an id
        (``Sales``) is kept too, marked invalid, so that the check can suggest the declared id
        it most likely means; anything else is reported here."""
        if type(node) is Scalar and not is_null(node):
            value = node.value
            if len(value) <= MAX_ID_LENGTH:
                valid = _ID.match(value) is not None
                if valid:
                    self.refs.append(_Ref(kind, value, node, context))
                else:
                    self.refs.append(_Ref(kind, value, node, context, name, invalid=True))
                return value if valid else None
        return self.ident(node, name)  # not text, or too long: reported there

    def invalid_ref(self, node: Node, name: str, kind: str, context: str) -> bool:
        """Keep a reference that is text but not an id (``Sales``) for :meth:`check_refs`,
        which can then suggest the declared id it most likely means."""
        if type(node) is not Scalar or is_null(node):
            return False
        value = node.value
        if len(value) > MAX_ID_LENGTH or _ID.match(value):
            return False
        self.refs.append(_Ref(kind, value, node, context, name, invalid=True))
        return True

    # -- organisation sections -----------------------------------------------------------

    def version(self, node: Node) -> None:
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

    def build(self, section: str, values: dict[str, Any]) -> dict[str, Any]:
        """Model keyword arguments: the values read, defaults for keys absent or unreadable."""
        out = dict(_DEFAULTS[section])
        for attr, value in values.items():
            if value is not None:
                out[attr] = value
        return out

    def org_sections(self, entries: _Entries) -> _Org:
        org = _Org()
        for section, kind in (("functions", "function"), ("systems", "system")):
            if section in entries and type(entries[section][1]) is not MapNode:
                self.broken.add(kind)
        if "functions" in entries:
            for fid, (key, value) in self.ids_mapping(entries["functions"][1], "functions"):
                what = f"function '{fid}'"
                spec = self.mapping(value, fid, what, "function")
                if spec is None:  # reported; keep the id known so references to it still resolve
                    org.functions[fid] = Function(fid, fid)
                    continue
                kwargs = self.build("function", self.values(spec, "function", what))
                kwargs["name"] = kwargs["name"] or fid
                org.functions[fid] = Function(fid, location=self.loc(key), **kwargs)
        if "systems" in entries:
            for sid, (key, value) in self.ids_mapping(entries["systems"][1], "systems"):
                what = f"system '{sid}'"
                spec = self.mapping(value, sid, what, "system")
                if spec is None:
                    org.systems[sid] = System(sid, sid)
                    continue
                kwargs = self.build("system", self.values(spec, "system", what))
                kwargs["name"] = kwargs["name"] or sid
                org.systems[sid] = System(sid, location=self.loc(key), **kwargs)
        if "integrations" in entries:
            self.integrations(entries["integrations"][1], org)
        if "channels" in entries:
            for cid, (key, value) in self.ids_mapping(entries["channels"][1], "channels"):
                what = f"channel '{cid}'"
                spec = self.mapping(value, cid, what, "channel")
                if spec is None:
                    continue
                kwargs = self.build("channel", self.values(spec, "channel", what))
                kwargs["name"] = kwargs["name"] or cid
                org.channels[cid] = Channel(cid, location=self.loc(key), **kwargs)
        return org

    def integrations(self, node: Node, org: _Org) -> None:
        seen: dict[tuple[str, str, bool], Node] = {}
        for item in self.sequence(node, "integrations"):
            spec = self.mapping(item, "integrations", "integration", "integration")
            if spec is None or "between" not in spec:
                continue
            between = spec["between"][1]
            ends = self.ref_list(between, "between", "system", "integration")
            one_way = bool(
                self.build("integration", self.values(spec, "integration", ""))["one_way"]
            )
            if type(between) is SeqNode and len(between.items) != 2:
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

    def ids_mapping(
        self, node: Node, name: str, skip: Collection[Scalar] = ()
    ) -> list[tuple[str, tuple[Scalar, Node]]]:
        """Entries of a mapping keyed by ids (functions, systems, touchpoints, ...).

        Keys in ``skip`` (already reported as misplaced) are left out.
        """
        entries = self.mapping(node, name, f"'{name}'", None, skip=skip)
        if entries is None:
            return []
        out = []
        for text, (key, value) in entries.items():
            if self.check_id(key, text, name) is not None:
                out.append((text, (key, value)))
        return out

    def uses(
        self, entries: _Entries, session: _Session, chain: tuple[str, ...]
    ) -> tuple[tuple[str, ...], _Org]:
        """Resolve ``uses:``: the paths as written and the merged shared organisation."""
        entry = entries.get("uses")
        if entry is None:
            return (), _Org()
        node = entry[1]
        items: list[Node] = (
            [node] if type(node) is Scalar and not is_null(node) else self.sequence(node, "uses")
        )
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
        self,
        root: Node | None,
        section: str,
        hints: Mapping[str, str] | None = None,
        explain: _Explain | None = None,
    ) -> _Entries | None:
        what = "organisation file" if section == "organisation" else section
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
        if type(root) is not MapNode:
            if type(root) is not BadNode:
                keys = _REQUIRED[section][:1] or SECTION_KEYS[section][:2]
                self.error(
                    root,
                    f"{what} must be a mapping of keys ({', '.join(keys)}, ...), "
                    f"found {_kind(root)}",
                )
            return None
        return self.mapping(root, what, what, section, hints=hints, explain=explain)

    def organisation_file(
        self, root: Node | None, session: _Session, chain: tuple[str, ...]
    ) -> _Org:
        entries = self.root_mapping(root, "organisation")
        if entries is None:
            return _Org()
        self.values(entries, "organisation", "organisation file")  # version, title, description
        local = self.org_sections(entries)
        _, shared = self.uses(entries, session, chain)
        org = local.merged_over(shared)
        self.check_refs(
            {"function": org.functions.keys(), "system": org.systems.keys()},
            self.names(org),
        )
        return org

    def names(self, org: _Org) -> dict[str, Mapping[str, str]]:
        """Display names of functions and systems, for suggestions."""
        return {
            "function": {f.id: f.name for f in org.functions.values()},
            "system": {s.id: s.name for s in org.systems.values()},
        }

    def journey(
        self, root: Node | None, session: _Session, chain: tuple[str, ...]
    ) -> Journey | None:
        hints = {}
        if root is not None and is_organisation(root):
            hints["touchpoints"] = (
                "this looks like an organisation file; validate the journeys that use it"
            )
        entries = self.root_mapping(root, "journey", hints, self.explain_top_level_key)
        if entries is None or root is None:
            return None
        values = self.values(entries, "journey", "journey")
        journey_id = values["id"] if "id" in entries else self.journey_id_from_path()
        local = self.org_sections(entries)
        stages = self.stages(entries["stages"][1]) if "stages" in entries else ()
        if "stages" in entries and type(entries["stages"][1]) is not SeqNode:
            self.broken.add("stage")
        if "touchpoints" in entries and type(entries["touchpoints"][1]) is not MapNode:
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
                "touchpoint": touchpoint_ids + self.stray_touchpoints,
            },
            self.names(org),
        )
        if "touchpoints" in entries:
            self.check_journey(entries["touchpoints"], touchpoints)
        if self.problems or journey_id is None:
            return None
        kwargs = self.build("journey", values)  # persona, owner, description as read
        del kwargs["journeymap"]
        kwargs.update(
            id=journey_id,
            title=kwargs["title"] or journey_id,
            path=self.path,
            functions=frozen_map(org.functions),
            systems=frozen_map(org.systems),
            integrations=tuple(org.integrations),
            channels=frozen_map(org.channels),
            stages=stages,
            touchpoints=frozen_map(touchpoints),
            uses=uses,
            location=self.loc(root),
        )
        return Journey(**kwargs)

    def journey_id_from_path(self) -> str | None:
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
            if type(item) is MapNode:
                spec = self.mapping(item, "stages", "stage", "stage")
                if spec is None or "id" not in spec:
                    continue
                id_node = spec["id"][1]
                values = self.values(spec, "stage", "stage")
                sid, name = values["id"], values.get("name")
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
        misplaced: dict[Scalar, str] = {}  # touchpoint field key -> the touchpoint it belongs to
        if type(node) is MapNode:
            misplaced = self.misplaced_touchpoint_fields(node)
        entries = self.ids_mapping(node, "touchpoints", misplaced)
        ids.extend(tid for tid, _ in entries)
        if type(node) is MapNode and not node.pairs:
            self.error(node, "'touchpoints' is empty", "a journey needs at least one touchpoint")
        found: dict[str, set[str]] = {}  # touchpoint id -> keys of it found misplaced
        for key, owner in misplaced.items():
            found.setdefault(owner, set()).add(key.value)
        for tid, (key, value) in entries:
            if tid in found and is_null(value):
                continue  # ``demo:`` whose keys were all dedented: reported with each key
            touchpoint = self.touchpoint(tid, key, value, found.get(tid, ()))
            if touchpoint is not None:
                out[tid] = touchpoint
        return out

    def misplaced_touchpoint_fields(self, node: MapNode) -> dict[Scalar, str]:
        """Touchpoint keys indented like touchpoint ids (``next:`` two spaces short), reported.

        A key of ``touchpoints`` that is a touchpoint field name, follows a touchpoint, and
        whose value cannot be a touchpoint (not a mapping, or a mapping with no touchpoint key)
        most likely belongs to the touchpoint above it.
        """
        out: dict[Scalar, str] = {}
        previous: tuple[Scalar, Node] | None = None
        for key, value in node.pairs:
            if type(key) is not Scalar:
                continue
            if (
                previous is not None
                and key.value in _TOUCHPOINT_KEYS
                and (
                    type(value) is not MapNode
                    or not any(
                        type(k) is Scalar and k.value in _TOUCHPOINT_KEYS for k, _ in value.pairs
                    )
                )
            ):
                parent, parent_value = previous
                out[key] = parent.value
                self.error(
                    key,
                    f"'{key.value}' is indented like a touchpoint id, "
                    "so it is read as a new touchpoint",
                    _indent_under(key, parent, parent_value, f"touchpoint '{parent.value}'"),
                )
                continue
            previous = (key, value)
        return out

    def explain_top_level_key(
        self, key: Scalar, value: Node, entries: _Entries
    ) -> tuple[str, str | None] | None:
        """An unknown top-level key below the touchpoints that is a touchpoint's key or a
        whole touchpoint: most likely dedented out of ``touchpoints``."""
        section = entries.get("touchpoints")
        if section is None or type(section[1]) is not MapNode or not section[1].pairs:
            return None
        touchpoints = section[1]
        last_key, last_value = touchpoints.pairs[-1]
        if type(last_key) is not Scalar or last_key.line >= key.line:
            return None
        if key.value in _TOUCHPOINT_KEYS:
            return (
                f"'{key.value}' is indented like a top-level key, so it is read as one of "
                "the journey",
                _indent_under(key, last_key, last_value, f"touchpoint '{last_key.value}'"),
            )
        if type(value) is MapNode and any(
            type(k) is Scalar and k.value in ("stage", "function") for k, _ in value.pairs
        ):
            self.stray_touchpoints.append(key.value)  # so references to it raise no more
            where = f"under 'touchpoints' (line {section[0].line + 1})"
            hint = f"indentation: indent it {where} to make it a touchpoint"
            if _is_block(touchpoints):
                spaces = _spaces(touchpoints.column - key.column)
                hint = f"indentation: indent it by {spaces}, {where}, to make it a touchpoint"
            return (
                f"'{key.value}' is indented like a top-level key, so it is read as one of "
                "the journey, not as a touchpoint",
                hint,
            )
        return None

    def touchpoint(
        self, tid: str, key: Scalar, node: Node, present: Collection[str] = ()
    ) -> Touchpoint | None:
        what = f"touchpoint '{tid}'"

        def explain(field_key: Scalar, _: Node, spec: _Entries) -> tuple[str, str | None] | None:
            return self.explain_touchpoint_key(tid, field_key, spec)

        spec = self.mapping(node, tid, what, "touchpoint", present=present, explain=explain)
        if spec is None:
            return None
        values = self.values(spec, "touchpoint", what, skip=("next",))
        if "next" in spec:
            values["next"] = self.transitions(tid, spec["next"])
        next_node = spec["next"][1] if "next" in spec else None
        if "outcome" in spec and type(next_node) is SeqNode and next_node.items:
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
        kwargs = self.build("touchpoint", values)
        kwargs["name"] = kwargs["name"] or tid
        return Touchpoint(id=tid, location=self.loc(key), **kwargs)

    def explain_touchpoint_key(
        self, tid: str, key: Scalar, spec: _Entries
    ) -> tuple[str, str | None] | None:
        """A transition's key written among its touchpoint's keys, below ``next``: most
        likely dedented out of the transition above it."""
        name = key.value
        if name not in _TRANSITION_KEYS:
            return None
        nxt = spec.get("next")
        items = nxt[1].items if nxt is not None and type(nxt[1]) is SeqNode else []
        before = [item for item in items if item.line < key.line]
        if not before:
            hint = did_you_mean(name, SECTION_KEYS["touchpoint"]) or (
                f"'{name}' is a transition key: put it in a transition under 'next'"
            )
            return f"unknown key '{name}' in touchpoint '{tid}'", hint
        if name == "share":  # the touchpoint's shares are not what the file meant: skip them
            self.unsure.add(tid)
        item = before[-1]
        line = item.line + 1
        message = (
            f"'{name}' is indented like a key of touchpoint '{tid}', "
            "so it is read as one (it is a transition key)"
        )
        if type(item) is Scalar:
            return message, (
                f"indentation: write the transition to '{item.value}' (line {line}) as a "
                f"mapping, '- to: {item.value}', and indent '{name}' under it"
            )
        if type(item) is not MapNode or not item.pairs:
            return message, f"indentation: move it into the transition at line {line}"
        target = next(
            (
                v.value
                for k, v in item.pairs
                if type(k) is Scalar and k.value == "to" and type(v) is Scalar
            ),
            None,
        )
        where = f"the transition to '{target}'" if target else "the transition"
        if not _is_block(item):
            return message, f"indentation: move it into {where} (line {line}), inside its braces"
        return message, (
            f"indentation: indent it under {where} (line {line}) "
            f"by {_spaces(item.column - key.column)}"
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

    def transitions(self, source: str, entry: tuple[Scalar, Node]) -> tuple[Transition, ...]:
        next_key, node = entry
        out: list[Transition] = []
        seen: dict[str, Node] = {}
        what = f"a transition of '{source}'"
        context = f"'next' of touchpoint '{source}'"

        def explain(key: Scalar, _: Node, spec: _Entries) -> tuple[str, str | None] | None:
            if key.value not in _TOUCHPOINT_KEYS or key.column <= next_key.column:
                return None
            return (
                f"'{key.value}' is indented like a key of {what}, "
                "so it is read as one (it is a touchpoint key)",
                f"indentation: dedent it by {key.column - next_key.column} spaces to line up "
                f"with 'next' (line {next_key.line + 1})",
            )

        for item in self.sequence(node, "next"):
            values: dict[str, Any] = {}
            if type(item) is MapNode:
                spec = self.mapping(item, "next", what, "transition", explain=explain)
                if spec is None or "to" not in spec:
                    continue
                target_node = spec["to"][1]
                values = self.values(spec, "transition", what, skip=("to",))
                if "share" in spec and values["share"] is None:
                    self.unsure.add(source)
            else:
                target_node = item
            target = self.ref(
                target_node, "next" if target_node is item else "to", "touchpoint", context
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
            kwargs = self.build("transition", values)
            del kwargs["target"]
            out.append(Transition(source, target, location=self.loc(item), **kwargs))
        return tuple(out)

    # -- references and whole-journey rules ------------------------------------------------

    def check_refs(
        self,
        known: Mapping[str, Iterable[str]],
        names: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        """Report references to undeclared ids, suggesting the closest declared one.

        ``names`` gives display names by kind (``{"function": {"service": "Customer
        Service"}}``), so a reference written as a name also finds its id.
        """
        sets = {kind: (set(ids), list(ids)) for kind, ids in known.items()}
        for ref in self.refs:
            entry = sets.get(ref.kind)
            usable = entry is not None and ref.kind not in self.broken
            if ref.invalid:
                hint = None
                if usable and entry is not None:
                    hint = self.suggest(ref.value, entry[1], (names or {}).get(ref.kind))
                self.error(
                    ref.node,
                    f"invalid id '{ref.value}' in '{ref.name}'",
                    hint or _slug_hint(ref.value),
                )
                continue
            if not usable or entry is None or ref.value in entry[0]:
                continue
            hint = self.suggest(ref.value, entry[1], (names or {}).get(ref.kind))
            if hint is None and not entry[0]:
                hint = f"declare it under '{ref.kind}s'" if ref.kind != "touchpoint" else None
            self.error(ref.node, f"unknown {ref.kind} '{ref.value}' in {ref.context}", hint)
        self.refs.clear()

    @staticmethod
    def suggest(value: str, ids: list[str], names: Mapping[str, str] | None) -> str | None:
        """A "did you mean" hint: the declared id whose display name ``value`` is (``Field
        service`` -> ``field``), else the closest id, else the id of the closest name."""
        by_name: dict[str, str] = {}
        for ident, display in (names or {}).items():
            by_name.setdefault(display, ident)
        folded = {display.casefold(): display for display in by_name}
        name = folded.get(value.casefold())
        if name is None:
            hint = did_you_mean(value, ids)
            if hint is not None:
                return hint
            close = close_matches(value, by_name)
            if not close:
                return None
            name = close[0]
        ident = by_name[name]
        if name.casefold() == ident.casefold():
            return f"did you mean '{ident}'?"
        return f"did you mean '{ident}' ({name})?"

    def check_journey(self, entry: tuple[Scalar, Node], touchpoints: dict[str, Touchpoint]) -> None:
        key, node = entry
        if not touchpoints:
            return
        targets = {t.target for tp in touchpoints.values() for t in tp.next}
        marked = [tp for tp in touchpoints.values() if tp.entry]
        entries = marked or [tp for tp in touchpoints.values() if tp.id not in targets]
        if not entries and type(node) is MapNode and len(touchpoints) == len(node.pairs):
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


def _bound(value: float | None) -> int:
    assert value is not None, "integer fields are bounded"
    return int(value)


#: The reader of each value type of journeymap/fields.py (sections and lists of them are walked
#: by the _Reader methods above).
_CONVERTERS: Mapping[str, _Converter] = {
    "text": lambda r, f, node, context: r.text(node, f.name),
    "texts": lambda r, f, node, context: r.texts(node, f.name),
    "text-or-texts": lambda r, f, node, context: r.text_or_texts(node, f.name),
    "id": lambda r, f, node, context: r.ident(node, f.name),
    "ids": lambda r, f, node, context: r.idents(node, f.name),
    "ref": lambda r, f, node, context: r.ref(node, f.name, str(f.type.ref), context),
    "refs": lambda r, f, node, context: r.ref_list(node, f.name, str(f.type.ref), context),
    "boolean": lambda r, f, node, context: r.boolean(node, f.name),
    "integer": lambda r, f, node, context: r.integer(
        node, f.name, _bound(f.type.low), _bound(f.type.high)
    ),
    "number": lambda r, f, node, context: r.number(node, f.name, f.type.high, f.type.normal),
    "duration": lambda r, f, node, context: r.duration(node, f.name),
    "kpis": lambda r, f, node, context: r.kpis(node),
    "version": lambda r, f, node, context: r.version(node),
}

#: Per section, each key's field, model attribute and reader (None: walked by the caller).
_PLANS: Mapping[str, Mapping[str, tuple[Field, str, _Converter | None]]] = {
    s.name: {
        name: (f, f.model_attr, _CONVERTERS.get(f.type.kind)) for name, f in _FIELDS[s.name].items()
    }
    for s in SECTIONS
}
