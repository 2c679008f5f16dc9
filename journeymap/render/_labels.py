"""Label text for the views, as plain DOT strings (see :func:`_dot.label`).

The embedded Graphviz has no HTML-like labels, so styling lives in node and edge attributes;
journey text enters labels only through :func:`escape.clip` and :func:`_dot.label`.
"""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.model import Function, Touchpoint
from journeymap.render._dot import Quoted, label
from journeymap.render.escape import clip, wrap
from journeymap.render.themes import Theme

__all__ = [
    "emotion_glyphs",
    "emotion_style",
    "fmt_flow",
    "fmt_share",
    "handoff_label",
    "lane_title",
    "text_lines",
    "touchpoint_label",
]

FILLED, EMPTY = "\u25cf", "\u25cb"  # ● ○
EMOTION_WORDS = ("frustrated", "unhappy", "neutral", "happy", "delighted")


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


def text_lines(text: object, width: int, max_lines: int = 4) -> list[str]:
    """Clipped text wrapped to ``width``; at most ``max_lines`` (the last ends with an ellipsis)."""
    parts = wrap(clip(text), width)
    if len(parts) > max_lines:
        parts = parts[:max_lines]
        parts[-1] = parts[-1][: max(width - 1, 1)] + "\u2026"
    return parts


def emotion_glyphs(score: int) -> str:
    """Emotion told without colour: ``●●○○○ 2/5``."""
    level = min(max(int(score), 1), 5)
    return f"{FILLED * level}{EMPTY * (5 - level)} {level}/5"


def emotion_style(score: int | None, theme: Theme) -> dict[str, object]:
    """Node fill, border and text colour for an emotion score (neutral when unknown)."""
    if score is None:
        return {"fillcolor": theme.node_fill, "color": theme.ink, "fontcolor": theme.ink}
    fill, border, ink = theme.emotion[min(max(int(score), 1), 5) - 1]
    return {"fillcolor": fill, "color": border, "fontcolor": ink, "penwidth": 2}


def touchpoint_label(tp: Touchpoint, theme: Theme, entry: bool) -> Quoted:
    """Name (wrapped), channel, emotion glyphs, and entry/outcome markers."""
    rows = text_lines(tp.name, theme.wrap)
    if tp.channel:
        rows.append(f"via {clip(tp.channel, 40)}")
    if tp.emotion is not None:
        rows.append(emotion_glyphs(tp.emotion))
    marks = []
    if entry:
        marks.append("\u25b6 start")
    if tp.outcome:
        marks.append(f"\u25a0 {clip(tp.outcome, 40)}")
    if marks:
        rows.append("  ".join(marks))
    return label(rows)


def lane_title(function: Function, theme: Theme) -> Quoted:
    """``Function · Lead`` (wrapped when long)."""
    text = f"{clip(function.name)} \u00b7 {clip(function.lead)}" if function.lead else function.name
    return label(text_lines(text, theme.wrap * 3, 2))  # bands are wide: wrap only long ones


def handoff_label(number: int | None, share: str, rules: Sequence[str], theme: Theme) -> Quoted:
    """``#3 · 50%`` and, for risky handoffs, ``risk: JM101 JM104`` below."""
    if number is None:
        return label([share])
    rows = [f"#{number} \u00b7 {share}"]
    if rules:
        codes = [clip(r, 12) for r in rules[:8]]
        rows.append("risk: " + " ".join(codes[:4]))
        if len(codes) > 4:
            rows.append(" ".join(codes[4:]))
    return label(rows)
