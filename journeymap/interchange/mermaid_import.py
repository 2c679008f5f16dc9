"""Import a Mermaid ``journey`` diagram into a journey file, read as Mermaid reads it.

The text goes through Mermaid's own steps (mermaid 12: ``preprocess.ts``, ``Diagram.fromText``
and ``user-journey/parser/journey.jison``): line endings normalised, YAML frontmatter taken off
(its ``title``), ``%%{directives}%%`` and ``%%`` comment lines removed, entity codes (``#58;``)
protected, then the journey lexer's rules tried in order, case-insensitively, the first that
matches winning. So a line Mermaid reads as a title or a section is one here too, and what
Mermaid refuses is refused with ``path:line:col``.

Sections become stages, tasks touchpoints, scores emotions, the first actor of a task its
function (other actors go to the touchpoint's notes), and the order of the tasks the
transitions; the YAML says in comments what was guessed.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from journeymap.errors import InputError
from journeymap.interchange.mermaid import JS_SPACE, NO_EMOTION_COMMENT
from journeymap.model import Location

__all__ = ["MAX_SOURCE", "import_mermaid"]

#: The longest diagram we read (Mermaid itself renders at most 50,000 characters by default).
MAX_SOURCE = 1_000_000
MAX_ID = 64

_S = f"[{JS_SPACE}]"
# the same characters, for str.strip (JavaScript's trim)
JS_SPACE_CHARS = (
    "\t\n\v\f\r \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000\ufeff")
)
_FLAGS = re.IGNORECASE | re.ASCII  # JavaScript's /i folds ASCII letters only
_JS_DOT = r"[^\n\r\u2028\u2029]"
_DIRECTIVE = re.compile(
    rf"%{{2}}\{{{_S}*(?:(\w+){_S}*:|(\w+)){_S}*(?:(\w+)|((?:(?!\}}%{{2}}){_JS_DOT}|\r?\n)*))?"
    rf"{_S}*(?:\}}%{{2}})?",
    _FLAGS,
)
_COMMENT_LINE = re.compile(rf"^{_S}*%%(?!\{{)[^\n]+\n?", re.MULTILINE)
_TAG_ATTRIBUTES = re.compile(r"<(\w+)([^>]*)>", re.ASCII)
_ENTITY = re.compile(r"#\w+;", re.ASCII)
_STYLE = re.compile(rf"style{_JS_DOT}*:\S*#{_JS_DOT}*;")
_CLASSDEF = re.compile(rf"classDef{_JS_DOT}*:\S*#{_JS_DOT}*;")
_DETECT = re.compile(rf"{_S}*journey")

# journey.jison's lexer: (pattern, token or None to skip, state to push or "pop").
_Rule = tuple[re.Pattern[str], str | None, str | None]


def _rule(pattern: str, token: str | None, state: str | None = None) -> _Rule:
    return (re.compile(pattern, _FLAGS), token, state)


_RULES: dict[str, list[_Rule]] = {
    "INITIAL": [
        _rule(r"%(?!\{)[^\n]*", None),
        _rule(r"[^}]%%[^\n]*", None),
        _rule(r"\n+", "NEWLINE"),
        _rule(f"{_S}+", None),
        _rule(r"#[^\n]*", None),
        _rule(r"journey(?![A-Za-z0-9_])", "journey"),
        _rule(rf"title{_S}[^#\n;]+", "title"),
        _rule(rf"accTitle{_S}*:{_S}*", "acc_title", "acc_title"),
        _rule(rf"accDescr{_S}*:{_S}*", "acc_descr", "acc_descr"),
        _rule(rf"accDescr{_S}*\{{{_S}*", None, "acc_descr_multiline"),
        _rule(rf"section{_S}[^#:\n;]+", "section"),
        _rule(r"[^#:\n;]+", "taskName"),
        _rule(r":[^#\n;]+", "taskData"),
        _rule(r":", ":"),
        _rule(_JS_DOT, "INVALID"),
    ],
    "acc_title": [_rule(r"[^\n]*", "acc_title_value", "pop")],
    "acc_descr": [_rule(r"[^\n]*", "acc_descr_value", "pop")],
    "acc_descr_multiline": [
        _rule(r"\}", None, "pop"),
        _rule(r"[^}]*", "acc_descr_multiline_value"),
    ],
}


class _Text:
    """Text with, for each character, its offset in the source (so tokens keep locations)."""

    def __init__(self, s: str, origin: list[int]) -> None:
        self.s = s
        self.origin = origin

    def sub(self, pattern: re.Pattern[str], repl: Callable[[re.Match[str]], str]) -> _Text:
        out: list[str] = []
        origin: list[int] = []
        last = 0
        for m in pattern.finditer(self.s):
            out.append(self.s[last : m.start()])
            origin += self.origin[last : m.start()]
            new = repl(m)
            out.append(new)
            if new == m.group(0):
                origin += self.origin[m.start() : m.end()]
            else:
                origin += [self.origin[m.start()]] * len(new)
            last = m.end()
        out.append(self.s[last:])
        origin += self.origin[last:]
        return _Text("".join(out), origin)

    def slice(self, start: int, end: int | None = None) -> _Text:
        return _Text(self.s[start:end], self.origin[start:end])


@dataclass
class _Token:
    kind: str
    value: str
    offset: int  # in the source


@dataclass
class _Task:
    name: str
    score_text: str
    people: list[str]
    ignored: str
    offset: int
    score_offset: int
    section: int


@dataclass
class _Diagram:
    title: str | None = None
    title_from: str | None = None
    acc_title: str | None = None
    acc_descr: str | None = None
    sections: list[tuple[str, int]] = field(default_factory=list)
    tasks: list[_Task] = field(default_factory=list)


class _Source:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def location(self, offset: int) -> Location:
        line = _bisect(self.starts, offset)
        return Location(self.path, line + 1, offset - self.starts[line] + 1)

    def fail(self, offset: int, message: str, hint: str | None = None) -> InputError:
        return InputError.at(self.location(offset), message, hint)


def _bisect(starts: list[int], offset: int) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _is_space(ch: str) -> bool:
    return re.match(_S, ch) is not None


def _frontmatter(text: str) -> tuple[str, str, int] | None:
    """Mermaid's matchFrontMatter: (indent, body, length) of a leading ``---`` block."""
    cursor = 0
    while cursor < len(text) and _is_space(text[cursor]) and text[cursor] not in "\n\r":
        cursor += 1
    indent = text[:cursor]
    if not text.startswith("---", cursor):
        return None
    opening_ends = []
    i = cursor + 3
    while i < len(text) and _is_space(text[i]):
        if text[i] in "\n\r":
            opening_ends.append(i)
        i += 1
    if not opening_ends:
        return None
    fence = indent + "---"

    def closing_end(i: int) -> int:
        if text[i] not in "\n\r" or not text.startswith(fence, i + 1):
            return -1
        index = -1
        j = i + 1 + len(fence)
        while j < len(text) and _is_space(text[j]):
            if text[j] in "\n\r":
                index = j
            j += 1
        return index

    last_fence = -1
    for i in range(opening_ends[0] + 1, len(text)):
        if closing_end(i) != -1:
            last_fence = i
    if last_fence == -1:
        return None
    opening_end = opening_ends[0]
    for candidate in opening_ends:
        if candidate < last_fence:
            opening_end = candidate
    body_start = opening_end + 1
    for i in range(body_start, last_fence + 1):
        end = closing_end(i)
        if end != -1:
            return indent, text[body_start:i], end + 1
    return None


