"""Quoting and escaping of journey text for DOT, HTML-like labels and SVG attributes.

Nothing a journey file says may become DOT syntax, an attribute, a port, an HTML-like tag (an
``<IMG>`` reads a local file) or a Graphviz escape (``\\N``, ``\\G``, ``\\l``). Every id and
label in our DOT goes through one of these functions; pydot passes strings that are already
double-quoted (``"..."``) or HTML-like (``<...>``) through unchanged, so we do all quoting
ourselves instead of trusting its heuristics.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = [
    "MAX_TEXT",
    "GRAPHVIZ_STRING_LIMIT",
    "clean_text",
    "clip",
    "dot_quote",
    "svg_id",
    "wrap",
]

#: Graphviz rejects strings of 16,384 characters or more; we stay far below.
GRAPHVIZ_STRING_LIMIT = 16_384
#: The longest piece of journey text a diagram shows (the full text stays in reports).
MAX_TEXT = 160

# Explicit bidirectional embeddings, overrides and isolates (and the Arabic letter mark): they
# reorder the text that follows them, so a name could make a label read differently from
# what it says. Right-to-left letters themselves are kept; these invisible controls are not.
_BIDI_CONTROLS = dict.fromkeys(
    [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
)
_SPACE_RUNS = re.compile(r"[ \t\n\r\f\v\u2028\u2029\x85]+")


def clean_text(text: object) -> str:
    """Normalise journey text for display: NFC, no control or bidi-control characters.

    Line breaks and tabs become single spaces (diagrams wrap text themselves); other control
    characters (NUL would cut the DOT short; most are invalid in SVG) become U+FFFD; lone
    surrogates become U+FFFD too.
    """
    s = str(text)
    # nothing to normalise: isprintable() is False for every control, format (bidi),
    # surrogate, line/paragraph separator and non-ASCII space character
    if (
        s.isprintable()
        and "  " not in s
        and s == s.strip()
        and (s.isascii() or unicodedata.is_normalized("NFC", s))
    ):
        return s
    s = s.encode("utf-8", "replace").decode("utf-8") if _has_surrogates(s) else s
    s = unicodedata.normalize("NFC", s).translate(_BIDI_CONTROLS)
    s = _SPACE_RUNS.sub(" ", s).strip()
    return "".join("\ufffd" if _is_control(ch) else ch for ch in s)


def _has_surrogates(s: str) -> bool:
    return any(0xD800 <= ord(ch) <= 0xDFFF for ch in s)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs") or ch in "\ufffe\uffff"


def clip(text: object, limit: int = MAX_TEXT) -> str:
    """:func:`clean_text`, cut to ``limit`` characters with an ellipsis when longer."""
    s = clean_text(text)
    if len(s) <= limit:
        return s
    return s[: max(limit - 1, 0)].rstrip() + "\u2026"


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap at ``width`` characters; words longer than a line are split."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:width])
            word = word[width:]
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current = f"{current} {word}"
        else:
            lines.append(current)
            current = word
    if current or not lines:
        lines.append(current)
    return lines


def dot_quote(text: object) -> str:
    """A DOT double-quoted string whose value is exactly ``text`` (cleaned).

    Backslashes are doubled so ``\\N``, ``\\G``, ``\\l`` stay literal; quotes are escaped; line
    breaks are already gone. Keywords, colons and braces are harmless inside quotes.
    """
    if type(text) is str:
        return _quote_str(text)
    return _quote_str(str(text))


@functools.lru_cache(maxsize=16384)
def _quote_str(text: str) -> str:
    # most calls quote the same few names, colours and styles again; cached (bounded)
    s = clean_text(text)
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


_ID_SAFE = re.compile(r"[^a-z0-9_-]")


@functools.lru_cache(maxsize=16384)
def svg_id(text: str) -> str:
    """An id fragment safe for SVG/HTML ``id`` and CSS selectors: ``[a-z0-9_-]`` only.

    Journey ids are already lower-case slugs and pass unchanged; anything else (hand-built
    models) has each other character replaced by ``_`` plus its code point in hex, so distinct
    ids stay distinct.
    """
    return _ID_SAFE.sub(lambda m: f"_{ord(m.group()):x}_", text)
