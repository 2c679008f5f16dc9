"""Make a Graphviz SVG document fit to sit inside an HTML page.

The renderer escapes labels already; this is defence at our own layer, applied at output time:
the XML prolog, DOCTYPE and comments go; ``<script>``/``<foreignObject>`` elements, ``on*``
attributes, ``style`` attributes and links that are not ``http(s):``, ``mailto:`` or ``#...``
are dropped. Fixed ``width``/``height`` give way to the ``viewBox`` so the diagram scales, and
the root gets ``role="img"``, an ``aria-label`` and a ``<title>`` (journey text, cleaned like
diagram labels).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from markupsafe import Markup

from journeymap.errors import RenderError
from journeymap.render.escape import clean_text

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


_XML_NS = "http://www.w3.org/XML/1998/namespace"
_PREFIXES = {SVG_NS: "", XLINK_NS: "xlink", _XML_NS: "xml"}  # xml: never declared


class _UnknownNamespace(Exception):
    """A name in a namespace the fast writer has no prefix for (ElementTree writes it)."""


def _escape_text(text: str) -> str:
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


def _escape_attribute(text: str) -> str:
    text = _escape_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def _is_unsafe(name: str, value: str) -> bool:
    local = name.rsplit("}", 1)[-1].lower()
    if local.startswith("on") or local == "style":
        return True
    return local == "href" and not _SAFE_LINK.match(value.strip())


def _sanitise(root: ET.Element) -> None:
    """Drop script-like elements, event handlers, style attributes and unsafe links in place."""
    for parent in root.iter():
        for child in list(parent):
            if child.tag in _DROP or not isinstance(child.tag, str):
                parent.remove(child)
        for name in list(parent.attrib):
            if _is_unsafe(name, parent.attrib[name]):
                del parent.attrib[name]


class _Writer:
    """Serialise an element tree exactly as ``ET.tostring(root, encoding="unicode")`` does for
    the SVG and XLink namespaces (ElementTree's writer walks the tree twice and is generic; this
    is the costliest step of a journey page), dropping what :func:`_sanitise` drops on the way."""

    def __init__(self) -> None:
        self.qnames: dict[str, str] = {}
        self.used: set[str] = set()  # namespace URIs to declare on the root

    def qname(self, name: str) -> str:
        found = self.qnames.get(name)
        if found is not None:
            return found
        if name[:1] == "{":
            uri, local = name[1:].rsplit("}", 1)
            prefix = _PREFIXES.get(uri)
            if prefix is None:
                raise _UnknownNamespace(uri)
            if uri != _XML_NS:
                self.used.add(uri)
            found = f"{prefix}:{local}" if prefix else local
        else:
            found = name
        self.qnames[name] = found
        return found

    def element(self, elem: ET.Element, out: list[str]) -> None:
        tag = self.qname(elem.tag)
        out.append("<" + tag)
        for name, value in elem.items():
            if not _is_unsafe(name, value):
                out.append(f' {self.qname(name)}="{_escape_attribute(value)}"')
        children = [
            child for child in elem if isinstance(child.tag, str) and child.tag not in _DROP
        ]
        if elem.text or children:
            out.append(">")
            if elem.text:
                out.append(_escape_text(elem.text))
            for child in children:
                self.element(child, out)
                if child.tail:
                    out.append(_escape_text(child.tail))
            out.append(f"</{tag}>")
        else:
            out.append(" />")

    def document(self, root: ET.Element) -> str:
        out: list[str] = []
        self.element(root, out)
        declarations = "".join(
            f' xmlns{":" + _PREFIXES[uri] if _PREFIXES[uri] else ""}="{_escape_attribute(uri)}"'
            for uri in sorted(self.used, key=lambda uri: _PREFIXES[uri])
        )
        tag = self.qname(root.tag)
        out[0] = f"<{tag}{declarations}"
        return "".join(out)


def _serialise(root: ET.Element) -> str:
    """The sanitised tree as text (ElementTree's own writer for namespaces we do not know)."""
    try:
        return _Writer().document(root)
    except _UnknownNamespace:
        _sanitise(root)
        return ET.tostring(root, encoding="unicode", short_empty_elements=True)


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
    # The root's own attributes are cleaned here (those set below are ours); the rest of the
    # tree is cleaned while it is written.
    for name in list(root.attrib):
        if _is_unsafe(name, root.attrib[name]):
            del root.attrib[name]
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
    # the label holds journey text (the title): no NUL, no bidi override, as in the diagram
    label = clean_text(label)
    root.set("aria-label", label)
    title = ET.Element(f"{{{SVG_NS}}}title")
    title.text = label
    root.insert(0, title)
    # Text and attribute values are escaped on the way out.
    return Markup(_serialise(root))
