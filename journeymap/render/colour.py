"""Colour arithmetic for checking palettes: sRGB, CIELAB, CIEDE2000, CVD simulation, WCAG contrast.

Pure functions on ``#RRGGBB`` strings and plain tuples; nothing here draws. The themes are
tested with it (``tests/render/test_colour.py``) so that a palette which stops being readable
under a colour-vision deficiency fails the build.

- sRGB is IEC 61966-2-1 (piecewise transfer function, D65 primaries); CIELAB uses the D65
  white of the same matrix, so white is exactly L* 100, a* = b* = 0.
- Colour-vision deficiency is simulated with Machado, Oliveira & Fernandes (2009), "A
  Physiologically-based Model for Simulation of Color Vision Deficiency", IEEE TVCG 15(6), at
  severity 1.0 (dichromacy): a 3×3 matrix applied to *linear* RGB, the result clipped to [0, 1].
- Colour difference is CIEDE2000 as written out by Sharma, Wu & Dalal (2005), "The CIEDE2000
  Color-Difference Formula: Implementation Notes, Supplementary Test Data, and Mathematical
  Observations", Color Res. Appl. 30(1), with kL = kC = kH = 1.
- Contrast is the WCAG 2 contrast ratio of relative luminances.
"""

from __future__ import annotations

import math
import re

__all__ = [
    "CONDITIONS",
    "DEFICIENCIES",
    "MACHADO_2009",
    "Lab",
    "RGB",
    "ciede2000",
    "contrast_ratio",
    "delta_e",
    "hex_to_lab",
    "linear",
    "linear_to_lab",
    "parse_hex",
    "relative_luminance",
    "simulate",
    "simulate_hex",
    "to_hex",
]

RGB = tuple[float, float, float]
Lab = tuple[float, float, float]
Matrix = tuple[RGB, RGB, RGB]

# Machado et al. (2009), Table 1, severity 1.0; rows give the simulated linear R, G, B.
MACHADO_2009: dict[str, Matrix] = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}
DEFICIENCIES: tuple[str, ...] = tuple(MACHADO_2009)
# "normal" is unsimulated trichromatic vision
CONDITIONS: tuple[str, ...] = ("normal", *DEFICIENCIES)

# linear sRGB -> CIE XYZ (D65), IEC 61966-2-1; the white point is the sum of each row
_SRGB_TO_XYZ: Matrix = (
    (0.4124564, 0.3575761, 0.1804375),
    (0.2126729, 0.7151522, 0.0721750),
    (0.0193339, 0.1191920, 0.9503041),
)
_WHITE: RGB = (
    sum(_SRGB_TO_XYZ[0]),
    sum(_SRGB_TO_XYZ[1]),
    sum(_SRGB_TO_XYZ[2]),
)
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


