"""Diagram themes: colours, type and line weights for each audience.

Every palette is built from the Okabe–Ito colour-blind-safe set, and no theme tells anything by
colour alone: emotion is also a row of filled dots and a number, handoffs are also thicker and
numbered, risky handoffs also carry their rule codes, shadow systems also say "shadow IT".
"""

from __future__ import annotations

from dataclasses import dataclass

from journeymap.errors import UsageError

__all__ = ["Theme", "THEMES", "get_theme"]

# Okabe, M. & Ito, K. (2008) Color Universal Design: black, orange, sky blue, bluish green,
# yellow, blue, vermillion, reddish purple.
OI_ORANGE = "#E69F00"
OI_SKY = "#56B4E9"
OI_GREEN = "#009E73"
OI_YELLOW = "#F0E442"
OI_BLUE = "#0072B2"
OI_VERMILLION = "#D55E00"
OI_PURPLE = "#CC79A7"


@dataclass(frozen=True)
class Theme:
    """Everything a view needs to style itself; views never hard-code a colour."""

    name: str
    font: str
    bold: str  # PostScript name of the bold face (Graphviz maps it to font-weight in SVG)
    font_size: float  # touchpoint names; other text scales from it
    bg: str
    ink: str  # text and outlines
    muted: str  # secondary text, ordinary transitions
    node_fill: str
    lane_fills: tuple[str, ...]  # alternating swimlane bands
    lane_border: str
    header_fill: str  # lane and stage headers
    header_ink: str
    handoff: str  # handoff edges
    risky: str  # handoffs hit by a risk rule
    badge_ink: str  # text on handoff/risky badges
    emotion: tuple[tuple[str, str, str], ...]  # (fill, border, text) for scores 1..5
    edge_width: float  # ordinary transitions
    handoff_width: tuple[float, float]  # handoff penwidth range, scaled by flow
    handoff_style: str  # DOT style of handoff edges
    risky_style: str
    shadow_fill: str
    shadow_style: str  # DOT node style for shadow systems
    line_style: str  # blueprint lines of interaction/visibility
    wrap: int  # characters per line in node labels
    dpi: int  # for PNG output
    # the grid's proportions, in units of font_size (see render/_grid.py, docs/diagrams.md)
    node_em: float = 9.0  # touchpoint box width
    gap_em: float = 1.7  # between columns, where markers sit on the edges
    meta_scale: float = 1.0  # the channel/emotion line, relative to the name
    stage_shade: str = "#1A1A1A0D"  # every other stage column, over the lanes (with alpha)


# Emotion fills diverge in lightness from a light neutral 3 (L* 96) to 2 and 4 (L* 81-82) and
# 1 and 5 (L* 63-64), on the hues of Okabe–Ito vermillion, orange, sky blue and blue, so adjacent
# levels differ by lightness and not only by hue (ΔE00 ≥ 10 under every simulated colour-vision
# deficiency; tests/render/test_colour.py, docs/diagrams.md "Colour"); the Okabe–Ito colours
# themselves are the borders.
_EMOTION_COLOUR = (
    ("#D48561", OI_VERMILLION, "#000000"),
    ("#EEC284", OI_ORANGE, "#000000"),
    ("#F3F3F3", "#8C8C8C", "#000000"),
    ("#A7D2EE", OI_SKY, "#000000"),
    ("#61A1D2", OI_BLUE, "#000000"),
)
# Okabe–Ito vermillion darkened (same chromaticity, 0.8× the light) so the white handoff
# numbers on risky markers reach 4.5:1
RISKY_VERMILLION = "#C15400"

DEFAULT = Theme(
    name="default",
    font="Helvetica",
    bold="Helvetica-Bold",
    font_size=12.0,
    bg="#FFFFFF",
    ink="#1A1A1A",
    muted="#6B6B6B",
    node_fill="#FFFFFF",
    lane_fills=("#F4F8FB", "#FBF7EF"),
    lane_border="#B8C4CE",
    header_fill="#2F3B45",
    header_ink="#FFFFFF",
    handoff=OI_BLUE,
    risky=RISKY_VERMILLION,
    badge_ink="#FFFFFF",
    emotion=_EMOTION_COLOUR,
    edge_width=1.2,
    handoff_width=(2.0, 6.0),
    handoff_style="bold",
    risky_style="bold",
    shadow_fill="#FBE9DD",
    shadow_style="rounded,filled,dashed",
    line_style="dashed",
    wrap=16,
    dpi=144,
)

