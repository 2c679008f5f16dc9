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
from typing import TYPE_CHECKING, Any, TypeAlias

import yaml

from journeymap.errors import Problem
from journeymap.model import Location

if TYPE_CHECKING:
    from yaml._yaml import Mark as _CMark

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
_DEEP = f"nesting too deep (more than {MAX_DEPTH} levels)"
_HINTS = {
    "journey": {
        "deep": "a journey needs only a few levels",
        "tag": "journey files hold plain text, numbers, true/false, lists and mappings",
        "documents": "put one journey per file",
    },
    "config": {
        "deep": "a config file needs only two or three levels",
        "tag": "config files hold plain text, numbers, true/false, lists and mappings",
        "documents": "keep one document in the config file",
    },
}


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
#: A position in the text: PyYAML's pure-Python mark or libyaml's.
_Mark: TypeAlias = "yaml.Mark | _CMark"


@dataclass
class Parsed:
    """The outcome of reading one file: its root node (or None) and the problems found."""

    path: str
    root: Node | None
    problems: list[Problem] = field(default_factory=list)


def location(path: str, node: Node | _Mark) -> Location:
    """The 1-based :class:`Location` of a node or a YAML mark (both have 0-based line, column)."""
    return Location(path, node.line + 1, node.column + 1)


def key_pairs(
    path: str, mapping: MapNode, problems: list[Problem], *, null_keys: bool = True
) -> list[tuple[Scalar, Node]]:
    """A mapping's key/value pairs with plain scalar keys, in file order; a duplicate key, or a
    key that is not a plain name (a null one too unless ``null_keys``), is a problem."""
    seen: dict[str, Scalar] = {}
    pairs: list[tuple[Scalar, Node]] = []
    for key, value in mapping.pairs:
        if not isinstance(key, Scalar) or (not null_keys and is_null(key)):
            if not isinstance(key, BadNode):  # a forbidden tag or an alias: already reported
                problems.append(Problem(location(path, key), "keys must be plain names"))
            continue
        if key.value in seen:
            first = seen[key.value].line + 1
            problems.append(
                Problem(
                    location(path, key),
                    f"duplicate key `{key.value}` (first at line {first})",
                    "keep one of them",
                )
            )
            continue
        seen[key.value] = key
        pairs.append((key, value))
    return pairs


def is_null(node: Node) -> bool:
    """True for an empty value, a plain ``~``/``null``, or an explicit ``!!null``."""
    if node.__class__ is not Scalar:
        return False
    if node.tag is None:
        return not node.style and node.value in _NULLS
    return bool(node.tag == _CORE + "null")


def describe(node: Node) -> str:
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


def parse_file(path: str, kind: str = "journey") -> Parsed:
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
    return parse(text, path, kind)


def parse(text: str, path: str, kind: str = "journey") -> Parsed:
    """Parse YAML text into a node tree, collecting problems with their positions.

    ``kind`` (``"journey"`` or ``"config"``) only words the hints. The messages are ours whatever
    the PyYAML build: when libyaml stops on an error close to deep nesting (its own depth limit
    can fire first, because its scanner reads ahead of the events we count), the text is read
    again with PyYAML's pure-Python parser, which yields events lazily, so the
    :data:`MAX_DEPTH` check speaks first. Files without errors are read once.
    """
    bad = _CONTROL.search(text)
    if bad is not None:
        where = _offset_location(text, bad.start(), path)
        message = f"control character U+{ord(bad.group()):04X} is not allowed"
        return Parsed(path, None, [Problem(where, message, "remove it (is this a text file?)")])
    hints = _HINTS.get(kind, _HINTS["journey"])
    parsed, stop = _compose(text, path, _Loader, hints)
    if stop is None or _Loader is yaml.SafeLoader:
        return parsed
    for loader, prefix in _rereads(text, stop):
        again, _ = _compose(prefix, path, loader, hints)
        if again.problems and again.problems[-1].message == _DEEP:
            return again
    return parsed


class _Stop:
    """Where a parse stopped on a YAML error: the error, the nesting reached, the last event."""

    __slots__ = ("error", "depth", "last")

    def __init__(self, error: yaml.MarkedYAMLError, depth: int, last: yaml.Event | None) -> None:
        self.error = error
        self.depth = depth
        self.last = last


