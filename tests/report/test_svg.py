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


# --- The writer against ElementTree's --------------------------------------------------------
# inline_svg writes the tree itself (one pass, sanitising as it goes) instead of ElementTree's
# generic two-pass writer. The reference below is the earlier implementation: sanitise the whole
# tree, then ET.tostring. Both must give the same text, for real Graphviz output and for crafted
# documents with everything the sanitiser drops and everything the writer escapes.


def reference_inline_svg(document: bytes | str, label: str, css_class: str = "diagram") -> str:
    import re
    import xml.etree.ElementTree as ET

    from journeymap.report import svg as mod

    text = document.decode("utf-8") if isinstance(document, bytes) else document
    text = mod._PROLOG.sub("", text, count=1)
    root = ET.fromstring(text)
    for parent in root.iter():
        for child in list(parent):
            if child.tag in mod._DROP or not isinstance(child.tag, str):
                parent.remove(child)
        for name in list(parent.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            unsafe = local == "href" and not mod._SAFE_LINK.match(parent.attrib[name].strip())
            if local.startswith("on") or local == "style" or unsafe:
                del parent.attrib[name]
    size = [mod._points(root.attrib.pop(name, "")) for name in ("width", "height")]
    if size[0] and size[1]:
        root.set("viewBox", f"0 0 {size[0]:g} {size[1]:g}")
        graph = next((g for g in root if g.tag == f"{{{mod.SVG_NS}}}g"), None)
        scale = re.match(r"^\s*scale\(\s*([0-9.]+)", graph.get("transform", "")) if graph else None
        factor = float(scale.group(1)) if scale else 1.0
        if factor > 0:
            root.set("data-natural-width", f"{size[0] / factor * 4 / 3:.0f}")
    root.set("class", css_class)
    root.set("role", "img")
    root.set("aria-label", label)
    title = ET.Element(f"{{{mod.SVG_NS}}}title")
    title.text = label
    root.insert(0, title)
    return ET.tostring(root, encoding="unicode", short_empty_elements=True)


CRAFTED = [
    # everything the sanitiser drops, at the root and deeper, with tails after dropped elements
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    'width="10pt" height="5pt" onload="x()" style="a"><g id="g0" transform="scale(2 2)">'
    '<script>evil()</script>tail &amp; more<a xlink:href="javascript:x()" xlink:title="t &lt; u">'
    '<text x="1" ONCLICK="y()">a &amp; b &lt; c &gt; d "q"</text></a>'
    '<a href=" https://example.org/?a=1&amp;b=2"><text xml:space="preserve">  k  </text></a>'
    '<foreignObject><div>x</div></foreignObject>after<g/><path d="M0 0"/></g></svg>',
    # attribute values that need every escape, and an empty root
    '<svg xmlns="http://www.w3.org/2000/svg"><title id="a&quot;b&#10;c&#13;d&#9;e">x</title></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg"/>',
    # no namespace at all, and a namespace the writer does not know (ElementTree writes it)
    '<svg width="2pt" height="2pt"><g><text>t</text></g></svg>',
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="urn:x"><g x:k="v"><x:e>t</x:e></g></svg>',
    # the XLink namespace used only below the root, and a bare "xml:" attribute
    '<svg xmlns="http://www.w3.org/2000/svg"><g><a xmlns:xlink="http://www.w3.org/1999/xlink" '
    'xlink:href="#n">n</a></g></svg>',
]


@pytest.mark.parametrize("document", CRAFTED)
def test_writer_matches_elementtree_on_crafted_documents(document: str) -> None:
    assert str(inline_svg(document, 'L "<&>"')) == reference_inline_svg(document, 'L "<&>"')


def test_writer_matches_elementtree_on_real_diagrams(broadband: Any, hostile: Any) -> None:
    from pathlib import Path

    from journeymap.analysis.engine import analyze
    from journeymap.load import load_journeys
    from journeymap.render import build_dot, build_silo_dot, render_dot

    examples = Path(__file__).resolve().parents[2] / "journeys"
    analyses = [broadband, hostile, *(analyze(j) for j in load_journeys([examples]))]
    documents = [
        render_dot(build_dot(a, view), "svg") for a in analyses for view in ("journey", "blueprint")
    ]
    documents.append(render_dot(build_silo_dot(analyses), "svg"))
    for document in documents:
        ours = str(inline_svg(document, "Diagram", css_class="diagram silo"))
        assert ours == reference_inline_svg(document, "Diagram", "diagram silo")


def test_label_loses_bidi_overrides_and_nul(tiny_svg: Any) -> None:
    out = str(inline_svg(tiny_svg([]), "Journey abc\u202edef\x00"))
    assert 'aria-label="Journey abcdef\ufffd"' in out
    assert "<title>Journey abcdef\ufffd</title>" in out
