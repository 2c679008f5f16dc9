"""Colour that survives colour-vision deficiency (issue 11).

The arithmetic (journeymap/render/colour.py) is checked against published values; then every
theme's emotion fills and line colours are checked to stay apart by CIEDE2000 ≥ 10 under normal
vision and simulated protanopia, deuteranopia and tritanopia, and its text to keep WCAG 4.5:1.

docs/diagrams.md "Colour" carries the table of minimum ΔE00 this file computes; print it with
``.venv/bin/python tests/render/test_colour.py`` after changing a palette.
"""

from __future__ import annotations

import math
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from journeymap.render.colour import (
    CONDITIONS,
    DEFICIENCIES,
    MACHADO_2009,
    Lab,
    ciede2000,
    contrast_ratio,
    delta_e,
    hex_to_lab,
    linear,
    parse_hex,
    relative_luminance,
    simulate,
    simulate_hex,
    to_hex,
)
from journeymap.render.themes import THEMES, Theme

ROOT = Path(__file__).resolve().parents[2]
DIAGRAMS_DOC = ROOT / "docs" / "diagrams.md"

MIN_DELTA_E = 10.0  # issue 11: "differ by CIEDE2000 ≥ 10 under each simulated CVD"
MIN_CONTRAST = 4.5  # WCAG 2 AA for normal-size text

# --- the arithmetic ---------------------------------------------------------------------------

# Sharma, Wu & Dalal (2005), Table 1: the 34 CIEDE2000 test pairs, (L*, a*, b*) x 2 and ΔE00 to
# four decimals. Checked value by value against independent public transcriptions of the table
# (one in full, by script; others in part).
SHARMA_WU_DALAL = [
    ((50.0000, 2.6772, -79.7751), (50.0000, 0.0000, -82.7485), 2.0425),
    ((50.0000, 3.1571, -77.2803), (50.0000, 0.0000, -82.7485), 2.8615),
    ((50.0000, 2.8361, -74.0200), (50.0000, 0.0000, -82.7485), 3.4412),
    ((50.0000, -1.3802, -84.2814), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -1.1848, -84.8006), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, -0.9009, -85.5211), (50.0000, 0.0000, -82.7485), 1.0000),
    ((50.0000, 0.0000, 0.0000), (50.0000, -1.0000, 2.0000), 2.3669),
    ((50.0000, -1.0000, 2.0000), (50.0000, 0.0000, 0.0000), 2.3669),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0009), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0010), 7.1792),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0011), 7.2195),
    ((50.0000, 2.4900, -0.0010), (50.0000, -2.4900, 0.0012), 7.2195),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0009, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0010, -2.4900), 4.8045),
    ((50.0000, -0.0010, 2.4900), (50.0000, 0.0011, -2.4900), 4.7461),
    ((50.0000, 2.5000, 0.0000), (50.0000, 0.0000, -2.5000), 4.3065),
    ((50.0000, 2.5000, 0.0000), (73.0000, 25.0000, -18.0000), 27.1492),
    ((50.0000, 2.5000, 0.0000), (61.0000, -5.0000, 29.0000), 22.8977),
    ((50.0000, 2.5000, 0.0000), (56.0000, -27.0000, -3.0000), 31.9030),
    ((50.0000, 2.5000, 0.0000), (58.0000, 24.0000, 15.0000), 19.4535),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.1736, 0.5854), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2972, 0.0000), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 1.8634, 0.5757), 1.0000),
    ((50.0000, 2.5000, 0.0000), (50.0000, 3.2592, 0.3350), 1.0000),
    ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ((63.0109, -31.0961, -5.8663), (62.8187, -29.7946, -4.0864), 1.2630),
    ((61.2901, 3.7196, -5.3901), (61.4292, 2.2480, -4.9620), 1.8731),
    ((35.0831, -44.1164, 3.7933), (35.0232, -40.0716, 1.5901), 1.8645),
    ((22.7233, 20.0904, -46.6940), (23.0331, 14.9730, -42.5619), 2.0373),
    ((36.4612, 47.8580, 18.3852), (36.2715, 50.5065, 21.2231), 1.4146),
    ((90.8027, -2.0831, 1.4410), (91.1528, -1.6435, 0.0447), 1.4441),
    ((90.9257, -0.5406, -0.9208), (88.6381, -0.8985, -0.7239), 1.5381),
    ((6.7747, -0.2908, -2.4247), (5.8714, -0.0985, -2.2286), 0.6377),
    ((2.0776, 0.0795, -1.1350), (0.9033, -0.0636, -0.5514), 0.9082),
]


def test_the_sharma_table_is_complete() -> None:
    assert len(SHARMA_WU_DALAL) == 34


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    SHARMA_WU_DALAL,
    ids=[f"pair{i}" for i in range(1, len(SHARMA_WU_DALAL) + 1)],
)
def test_ciede2000_matches_sharma_wu_dalal(lab1: Lab, lab2: Lab, expected: float) -> None:
    # the table prints four decimals: half a unit of the last one
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=5e-5)
    assert ciede2000(lab2, lab1) == pytest.approx(expected, abs=5e-5)  # symmetric