def _rereads(text: str, stop: _Stop) -> Iterator[tuple[type, str]]:
    """The readings that may find a nesting too deep that libyaml's own limit hid.

    Every level opened between the last event and the error needs one of ``[ { - ? :``; with too
    few of them the error is not about depth and nothing is read again. Otherwise: libyaml again
    on the text cut just after enough of them (it cannot reach its own limit there, and a cut
    text only ends in an error after the levels it holds), then, when only flow brackets can
    explain the error, PyYAML's pure-Python parser on the whole text (slower: about 20 times
    libyaml's time up to the error).
    """
    mark = stop.error.problem_mark or stop.error.context_mark
    end = _mark_offset(text, mark) if mark is not None else None
    if end is None:
        return
    start = 0
    if stop.last is not None and stop.last.start_mark is not None:
        start = _mark_offset(text, stop.last.start_mark) or 0
    window = text[start : end + 1]
    needed = MAX_DEPTH - stop.depth + 1
    openers = [i for i, c in enumerate(window) if c in "[{-?:"]
    if len(openers) < needed:
        return
    yield _Loader, text[: start + openers[MAX_DEPTH] + 1] if len(openers) > MAX_DEPTH else text
    if window.count("[") + window.count("{") >= needed:
        yield yaml.SafeLoader, text


def _compose(
    text: str, path: str, loader: type, hints: dict[str, str]
) -> tuple[Parsed, _Stop | None]:
    """Compose the node tree from ``loader``'s parse events (the loop behind :func:`parse`)."""
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
    events: Iterator[Any] = yaml.parse(text, Loader=loader)
    event: Any = None
    try:
        for event in events:
            cls = event.__class__
            node: Node
            if cls is scalar:
                mark = event.start_mark
                tag = event.tag
                if tag is not None and tag not in allowed:
                    problems.append(_tag_problem(path, event.start_mark, event.tag, hints))
                    node = BadNode(mark.line, mark.column)
                elif event.anchor is not None:
                    problems.append(_anchor_problem(path, event.start_mark, event.anchor))
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
                    problems.append(Problem(location(path, event.start_mark), _DEEP, hints["deep"]))
                    return Parsed(path, None, problems), None
                tagged = event.tag is not None and event.tag not in allowed
                if tagged:
                    problems.append(_tag_problem(path, event.start_mark, event.tag, hints))
                elif event.anchor is not None:
                    problems.append(_anchor_problem(path, event.start_mark, event.anchor))
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
                            hints["documents"],
                        )
                    )
                    return Parsed(path, root, problems), None
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
        return Parsed(path, None, problems), _Stop(err, len(stack), event)
    except yaml.YAMLError as err:  # reader errors carry no line; decode() prevents most
        problems.append(Problem(Location(path, 1, 1), f"YAML error: {err}"))
        return Parsed(path, None, problems), None
    except RecursionError:  # pragma: no cover - the pure-Python parser is iterative
        problems.append(Problem(Location(path, 1, 1), _DEEP, hints["deep"]))
        return Parsed(path, None, problems), None
    return Parsed(path, root, problems), None


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_CORE) :] if tag.startswith(_CORE) else tag


def _tag_problem(path: str, mark: _Mark, tag: str, hints: dict[str, str]) -> Problem:
    return Problem(
        location(path, mark),
        f"tag {_short_tag(tag)} is not allowed",
        hints["tag"],
    )


