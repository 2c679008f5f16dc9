"""Read the built site's HTML with html.parser: the ids of each page and every link it makes."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Attributes that point at another file or place: (tag, attribute).
LINKS = {
    ("a", "href"),
    ("link", "href"),
    ("script", "src"),
    ("img", "src"),
    ("iframe", "src"),
    ("source", "src"),
}


@dataclass
class Page:
    ids: set[str] = field(default_factory=set)
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (tag, attribute, value)
    text: list[str] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.page.ids.add(value)
            if (tag, name) in LINKS:
                self.page.links.append((tag, name, value))

    def handle_data(self, data: str) -> None:
        self.page.text.append(data)


def read_page(path: Path) -> Page:
    parser = _Parser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.page


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) or url.startswith("//")


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor of the site's pages that leads nowhere, as
    ``page: tag attr="value": why``."""
    pages = {p: read_page(p) for p in sorted(site.rglob("*.html"))}
    problems = []
    for path, page in pages.items():
        where = path.relative_to(site).as_posix()
        for tag, attr, value in page.links:
            if is_external(value):
                continue
            parts = urlsplit(value)
            if parts.path.startswith("/"):
                # Root-absolute links only work from a web server's root: the 404 page is served
                # there (and only there); every other page must open from file:// too.
                if where != "404.html":
                    problems.append(f'{where}: {tag} {attr}="{value}": root-absolute link')
                    continue
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            elif not parts.path:
                target = path
            else:
                target = (path.parent / unquote(parts.path)).resolve()
            if parts.path.endswith("/") or (target.is_dir()):
                target = target / "index.html"
            if (
                site.resolve() not in target.resolve().parents
                and target.resolve() != site.resolve()
            ):
                problems.append(f'{where}: {tag} {attr}="{value}": outside the site')
                continue
            if not target.is_file():
                problems.append(f'{where}: {tag} {attr}="{value}": no such file')
                continue
            if parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else read_page(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f'{where}: {tag} {attr}="{value}": no such anchor')
    return problems
