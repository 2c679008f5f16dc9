"""Where report pages live and what their anchors are called: file names and element ids.

The site build, the journey pages, the portfolio index and the live server all link with these,
so a link and its target always agree.
"""

from __future__ import annotations

import hashlib

__all__ = ["page_name", "edge_id"]


def page_name(journey_id: str) -> str:
    """The file name of a journey's page (ids are slugs; anything else is hashed)."""
    safe = journey_id.replace("-", "").replace("_", "")
    slug = safe.isascii() and safe.isalnum() and journey_id == journey_id.lower()
    if journey_id and slug and journey_id != "index":
        return f"{journey_id}.html"
    return "j-" + hashlib.sha256(journey_id.encode("utf-8")).hexdigest()[:16] + ".html"


def edge_id(source: str, target: str) -> str:
    """The ``id`` the diagrams give the edge ``source -> target``."""
    return f"edge-{source}--{target}"
