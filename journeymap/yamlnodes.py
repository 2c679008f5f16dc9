"""Safe YAML reading with positions: text decoding, parse events, and a light node tree.

The loader never runs a YAML constructor. It reads libyaml's parse events (or PyYAML's pure
Python parser when libyaml is absent) and composes them here, iteratively, into a small tree:

- a scalar is a :class:`Scalar` (``value``, ``tag``, ``style``, ``line``, ``column``);
- a mapping is a :class:`MapNode` holding ``(key, value)`` pairs in file order;
- a sequence is a :class:`SeqNode` holding its items;
- anything already reported (a forbidden tag, an alias) is a :class:`BadNode`, which later stages
  skip silently so one mistake gives one message.

Every node carries its 0-based ``line`` and ``column``; :func:`location` makes them 1-based.
Nodes are small ``__slots__`` objects, not libyaml's events: a ``ScalarEvent`` with its instance
dictionary and two ``Mark`` objects is about 490 bytes, a :class:`Scalar` about 100 (the tree of a
100,000-touchpoint journey holds over two million scalars; see docs/performance.md).

Composing from events instead of calling ``yaml.compose`` is deliberate: PyYAML's C composer
recurses once per nesting level and crashes the interpreter (segmentation fault) on ~100,000
nested brackets, it resolves every scalar's type with Python regular expressions (most of its
time), and it hides whether a tag was written or implied. Here nesting is capped, anchors and
aliases are refused outright (so alias bombs cost nothing), and only the standard tags pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from journeymap.errors import Problem
from journeymap.model import Location

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MapNode",
    "Scalar",
    "SeqNode",
    "BadNode",
    "Node",
    "Parsed",
    "decode",
    "parse",
    "parse_file",
    "describe",
    "is_null",
]

#: Deepest nesting of mappings and sequences accepted (a journey needs about seven).
MAX_DEPTH = 64
#: Largest file accepted, in bytes.
MAX_FILE_BYTES = 64 * 1024 * 1024

try:  # libyaml's parser when PyYAML was built with it
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

_CORE = "tag:yaml.org,2002:"
#: Explicit tags a journey may carry; they only restate what plain YAML already means.
ALLOWED_TAGS = frozenset(
    _CORE + name for name in ("str", "int", "float", "bool", "null", "seq", "map")
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_SHARE_LENGTH = 64  # texts up to this long are stored once per distinct value


class Scalar:
    """A YAML scalar: its text as written, its explicit tag (or None), its quoting style."""

    __slots__ = ("value", "tag", "style", "line", "column")

    def __init__(self, value: str, tag: str | None, style: str | None, line: int, column: int):
        self.value = value
        self.tag = tag
        self.style = style
        self.line = line
        self.column = column


class MapNode:
    """A YAML mapping: ``pairs`` of (key node, value node) in file order."""

    __slots__ = ("line", "column", "pairs")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column
        self.pairs: list[tuple[Node, Node]] = []


class SeqNode:
    """A YAML sequence: ``items`` in file order."""

    __slots__ = ("line", "column", "items")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column
        self.items: list[Node] = []


class BadNode:
    """A node that was already reported (forbidden tag, anchor or alias); skip it quietly."""

    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


Node = MapNode | SeqNode | BadNode | Scalar


@dataclass
class Parsed:
    """The outcome of reading one file: its root node (or None) and the problems found."""

    path: str
    root: Node | None
    problems: list[Problem] = field(default_factory=list)


def location(path: str, node: Any) -> Location:
    """The 1-based :class:`Location` of a node or a YAML mark (both have 0-based line, column)."""
    return Location(path, node.line + 1, node.column + 1)


def is_null(node: Any) -> bool:
    """True for an empty value, a plain ``~``/``null``, or an explicit ``!!null``."""
    if node.__class__ is not Scalar:
        return False
    if node.tag is None:
        return not node.style and node.value in _NULLS
    return bool(node.tag == _CORE + "null")


def describe(node: Any) -> str:
    """How a node reads in an error message: ``a list``, ``nothing``, ``'yes'``, ..."""
    if isinstance(node, MapNode):
        return "a mapping"
    if isinstance(node, SeqNode):
        return "a list"
    if isinstance(node, BadNode):
        return "an unsupported value"
    if is_null(node):
        return "nothing"
    value = node.value
    if len(value) > 40:
        value = value[:37] + "..."
    value = value.replace("\n", "\\n")
    if node.style in ('"', "'"):
        return f"the text {node.style}{value}{node.style}"
    return f"'{value}'"


def decode(data: bytes, path: str) -> tuple[str | None, list[Problem]]:
    """Decode a file's bytes as UTF-8 (a byte order mark is allowed)."""
    if len(data) > MAX_FILE_BYTES:
        return None, [
            Problem(
                Location(path, 1, 1),
                f"file too large (more than {_size(MAX_FILE_BYTES)})",
                "split it into several journeys",
            )
        ]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None, [Problem(Location(path, 1, 1), "file is UTF-16 encoded", "save it as UTF-8")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        before = data[: err.start]
        line = before.count(b"\n") + 1
        col = len(before) - (before.rfind(b"\n") + 1) + 1
        return None, [
            Problem(
                Location(path, line, col),
                f"not valid UTF-8 (byte 0x{data[err.start]:02x})",
                "save the file as UTF-8 text",
            )
        ]
    return text, []


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MiB" if n >= 1024 * 1024 else f"{n} bytes"


def _offset_location(text: str, offset: int, path: str) -> Location:
    line = text.count("\n", 0, offset) + 1
    return Location(path, line, offset - (text.rfind("\n", 0, offset) + 1) + 1)


def parse_file(path: str) -> Parsed:
    """Read and parse one file; unreadable files give a problem, never an exception."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        reason = err.strerror or str(err)
        return Parsed(path, None, [Problem(Location(path, 1, 1), f"cannot read file: {reason}")])
    text, problems = decode(data, path)
    if text is None:
        return Parsed(path, None, problems)
    return parse(text, path)


def parse(text: str, path: str) -> Parsed:
    """Parse YAML text into a node tree, collecting problems with their positions."""
    bad = _CONTROL.search(text)
    if bad is not None:
        where = _offset_location(text, bad.start(), path)
        message = f"control character U+{ord(bad.group()):04X} is not allowed"
        return Parsed(path, None, [Problem(where, message, "remove it (is this a text file?)")])
    problems: list[Problem] = []
    root: Node | None = None
    stack: list[MapNode | SeqNode] = []
    pending_key: list[Node | None] = []  # per open mapping: the key waiting for its value
    tainted: list[bool] = []  # per open collection: carries a forbidden tag
    documents = 0
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    doc_start = yaml.DocumentStartEvent
    allowed = ALLOWED_TAGS
    # one string object per distinct short text: keys, ids and references repeat thousands of
    # times in a large journey, and the model then shares them too
    shared: dict[str, str] = {}
    share = shared.setdefault
    events: Iterator[Any] = yaml.parse(text, Loader=_Loader)
    try:
        for event in events:
            cls = event.__class__
            node: Node
            if cls is scalar:
                mark = event.start_mark
                tag = event.tag
                if tag is not None and tag not in allowed:
                    problems.append(_tag_problem(path, event))
                    node = BadNode(mark.line, mark.column)
                elif event.anchor is not None:
                    problems.append(_anchor_problem(path, event))
                    node = Scalar(event.value, tag, event.style, mark.line, mark.column)
                elif event.style == '"' and _SURROGATE.search(event.value):
                    problems.append(
                        Problem(
                            location(path, mark),
                            "text contains a lone surrogate escape (such as \\ud800)",
                            "use a real character or its \\U escape",
                        )
                    )
                    node = BadNode(mark.line, mark.column)
                else:
                    value = event.value
                    if len(value) <= _SHARE_LENGTH:
                        value = share(value, value)
                    node = Scalar(value, tag, event.style, mark.line, mark.column)
            elif cls is map_start or cls is seq_start:
                if len(stack) >= MAX_DEPTH:
                    problems.append(
                        Problem(
                            location(path, event.start_mark),
                            f"nesting too deep (more than {MAX_DEPTH} levels)",
                            "a journey needs only a few levels",
                        )
                    )
                    return Parsed(path, None, problems)
                tagged = event.tag is not None and event.tag not in allowed
                if tagged:
                    problems.append(_tag_problem(path, event))
                elif event.anchor is not None:
                    problems.append(_anchor_problem(path, event))
                tainted.append(tagged)
                mark = event.start_mark
                collection: MapNode | SeqNode = (
                    MapNode(mark.line, mark.column)
                    if cls is map_start
                    else SeqNode(mark.line, mark.column)
                )
                stack.append(collection)
                pending_key.append(None)
                continue
            elif cls is map_end or cls is seq_end:
                node = stack.pop()
                pending_key.pop()
                if tainted.pop():  # a forbidden tag: already reported, skip its contents
                    node = BadNode(node.line, node.column)
            elif cls is alias:
                problems.append(
                    Problem(
                        location(path, event.start_mark),
                        f"alias *{event.anchor} is not supported",
                        "write the value out; anchors and aliases are not allowed",
                    )
                )
                node = BadNode(event.start_mark.line, event.start_mark.column)
            elif cls is doc_start:
                documents += 1
                if documents > 1:
                    problems.append(
                        Problem(
                            location(path, event.start_mark),
                            "several YAML documents in one file",
                            "put one journey per file",
                        )
                    )
                    return Parsed(path, root, problems)
                continue
            else:  # stream start/end, document end
                continue
            # attach the finished node to its parent
            if not stack:
                root = node
            else:
                parent = stack[-1]
                if parent.__class__ is SeqNode:
                    parent.items.append(node)
                else:
                    key = pending_key[-1]
                    if key is None:
                        pending_key[-1] = node
                    else:
                        parent.pairs.append((key, node))  # type: ignore[union-attr]
                        pending_key[-1] = None
    except yaml.MarkedYAMLError as err:
        problems.append(_syntax_problem(path, text, err))
        return Parsed(path, None, problems)
    except yaml.YAMLError as err:  # reader errors carry no line; decode() prevents most
        problems.append(Problem(Location(path, 1, 1), f"YAML error: {err}"))
        return Parsed(path, None, problems)
    except RecursionError:  # pragma: no cover - the pure-Python parser is iterative
        problems.append(Problem(Location(path, 1, 1), "nesting too deep"))
        return Parsed(path, None, problems)
    return Parsed(path, root, problems)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _tag_problem(path: str, event: Any) -> Problem:
    return Problem(
        location(path, event.start_mark),
        f"tag {_short_tag(event.tag)} is not allowed",
        "journey files hold plain text, numbers, true/false, lists and mappings",
    )


def _anchor_problem(path: str, event: Any) -> Problem:
    return Problem(
        location(path, event.start_mark),
        f"anchor &{event.anchor} is not supported",
        "write the value out; anchors and aliases are not allowed",
    )


def _syntax_problem(path: str, text: str, err: yaml.MarkedYAMLError) -> Problem:
    mark = err.problem_mark or err.context_mark
    if mark is None:  # pragma: no cover - PyYAML always sets one of them
        return Problem(Location(path, 1, 1), f"YAML syntax error: {err.problem}")
    where = location(path, mark)
    offset = _mark_offset(text, mark)
    if offset is not None and offset < len(text) and text[offset] == "\t":
        return Problem(where, "tab character in indentation", "indent with spaces, not tabs")
    message = f"YAML syntax error: {err.problem}"
    if err.context:
        message += f" ({err.context}"
        if err.context_mark is not None and err.context_mark is not mark:
            message += f" at line {err.context_mark.line + 1}"
        message += ")"
    return Problem(where, message)


def _mark_offset(text: str, mark: Any) -> int | None:
    """The character offset of a mark (libyaml's ``index`` counts characters too)."""
    if mark.line == 0:
        return mark.column
    start = -1
    for _ in range(mark.line):
        start = text.find("\n", start + 1)
        if start < 0:
            return None
    return start + 1 + mark.column