def parse_hex(colour: str) -> RGB:
    """``#RRGGBB`` or ``#RGB`` (the ``#`` optional) as gamma-encoded sRGB components in [0, 1]."""
    match = _HEX.fullmatch(colour.strip())
    if match is None:
        raise ValueError(f"not a hex colour: {colour!r}")
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    r, g, b = (int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return (r, g, b)


def to_hex(rgb: RGB) -> str:
    """Gamma-encoded sRGB components (clipped to [0, 1]) as ``#RRGGBB``."""
    return "#" + "".join(f"{round(_clip(c) * 255):02X}" for c in rgb)


def _decode(c: float) -> float:
    """sRGB transfer function, encoded -> linear."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _encode(c: float) -> float:
    """sRGB transfer function, linear -> encoded."""
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _clip(c: float) -> float:
    return min(1.0, max(0.0, c))


def _apply(m: Matrix, v: RGB) -> RGB:
    return (
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    )


def linear(colour: str) -> RGB:
    """A hex colour as linear-light sRGB."""
    r, g, b = parse_hex(colour)
    return (_decode(r), _decode(g), _decode(b))


def simulate(colour: str, condition: str) -> RGB:
    """Linear RGB of ``colour`` as seen under ``condition`` (``normal`` or a deficiency)."""
    lin = linear(colour)
    if condition == "normal":
        return lin
    try:
        matrix = MACHADO_2009[condition]
    except KeyError:
        raise ValueError(
            f"unknown condition {condition!r}; choose one of: {', '.join(CONDITIONS)}"
        ) from None
    r, g, b = _apply(matrix, lin)
    return (_clip(r), _clip(g), _clip(b))


def simulate_hex(colour: str, condition: str) -> str:
    """``simulate`` re-encoded as a hex colour (for swatches)."""
    r, g, b = simulate(colour, condition)
    return to_hex((_encode(r), _encode(g), _encode(b)))


def _lab_f(t: float) -> float:
    delta = 6 / 29
    return t ** (1 / 3) if t > delta**3 else t / (3 * delta**2) + 4 / 29


def linear_to_lab(rgb: RGB) -> Lab:
    """Linear sRGB as CIELAB (D65)."""
    x, y, z = _apply(_SRGB_TO_XYZ, rgb)
    fx = _lab_f(x / _WHITE[0])
    fy = _lab_f(y / _WHITE[1])
    fz = _lab_f(z / _WHITE[2])
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))


def hex_to_lab(colour: str, condition: str = "normal") -> Lab:
    """CIELAB (D65) of a hex colour, optionally as seen under a colour-vision deficiency."""
    return linear_to_lab(simulate(colour, condition))


def _hue(a: float, b: float) -> float:
    """Hue angle in degrees, [0, 360); 0 for a neutral colour (Sharma et al., eq. 4)."""
    if a == 0 and b == 0:
        return 0.0
    return math.degrees(math.atan2(b, a)) % 360


def ciede2000(lab1: Lab, lab2: Lab, kl: float = 1.0, kc: float = 1.0, kh: float = 1.0) -> float:
    """CIEDE2000 colour difference ΔE00 between two CIELAB colours (Sharma et al. 2005)."""
    l1, a1, b1 = lab1
    l2, a2, b2 = lab2

    # 1. a' stretched by G, which grows as the mean chroma falls (near-neutral colours)
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    c7 = c_mean**7
    g = 0.5 * (1 - math.sqrt(c7 / (c7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p, h2p = _hue(a1p, b1), _hue(a2p, b2)

    # 2. differences in lightness, chroma and hue
    dlp = l2 - l1
    dcp = c2p - c1p
    neutral = c1p * c2p == 0
    if neutral:
        dhp = 0.0
    else:
        dhp = h2p - h1p
        if dhp > 180:
            dhp -= 360
        elif dhp < -180:
            dhp += 360
    dhp_big = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dhp / 2))

    # 3. weighting functions at the means
    lp_mean = (l1 + l2) / 2
    cp_mean = (c1p + c2p) / 2
    if neutral:
        hp_mean = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp_mean = (h1p + h2p) / 2
    elif h1p + h2p < 360:
        hp_mean = (h1p + h2p + 360) / 2
    else:
        hp_mean = (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp_mean - 30))
        + 0.24 * math.cos(math.radians(2 * hp_mean))
        + 0.32 * math.cos(math.radians(3 * hp_mean + 6))
        - 0.20 * math.cos(math.radians(4 * hp_mean - 63))
    )
    d_theta = 30 * math.exp(-(((hp_mean - 275) / 25) ** 2))
    cp7 = cp_mean**7
    r_c = 2 * math.sqrt(cp7 / (cp7 + 25.0**7))
    s_l = 1 + 0.015 * (lp_mean - 50) ** 2 / math.sqrt(20 + (lp_mean - 50) ** 2)
    s_c = 1 + 0.045 * cp_mean
    s_h = 1 + 0.015 * cp_mean * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c

    lt = dlp / (kl * s_l)
    ct = dcp / (kc * s_c)
    ht = dhp_big / (kh * s_h)
    return math.sqrt(lt * lt + ct * ct + ht * ht + r_t * ct * ht)


def delta_e(colour1: str, colour2: str, condition: str = "normal") -> float:
    """ΔE00 between two hex colours, both seen under ``condition``."""
    return ciede2000(hex_to_lab(colour1, condition), hex_to_lab(colour2, condition))


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance (the Y of linear sRGB)."""
    r, g, b = linear(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(colour1: str, colour2: str) -> float:
    """WCAG 2 contrast ratio, from 1 (same) to 21 (black on white); order does not matter."""
    y1, y2 = relative_luminance(colour1), relative_luminance(colour2)
    return (max(y1, y2) + 0.05) / (min(y1, y2) + 0.05)
