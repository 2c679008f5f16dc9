"""Inlining Graphviz SVG: prolog gone, active content dropped, viewBox from the size in points."""

from __future__ import annotations

from typing import Any

import pytest

from journeymap.errors import RenderError
from journeymap.report.svg import inline_svg


def test_prolog_doctype_and_comments_go(tiny_svg: Any) -> None:
    out = str(inline_svg(tiny_svg([("a", "b")]), "Diagram"))
    assert out.startswith("<svg ")
    assert "<?xml" not in out and "DOCTYPE" not in out and "<!--" not in out
    assert 'id="edge-a--b"' in out


def test_viewbox_follows_the_size_in_points(tiny_svg: Any) -> None:
    # Graphviz 2.43 with dpi != 72 writes a viewBox half the drawn size; width/height are right.
    out = str(inline_svg(tiny_svg([]), "Diagram"))
    assert 'viewBox="0 0 200 100"' in out
    assert ' width="' not in out.split(">", 1)[0]
    # natural size: 200 pt drawn at scale(2) is 100 pt at 72 dpi, 100 * 4/3 = 133 px
    assert 'data-natural-width="133"' in out


def test_label_is_escaped_and_accessible(tiny_svg: Any) -> None:
    out = str(inline_svg(tiny_svg([]), 'Journey "<script>"'))
    assert 'role="img"' in out
    assert 'aria-label="Journey &quot;&lt;script&gt;&quot;"' in out
    assert '<title>Journey "&lt;script&gt;"</title>' in out


def test_active_content_is_dropped() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'onload="alert(1)"><script>alert(2)</script><g style="x" onclick="alert(3)">'
        '<a xlink:href="javascript:alert(4)"><text>t</text></a>'
        '<a href="https://example.org/"><text>ok</text></a>'
        "<foreignObject><div>x</div></foreignObject></g></svg>"
    )
    out = str(inline_svg(svg, "d"))
    for bad in ("alert", "onload", "onclick", "style=", "<script", "foreignObject", "javascript:"):
        assert bad not in out, bad
    assert 'href="https://example.org/"' in out


def test_entities_are_refused() -> None:
    with pytest.raises(RenderError):
        inline_svg('<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "d")