def _decode(value: str) -> str:
    """The text a browser shows for ``value``: Mermaid's entity codes (U+FB02 U+00B0 ...
    U+00B6 U+00DF while it parses) become '&...;' in the SVG it writes, around text the SVG
    serialiser has escaped, and the browser decodes the result once."""
    svg = html.escape(value, quote=False)
    svg = (
        svg.replace("\ufb02\u00b0\u00b0", "&#")
        .replace("\ufb02\u00b0", "&")
        .replace("\u00b6\u00df", ";")
    )
    return html.unescape(svg)


def _entity(m: re.Match[str]) -> str:
    inner = m.group(0)[1:-1]
    if re.fullmatch(r"\+?\d+", inner):
        return f"\ufb02\u00b0\u00b0{inner}\u00b6\u00df"
    return f"\ufb02\u00b0{inner}\u00b6\u00df"


def _single_quoted(m: re.Match[str]) -> str:
    """Mermaid's cleanupText: double-quoted attribute values in tags become single-quoted."""
    return "<" + m.group(1) + re.sub(r'="([^"]*)"', r"='\1'", m.group(2)) + ">"


def _prepare(source: _Source) -> tuple[_Text, str | None]:
    """The text Mermaid's journey parser sees, and the frontmatter title."""
    text = source.text
    t = _Text(text, list(range(len(text) + 1))[:-1])
    t = t.sub(_TAG_ATTRIBUTES, _single_quoted)
    title = None
    front = _frontmatter(t.s)
    if front is not None:
        indent, body, length = front
        if indent:
            body = "\n".join(
                line[len(indent) :] if line.startswith(indent) else line
                for line in body.split("\n")
            )
        try:
            meta = yaml.safe_load(body)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            line = 1 + (mark.line if mark is not None else 0)
            col = len(indent) + (mark.column if mark is not None else 0)
            offset = source.starts[min(line, len(source.starts) - 1)] + col
            raise source.fail(
                offset,
                f"frontmatter is not valid YAML ({getattr(err, 'problem', None) or err})",
                "the block between the --- lines holds YAML such as 'title: My journey'",
            ) from None
        if isinstance(meta, dict) and meta.get("title") not in (None, "", False, 0):
            title = str(meta["title"])
        t = t.slice(length)
    t = t.sub(_DIRECTIVE, lambda m: "")
    t = t.sub(_COMMENT_LINE, lambda m: "")
    t = t.slice(len(t.s) - len(t.s.lstrip(JS_SPACE_CHARS)))  # trimStart
    t = t.sub(_STYLE, lambda m: m.group(0)[:-1])
    t = t.sub(_CLASSDEF, lambda m: m.group(0)[:-1])
    t = t.sub(_ENTITY, _entity)
    return _Text(t.s + "\n", t.origin + [len(source.text)]), title