WORKSHOP = Theme(
    name="workshop",
    font="Helvetica",
    bold="Helvetica-Bold",
    font_size=20.0,
    bg="#FFFFFF",
    ink="#000000",
    muted="#333333",
    node_fill="#FFFFFF",
    lane_fills=("#EAF3FA", "#FDF3DF"),
    lane_border="#000000",
    header_fill="#000000",
    header_ink="#FFFFFF",
    handoff=OI_BLUE,
    risky=RISKY_VERMILLION,
    badge_ink="#FFFFFF",
    emotion=_EMOTION_COLOUR,
    edge_width=2.5,
    handoff_width=(4.0, 10.0),
    handoff_style="bold",
    risky_style="bold",
    shadow_fill="#FBE0CC",
    shadow_style="rounded,filled,dashed",
    line_style="dashed",
    wrap=14,
    dpi=96,
    node_em=8.2,  # narrower boxes: bigger type relative to the fitted picture
    gap_em=1.6,
)

WORKSHOP_DARK = Theme(
    name="workshop-dark",
    font="Helvetica",
    bold="Helvetica-Bold",
    font_size=20.0,
    bg="#111111",
    ink="#FFFFFF",
    muted="#D0D0D0",
    node_fill="#222222",
    lane_fills=("#1B2631", "#2B2417"),
    lane_border="#9AA5AE",
    header_fill="#FFFFFF",
    header_ink="#000000",
    handoff=OI_SKY,
    risky=OI_ORANGE,
    badge_ink="#000000",
    emotion=(
        # the light theme's ramp mirrored: neutral 3 darkest (L* 16), 1 and 5 lightest (L* 48)
        ("#AE5B35", OI_VERMILLION, "#FFFFFF"),
        ("#5F4019", OI_ORANGE, "#FFFFFF"),
        ("#282828", "#BFBFBF", "#FFFFFF"),
        ("#124F68", OI_SKY, "#FFFFFF"),
        ("#2678AA", "#3D9BE0", "#FFFFFF"),
    ),
    edge_width=2.5,
    handoff_width=(4.0, 10.0),
    handoff_style="bold",
    risky_style="bold",
    shadow_fill="#4A2A14",
    shadow_style="rounded,filled,dashed",
    line_style="dashed",
    wrap=14,
    dpi=96,
    node_em=8.2,  # narrower boxes: bigger type relative to the fitted picture
    gap_em=1.6,
)

# Greyscale-safe: line style, weight and labels carry the meaning; grey levels are far apart.
PRINT = Theme(
    name="print",
    font="Helvetica",
    bold="Helvetica-Bold",
    font_size=11.0,
    bg="#FFFFFF",
    ink="#000000",
    muted="#666666",
    node_fill="#FFFFFF",
    lane_fills=("#FFFFFF", "#F0F0F0"),
    lane_border="#000000",
    header_fill="#FFFFFF",
    header_ink="#000000",
    handoff="#404040",  # dashed; risky ones solid black
    risky="#000000",
    badge_ink="#FFFFFF",
    emotion=(
        # one grey ramp, darkest for 1 (white text there), far enough apart to pass by lightness
        ("#595959", "#000000", "#FFFFFF"),
        ("#7F7F7F", "#000000", "#000000"),
        ("#A1A1A1", "#000000", "#000000"),
        ("#CBCBCB", "#000000", "#000000"),
        ("#FFFFFF", "#000000", "#000000"),
    ),
    edge_width=1.0,
    handoff_width=(1.8, 4.5),
    handoff_style="dashed,bold",
    risky_style="bold",
    shadow_fill="#FFFFFF",
    shadow_style="rounded,dashed",
    line_style="dashed",
    wrap=18,
    dpi=300,
)

THEMES: dict[str, Theme] = {t.name: t for t in (DEFAULT, WORKSHOP, WORKSHOP_DARK, PRINT)}


def get_theme(name: str) -> Theme:
    """The theme called ``name``, or a UsageError listing the themes there are."""
    try:
        return THEMES[name]
    except KeyError:
        raise UsageError(f"unknown theme {name!r}; choose one of: {', '.join(THEMES)}") from None
