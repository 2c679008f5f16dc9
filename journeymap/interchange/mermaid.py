"""Mermaid exports: a ``journey`` diagram and a ``flowchart`` with a subgraph per function.

``journey``: sections are stages, tasks are touchpoints, the score is the emotion and the actor
is the touchpoint's function. ``flowchart``: one subgraph per function, a node per touchpoint,
an edge per transition; handoffs are thick edges numbered by risk (1 = riskiest, as in our
diagrams) and shares label the edges where customers split.

Journey text never becomes Mermaid syntax: what a grammar cannot hold is written as a Mermaid
entity code (``#58;`` for ``:``), which Mermaid renders as the character itself, and a name that
would start a keyword (``section 5``, ``Title of it``, ``journey planning``) has its first letter
written that way. Each function returns the text and notes saying what was escaped or changed
(the CLI prints them on stderr). See docs/interchange.md "Mermaid".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import NamedTuple

from journeymap.analysis.types import JourneyAnalysis
from journeymap.catalog import risk_factors
from journeymap.model import Journey, Location
from journeymap.render.escape import clean_text
from journeymap.render.themes import THEMES

__all__ = [
    "MAX_EDGES",
    "MAX_TEXT_SIZE",
    "MermaidExport",
    "NEUTRAL_SCORE",
    "NO_EMOTION_COMMENT",
    "NOTED_EXPORTS",
    "export_mermaid",
    "export_mermaid_flowchart",
    "mermaid_flowchart",
    "mermaid_journey",
]

#: Mermaid needs a score on every task: a touchpoint without an emotion is drawn neutral.
NEUTRAL_SCORE = 3
#: The comment line written before such a task; ``import mermaid`` reads it back as no emotion.
NO_EMOTION_COMMENT = "%% journeymap: no emotion recorded, the score 3 is a placeholder"
#: Mermaid refuses a diagram longer than this by default (its ``maxTextSize`` setting).
MAX_TEXT_SIZE = 50_000
#: ... and a flowchart with more edges than this (its ``maxEdges`` setting).
MAX_EDGES = 500

# JavaScript's \s, which Mermaid's lexer and String.trim use.
JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# Tokens Mermaid's journey lexer (journey.jison, case-insensitive, first rule wins) matches at
# the start of a line before a task name.
JOURNEY_KEYWORD = re.compile(
    rf"journey(?![A-Za-z0-9_])|title[{JS_SPACE}]|acctitle[{JS_SPACE}]*:"
    rf"|accdescr[{JS_SPACE}]*[:{{]|section[{JS_SPACE}]",
    re.IGNORECASE | re.ASCII,
)
_JS_SPACE_CHAR = re.compile(f"[{JS_SPACE}]")

# Characters written as entity codes. In every journey field: '#' (starts a comment, and
# '#word;' is an entity), ';' and newline (end a token), ':' (ends a task name or splits the
# score from the actors; also keeps Mermaid's `style...:...#...;` rewrite away), '%' (comments
# and %%{ directives }%%), '<' (`<br>` splits a line; tags are sanitised away in titles) and
# the two marker characters Mermaid's own entity decoding uses (U+FB02, U+00B6).
_JOURNEY_SPECIALS = frozenset("#;:%<\ufb02\u00b6")
# Actors are split on ','.
_ACTOR_SPECIALS = _JOURNEY_SPECIALS | {","}
# Flowchart labels are HTML once rendered, in double quotes: also '"', '&', '>', backticks
# (markdown strings), '$' (KaTeX) and '|' (edge labels).
_FLOW_SPECIALS = _JOURNEY_SPECIALS | set('"&>`$|')
# Mermaid holds entity codes as U+FB02 U+00B0 (U+00B0) ... U+00B6 U+00DF while it parses and
# turns them into '&...;' in the SVG it returns; an HTML label is decoded once more, so these
# pairs cannot stay literal there (in journey text, escaping one character of each is enough).
_MARKERS = re.compile("\ufb02(?=\u00b0)|\u00b6(?=\u00df)")
_NAMED = {'"': "#quot;", "&": "#amp;", "<": "#lt;", ">": "#gt;"}


class MermaidExport(NamedTuple):
    """Mermaid text and the notes on what the export escaped, changed or left out."""

    text: str
    notes: tuple[str, ...]


def _code(ch: str) -> str:
    return _NAMED.get(ch) or f"#{ord(ch)};"


def _shown(ch: str) -> str:
    return repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"


class _Writer:
    """Escapes journey text for one Mermaid grammar and collects the notes."""

    def __init__(self, journey: Journey) -> None:
        self.path = journey.path
        self.notes: list[str] = []
        self.escaped: set[str] = set()
        self.fields = 0

    def note(self, where: Location | None, message: str) -> None:
        place = str(where) if where is not None and where.line > 0 else self.path
        self.notes.append(f"{place}: note: {message}")

    def text(
        self,
        raw: str,
        what: str,
        where: Location | None,
        specials: frozenset[str],
        *,
        keyword: bool = False,
        lead: bool = False,
        trail: bool = False,
        quiet: bool = False,
        html: bool = False,
    ) -> str:
        """``raw`` cleaned for display, its specials as entity codes; also the first character
        when it would start a journey ``keyword``, or when Mermaid would skip (``lead``) or trim
        (``trail``) a space there; ``quiet``: no note on cleaning; ``html``: the text is an HTML
        label, which Mermaid decodes twice (see _MARKERS)."""
        shown = clean_text(raw) or "?"
        if shown != raw and not quiet:
            self.note(
                where,
                f"{what} {_clip(raw)}: line breaks, control or direction characters or "
                f"repeated spaces changed; written as {_clip(shown)}",
            )
        if html and _MARKERS.search(shown):
            shown = _MARKERS.sub(lambda m: m.group(0) + "\u2060", shown)
            self.note(
                where,
                f"{what} {_clip(raw)}: a word joiner (U+2060) written inside its U+FB02 U+00B0 "
                "or U+00B6 U+00DF, which Mermaid would read as its own entity markers",
            )
        out = "".join(_code(ch) if ch in specials else ch for ch in shown)
        if out != shown:
            self.escaped.update(ch for ch in shown if ch in specials)
            self.fields += 1
        if out and not out.startswith("#"):
            word = JOURNEY_KEYWORD.match(out) if keyword else None
            if word or (lead and _JS_SPACE_CHAR.match(out)):
                first = out[0]
                out = _code(first) + out[1:]
                why = (
                    f"starts with the Mermaid keyword {_keyword_name(word.group(0))!r}"
                    if word
                    else "starts with a space Mermaid would skip"
                )
                self.note(
                    where,
                    f"{what} {_clip(shown)} {why}: wrote its first character as {_code(first)}",
                )
        if trail and out and _JS_SPACE_CHAR.match(out[-1]):
            out = out[:-1] + _code(out[-1])
            self.note(
                where,
                f"{what} {_clip(shown)} ends with a space Mermaid would trim: wrote it as an entity code",
            )
        return out


def _keyword_name(match: str) -> str:
    word = re.match("[a-z]+", match, re.IGNORECASE)
    name = word.group(0).lower() if word else match
    return {"acctitle": "accTitle", "accdescr": "accDescr"}.get(name, name)


def _clip(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "\u2026")


def mermaid_journey(journey: Journey) -> MermaidExport:
    """A Mermaid ``journey``: touchpoints by stage in file order, emotion as the score.

    Mermaid needs a score on every task: a touchpoint without an emotion gets
    :data:`NEUTRAL_SCORE`, marked by :data:`NO_EMOTION_COMMENT` on the line before (Mermaid
    ignores it; ``import mermaid`` reads it back as no emotion), and a note.
    """
    w = _Writer(journey)
    lines = ["journey"]
    title = w.text(journey.title, "title", journey.location, _JOURNEY_SPECIALS)
    lines += [f"  title {title}", f"  accTitle: {title}"]
    if journey.description:
        lines.append(
            f"  accDescr: {w.text(journey.description, 'description', journey.location, _JOURNEY_SPECIALS, quiet=True)}"
        )
    actors: dict[str, str] = {}
    for fn_id in dict.fromkeys(t.function for t in journey.touchpoints.values()):
        fn = journey.functions.get(fn_id)
        name = fn.name if fn else fn_id
        actor = w.text(
            name,
            f"function {fn_id!r}",
            fn.location if fn else None,
            _ACTOR_SPECIALS,
            lead=True,
            trail=True,
        )
        if actor in actors.values():
            other = next(k for k, v in actors.items() if v == actor)
            w.note(
                fn.location if fn else None,
                f"functions {other!r} and {fn_id!r} are both called {_clip(name)}: Mermaid shows one actor",
            )
        actors[fn_id] = actor
    for stage in journey.stages:
        members = [t for t in journey.touchpoints.values() if t.stage == stage.id]
        if not members:
            w.note(
                stage.location,
                f"stage {stage.id!r} has no touchpoints: Mermaid has no empty sections, left out",
            )
            continue
        lines.append(
            f"  section {w.text(stage.name, f'stage {stage.id!r}', stage.location, _JOURNEY_SPECIALS)}"
        )
        for tp in members:
            name = w.text(
                tp.name,
                f"touchpoint {tp.id!r}",
                tp.location,
                _JOURNEY_SPECIALS,
                keyword=True,
                lead=True,
            )
            if tp.emotion is None:
                score = NEUTRAL_SCORE
                lines.append(f"    {NO_EMOTION_COMMENT}")
                w.note(
                    tp.location,
                    f"touchpoint {tp.id!r} has no emotion; Mermaid needs a score: wrote {NEUTRAL_SCORE} (neutral), marked by a %% comment",
                )
            else:
                score = tp.emotion
            lines.append(f"    {name}: {score}: {actors[tp.function]}")
    transitions = list(journey.transitions())
    if transitions:
        handoffs = sum(journey.is_handoff(t) for t in transitions)
        w.note(
            journey.location,
            f"a Mermaid journey has no arrows: its {len(transitions)} transitions "
            f"({handoffs} handoffs) are not in it; export mermaid-flowchart draws them",
        )
    return _finish(w, lines)


def _finish(w: _Writer, lines: list[str]) -> MermaidExport:
    text = "\n".join(lines) + "\n"
    if w.escaped:
        chars = ", ".join(f"{_shown(ch)} as {_code(ch)}" for ch in sorted(w.escaped))
        w.note(
            None,
            f"wrote {chars} in {w.fields} name{'s' if w.fields != 1 else ''}: Mermaid's grammar "
            "cannot hold them literally; it shows these entity codes as the characters",
        )
    if len(text) > MAX_TEXT_SIZE:
        w.note(
            None,
            f"the diagram is {len(text):,} characters, more than Mermaid's default maxTextSize "
            f"({MAX_TEXT_SIZE:,}); raise maxTextSize where it is rendered",
        )
    return MermaidExport(text, tuple(w.notes))


def _ids(keys: Iterable[str], prefix: str) -> dict[str, str]:
    """Mermaid-safe ids (``prefix`` + the slug with '-' as '_'), made unique."""
    result: dict[str, str] = {}
    used: set[str] = set()
    for key in keys:
        base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", key)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        result[key] = candidate
    return result


def _share(share: float) -> str:
    pct = share * 100
    return f"{pct:.0f}%" if pct >= 9.95 or pct == 0 else f"{pct:.1f}%"


# our diagrams' colours (default theme): risky handoffs vermillion, the other handoffs blue
HANDOFF_STYLE = f"stroke:{THEMES['default'].handoff},stroke-width:3px"
RISKY_STYLE = f"stroke:{THEMES['default'].risky},stroke-width:4px"


def mermaid_flowchart(journey: Journey, analysis: JourneyAnalysis | None = None) -> MermaidExport:
    """A Mermaid ``flowchart LR``: a subgraph per function (lane order), a node per touchpoint,
    an edge per transition. Handoff edges are thick and labelled ``handoff N`` with N their rank
    by risk from :func:`~journeymap.analysis.engine.analyze` (1 = riskiest, as in our diagrams);
    risky ones (a risk factor hits them) are vermillion, the others blue, as in our diagrams.
    Shares label the edges where customers split."""
    from journeymap.analysis.engine import analyze  # here: the CLI starts without networkx

    analysis = analysis or analyze(journey)
    w = _Writer(journey)
    handoffs = {(h.source, h.target): h for h in analysis.handoffs}
    node = _ids(journey.touchpoints, "tp_")
    lanes = [
        f for f in journey.lanes() if any(t.function == f.id for t in journey.touchpoints.values())
    ]
    group = _ids((f.id for f in lanes), "fn_")
    title = w.text(journey.title, "title", journey.location, _FLOW_SPECIALS)
    lines = ["flowchart LR", f"  accTitle: {title}"]
    lines.append(
        f"  accDescr: {len(journey.touchpoints)} touchpoints in {len(lanes)} functions; "
        f"{len(handoffs)} handoffs numbered by risk, 1 = riskiest"
    )
    for fn in lanes:
        label = w.text(fn.name, f"function {fn.id!r}", fn.location, _FLOW_SPECIALS, html=True)
        lines.append(f'  subgraph {group[fn.id]}["{label}"]')
        for tp in journey.touchpoints.values():
            if tp.function == fn.id:
                name = w.text(
                    tp.name, f"touchpoint {tp.id!r}", tp.location, _FLOW_SPECIALS, html=True
                )
                lines.append(f'    {node[tp.id]}["{name}"]')
        lines.append("  end")
    styles: list[str] = []
    for index, t in enumerate(journey.transitions()):
        source = journey.touchpoints[t.source]
        parts = []
        handoff = handoffs.get(t.key)
        if handoff is not None:
            parts.append(f"handoff {handoff.number}")
            risky = bool(risk_factors(handoff.rules))
            styles.append(f"  linkStyle {index} {RISKY_STYLE if risky else HANDOFF_STYLE}")
        if len(source.next) > 1:
            parts.append(_share(t.share if t.share is not None else 1.0 / len(source.next)))
        arrow = "==>" if handoff is not None else "-->"
        label = f'|"{" · ".join(parts)}"|' if parts else ""
        lines.append(f"  {node[t.source]} {arrow}{label} {node[t.target]}")
    lines += styles
    if len(list(journey.transitions())) > MAX_EDGES:
        w.note(
            None,
            f"{len(list(journey.transitions()))} edges, more than Mermaid's default maxEdges "
            f"({MAX_EDGES}); raise maxEdges where it is rendered",
        )
    return _finish(w, lines)


def export_mermaid(journey: Journey) -> str:
    """The Mermaid ``journey`` text of :func:`mermaid_journey` (its notes dropped)."""
    return mermaid_journey(journey).text


def export_mermaid_flowchart(journey: Journey) -> str:
    """The Mermaid ``flowchart`` text of :func:`mermaid_flowchart` (its notes dropped)."""
    return mermaid_flowchart(journey).text


#: The exports that come with notes, by format name (the CLI prints the notes on stderr).
NOTED_EXPORTS: dict[str, Callable[[Journey], MermaidExport]] = {
    "mermaid": mermaid_journey,
    "mermaid-flowchart": mermaid_flowchart,
}