def _tokens(t: _Text, source: _Source) -> list[_Token]:
    states = ["INITIAL"]
    pos = opened = 0
    result: list[_Token] = []
    while True:
        rules = _RULES[states[-1]]
        if pos >= len(t.s):
            if states[-1] == "acc_descr_multiline":
                raise source.fail(
                    opened, "'accDescr {' is not closed", "end the description with a line '}'"
                )
            result.append(_Token("EOF", "", len(source.text)))
            return result
        for pattern, token, state in rules:
            m = pattern.match(t.s, pos)
            if m is None:
                continue
            offset = t.origin[pos] if pos < len(t.origin) else len(source.text)
            if token is not None:
                result.append(_Token(token, m.group(0), offset))
            if state == "pop":
                states.pop()
            elif state is not None:
                states.append(state)
                opened = offset
            pos = m.end()
            break
        else:  # only an empty match is left (a state whose rules all need text)
            raise source.fail(t.origin[pos], "Mermaid cannot read this text")


_HINTS = {
    "journey": "Mermaid reads 'journey' at the start of a line as the diagram keyword; "
    "write its first letter as an entity code, e.g. #106;ourney",
    ":": "a task is 'name: score: actor, actor'; this ':' has no task name before it",
    "INVALID": "Mermaid ends a statement at ';' and starts a comment at '#'; write them as #59; and #35;",
}