def test_ciede2000_of_a_colour_with_itself_is_zero() -> None:
    assert ciede2000((42.0, 18.0, -7.0), (42.0, 18.0, -7.0)) == 0.0


def test_ciede2000_of_white_and_black_is_100() -> None:
    assert delta_e("#FFFFFF", "#000000") == pytest.approx(100.0, abs=1e-6)


def test_hex_parsing() -> None:
    assert parse_hex("#FF8000") == (1.0, 128 / 255, 0.0)
    assert parse_hex("f80") == parse_hex("#FF8800")
    assert to_hex(parse_hex("#0072b2")) == "#0072B2"
    for bad in ("#12345", "red", "#GG0000", ""):
        with pytest.raises(ValueError):
            parse_hex(bad)


def test_cielab_of_known_colours() -> None:
    assert hex_to_lab("#FFFFFF") == pytest.approx((100.0, 0.0, 0.0), abs=1e-6)
    assert hex_to_lab("#000000") == pytest.approx((0.0, 0.0, 0.0), abs=1e-9)
    # sRGB red and mid grey in CIELAB D65 (e.g. Lindbloom's calculator)
    assert hex_to_lab("#FF0000") == pytest.approx((53.2408, 80.0925, 67.2032), abs=2e-3)
    assert hex_to_lab("#808080") == pytest.approx((53.5850, 0.0, 0.0), abs=2e-3)


def test_wcag_contrast() -> None:
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#777777") == 1.0
    assert relative_luminance("#FFFFFF") == pytest.approx(1.0)
    # #767676 is the well-known lightest grey that passes 4.5:1 on white
    assert contrast_ratio("#767676", "#FFFFFF") >= 4.5 > contrast_ratio("#777777", "#FFFFFF")


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_machado_rows_sum_to_one(deficiency: str) -> None:
    """Each row sums to 1, so neutral colours stay neutral at their own lightness."""
    for row in MACHADO_2009[deficiency]:
        assert sum(row) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("deficiency", DEFICIENCIES)
def test_simulation_keeps_greys_grey(deficiency: str) -> None:
    assert simulate_hex("#FFFFFF", deficiency) == "#FFFFFF"
    assert simulate_hex("#000000", deficiency) == "#000000"
    for grey in ("#202020", "#808080", "#C8C8C8"):
        got = simulate(grey, deficiency)
        assert got == pytest.approx(linear(grey), abs=1e-5)
        assert simulate_hex(grey, deficiency) == grey
        assert delta_e(grey, grey, deficiency) == pytest.approx(0.0, abs=1e-9)


def test_simulation_works_in_linear_light_and_clips() -> None:
    # pure red is (1, 0, 0) in linear RGB too, so the result is the matrix's first column
    # (the negative blue term clipped to 0)
    assert simulate("#FF0000", "protanopia") == (0.152286, 0.114503, 0.0)
    assert simulate("#0000FF", "deuteranopia") == (0.0, 0.047413, 0.968881)
    # a mid colour goes through the transfer function first: not the same as the matrix on
    # gamma-encoded values
    r, g, b = linear("#D55E00")
    m = MACHADO_2009["deuteranopia"]
    assert simulate("#D55E00", "deuteranopia") == pytest.approx(
        tuple(min(1.0, max(0.0, row[0] * r + row[1] * g + row[2] * b)) for row in m)
    )
    assert simulate("#D55E00", "normal") == linear("#D55E00")
    with pytest.raises(ValueError, match="unknown condition"):
        simulate("#D55E00", "achromatopsia")


def test_simulation_merges_what_it_should() -> None:
    """Sanity of the model: red and green collapse for red-green dichromats, not for tritans."""
    red, green = "#D81B1B", "#4A9A1E"
    assert delta_e(red, green) > 40
    for deficiency in ("protanopia", "deuteranopia"):
        assert delta_e(red, green, deficiency) < delta_e(red, green) / 2
    assert delta_e(red, green, "tritanopia") > 30


# --- the themes -------------------------------------------------------------------------------


def separations(theme: Theme) -> list[tuple[str, str, str, str]]:
    """(group, what, colour, colour) for every pair that must stay ≥ MIN_DELTA_E apart."""
    pairs = []
    fills = [fill for fill, _, _ in theme.emotion]
    for i in range(len(fills) - 1):
        pairs.append(("emotion", f"emotion {i + 1} vs {i + 2} fill", fills[i], fills[i + 1]))
    pairs.append(("lines", "risky vs handoff", theme.risky, theme.handoff))
    for name in ("risky", "handoff"):
        colour = getattr(theme, name)
        pairs.append(("lines", f"{name} vs transition (muted)", colour, theme.muted))
        pairs.append(("lines", f"{name} vs background", colour, theme.bg))
        for j, lane in enumerate(theme.lane_fills, 1):
            pairs.append(("lines", f"{name} vs lane fill {j}", colour, lane))
    return pairs


