"""HTML-like labels for the views. Journey text enters only through :func:`escape.html_text`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from journeymap.model import Function, Touchpoint
from journeymap.render._dot import Html, num
from journeymap.render.escape import html_text, wrap, clip
from journeymap.render.themes import Theme

__all__ = [
    "emotion_cell",
    "fmt_flow",
    "fmt_share",
    "handoff_badge",
    "header",
    "lane_header",
    "legend",
    "lines",
    "touchpoint_label",
]

FILLED, EMPTY = "\u25cf", "\u25cb"  # ● ○


def fmt_share(share: float) -> str:
    """A share as a whole percentage, or one decimal under 10%."""
    pct = share * 100
    return f"{pct:.0f}%" if pct >= 9.95 or pct == 0 else f"{pct:.1f}%"


def fmt_flow(flow: float) -> str:
    """A flow (customers per period, or per customer) in at most three significant figures."""
    if flow >= 10_000:
        return f"{flow / 1000:.0f}k"
    if flow >= 1000:
        return f"{flow / 1000:.1f}k"
    if flow >= 100:
        return f"{flow:.0f}"
    if flow >= 10:
        return f"{flow:.1f}".rstrip("0").rstrip(".")
    return f"{flow:.2f}".rstrip("0").rstrip(".") or "0"


def lines(text: object, width: int, max_lines: int = 4) -> str:
    """Escaped text wrapped to ``width`` and joined with ``<BR/>``; at most ``max_lines``."""
    parts = wrap(clip(text), width)
    if len(parts) > max_lines:
        parts = parts[:max_lines]
        parts[-1] = parts[-1][: max(width - 1, 1)] + "\u2026"
    return "<BR/>".join(html_text(p) for p in parts)


def font(text: str, theme: Theme, scale: float = 1.0, colour: str | None = None) -> str:
    size = f' POINT-SIZE="{num(theme.font_size * scale)}"' if scale != 1.0 else ""
    col = f' COLOR="{colour}"' if colour else ""
    return f"<FONT{size}{col}>{text}</FONT>" if size or col else text


def emotion_cell(score: int, theme: Theme, scale: float = 0.85) -> str:
    """A table cell showing emotion by colour AND by dots and number (``●●○○○ 2/5``)."""
    level = min(max(int(score), 1), 5)
    fill, ink = theme.emotion[level - 1]
    dots = FILLED * level + EMPTY * (5 - level)
    return (
        f'<TD BGCOLOR="{fill}" CELLPADDING="3">'
        f"{font(f'{dots} {level}/5', theme, scale, ink)}</TD>"
    )


def touchpoint_label(tp: Touchpoint, theme: Theme, entry: bool, flow: float | None) -> Html:
    """Name (bold, wrapped), channel, emotion, and entry/outcome markers."""
    rows = [f"<TR><TD><B>{lines(tp.name, theme.wrap)}</B></TD></TR>"]
    meta = []
    if tp.channel:
        meta.append(f"via {html_text(tp.channel, 40)}")
    if flow is not None:
        meta.append(f"flow {fmt_flow(flow)}")
    if meta:
        rows.append(f"<TR><TD>{font(' · '.join(meta), theme, 0.8, theme.muted)}</TD></TR>")
    if tp.emotion is not None:
        rows.append(f"<TR>{emotion_cell(tp.emotion, theme)}</TR>")
    marks = []
    if entry:
        marks.append("\u25b6 start")
    if tp.outcome:
        marks.append(f"\u25a0 {html_text(tp.outcome, 40)}")
    if marks:
        rows.append(f"<TR><TD>{font('  '.join(marks), theme, 0.8)}</TD></TR>")
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="1">'
        + "".join(rows)
        + "</TABLE>"
    )


def header(text: object, theme: Theme, scale: float = 1.1, width: int | None = None) -> Html:
    """A bold header (stage or band name), wrapped."""
    return Html(f"{font('<B>' + lines(text, width or theme.wrap) + '</B>', theme, scale)}")


def lane_header(function: Function, theme: Theme) -> Html:
    """``Function · Lead`` on one line when short, else name over lead."""
    name, lead = clip(function.name), clip(function.lead) if function.lead else ""
    if lead and len(name) + len(lead) + 3 <= theme.wrap + 6:
        text = f"<B>{html_text(name)}</B> · {html_text(lead)}"
    elif lead:
        text = f"<B>{lines(name, theme.wrap)}</B><BR/>· {lines(lead, theme.wrap, 2)}"
    else:
        text = f"<B>{lines(name, theme.wrap)}</B>"
    return Html(font(text, theme, 1.1))


def handoff_badge(
    number: int | None, share: str, rules: Sequence[str], colour: str, theme: Theme
) -> Html:
    """Edge label: the handoff number on a coloured badge, then the share and risk rule codes."""
    if number is None:
        return Html(font(html_text(share), theme, 1.0, theme.muted))
    text = html_text(share)
    if rules:
        codes = " ".join(html_text(r, 12) for r in rules[:8])
        text += "<BR/>" + font("<B>risk: " + codes + "</B>", theme, 0.9, colour)
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2"><TR>'
        f'<TD BGCOLOR="{colour}" VALIGN="MIDDLE"><FONT COLOR="{theme.badge_ink}">'
        f"<B> {number} </B></FONT></TD>"
        f'<TD ALIGN="LEFT" BALIGN="LEFT">{text}</TD></TR></TABLE>'
    )


def legend(
    title: object,
    subtitle: Iterable[str],
    items: Iterable[tuple[str, str]],
    theme: Theme,
) -> Html:
    """The graph label: title, subtitle lines, then a key of (symbol cell, meaning) pairs."""
    rows = [f'<TR><TD ALIGN="LEFT">{font("<B>" + html_text(title, 200) + "</B>", theme, 1.6)}</TD></TR>']
    for line in subtitle:
        rows.append(f'<TR><TD ALIGN="LEFT">{font(line, theme, 0.95, theme.muted)}</TD></TR>')
    cells = "".join(f"{sym}<TD ALIGN=\"LEFT\">{font(text, theme, 0.85)}</TD>" for sym, text in items)
    rows.append(
        '<TR><TD ALIGN="LEFT"><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
        f"<TR>{cells}</TR></TABLE></TD></TR>"
    )
    return Html(
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="2">' + "".join(rows) + "</TABLE>"
    )


def emotion_key(theme: Theme) -> tuple[str, str]:
    """A legend item showing the five emotion cells."""
    cells = "".join(emotion_cell(level, theme, 0.75) for level in range(1, 6))
    table = f'<TD><TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1"><TR>{cells}</TR></TABLE></TD>'
    return table, "emotion 1 (frustrated) to 5 (delighted)"