def _parse(t: _Text, source: _Source) -> _Diagram:
    if not _DETECT.match(re.sub(r"%%[^\n]*", "", t.s)):
        first = t.s.strip(" \t\n").split("\n")[0][:40]
        where = t.origin[len(t.s) - len(t.s.lstrip(" \t\n"))] if t.s.strip() else 0
        raise source.fail(
            where,
            f"not a Mermaid journey diagram (it starts with {first!r})"
            if first
            else "empty diagram",
            "journeymap imports Mermaid 'journey' diagrams: the first line says 'journey'",
        )
    tokens = _tokens(t, source)
    d = _Diagram()
    it = iter(tokens)
    before = ""  # the kind of the token before this one (newlines aside)
    opening = next(it)
    if opening.kind != "journey":
        raise source.fail(
            opening.offset,
            f"expected 'journey' first, found {opening.value[:40]!r}",
            "a Mermaid journey diagram starts with the line 'journey' (after any frontmatter)",
        )
    for tok in it:
        kind, value = tok.kind, tok.value
        if kind == "NEWLINE":
            continue
        before, kind_before = kind, before
        if kind == "EOF":
            return d
        if kind == "title":
            d.title, d.title_from = _decode(value[6:]).strip(), "title"
        elif kind == "acc_title":
            d.acc_title = _decode(next(it).value).strip()
        elif kind == "acc_descr":
            d.acc_descr = _decode(next(it).value).strip()
        elif kind == "acc_descr_multiline_value":
            d.acc_descr = "\n".join(line.strip() for line in _decode(value).strip().split("\n"))
        elif kind == "section":
            d.sections.append((_decode(value[8:]).strip(), tok.offset))
        elif kind == "taskName":
            data = next(it)
            if data.kind != "taskData":
                name = _decode(value).strip()
                raise source.fail(
                    data.offset if data.kind != "EOF" else tok.offset + len(value.rstrip()),
                    f"task {name[:60]!r} has no score",
                    f"write it as '{name[:30]}: 3: Actor' (score 1 to 5, then actors)",
                )
            pieces = data.value[1:].split(":")
            people = (
                [p.strip(JS_SPACE_CHARS) for p in pieces[1].split(",")] if len(pieces) > 1 else []
            )
            d.tasks.append(
                _Task(
                    name=_decode(value).strip(JS_SPACE_CHARS),
                    score_text=pieces[0],
                    people=[_decode(p).strip() for p in people if p],
                    ignored=":".join(pieces[2:]),
                    offset=tok.offset,
                    score_offset=data.offset
                    + 1
                    + len(pieces[0])
                    - len(pieces[0].lstrip(JS_SPACE_CHARS)),
                    section=len(d.sections) - 1,
                )
            )
        elif kind == "taskData" and kind_before == "section":
            section = d.sections[-1][0]
            raise source.fail(
                tok.offset,
                f"Mermaid reads 'section {section[:40]}' as a section, so {tok.value[:40]!r} has no task",
                "write the task's first letter as an entity code, e.g. #115;ection",
            )
        else:
            raise source.fail(tok.offset, f"unexpected {value[:40]!r}", _HINTS.get(kind))
    return d


def _js_number(text: str) -> float:
    """JavaScript's Number(text) for the score text of a task."""
    s = text.strip(JS_SPACE_CHARS)
    if s == "":
        return 0.0
    if re.fullmatch(r"0[xX][0-9a-fA-F]+", s):
        return float(int(s, 16))
    if re.fullmatch(r"0[oO][0-7]+", s):
        return float(int(s[2:], 8))
    if re.fullmatch(r"0[bB][01]+", s):
        return float(int(s[2:], 2))
    if re.fullmatch(r"[+-]?(Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?)", s):
        return float(s.replace("Infinity", "inf"))
    return math.nan


def _slug(name: str, fallback: str, used: set[str]) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[: MAX_ID - 4].strip("-")
    base = base or fallback
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}-{n}"
    used.add(candidate)
    return candidate


def _no_emotion_lines(text: str) -> set[int]:
    """0-based lines that hold the export's no-emotion marker comment."""
    return {i for i, line in enumerate(text.split("\n")) if line.strip() == NO_EMOTION_COMMENT}