def failures(theme: Theme) -> list[str]:
    """Every pair closer than MIN_DELTA_E under some condition, in words."""
    return [
        f"{theme.name}: {what} {a} / {b} under {condition}: ΔE00 {delta_e(a, b, condition):.2f}"
        for condition in CONDITIONS
        for _, what, a, b in separations(theme)
        if delta_e(a, b, condition) < MIN_DELTA_E
    ]


CASES = [
    pytest.param(theme, condition, what, a, b, id=f"{theme.name}-{condition}-{what}")
    for theme in THEMES.values()
    for condition in CONDITIONS
    for _, what, a, b in separations(theme)
]


@pytest.mark.parametrize(("theme", "condition", "what", "a", "b"), CASES)
def test_colours_stay_apart(theme: Theme, condition: str, what: str, a: str, b: str) -> None:
    d = delta_e(a, b, condition)
    assert d >= MIN_DELTA_E, (
        f"{theme.name}: {what} ({a} vs {b}) differ by only ΔE00 {d:.2f} under {condition} "
        f"(seen as {simulate_hex(a, condition)} vs {simulate_hex(b, condition)}); "
        f"need ≥ {MIN_DELTA_E}"
    )


@pytest.mark.parametrize("theme", THEMES.values(), ids=list(THEMES))
def test_emotion_text_is_readable_on_its_fill(theme: Theme) -> None:
    for level, (fill, _, ink) in enumerate(theme.emotion, 1):
        ratio = contrast_ratio(ink, fill)
        assert ratio >= MIN_CONTRAST, (
            f"{theme.name}: emotion {level} text {ink} on {fill} has contrast {ratio:.2f}:1, "
            f"need ≥ {MIN_CONTRAST}:1"
        )


@pytest.mark.parametrize("theme", THEMES.values(), ids=list(THEMES))
def test_marker_numbers_are_readable(theme: Theme) -> None:
    """The handoff numbers are a cue that is not colour; they sit on handoff/risky markers."""
    for name in ("handoff", "risky"):
        fill = getattr(theme, name)
        ratio = contrast_ratio(theme.badge_ink, fill)
        assert ratio >= MIN_CONTRAST, (
            f"{theme.name}: marker number {theme.badge_ink} on {name} {fill} has contrast "
            f"{ratio:.2f}:1, need ≥ {MIN_CONTRAST}:1"
        )


def test_every_theme_has_five_emotion_levels() -> None:
    for theme in THEMES.values():
        assert len(theme.emotion) == 5, theme.name


def test_the_check_catches_the_old_palette() -> None:
    """Guard the guard: issue 11's palette, whose emotion 1 and 2 merged under deuteranopia."""
    old = replace(
        THEMES["default"],
        emotion=(
            ("#F7CFB6", "#D55E00", "#000000"),
            ("#FBE3AE", "#E69F00", "#000000"),
            *THEMES["default"].emotion[2:],
        ),
    )
    found = failures(old)
    assert any("emotion 1 vs 2" in f and "deuteranopia" in f for f in found), found
    # and a print theme that told risky from ordinary handoffs by nothing but style
    same = replace(THEMES["print"], handoff="#000000", risky="#000000")
    assert any("risky vs handoff" in f for f in failures(same))


# --- the docs table -----------------------------------------------------------------------------


def minimum_table() -> str:
    """The Markdown table of docs/diagrams.md "Colour": minimum ΔE00 per theme and condition."""
    head = ["theme", "pairs", "normal", *DEFICIENCIES]
    rows = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for theme in THEMES.values():
        for group, words in (("emotion", "emotion, adjacent levels"), ("lines", "lines")):
            pairs = [(a, b) for g, _, a, b in separations(theme) if g == group]
            cells = [
                f"{min(delta_e(a, b, condition) for a, b in pairs):.1f}" for condition in CONDITIONS
            ]
            rows.append("| " + " | ".join([f"`{theme.name}`", words, *cells]) + " |")
    return "\n".join(rows)


def test_docs_table_is_current() -> None:
    text = DIAGRAMS_DOC.read_text(encoding="utf-8")
    section = text.split("\n## Colour\n", 1)
    assert len(section) == 2, "docs/diagrams.md has no '## Colour' section"
    body = re.split(r"\n## ", section[1], maxsplit=1)[0]
    table = "\n".join(line for line in body.splitlines() if line.startswith("|"))
    assert table == minimum_table(), (
        "docs/diagrams.md 'Colour' table is out of date: run "
        "`.venv/bin/python tests/render/test_colour.py` and paste its output"
    )


def test_docs_table_minimum_is_what_the_tests_enforce() -> None:
    lows = [float(x) for x in re.findall(r"\| (\d+\.\d) ", minimum_table())]
    assert lows and math.floor(min(lows)) >= MIN_DELTA_E


if __name__ == "__main__":
    sys.stdout.write(minimum_table() + "\n")
