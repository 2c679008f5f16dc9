"""Quoting and escaping, checked against hand-written expectations."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from journeymap.render import escape as E
from journeymap.render._dot import label
from journeymap.render.escape import clean_text, clip, dot_quote, svg_id, wrap


def test_dot_quote_escapes_quotes_and_backslashes() -> None:
    assert dot_quote('x"; "y" [label="INJECTED"]; "z') == r'"x\"; \"y\" [label=\"INJECTED\"]; \"z"'
    assert dot_quote("C:\\dir\\") == '"C:\\\\dir\\\\"'
    assert dot_quote("\\N \\G \\l") == '"\\\\N \\\\G \\\\l"'
    assert dot_quote("node") == '"node"'
    assert dot_quote("Login:Page {x}") == '"Login:Page {x}"'


def test_clean_text_removes_controls_and_bidi_overrides() -> None:
    assert clean_text("a\nb\r\n\tc") == "a b c"
    assert clean_text("a\x00b\x07c") == "a\ufffdb\ufffdc"
    assert clean_text("\u202eevil\u202c \u200fx") == "evil x"
    assert clean_text("caf\u0065\u0301") == "caf\u00e9"  # NFC
    assert clean_text("caf\ud800") == "caf?"  # lone surrogate, replaced on encoding
    assert clean_text("مرحبا 日本 😀") == "مرحبا 日本 😀"


def test_clip_and_wrap() -> None:
    assert clip("x" * 20_000, 160) == "x" * 159 + "\u2026"
    assert wrap("Call care about a fault", 12) == ["Call care", "about a", "fault"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_label_joins_escaped_lines_with_our_own_escapes_only() -> None:
    assert label(['a\\N "x"', "b"]) == '"a\\\\N \\"x\\"\\nb"'
    assert label(["t", "u"], "l") == '"t\\lu\\l"'


def test_svg_id_is_injective_on_slugs_and_safe_otherwise() -> None:
    assert svg_id("care-call_2") == "care-call_2"
    assert svg_id('a"b <c>') == "a_22_b_20__3c_c_3e_"


def _normalised_the_long_way(text: str) -> str:
    s = text.encode("utf-8", "replace").decode("utf-8") if E._has_surrogates(text) else text
    s = unicodedata.normalize("NFC", s).translate(E._BIDI_CONTROLS)
    s = E._SPACE_RUNS.sub(" ", s).strip()
    return "".join("\ufffd" if E._is_control(ch) else ch for ch in s)


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_clean_text_fast_path_changes_nothing(text: str) -> None:
    assert clean_text(text) == _normalised_the_long_way(text)


def test_clean_text_fast_path_on_known_cases() -> None:
    for text in ["●●○○○ 2/5", "e\u0301", "\u212b", "a\u00a0b", "x\u200ey", "a\u2028b", "\u061cx"]:
        assert clean_text(text) == _normalised_the_long_way(text), repr(text)
