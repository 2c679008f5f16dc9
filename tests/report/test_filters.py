"""Report filters, with expectations worked out by hand."""

from __future__ import annotations

import math

from journeymap.model import Location
from journeymap.report import filters


def test_pct() -> None:
    assert filters.pct(0.4213) == "42%"
    assert filters.pct(0.047058823529411764, 1) == "4.7%"
    assert filters.pct(None) == "\u2014"
    assert filters.pct(math.nan) == "\u2014"


def test_num() -> None:
    assert filters.num(1.1352941176470588) == "1.14"
    assert filters.num(100.0, 1) == "100"
    assert filters.num(23.529, 1) == "23.5"
    assert filters.num(12345) == "12,345"
    assert filters.num(-0.0001) == "0"
    assert filters.num(math.inf) == "\u2014"


def test_hours() -> None:
    assert filters.hours(120.0) == "5d"
    assert filters.hours(336.0) == "2w"
    assert filters.hours(3.0) == "3h"
    assert filters.hours(1.5) == "1.5h"
    assert filters.hours(0.5) == "30m"
    assert filters.hours(None) == "\u2014"


def test_where() -> None:
    assert filters.where(Location("j.yaml", 12, 5)) == "j.yaml:12"
    assert filters.where(Location("<unknown>", 0, 0)) == ""


def test_heat_level() -> None:
    assert filters.heat_level(0, 10) == 0
    assert filters.heat_level(10, 10) == 5
    assert filters.heat_level(0.1, 10) == 1  # anything above zero shows
    assert filters.heat_level(5, 10) == 3  # ceil(0.5 * 5)


def test_rule_title_and_plural() -> None:
    assert filters.rule_title("JM102") == "context loss"
    assert filters.rule_title("JM999") == "JM999"
    assert filters.plural(1, "handoff") == "1 handoff"
    assert filters.plural(3, "handoff") == "3 handoffs"


def test_display_text_drops_bidi_controls_and_replaces_other_controls() -> None:
    # U+202E (right-to-left override) would make "abcdef" display as "abcfed"
    assert filters.display_text("abc\u202edef") == "abcdef"
    assert filters.display_text("\u2066x\u2069 \u200fy") == "x y"
    # NUL (a parse error in HTML), other C0/C1 controls and lone surrogates become U+FFFD
    assert filters.display_text("a\x00b\x1bc\x85d\ud800") == "a\ufffdb\ufffdc\ufffdd\ufffd"
    # line breaks and tabs stay; right-to-left letters stay; non-strings pass unchanged
    assert filters.display_text("line\n\tnext \u05e9\u05dc\u05d5\u05dd") == (
        "line\n\tnext \u05e9\u05dc\u05d5\u05dd"
    )
    assert filters.display_text(3) == 3


def test_environment_finalizes_printed_strings() -> None:
    from markupsafe import Markup

    from journeymap.report.environment import make_environment

    template = make_environment().from_string("{{ a }}|{{ b }}")
    assert template.render(a="x\x00<\u202ey", b=Markup("<i>\u202e</i>")) == (
        "x\ufffd&lt;y|<i>\u202e</i>"
    )


def test_loc() -> None:
    assert filters.loc(Location("journeys/claims-before.yaml", 105, 9)) == "claims-before.yaml:105"
    assert filters.loc(Location("a.yaml", 0, 0)) == ""
    assert filters.loc(None) == ""


def test_plain_message_names_ids_and_drops_backticks() -> None:
    names = {"a-b": "Call us", "c": "Visit", "x": "Sales", "y": "Field team", "s": "Report"}
    message = (
        "handoff a-b -> c (x -> y) at `c` has no owner; add `owner: <function id>`; "
        "stage `s` is spread over 2 functions (x, y; threshold 3); `unknown` stays"
    )
    out = filters.plain_message(message, names)
    assert "`" not in out
    assert str(out) == (
        "handoff Call us \u2192 Visit (Sales \u2192 Field team) at Visit has no owner; add "
        "<code>owner: &lt;function id&gt;</code>; stage Report is spread over 2 functions "
        "(Sales, Field team; threshold 3); <code>unknown</code> stays"
    )
    # a chain or list is renamed only when every id in it is known; plain words stay
    assert str(filters.plain_message("a-b -> zz, again, x", names)) == "a-b -&gt; zz, again, x"


def test_plain_message_escapes_and_cleans_names() -> None:
    names = {"t": "<script>x</script>\u202eevil", "u": "U"}
    out = str(filters.plain_message("`t` -> <b> t -> u `<i>` `", names))
    assert out == (
        "&lt;script&gt;x&lt;/script&gt;evil -&gt; &lt;b&gt; "
        "&lt;script&gt;x&lt;/script&gt;evil \u2192 U <code>&lt;i&gt;</code> "
    )


def test_rule_tip() -> None:
    assert filters.rule_tip("JM101") == (
        "JM101 handoff without owner: A handoff names no accountable owner: nobody answers "
        "for the gap."
    )
    assert filters.rule_tip("JM999") == "JM999"
