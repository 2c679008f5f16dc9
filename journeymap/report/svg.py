"""Make a Graphviz SVG document fit to sit inside an HTML page.

The renderer escapes labels already; this is defence at our own layer, applied at output time:
the XML prolog, DOCTYPE and comments go; ``<script>``/``<foreignObject>`` elements, ``on*``
attributes, ``style`` attributes and links that are not ``http(s):``, ``mailto:`` or ``#...``
are dropped. Fixed ``width``/``height`` give way to the ``viewBox`` so the diagram scales, and
the root gets ``role="img"``, an ``aria-label`` and a ``<title>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from journeymap.errors import RenderError

__all__ = ["inline_svg"]

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)

_PROLOG = re.compile(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>\s*)?", re.S)
_SCALE = re.compile(r"^\s*scale\(\s*([0-9.]+)")
_SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.I)
_DROP = {f"{{{SVG_NS}}}script", f"{{{SVG_NS}}}foreignObject", "script", "foreignObject"}


def _points(value: str) -> float:
    match = re.fullmatch(r"\s*([0-9.]+)\s*(pt)?\s*", value)
    try:
        return float(match.group(1)) if match else 0.0
    except ValueError:
        return 0.0


def inline_svg(document: bytes | str, label: str, *, css_class: str = "diagram") -> Markup:
    """Return ``document`` (an SVG file from Graphviz) as markup safe to inline in HTML."""
    text = document.decode("utf-8") if isinstance(document, bytes) else document
    if "<!ENTITY" in text:
        raise RenderError("refusing to inline an SVG that declares XML entities")
    text = _PROLOG.sub("", text, count=1)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as err:
        raise RenderError(f"the renderer produced SVG that does not parse: {err}") from None
    for parent in root.iter():
        for child in list(parent):
            if child.tag in _DROP or not isinstance(child.tag, str):
                parent.remove(child)
        for name in list(parent.attrib):
            local = name.rsplit("}", 1)[-1].lower()
            unsafe_link = local == "href" and not _SAFE_LINK.match(parent.attrib[name].strip())
            if local.startswith("on") or local == "style" or unsafe_link:
                del parent.attrib[name]
    size = [_points(root.attrib.pop(name, "")) for name in ("width", "height")]
    if size[0] and size[1]:
        # Graphviz draws in points scaled by dpi/72; older versions then write a viewBox in
        # unscaled points (the picture gets cropped). The size in points is always right.
        root.set("viewBox", f"0 0 {size[0]:g} {size[1]:g}")
        # Graphviz scales by dpi/72 on the root group: undo it for the natural size in px.
        graph = next((g for g in root if g.tag == f"{{{SVG_NS}}}g"), None)
        scale = _SCALE.match(graph.get("transform", "")) if graph is not None else None
        factor = float(scale.group(1)) if scale else 1.0
        if factor > 0:
            root.set("data-natural-width", f"{size[0] / factor * 4 / 3:.0f}")
    root.set("class", css_class)
    root.set("role", "img")
    root.set("aria-label", label)
    title = ET.Element(f"{{{SVG_NS}}}title")
    title.text = label
    root.insert(0, title)
    # ElementTree escapes text and attribute values on the way out.
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=True))