def _anchor_problem(path: str, mark: _Mark, anchor: str) -> Problem:
    return Problem(
        location(path, mark),
        f"anchor &{anchor} is not supported",
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
    explained = _indentation_problem(path, text, mark)
    if explained is not None:
        return explained
    message = f"YAML syntax error: {err.problem}"
    if err.context:
        message += f" ({err.context}"
        if err.context_mark is not None and err.context_mark is not mark:
            message += f" at line {err.context_mark.line + 1}"
        message += ")"
    return Problem(where, message)


def _mark_offset(text: str, mark: _Mark) -> int | None:
    """The character offset of a mark (libyaml's ``index`` counts characters too)."""
    if mark.line == 0:
        return mark.column
    start = -1
    for _ in range(mark.line):
        start = text.find("\n", start + 1)
        if start < 0:
            return None
    return start + 1 + mark.column


# -- explaining indentation mistakes ------------------------------------------------------------
#
# PyYAML reports an over-indented key as "mapping values are not allowed" at its colon (the
# line before was read as a plain scalar running on), and a dedented key or list item as a
# missing key. Those words describe the parser, not the mistake. The explanation below comes
# from the text alone: the indentation of the line the error points at, compared with the
# columns that the content lines above it open (keys and list items of the previous content
# line and of each less-indented line above it).

_KEY = re.compile(
    r"""(?P<key>"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'"""  # a quoted key
    r"""|[^\s#'"\[\]{},&*!|>%@`-][^#\n]*?|-[^\s#][^#\n]*?)"""  # a plain key
    r"[ \t]*:(?=[ \t]|$)"
)
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")
_COMMENT = re.compile(r"[ \t]+#.*$")
_SNIPPET = 30


class _Column:
    """A column a content line opens: a list item's ``-`` or a key."""

    __slots__ = ("col", "kind", "text", "line")

    def __init__(self, col: int, kind: str, text: str, line: int) -> None:
        self.col = col
        self.kind = kind  # "item" or "key"
        self.text = text  # how to name it: 'name:' or '- to: b'
        self.line = line  # 0-based


def _shape(raw: str, number: int) -> tuple[int, list[_Column], str]:
    """A line's indentation, the columns it opens, and what follows its last key or dash."""
    indent = len(raw) - len(raw.lstrip(" "))
    pos = indent
    columns: list[_Column] = []
    while raw.startswith("-", pos) and (pos + 1 == len(raw) or raw[pos + 1] in " \t"):
        columns.append(_Column(pos, "item", _clip(_COMMENT.sub("", raw[pos:]).strip()), number))
        pos += 1
        while pos < len(raw) and raw[pos] in " \t":
            pos += 1
    match = _KEY.match(raw, pos)
    if match is not None:
        columns.append(_Column(pos, "key", match.group("key") + ":", number))
        pos = match.end()
    tail = _COMMENT.sub("", raw[pos:]).strip()
    if tail.startswith("#"):
        tail = ""
    return indent, columns, tail


def _clip(text: str) -> str:
    return text if len(text) <= _SNIPPET else text[: _SNIPPET - 3] + "..."


def _unbalanced(tail: str) -> bool:
    """A value that opens a flow collection or a quoted text continued on later lines."""
    if tail[:1] in ("'", '"') and (len(tail) < 2 or tail[-1] != tail[0]):
        return True
    return tail.count("[") + tail.count("{") != tail.count("]") + tail.count("}")


def _indentation_problem(path: str, text: str, mark: _Mark) -> Problem | None:
    """Say "indentation" when the line at ``mark`` does not fit the columns opened above it."""
    lines = text.split("\n", mark.line + 1)
    if mark.line >= len(lines) or mark.line == 0:
        return None
    number = mark.line
    indent, columns, _ = _shape(lines[number], number)
    if not columns or indent != columns[0].col:
        return None
    # the previous content line, then each less-indented content line above it
    chain: list[tuple[int, list[_Column], str]] = []
    limit: int | None = None
    for n in range(number - 1, -1, -1):
        raw = lines[n]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if raw.startswith(("---", "...")) or "\t" in raw[: len(raw) - len(raw.lstrip())]:
            break
        above = len(raw) - len(raw.lstrip(" "))
        if limit is not None and above >= limit:
            continue
        shape = _shape(raw, n)
        if _BLOCK_SCALAR.match(shape[2]):  # the deeper lines were this block scalar's text
            chain = []
        chain.append(shape)
        limit = above
        if above == 0:
            break
    if not chain or any(_unbalanced(tail) for _, _, tail in chain):
        return None
    previous_indent, previous, previous_tail = chain[0]
    opened = [c for _, cols, _ in chain for c in cols]
    if not previous:
        return None
    first = columns[0]
    what = f"the list item '{first.text}'" if first.kind == "item" else f"'{first.text}'"
    where = Location(path, number + 1, indent + 1)
    deepest = max(c.col for c in opened)
    last = previous[-1]
    holds_value = bool(previous_tail)  # a scalar, or a block scalar whose text has ended

    if first.kind == "item":
        items = [c for c in opened if c.kind == "item"]
        if any(c.col == indent for c in items):
            return None
        if items:
            sibling = items[0]
            side = "less" if indent < sibling.col else "more"
            return Problem(
                where,
                f"indentation: {what} is indented {side} than the list item "
                f"'{sibling.text}' above it (line {sibling.line + 1})",
                "line it up with that item",
            )
    else:
        same = [c for c in opened if c.col == indent]
        if any(c.kind == "key" for c in same):
            return None
        if same:
            item = same[0]
            return Problem(
                where,
                f"indentation: {what} is at the column of the list item '{item.text}' "
                f"above it (line {item.line + 1}), where only list items can be",
                f"indent it under the item, or make it an item with '- {first.text}'",
            )
    if indent > deepest:
        if not holds_value or previous_indent >= indent:
            return None
        if last.kind == "key":
            return Problem(
                where,
                f"indentation: {what} is indented more than the key above it "
                f"(line {last.line + 1})",
                f"line it up with '{last.text}'",
            )
        return Problem(
            where,
            f"indentation: {what} is indented more than the list item above it "
            f"(line {last.line + 1}), which already holds a value",
        )
    deeper_ones = [c for c in opened if c.col > indent]
    if not deeper_ones:  # e.g. a list item at the column of a key: the parser's own message
        return None
    deeper = min(deeper_ones, key=lambda c: (c.col, -c.line))
    shallower = [c for c in opened if c.col < indent]
    message = (
        f"indentation: {what} is indented less than '{deeper.text}' above it "
        f"(line {deeper.line + 1})"
    )
    if not shallower:
        return Problem(where, message, f"line it up with '{deeper.text}'")
    outer = max(shallower, key=lambda c: (c.col, c.kind == "key", c.line))
    return Problem(
        where,
        message + f" but more than '{outer.text}' (line {outer.line + 1})",
        "line it up with one of them",
    )