def import_mermaid(text: str, path: str, title: str | None = None) -> str:
    """Journey YAML from a Mermaid ``journey`` diagram; problems cite ``path:line:col``.

    The title is the diagram's (``title``, else the frontmatter's, else ``accTitle``), else
    ``title``, else the file's name. Comments in the YAML say what was guessed.
    """
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    source = _Source(text, path)
    if len(text) > MAX_SOURCE:
        raise source.fail(0, f"diagram is {len(text):,} characters, more than {MAX_SOURCE:,}")
    prepared, front_title = _prepare(source)
    d = _parse(prepared, source)
    guesses: list[str] = []
    if d.title is None and front_title:
        d.title, d.title_from = front_title, "frontmatter"
    if not d.title and d.acc_title:
        d.title, d.title_from = d.acc_title, "accTitle"
        guesses.append("title: the diagram's accTitle (it has no title)")
    if not d.title:
        d.title = (
            title or path.rsplit("/", 1)[-1].split(".")[0].replace("-", " ").title() or "Journey"
        )
        guesses.append(
            "title: given on the command line" if title else "title: made from the file name"
        )
    if not d.tasks:
        raise source.fail(
            len(text),
            "the diagram has no tasks",
            "a task is a line 'name: score: actor' under a section",
        )
    markers = _no_emotion_lines(text)
    stage_ids: set[str] = set()
    stages: list[dict[str, str]] = []
    if any(task.section < 0 for task in d.tasks):
        stages.append({"id": _slug("start", "start", stage_ids), "name": "(no section)"})
        guesses.append("stage '(no section)': for the tasks before the first section")
    first_section = len(stages)
    for name, _offset in d.sections:
        stages.append(
            {"id": _slug(name, f"s{len(stages) + 1}", stage_ids), "name": name or "(unnamed)"}
        )
    function_ids: dict[str, str] = {}
    used_fn: set[str] = set()
    used_tp: set[str] = set()
    touchpoints: list[tuple[str, dict[str, Any], list[str]]] = []
    for n, task in enumerate(d.tasks):
        notes: list[str] = []
        where = source.location(task.offset)
        score = _js_number(task.score_text)
        if not (score.is_integer() and 1 <= score <= 5):
            raise source.fail(
                task.score_offset,
                f"score {task.score_text.strip()!r} of task {task.name[:40]!r} is not a whole number 1..5",
                "Mermaid's scores go from 1 (frustrated) to 5 (delighted)",
            )
        owner = task.people[0] if task.people else "Unassigned"
        if not task.people:
            notes.append("no actor in Mermaid: owned by 'Unassigned'")
        elif len(task.people) > 1:
            notes.append(
                f"several actors in Mermaid: the first, {owner!r}, owns it; the others are in notes"
            )
        if task.ignored.strip():
            notes.append(f"Mermaid ignores the text after the actors: {task.ignored.strip()!r}")
        if owner not in function_ids:
            function_ids[owner] = _slug(owner, f"f{len(function_ids) + 1}", used_fn)
        tp_id = _slug(task.name, f"t{n + 1}", used_tp)
        body: dict[str, Any] = {
            "name": task.name or f"Task {n + 1}",
            "stage": stages[first_section + task.section]["id"]
            if task.section >= 0
            else stages[0]["id"],
            "function": function_ids[owner],
        }
        if where.line - 2 in markers and score == 3:
            notes.append("no emotion: the export marked its score 3 as a placeholder")
        else:
            body["emotion"] = int(score)
        if len(task.people) > 1:
            body["notes"] = ["Also involved (Mermaid actors): " + ", ".join(task.people[1:])]
        touchpoints.append((tp_id, body, notes))
    for (_tp_id, body, _notes), (next_id, _b, _n) in zip(
        touchpoints, touchpoints[1:], strict=False
    ):
        body["next"] = [next_id]
    guesses.append("transitions: each task leads to the next one in the diagram's order")
    guesses.append("channels, systems and owners of handoffs: not in a Mermaid journey; add them")
    return _yaml(d, stages, function_ids, touchpoints, guesses, path)


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _yaml(
    d: _Diagram,
    stages: list[dict[str, str]],
    functions: dict[str, str],
    touchpoints: list[tuple[str, dict[str, Any], list[str]]],
    guesses: list[str],
    path: str,
) -> str:
    out = [
        f"# Imported from the Mermaid journey {path} by `journeymap import`.",
        "# Guessed, review before relying on the analysis:",
        *(f"#   - {g}" for g in guesses),
    ]
    head: dict[str, Any] = {"journeymap": 1, "title": d.title}
    if d.acc_descr:
        head["description"] = d.acc_descr
    out.append(_dump(head).rstrip("\n"))
    if d.acc_title and d.acc_title != d.title:
        out.append(f"# accTitle: {_comment(d.acc_title)}")
    out.append("functions:  # the diagram's actors")
    out.append(_indent(_dump({fid: {"name": name} for name, fid in functions.items()})))
    out.append("stages:  # the diagram's sections")
    out.append(_indent(_dump(stages)))
    out.append("touchpoints:  # the diagram's tasks, in order; emotion = score")
    for tp_id, body, notes in touchpoints:
        out += [f"  # {_comment(note)}" for note in notes]
        out.append(_indent(_dump({tp_id: body})))
    return "\n".join(out) + "\n"


def _indent(text: str) -> str:
    return "\n".join("  " + line if line else line for line in text.rstrip("\n").split("\n"))


def _comment(text: str) -> str:
    """Text for a YAML comment: one line, printable."""
    return "".join(ch if ch.isprintable() else "?" for ch in " ".join(text.split()))
