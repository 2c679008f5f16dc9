"""Turn report pages into live pages, and the page shown before a journey has ever loaded.

A report page forbids every network request in its Content-Security-Policy. The live server
widens exactly what it needs: its own script and stylesheet (``'self'``) and the event stream
(``connect-src 'self'``); everything else in the report's policy stays as it was.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence

__all__ = [
    "LIVE_SCRIPT_URL",
    "LIVE_STYLE_URL",
    "EVENTS_URL",
    "DEFAULT_POLICY",
    "live_policy",
    "make_live",
    "body_of",
    "waiting_page",
    "state_json",
]

LIVE_SCRIPT_URL = "/_live/live.js"
LIVE_STYLE_URL = "/_live/live.css"
EVENTS_URL = "/_live/events"

DEFAULT_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'"
)

_CSP_META = re.compile(
    r'<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"\s*/?>', re.IGNORECASE
)
_BODY = re.compile(r"<body([^>]*)>(.*)</body>", re.IGNORECASE | re.DOTALL)
_CLASS = re.compile(r'\bclass="([^"]*)"')


def live_policy(policy: str | None) -> str:
    """``policy`` with ``'self'`` added to script-src and style-src, and ``connect-src 'self'``."""
    if not policy:
        return DEFAULT_POLICY
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    for name in ("script-src", "style-src"):
        values = [v for v in directives.get(name, []) if v != "'none'"]
        if "'self'" not in values:
            values.append("'self'")
        directives[name] = values
    directives["connect-src"] = ["'self'"]
    directives.setdefault("default-src", ["'none'"])
    return "; ".join(" ".join([name, *values]) for name, values in directives.items())


def state_json(state: Mapping[str, object]) -> str:
    """JSON safe to sit inside ``<script type="application/json">`` (no ``<``, ``>`` or ``&``)."""
    text = json.dumps(state, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def make_live(page: str, state: Mapping[str, object]) -> tuple[str, str]:
    """Inject the live client into a report page; return ``(html, policy)``."""
    found = _CSP_META.search(page)
    policy = live_policy(html.unescape(found.group(1)) if found else None)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{html.escape(policy)}">'
    if found:
        page = page[: found.start()] + meta + page[found.end() :]
    else:
        page = page.replace("<head>", "<head>\n" + meta, 1)
    head_end = page.lower().rfind("</head>")
    link = f'<link rel="stylesheet" href="{LIVE_STYLE_URL}">\n'
    if head_end >= 0:
        page = page[:head_end] + link + page[head_end:]
    tail = (
        f'<script type="application/json" id="jm-live-state">{state_json(state)}</script>\n'
        f'<script src="{LIVE_SCRIPT_URL}" defer></script>\n'
    )
    body_end = page.lower().rfind("</body>")
    page = page[:body_end] + tail + page[body_end:] if body_end >= 0 else page + tail
    return page, policy


def body_of(page: str) -> tuple[str, str]:
    """``(body class, inner HTML of <body>)`` of a rendered page, for swapping in place."""
    found = _BODY.search(page)
    if found is None:
        return "", page
    cls = _CLASS.search(found.group(1))
    return (html.unescape(cls.group(1)) if cls else ""), found.group(2)


def waiting_page(title: str, path: str, errors: Sequence[str], index_href: str) -> str:
    """The page of a journey that has not loaded yet: its name and, in the overlay, why."""
    t = html.escape(title)
    lines = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in errors)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(DEFAULT_POLICY)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{t} \u2014 journeymap</title>\n</head>\n"
        '<body class="journey-page live-waiting">\n<main id="main" class="jm-live-waiting">\n'
        f'<p><a href="{html.escape(index_href)}">&larr; Portfolio</a></p>\n'
        f"<h1>{t}</h1>\n<p><code>{html.escape(path)}</code> has not loaded yet. "
        "Save a valid version and this page fills in by itself.</p>\n"
        f"<ul>{lines}</ul>\n</main>\n</body>\n</html>\n"
    )
